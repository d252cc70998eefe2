// Migration 4: which process trains a run (host and pid), so a second process sharing the database does not mistake it for interrupted.
import type { Migration } from './types';

export const migration0004: Migration = {
  version: 4,
  name: 'run-owner',
  up: (db) => {
    db.exec(`
      ALTER TABLE runs ADD COLUMN owner_host TEXT;
      ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
    `);
  },
};

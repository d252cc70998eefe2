// Shape of one numbered, append-only schema migration.
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database) => void;
  /**
   * Run with foreign keys off (a table rebuild: dropping the old table must not cascade). migrate() turns them off
   * before its transaction, checks every foreign key before committing, and turns them back on.
   */
  foreignKeysOff?: boolean;
}

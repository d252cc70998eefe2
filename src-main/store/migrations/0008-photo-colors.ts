// Migration 8: a colour label per photo (Lightroom's 6-9, darktable's F1-F5), beside its stars and reject flag.
import type { Migration } from './types';

export const migration0008: Migration = {
  version: 8,
  name: 'photo-colors',
  up: (db) => {
    db.exec(`
      ALTER TABLE photo_ratings ADD COLUMN color TEXT CHECK (color IS NULL OR color IN ('red', 'yellow', 'green', 'blue', 'purple'));
    `);
  },
};

// Migration 6: the photographer's culling — stars, reject and calibration-predicted stars per photo, and each collection's last score→stars calibration.
import type { Migration } from './types';

export const migration0006: Migration = {
  version: 6,
  name: 'photo-ratings',
  up: (db) => {
    db.exec(`
      CREATE TABLE photo_ratings (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        -- The photographer's own stars; NULL until they rate (0 is a decision: "no stars", darktable's un-rate).
        stars INTEGER CHECK (stars IS NULL OR stars BETWEEN 0 AND 5),
        rejected INTEGER NOT NULL DEFAULT 0 CHECK (rejected IN (0,1)),
        -- Stars predicted from the model score by the collection's calibration; shown only while stars is NULL.
        predicted INTEGER CHECK (predicted IS NULL OR predicted BETWEEN 0 AND 5),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;

      CREATE TABLE photo_calibrations (
        dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
        fit TEXT NOT NULL CHECK (json_valid(fit)),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;
    `);
  },
};

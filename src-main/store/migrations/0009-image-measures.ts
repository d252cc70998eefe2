// Migration 9: the technical measures of each photo (sharpness, noise, exposure, compression) as the default quality model measured them.
import type { Migration } from './types';

export const migration0009: Migration = {
  version: 9,
  name: 'image-measures',
  up: (db) => {
    db.exec(`
      CREATE TABLE image_measures (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        -- 0..100, 100 = crisp (the best-focused part of the photo).
        sharpness REAL NOT NULL CHECK (sharpness BETWEEN 0 AND 100),
        -- Estimated noise sigma on the 0..255 scale.
        noise REAL NOT NULL CHECK (noise >= 0),
        -- Shares of blown (any channel >= 254) and black (luma <= 3) pixels, in %.
        clipped_highlights REAL NOT NULL CHECK (clipped_highlights BETWEEN 0 AND 100),
        clipped_shadows REAL NOT NULL CHECK (clipped_shadows BETWEEN 0 AND 100),
        -- Mean luma, 0..100 %.
        mean_luminance REAL NOT NULL CHECK (mean_luminance BETWEEN 0 AND 100),
        -- Compression artefacts, 0 = none.
        compression REAL NOT NULL CHECK (compression >= 0),
        measured_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;
    `);
  },
};

// Migration 5: subjective studies — a study's items (test, training, gold), its raters with their own order, and ratings tied to items.
import type { Migration } from './types';

export const migration0005: Migration = {
  version: 5,
  name: 'studies',
  up: (db) => {
    db.exec(`
      CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        method TEXT NOT NULL CHECK (method IN ('acr','slider','dcr','pairwise')),
        config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;

      -- One stimulus: an image (ACR, slider), an image with its reference shown first (DCR), or a pair (pairwise).
      CREATE TABLE study_items (
        id INTEGER PRIMARY KEY,
        study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('test','training','gold')),
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        other_image_id INTEGER REFERENCES images(id) ON DELETE CASCADE,
        expected REAL CHECK (expected IS NULL OR expected = expected),
        UNIQUE (study_id, position)
      ) STRICT;
      CREATE INDEX study_items_study ON study_items(study_id, role);

      CREATE TABLE study_raters (
        study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        rater_id INTEGER NOT NULL REFERENCES raters(id) ON DELETE CASCADE,
        seed INTEGER NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        PRIMARY KEY (study_id, rater_id)
      ) STRICT;

      ALTER TABLE ratings ADD COLUMN study_item_id INTEGER REFERENCES study_items(id) ON DELETE CASCADE;
      CREATE UNIQUE INDEX ratings_rater_item ON ratings(rater_id, study_item_id) WHERE study_item_id IS NOT NULL;
    `);
  },
};

// Migration 3: model scores per image and weights source (image_scores), the latest copied onto images.score by triggers and indexed.
import type { Migration } from './types';

/** The score an image shows: its most recently written score row. */
const LATEST_SCORE = (id: string) => `(SELECT score FROM image_scores WHERE image_id = ${id} ORDER BY scored_at DESC, id DESC LIMIT 1)`;

export const migration0003: Migration = {
  version: 3,
  name: 'image-scores',
  up: (db) => {
    db.exec(`
      CREATE TABLE image_scores (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        -- Where the weights came from: a checkpoint folder, 'shipped:<model>' or an imported weights file.
        source TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        -- Finite only: NaN binds as NULL, and +-Infinity fails the bound.
        score REAL NOT NULL CHECK (abs(score) <= 1.7976931348623157e308),
        -- The scale the score is in, e.g. 'mos 1-5 higher', or 'raw' for the model's own output.
        scale TEXT NOT NULL DEFAULT 'raw',
        crops INTEGER,
        scored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (image_id, source)
      ) STRICT;
      CREATE INDEX image_scores_run ON image_scores(run_id);

      ALTER TABLE images ADD COLUMN score REAL;
      CREATE INDEX images_dataset_score ON images(dataset_id, score);

      CREATE TRIGGER image_scores_after_insert AFTER INSERT ON image_scores BEGIN
        UPDATE images SET score = ${LATEST_SCORE('NEW.image_id')} WHERE id = NEW.image_id;
      END;
      CREATE TRIGGER image_scores_after_update AFTER UPDATE ON image_scores BEGIN
        UPDATE images SET score = ${LATEST_SCORE('NEW.image_id')} WHERE id = NEW.image_id;
        UPDATE images SET score = ${LATEST_SCORE('OLD.image_id')} WHERE id = OLD.image_id AND OLD.image_id <> NEW.image_id;
      END;
      CREATE TRIGGER image_scores_after_delete AFTER DELETE ON image_scores BEGIN
        UPDATE images SET score = ${LATEST_SCORE('OLD.image_id')} WHERE id = OLD.image_id;
      END;
    `);
  },
};

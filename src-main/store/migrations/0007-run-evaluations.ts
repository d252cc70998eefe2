// Migration 7: evaluations of a run's checkpoint on a dataset (cross-dataset tests), one per run, dataset and part, replaced when re-run.
import type { Migration } from './types';

export const migration0007: Migration = {
  version: 7,
  name: 'run-evaluations',
  up: (db) => {
    db.exec(`
      CREATE TABLE run_evaluations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        -- 'test': the test part of split_name (the run's own dataset); 'all': every labelled image.
        part TEXT NOT NULL CHECK (part IN ('test', 'all')),
        split_name TEXT,
        checkpoint_path TEXT NOT NULL,
        n INTEGER NOT NULL CHECK (n >= 0),
        srcc REAL, krcc REAL, plcc REAL, plcc_fitted REAL, rmse REAL, rmse_fitted REAL,
        -- 1 when the model's direction (MOS/DMOS) differed from the dataset's and its scores were negated.
        flipped INTEGER NOT NULL DEFAULT 0 CHECK (flipped IN (0,1)),
        per_distortion TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(per_distortion)),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (run_id, dataset_id, part)
      ) STRICT;
      CREATE INDEX run_evaluations_dataset ON run_evaluations(dataset_id);
    `);
  },
};

// Migration 1: the first tables — datasets, images, references, labels, raters, ratings, splits, runs, metrics, predictions, settings.
import type { Migration } from './types';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up: (db) => {
    db.exec(`
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        root TEXT,
        description TEXT NOT NULL DEFAULT '',
        label_kind TEXT NOT NULL DEFAULT 'none' CHECK (label_kind IN ('mos','dmos','level','stars','none')),
        score_min REAL,
        score_max REAL,
        higher_is_better INTEGER NOT NULL DEFAULT 1 CHECK (higher_is_better IN (0,1)),
        parent_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;

      -- "references" is an SQL keyword, hence reference_images.
      CREATE TABLE reference_images (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        path TEXT,
        width INTEGER,
        height INTEGER,
        UNIQUE (dataset_id, name)
      ) STRICT;

      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        reference_id INTEGER REFERENCES reference_images(id) ON DELETE SET NULL,
        distortion TEXT,
        level INTEGER,
        width INTEGER,
        height INTEGER,
        format TEXT,
        bytes INTEGER,
        error TEXT,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (dataset_id, path)
      ) STRICT;
      CREATE INDEX images_dataset_name ON images(dataset_id, name);
      CREATE INDEX images_reference ON images(reference_id);

      CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        source TEXT NOT NULL DEFAULT 'imported',
        value REAL NOT NULL CHECK (value = value),
        std REAL,
        n_ratings INTEGER,
        ci_low REAL,
        ci_high REAL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (image_id, source)
      ) STRICT;

      CREATE TABLE raters (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT UNIQUE,
        meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;

      CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        rater_id INTEGER NOT NULL REFERENCES raters(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        other_image_id INTEGER REFERENCES images(id) ON DELETE CASCADE,
        method TEXT NOT NULL,
        value REAL NOT NULL CHECK (value = value),
        duration_ms INTEGER,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;
      CREATE INDEX ratings_image ON ratings(image_id);
      CREATE INDEX ratings_rater ON ratings(rater_id);

      CREATE TABLE splits (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        protocol TEXT NOT NULL,
        seed INTEGER,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (dataset_id, name)
      ) STRICT;
      CREATE TABLE split_members (
        split_id INTEGER NOT NULL REFERENCES splits(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        part TEXT NOT NULL CHECK (part IN ('train','val','test')),
        PRIMARY KEY (split_id, image_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        model TEXT NOT NULL,
        dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        split_id INTEGER REFERENCES splits(id) ON DELETE SET NULL,
        parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        status TEXT NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued','running','paused','cancelled','failed','completed')),
        config TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
        checkpoint_path TEXT,
        checkpoint_sha256 TEXT,
        error TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        started_at TEXT,
        finished_at TEXT
      ) STRICT;

      CREATE TABLE run_metrics (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        epoch INTEGER,
        part TEXT NOT NULL DEFAULT 'train',
        name TEXT NOT NULL,
        value REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;
      CREATE INDEX run_metrics_run ON run_metrics(run_id, name, step);

      CREATE TABLE predictions (
        id INTEGER PRIMARY KEY,
        run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        score REAL NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;
      CREATE INDEX predictions_image ON predictions(image_id);
      CREATE INDEX predictions_run ON predictions(run_id);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value)),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      ) STRICT;
    `);
  },
};

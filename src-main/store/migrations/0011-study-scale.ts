// Migration 11: studies of any size — each rated item's rank (a rater's order is a seeded permutation of ranks), per-rater counters and cursor, crowd settings on raters, and the indexes that keep a vote's cost independent of the study's size.
import type { Migration } from './types';

export const migration0011: Migration = {
  version: 11,
  name: 'study-scale',
  up: (db) => {
    db.exec(`
      -- 0..R-1 over a study's rated (test, gold) items in position order; NULL for training items.
      ALTER TABLE study_items ADD COLUMN rank INTEGER CHECK (rank IS NULL OR rank >= 0);
      UPDATE study_items SET rank = numbered.r FROM (
        SELECT id, row_number() OVER (PARTITION BY study_id ORDER BY position) - 1 AS r FROM study_items WHERE role != 'training'
      ) AS numbered WHERE study_items.id = numbered.id;
      CREATE UNIQUE INDEX study_items_rank ON study_items(study_id, rank) WHERE rank IS NOT NULL;
      CREATE INDEX ratings_study_item ON ratings(study_item_id) WHERE study_item_id IS NOT NULL;

      ALTER TABLE studies ADD COLUMN rated_items INTEGER NOT NULL DEFAULT 0;
      UPDATE studies SET rated_items = (SELECT count(*) FROM study_items s WHERE s.study_id = studies.id AND s.role != 'training');

      -- votes: the rater's stored ratings in the study; cursor: every rank of their order below it is rated.
      ALTER TABLE study_raters ADD COLUMN votes INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0);
      ALTER TABLE study_raters ADD COLUMN cursor INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0);
      ALTER TABLE study_raters ADD COLUMN last_at TEXT;
      UPDATE study_raters SET
        votes = (SELECT count(*) FROM ratings r JOIN study_items s ON s.id = r.study_item_id WHERE r.rater_id = study_raters.rater_id AND s.study_id = study_raters.study_id),
        last_at = (SELECT max(r.created_at) FROM ratings r JOIN study_items s ON s.id = r.study_item_id WHERE r.rater_id = study_raters.rater_id AND s.study_id = study_raters.study_id);
    `);
  },
};

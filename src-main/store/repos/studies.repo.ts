// Subjective studies in SQLite: studies, their items, raters with token hashes, and ratings committed one by one.
import type { Db } from '../db';

export type StudyMethod = 'acr' | 'slider' | 'dcr' | 'pairwise';
export type ItemRole = 'test' | 'training' | 'gold';

export interface StudyRow {
  id: number;
  name: string;
  datasetId: number;
  method: StudyMethod;
  config: Record<string, unknown>;
  status: 'open' | 'closed';
  createdAt: string;
}

export interface StudyItem {
  id: number;
  position: number;
  role: ItemRole;
  imageId: number;
  otherImageId: number | null;
  expected: number | null;
}

export interface NewStudyItem {
  role: ItemRole;
  imageId: number;
  otherImageId?: number | null;
  expected?: number | null;
}

export interface StudyRater {
  raterId: number;
  name: string;
  seed: number;
  createdAt: string;
}

export interface StoredRating {
  id: number;
  raterId: number;
  itemId: number;
  imageId: number;
  otherImageId: number | null;
  role: ItemRole;
  /** The gold answer, for gold items. */
  expected: number | null;
  value: number;
  durationMs: number | null;
  createdAt: string;
}

interface StudyDbRow {
  id: number;
  name: string;
  dataset_id: number;
  method: StudyMethod;
  config: string;
  status: 'open' | 'closed';
  created_at: string;
}

const toStudy = (r: StudyDbRow): StudyRow => ({
  id: r.id,
  name: r.name,
  datasetId: r.dataset_id,
  method: r.method,
  config: JSON.parse(r.config) as Record<string, unknown>,
  status: r.status,
  createdAt: r.created_at,
});

const ITEM_SELECT = `SELECT id, position, role, image_id AS imageId, other_image_id AS otherImageId, expected FROM study_items`;
const RATING_SELECT = `
  SELECT r.id, r.rater_id AS raterId, r.study_item_id AS itemId, r.image_id AS imageId, r.other_image_id AS otherImageId,
         s.role, s.expected, r.value, r.duration_ms AS durationMs, r.created_at AS createdAt
  FROM ratings r JOIN study_items s ON s.id = r.study_item_id`;

export function createStudiesRepo(db: Db) {
  const insertItem = db.prepare(
    'INSERT INTO study_items (study_id, position, role, image_id, other_image_id, expected) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    /** The study and all its items in one transaction. */
    create(s: { name: string; datasetId: number; method: StudyMethod; config: Record<string, unknown> }, items: readonly NewStudyItem[]): number {
      return db.transaction(() => {
        const id = Number(
          db.prepare('INSERT INTO studies (name, dataset_id, method, config) VALUES (?, ?, ?, ?)').run(s.name, s.datasetId, s.method, JSON.stringify(s.config))
            .lastInsertRowid,
        );
        items.forEach((it, i) => insertItem.run(id, i, it.role, it.imageId, it.otherImageId ?? null, it.expected ?? null));
        return id;
      })();
    },
    list(): StudyRow[] {
      return (db.prepare('SELECT * FROM studies ORDER BY id').all() as StudyDbRow[]).map(toStudy);
    },
    get(id: number): StudyRow | undefined {
      const row = db.prepare('SELECT * FROM studies WHERE id = ?').get(id) as StudyDbRow | undefined;
      return row && toStudy(row);
    },
    setStatus(id: number, status: 'open' | 'closed'): void {
      db.prepare('UPDATE studies SET status = ? WHERE id = ?').run(status, id);
    },
    items(studyId: number): StudyItem[] {
      return db.prepare(`${ITEM_SELECT} WHERE study_id = ? ORDER BY position`).all(studyId) as StudyItem[];
    },
    item(itemId: number): (StudyItem & { studyId: number }) | undefined {
      return db.prepare(`${ITEM_SELECT.replace('SELECT id,', 'SELECT id, study_id AS studyId,')} WHERE id = ?`).get(itemId) as
        | (StudyItem & { studyId: number })
        | undefined;
    },
    /** A new rater of this study; only the token's hash is stored. */
    addRater(studyId: number, name: string, tokenHash: string, seed: number): number {
      return db.transaction(() => {
        const raterId = Number(db.prepare('INSERT INTO raters (name, token_hash) VALUES (?, ?)').run(name, tokenHash).lastInsertRowid);
        db.prepare('INSERT INTO study_raters (study_id, rater_id, seed) VALUES (?, ?, ?)').run(studyId, raterId, seed);
        return raterId;
      })();
    },
    raters(studyId: number): StudyRater[] {
      return db
        .prepare(
          `SELECT r.id AS raterId, r.name, sr.seed, sr.created_at AS createdAt FROM study_raters sr JOIN raters r ON r.id = sr.rater_id
           WHERE sr.study_id = ? ORDER BY r.id`,
        )
        .all(studyId) as StudyRater[];
    },
    /** The study and rater a token hash belongs to. */
    byTokenHash(tokenHash: string): { studyId: number; rater: StudyRater } | undefined {
      const row = db
        .prepare(
          `SELECT sr.study_id AS studyId, r.id AS raterId, r.name, sr.seed, sr.created_at AS createdAt
           FROM raters r JOIN study_raters sr ON sr.rater_id = r.id WHERE r.token_hash = ?`,
        )
        .get(tokenHash) as ({ studyId: number } & StudyRater) | undefined;
      return row && { studyId: row.studyId, rater: { raterId: row.raterId, name: row.name, seed: row.seed, createdAt: row.createdAt } };
    },
    /** Stores one rating of a study item; a second rating of the same item by the same rater replaces the first. */
    addRating(r: { raterId: number; item: StudyItem; method: StudyMethod; value: number; durationMs: number | null }): number {
      return db.transaction(() => {
        db.prepare('DELETE FROM ratings WHERE rater_id = ? AND study_item_id = ?').run(r.raterId, r.item.id);
        return Number(
          db
            .prepare('INSERT INTO ratings (rater_id, image_id, other_image_id, method, value, duration_ms, study_item_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
            .run(r.raterId, r.item.imageId, r.item.otherImageId, r.method, r.value, r.durationMs, r.item.id).lastInsertRowid,
        );
      })();
    },
    /** Removes the rater's latest rating in the study; returns the item it was for. */
    undoLast(studyId: number, raterId: number): number | null {
      const last = db
        .prepare(
          `SELECT r.id, r.study_item_id AS itemId FROM ratings r JOIN study_items s ON s.id = r.study_item_id
           WHERE s.study_id = ? AND r.rater_id = ? ORDER BY r.id DESC LIMIT 1`,
        )
        .get(studyId, raterId) as { id: number; itemId: number } | undefined;
      if (!last) return null;
      db.prepare('DELETE FROM ratings WHERE id = ?').run(last.id);
      return last.itemId;
    },
    ratings(studyId: number, raterId?: number): StoredRating[] {
      return raterId === undefined
        ? (db.prepare(`${RATING_SELECT} WHERE s.study_id = ? ORDER BY r.id`).all(studyId) as StoredRating[])
        : (db.prepare(`${RATING_SELECT} WHERE s.study_id = ? AND r.rater_id = ? ORDER BY r.id`).all(studyId, raterId) as StoredRating[]);
    },
  };
}
export type StudiesRepo = ReturnType<typeof createStudiesRepo>;

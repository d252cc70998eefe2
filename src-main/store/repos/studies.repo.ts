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
  /** Test and gold items (the items a rater rates). */
  ratedItems: number;
}

export interface StudyItem {
  id: number;
  studyId: number;
  position: number;
  /** Index among the study's rated (test, gold) items; null for training items. */
  rank: number | null;
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
  /** Stored ratings of this rater in the study. */
  votes: number;
  /** Every position of the rater's order below this one is rated. */
  cursor: number;
  lastAt: string | null;
  /** Crowd answers and state (demographics, qualification, completion code), JSON. */
  meta: Record<string, unknown>;
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
  rated_items: number;
}

const toStudy = (r: StudyDbRow): StudyRow => ({
  id: r.id,
  name: r.name,
  datasetId: r.dataset_id,
  method: r.method,
  config: JSON.parse(r.config) as Record<string, unknown>,
  status: r.status,
  createdAt: r.created_at,
  ratedItems: r.rated_items,
});

const ITEM_SELECT = `SELECT id, study_id AS studyId, position, rank, role, image_id AS imageId, other_image_id AS otherImageId, expected FROM study_items`;
const RATING_SELECT = `
  SELECT r.id, r.rater_id AS raterId, r.study_item_id AS itemId, r.image_id AS imageId, r.other_image_id AS otherImageId,
         s.role, s.expected, r.value, r.duration_ms AS durationMs, r.created_at AS createdAt
  FROM ratings r JOIN study_items s ON s.id = r.study_item_id`;
const RATER_SELECT = `
  SELECT sr.study_id AS studyId, r.id AS raterId, r.name, sr.seed, sr.created_at AS createdAt, sr.votes, sr.cursor, sr.last_at AS lastAt, r.meta
  FROM study_raters sr JOIN raters r ON r.id = sr.rater_id`;

type RaterDbRow = Omit<StudyRater, 'meta'> & { studyId: number; meta: string };
const toRater = ({ studyId: _, meta, ...r }: RaterDbRow): StudyRater => ({ ...r, meta: JSON.parse(meta) as Record<string, unknown> });

/** Every statement a study needs; each vote touches a fixed number of indexed rows, whatever the study's size. */
export function createStudiesRepo(db: Db) {
  const statements = {
    insertStudy: db.prepare('INSERT INTO studies (name, dataset_id, method, config, rated_items) VALUES (?, ?, ?, ?, ?)'),
    insertItem: db.prepare('INSERT INTO study_items (study_id, position, rank, role, image_id, other_image_id, expected) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    listStudies: db.prepare('SELECT * FROM studies ORDER BY id'),
    getStudy: db.prepare('SELECT * FROM studies WHERE id = ?'),
    setStatus: db.prepare('UPDATE studies SET status = ? WHERE id = ?'),
    setConfig: db.prepare('UPDATE studies SET config = ? WHERE id = ?'),
    items: db.prepare(`${ITEM_SELECT} WHERE study_id = ? ORDER BY position`),
    itemsByRole: db.prepare(`${ITEM_SELECT} WHERE study_id = ? AND role = ? ORDER BY position`),
    itemCounts: db.prepare('SELECT role, count(*) AS n FROM study_items WHERE study_id = ? GROUP BY role'),
    item: db.prepare(`${ITEM_SELECT} WHERE id = ?`),
    itemAtRank: db.prepare(`${ITEM_SELECT} WHERE study_id = ? AND rank = ?`),
    insertRater: db.prepare('INSERT INTO raters (name, token_hash, meta) VALUES (?, ?, ?)'),
    insertStudyRater: db.prepare('INSERT INTO study_raters (study_id, rater_id, seed) VALUES (?, ?, ?)'),
    raters: db.prepare(`${RATER_SELECT} WHERE sr.study_id = ? ORDER BY r.id`),
    raterByTokenHash: db.prepare(`${RATER_SELECT} WHERE r.token_hash = ?`),
    studyRater: db.prepare(`${RATER_SELECT} WHERE sr.study_id = ? AND sr.rater_id = ?`),
    setRaterMeta: db.prepare('UPDATE raters SET meta = ? WHERE id = ?'),
    hasRated: db.prepare('SELECT 1 FROM ratings WHERE rater_id = ? AND study_item_id = ?'),
    deleteRating: db.prepare('DELETE FROM ratings WHERE rater_id = ? AND study_item_id = ?'),
    insertRating: db.prepare(
      'INSERT INTO ratings (rater_id, image_id, other_image_id, method, value, duration_ms, study_item_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at AS createdAt',
    ),
    countVote: db.prepare('UPDATE study_raters SET votes = votes + ?, last_at = coalesce(?, last_at) WHERE study_id = ? AND rater_id = ?'),
    setCursor: db.prepare('UPDATE study_raters SET cursor = ? WHERE study_id = ? AND rater_id = ?'),
    lastRating: db.prepare(
      `SELECT r.id, r.study_item_id AS itemId FROM ratings r JOIN study_items s ON s.id = r.study_item_id
       WHERE r.rater_id = ? AND s.study_id = ? ORDER BY r.id DESC LIMIT 1`,
    ),
    deleteRatingById: db.prepare('DELETE FROM ratings WHERE id = ?'),
    recentDurations: db.prepare('SELECT duration_ms AS ms FROM ratings WHERE rater_id = ? AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?'),
    ratings: db.prepare(`${RATING_SELECT} WHERE s.study_id = ? ORDER BY r.id`),
    raterRatings: db.prepare(`${RATING_SELECT} WHERE s.study_id = ? AND r.rater_id = ? ORDER BY r.id`),
    readableImageIds: db.prepare('SELECT id FROM images WHERE dataset_id = ? AND error IS NULL ORDER BY id'),
    imagesWithReference: db.prepare('SELECT id FROM images WHERE dataset_id = ? AND reference_id IS NOT NULL'),
    itemImageNames: db.prepare(
      `SELECT i.id, i.name FROM study_items s JOIN images i ON i.id = s.image_id WHERE s.study_id = ?
       UNION SELECT i.id, i.name FROM study_items s JOIN images i ON i.id = s.other_image_id WHERE s.study_id = ?`,
    ),
    itemContents: db.prepare('SELECT DISTINCT i.id, i.reference_id AS ref FROM study_items s JOIN images i ON i.id = s.image_id WHERE s.study_id = ?'),
    referencePath: db.prepare('SELECT r.path FROM images i JOIN reference_images r ON r.id = i.reference_id WHERE i.id = ?'),
    referenceOf: db.prepare('SELECT r.name, r.path FROM images i JOIN reference_images r ON r.id = i.reference_id WHERE i.id = ?'),
    setParent: db.prepare('UPDATE datasets SET parent_id = ? WHERE id = ?'),
    datasetName: db.prepare('SELECT name, root FROM datasets WHERE id = ?'),
    copyImage: db.prepare(`
      INSERT INTO images (dataset_id, path, name, reference_id, distortion, level, width, height, format, bytes, error)
      SELECT ?, path, name, NULL, distortion, level, width, height, format, bytes, error FROM images WHERE id = ? RETURNING id`),
    setImageReference: db.prepare('UPDATE images SET reference_id = ? WHERE id = ?'),
    insertLabel: db.prepare('INSERT INTO labels (image_id, source, value, std, n_ratings, ci_low, ci_high) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  };

  /** The study and all its items in one transaction; rated items are ranked 0..R-1 in their given order. */
  function create(s: { name: string; datasetId: number; method: StudyMethod; config: Record<string, unknown> }, items: readonly NewStudyItem[]): number {
    return db.transaction(() => {
      const rated = items.filter((it) => it.role !== 'training').length;
      const id = Number(statements.insertStudy.run(s.name, s.datasetId, s.method, JSON.stringify(s.config), rated).lastInsertRowid);
      let rank = 0;
      items.forEach((it, i) => statements.insertItem.run(id, i, it.role === 'training' ? null : rank++, it.role, it.imageId, it.otherImageId ?? null, it.expected ?? null));
      return id;
    })();
  }
  function list(): StudyRow[] {
    return (statements.listStudies.all() as StudyDbRow[]).map(toStudy);
  }
  function get(id: number): StudyRow | undefined {
    const row = statements.getStudy.get(id) as StudyDbRow | undefined;
    return row && toStudy(row);
  }
  function setStatus(id: number, status: 'open' | 'closed'): void {
    statements.setStatus.run(status, id);
  }
  function setConfig(id: number, config: Record<string, unknown>): void {
    statements.setConfig.run(JSON.stringify(config), id);
  }
  function items(studyId: number): StudyItem[] {
    return statements.items.all(studyId) as StudyItem[];
  }
  function itemsByRole(studyId: number, role: ItemRole): StudyItem[] {
    return statements.itemsByRole.all(studyId, role) as StudyItem[];
  }
  function itemCounts(studyId: number): Record<ItemRole, number> {
    const counts: Record<ItemRole, number> = { test: 0, training: 0, gold: 0 };
    for (const r of statements.itemCounts.all(studyId) as { role: ItemRole; n: number }[]) counts[r.role] = r.n;
    return counts;
  }
  function item(itemId: number): StudyItem | undefined {
    return statements.item.get(itemId) as StudyItem | undefined;
  }
  function itemAtRank(studyId: number, rank: number): StudyItem | undefined {
    return statements.itemAtRank.get(studyId, rank) as StudyItem | undefined;
  }
  /** A new rater of this study; only the token's hash is stored. */
  function addRater(studyId: number, name: string, tokenHash: string, seed: number, meta: Record<string, unknown> = {}): number {
    return db.transaction(() => {
      const raterId = Number(statements.insertRater.run(name, tokenHash, JSON.stringify(meta)).lastInsertRowid);
      statements.insertStudyRater.run(studyId, raterId, seed);
      return raterId;
    })();
  }
  function raters(studyId: number): StudyRater[] {
    return (statements.raters.all(studyId) as RaterDbRow[]).map(toRater);
  }
  /** The study and rater a token hash belongs to. */
  function byTokenHash(tokenHash: string): { studyId: number; rater: StudyRater } | undefined {
    const row = statements.raterByTokenHash.get(tokenHash) as RaterDbRow | undefined;
    return row && { studyId: row.studyId, rater: toRater(row) };
  }
  /** One rater of a study by primary key (a vote's fresh counters and cursor). */
  function studyRater(studyId: number, raterId: number): StudyRater | undefined {
    const row = statements.studyRater.get(studyId, raterId) as RaterDbRow | undefined;
    return row && toRater(row);
  }
  function setRaterMeta(raterId: number, meta: Record<string, unknown>): void {
    statements.setRaterMeta.run(JSON.stringify(meta), raterId);
  }
  function hasRated(raterId: number, itemId: number): boolean {
    return statements.hasRated.get(raterId, itemId) !== undefined;
  }
  /** Stores one rating of a study item; a second rating of the same item by the same rater replaces the first. */
  function addRating(r: { raterId: number; item: StudyItem; method: StudyMethod; value: number; durationMs: number | null }): number {
    return db.transaction(() => {
      const replaced = statements.deleteRating.run(r.raterId, r.item.id).changes;
      const row = statements.insertRating.get(r.raterId, r.item.imageId, r.item.otherImageId, r.method, r.value, r.durationMs, r.item.id) as { id: number; createdAt: string };
      statements.countVote.run(replaced ? 0 : 1, row.createdAt, r.item.studyId, r.raterId);
      return row.id;
    })();
  }
  function setCursor(studyId: number, raterId: number, cursor: number): void {
    statements.setCursor.run(cursor, studyId, raterId);
  }
  /** Removes the rater's latest rating in the study; returns the item it was for. */
  function undoLast(studyId: number, raterId: number): number | null {
    return db.transaction(() => {
      const last = statements.lastRating.get(raterId, studyId) as { id: number; itemId: number } | undefined;
      if (!last) return null;
      statements.deleteRatingById.run(last.id);
      statements.countVote.run(-1, null, studyId, raterId);
      return last.itemId;
    })();
  }
  /** The rater's latest `limit` vote durations (newest first). */
  function recentDurations(raterId: number, limit: number): number[] {
    return (statements.recentDurations.all(raterId, limit) as { ms: number }[]).map((r) => r.ms);
  }
  function ratings(studyId: number, raterId?: number): StoredRating[] {
    return (raterId === undefined ? statements.ratings.all(studyId) : statements.raterRatings.all(studyId, raterId)) as StoredRating[];
  }
  function readableImageIds(datasetId: number): number[] {
    return (statements.readableImageIds.all(datasetId) as { id: number }[]).map((r) => r.id);
  }
  /** The images of a dataset that have a reference (DCR shows it first); one query, whatever the number of ids. */
  function imagesWithReference(datasetId: number): Set<number> {
    return new Set((statements.imagesWithReference.all(datasetId) as { id: number }[]).map((r) => r.id));
  }
  function itemImageNames(studyId: number): Map<number, string> {
    return new Map((statements.itemImageNames.all(studyId, studyId) as { id: number; name: string }[]).map((r) => [r.id, r.name]));
  }
  /** Each item image's content (its reference image), null for images without one. */
  function itemContents(studyId: number): Map<number, number | null> {
    return new Map((statements.itemContents.all(studyId) as { id: number; ref: number | null }[]).map((r) => [r.id, r.ref]));
  }
  function referencePath(imageId: number): string | null {
    return (statements.referencePath.get(imageId) as { path: string | null } | undefined)?.path ?? null;
  }
  /** Copies a rated image into a published dataset version with its label; the reference is re-created there by `addReference`. */
  function copyLabelledImage(
    datasetId: number,
    imageId: number,
    label: { source: string; value: number; std: number | null; n: number; ciLow: number | null; ciHigh: number | null },
    addReference: (name: string, path: string | null) => number,
  ): number {
    const { id } = statements.copyImage.get(datasetId, imageId) as { id: number };
    const ref = statements.referenceOf.get(imageId) as { name: string; path: string | null } | undefined;
    if (ref) statements.setImageReference.run(addReference(ref.name, ref.path), id);
    statements.insertLabel.run(id, label.source, label.value, label.std, label.n, label.ciLow, label.ciHigh);
    return id;
  }
  /** The name alone (a dataset summary counts its images, which a study's dashboard does not need). */
  function datasetName(datasetId: number): string | null {
    return (statements.datasetName.get(datasetId) as { name: string } | undefined)?.name ?? null;
  }
  /** The folder a dataset's files must stay inside (stimuli are served only from there). */
  function datasetRoot(datasetId: number): string | null {
    return (statements.datasetName.get(datasetId) as { root: string | null } | undefined)?.root ?? null;
  }
  function setDatasetParent(datasetId: number, parentId: number): void {
    statements.setParent.run(parentId, datasetId);
  }
  return {
    create,
    list,
    get,
    setStatus,
    setConfig,
    items,
    itemsByRole,
    itemCounts,
    item,
    itemAtRank,
    addRater,
    raters,
    byTokenHash,
    studyRater,
    setRaterMeta,
    hasRated,
    addRating,
    setCursor,
    undoLast,
    recentDurations,
    ratings,
    readableImageIds,
    imagesWithReference,
    itemImageNames,
    itemContents,
    referencePath,
    copyLabelledImage,
    datasetName,
    datasetRoot,
    setDatasetParent,
  };
}
export type StudiesRepo = ReturnType<typeof createStudiesRepo>;

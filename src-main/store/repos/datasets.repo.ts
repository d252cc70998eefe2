// Datasets and their images: typed reads and writes over the datasets, reference_images, images and labels tables (and images.score).
import type { Db } from '../db';
import type { DatasetSummary, ImageItem, ImagePage, ImageSort } from '../../../src-shared/api/schemas';
import { AppError } from '../../../src-shared/api/errors';

interface DatasetRow {
  id: number;
  name: string;
  kind: string;
  root: string | null;
  description: string;
  label_kind: DatasetSummary['labelKind'];
  score_min: number | null;
  score_max: number | null;
  higher_is_better: number;
  created_at: string;
  image_count: number;
  reference_count: number;
  labelled_count: number;
}

interface ImageRow {
  id: number;
  dataset_id: number;
  path: string;
  name: string;
  width: number | null;
  height: number | null;
  format: string | null;
  bytes: number | null;
  reference_name: string | null;
  distortion: string | null;
  level: number | null;
  label: number | null;
  label_std: number | null;
  score: number | null;
  error: string | null;
}

export interface NewDataset {
  name: string;
  kind: string;
  root?: string | null;
  description?: string;
  labelKind?: DatasetSummary['labelKind'];
  scoreMin?: number | null;
  scoreMax?: number | null;
  higherIsBetter?: boolean;
  meta?: Record<string, unknown>;
}

export interface NewImage {
  path: string;
  name: string;
  referenceId?: number | null;
  distortion?: string | null;
  level?: number | null;
  width?: number | null;
  height?: number | null;
  format?: string | null;
  bytes?: number | null;
  error?: string | null;
}

export interface ImageQuery {
  datasetId: number;
  offset: number;
  limit: number;
  sort: ImageSort;
  descending: boolean;
  distortion?: string | undefined;
  level?: number | undefined;
  labelMin?: number | undefined;
  labelMax?: number | undefined;
  scoreMin?: number | undefined;
  scoreMax?: number | undefined;
  unreadableOnly?: boolean | undefined;
  search?: string | undefined;
}

export interface DatasetFacets {
  distortions: { name: string; count: number }[];
  levels: number[];
  labelRange: [number, number] | null;
  scoreRange: [number, number] | null;
  unreadable: number;
}

/** The label shown for an image: its first label row, kept on images.label by triggers (migration 0002). */
const LABEL_SQL = 'i.label';

const DATASET_SELECT = `
  SELECT d.id, d.name, d.kind, d.root, d.description, d.label_kind, d.score_min, d.score_max,
         d.higher_is_better, d.created_at,
         (SELECT count(*) FROM images i WHERE i.dataset_id = d.id) AS image_count,
         (SELECT count(*) FROM reference_images r WHERE r.dataset_id = d.id) AS reference_count,
         (SELECT count(DISTINCT l.image_id) FROM labels l JOIN images i ON i.id = l.image_id
           WHERE i.dataset_id = d.id) AS labelled_count
  FROM datasets d`;

const IMAGE_SELECT = `
  SELECT i.id, i.dataset_id, i.path, i.name, i.width, i.height, i.format, i.bytes, i.distortion, i.level, i.error,
         r.name AS reference_name,
         i.label AS label, i.label_std AS label_std, i.score AS score
  FROM images i LEFT JOIN reference_images r ON r.id = i.reference_id`;

const SORT_SQL: Record<ImageSort, string> = {
  name: 'i.name',
  label: 'i.label',
  score: 'i.score',
  distortion: 'i.distortion',
  level: 'i.level',
  added: 'i.id',
};

function toDataset(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    root: row.root,
    description: row.description,
    labelKind: row.label_kind,
    scoreMin: row.score_min,
    scoreMax: row.score_max,
    direction: row.higher_is_better ? 'higher_better' : 'lower_better',
    imageCount: row.image_count,
    referenceCount: row.reference_count,
    labelledCount: row.labelled_count,
    createdAt: row.created_at,
  };
}

function toImage(row: ImageRow): ImageItem {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    path: row.path,
    name: row.name,
    width: row.width,
    height: row.height,
    format: row.format,
    bytes: row.bytes,
    referenceName: row.reference_name,
    distortion: row.distortion,
    level: row.level,
    label: row.label,
    labelStd: row.label_std,
    score: row.score,
    error: row.error,
  };
}

export interface DatasetDependents {
  studies: number;
  votes: number;
  raters: number;
  photoRatings: number;
}

/** A TTL-IQA auxiliary dataset's origin: the DT-GAN run that translated its photos, and to how many levels. */
export interface AuxiliaryOrigin {
  dtganRunId: number;
  levels: number;
}

export function createDatasetsRepo(db: Db) {
  const insertDataset = db.prepare(`
    INSERT INTO datasets (name, kind, root, description, label_kind, score_min, score_max, higher_is_better, meta)
    VALUES (@name, @kind, @root, @description, @labelKind, @scoreMin, @scoreMax, @higherIsBetter, @meta)`);
  const insertImage = db.prepare(`
    INSERT INTO images (dataset_id, path, name, reference_id, distortion, level, width, height, format, bytes, error)
    VALUES (@datasetId, @path, @name, @referenceId, @distortion, @level, @width, @height, @format, @bytes, @error)`);
  const upsertReference = db.prepare(`
    INSERT INTO reference_images (dataset_id, name, path, width, height) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (dataset_id, name) DO UPDATE SET path = excluded.path RETURNING id`);
  const insertLabel = db.prepare(`
    INSERT INTO labels (image_id, source, value, std, n_ratings) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (image_id, source) DO UPDATE SET value = excluded.value, std = excluded.std,
      n_ratings = excluded.n_ratings`);

  return {
    list(): DatasetSummary[] {
      return (db.prepare(`${DATASET_SELECT} ORDER BY d.id`).all() as DatasetRow[]).map(toDataset);
    },
    get(id: number): DatasetSummary | undefined {
      const row = db.prepare(`${DATASET_SELECT} WHERE d.id = ?`).get(id) as DatasetRow | undefined;
      return row && toDataset(row);
    },
    findByName(name: string): DatasetSummary | undefined {
      const row = db.prepare(`${DATASET_SELECT} WHERE d.name = ?`).get(name) as DatasetRow | undefined;
      return row && toDataset(row);
    },
    create(d: NewDataset): number {
      let info;
      try {
        info = insertDataset.run({
          name: d.name,
          kind: d.kind,
          root: d.root ?? null,
          description: d.description ?? '',
          labelKind: d.labelKind ?? 'none',
          scoreMin: d.scoreMin ?? null,
          scoreMax: d.scoreMax ?? null,
          higherIsBetter: d.higherIsBetter === false ? 0 : 1,
          meta: JSON.stringify(d.meta ?? {}),
        });
      } catch (err) {
        // Another import (another process on the same file) took the name between our check and this insert.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('conflict', `A dataset named "${d.name}" already exists`);
        throw err;
      }
      return Number(info.lastInsertRowid);
    },
    addReference(datasetId: number, name: string, path: string | null, width?: number, height?: number): number {
      const row = upsertReference.get(datasetId, name, path, width ?? null, height ?? null) as { id: number };
      return row.id;
    },
    /** Every image's file path and name in a dataset. */
    imagePaths(datasetId: number): { path: string; name: string }[] {
      return db.prepare('SELECT path, name FROM images WHERE dataset_id = ?').all(datasetId) as { path: string; name: string }[];
    },
    addImage(datasetId: number, img: NewImage): number {
      const info = insertImage.run({
        datasetId,
        path: img.path,
        name: img.name,
        referenceId: img.referenceId ?? null,
        distortion: img.distortion ?? null,
        level: img.level ?? null,
        width: img.width ?? null,
        height: img.height ?? null,
        format: img.format ?? null,
        bytes: img.bytes ?? null,
        error: img.error ?? null,
      });
      return Number(info.lastInsertRowid);
    },
    setLabel(imageId: number, value: number, source = 'imported', std: number | null = null, n: number | null = null) {
      insertLabel.run(imageId, source, value, std, n);
    },
    /**
     * The human judgements that deleting a dataset would take with it: its studies, their raw votes (and any vote on
     * its images) and the raters who cast them, and photos with stars, a reject or a colour label given by a person.
     */
    dependents(id: number): DatasetDependents {
      const images = 'SELECT id FROM images WHERE dataset_id = @id';
      const votes = `FROM ratings WHERE image_id IN (${images}) OR other_image_id IN (${images})
        OR study_item_id IN (SELECT si.id FROM study_items si JOIN studies s ON s.id = si.study_id WHERE s.dataset_id = @id)`;
      return db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM studies WHERE dataset_id = @id) AS studies,
                  (SELECT COUNT(*) ${votes}) AS votes,
                  (SELECT COUNT(DISTINCT rater_id) ${votes}) AS raters,
                  (SELECT COUNT(*) FROM photo_ratings WHERE image_id IN (${images})
                     AND (stars IS NOT NULL OR rejected = 1 OR color IS NOT NULL)) AS photoRatings`,
        )
        .get({ id }) as DatasetDependents;
    },
    /** Removes the dataset and everything that hangs off it (see dependents()); image files are never touched. */
    delete(id: number): boolean {
      return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
    },
    facets(datasetId: number): DatasetFacets {
      const distortions = db
        .prepare(
          `SELECT distortion AS name, count(*) AS count FROM images WHERE dataset_id = ? AND distortion IS NOT NULL
           GROUP BY distortion ORDER BY distortion`,
        )
        .all(datasetId) as { name: string; count: number }[];
      const levels = (
        db.prepare('SELECT DISTINCT level FROM images WHERE dataset_id = ? AND level IS NOT NULL ORDER BY level').all(datasetId) as { level: number }[]
      ).map((r) => r.level);
      const range = db
        .prepare(`SELECT min(l.value) AS lo, max(l.value) AS hi FROM labels l JOIN images i ON i.id = l.image_id WHERE i.dataset_id = ?`)
        .get(datasetId) as { lo: number | null; hi: number | null };
      const scores = db
        .prepare('SELECT min(score) AS lo, max(score) AS hi FROM images WHERE dataset_id = ? AND score IS NOT NULL')
        .get(datasetId) as { lo: number | null; hi: number | null };
      const unreadable = (
        db.prepare('SELECT count(*) AS n FROM images WHERE dataset_id = ? AND error IS NOT NULL').get(datasetId) as { n: number }
      ).n;
      return {
        distortions,
        levels,
        labelRange: range.lo === null || range.hi === null ? null : [range.lo, range.hi],
        scoreRange: scores.lo === null || scores.hi === null ? null : [scores.lo, scores.hi],
        unreadable,
      };
    },
    /** Every image of the same content (reference) as `id`, by distortion then level; none when it has no reference. */
    siblings(id: number): ImageItem[] {
      return (db
        .prepare(`${IMAGE_SELECT} WHERE i.reference_id = (SELECT reference_id FROM images WHERE id = ?) ORDER BY i.distortion, i.level, i.name LIMIT 500`)
        .all(id) as ImageRow[]).map(toImage);
    },
    /** Marks the dataset as a TTL-IQA auxiliary domain: the DT-GAN run that made it and its number of levels (meta.auxiliary). */
    setAuxiliary(id: number, origin: AuxiliaryOrigin): void {
      db.prepare("UPDATE datasets SET meta = json_set(meta, '$.auxiliary', json(?)) WHERE id = ?").run(JSON.stringify(origin), id);
    },
    /** Where an auxiliary dataset came from; null for any other dataset. */
    auxiliary(id: number): AuxiliaryOrigin | null {
      const row = db.prepare("SELECT json_extract(meta, '$.auxiliary') AS aux FROM datasets WHERE id = ?").get(id) as { aux: string | null } | undefined;
      return row?.aux ? (JSON.parse(row.aux) as AuxiliaryOrigin) : null;
    },
    getReference(id: number): { id: number; datasetId: number; name: string; path: string | null } | undefined {
      return db.prepare('SELECT id, dataset_id AS datasetId, name, path FROM reference_images WHERE id = ?').get(id) as
        | { id: number; datasetId: number; name: string; path: string | null }
        | undefined;
    },
    getImage(id: number): ImageItem | undefined {
      const row = db.prepare(`${IMAGE_SELECT} WHERE i.id = ?`).get(id) as ImageRow | undefined;
      return row && toImage(row);
    },
    listImages(q: ImageQuery): ImagePage {
      const where = ['i.dataset_id = @datasetId'];
      if (q.distortion !== undefined) where.push('i.distortion IS @distortion');
      if (q.level !== undefined) where.push('i.level = @level');
      if (q.labelMin !== undefined) where.push(`${LABEL_SQL} >= @labelMin`);
      if (q.labelMax !== undefined) where.push(`${LABEL_SQL} <= @labelMax`);
      if (q.scoreMin !== undefined) where.push('i.score >= @scoreMin');
      if (q.scoreMax !== undefined) where.push('i.score <= @scoreMax');
      if (q.unreadableOnly) where.push('i.error IS NOT NULL');
      if (q.search) where.push("i.name LIKE @search ESCAPE '\\'");
      const params = {
        datasetId: q.datasetId,
        distortion: q.distortion === '' ? null : (q.distortion ?? null),
        level: q.level ?? null,
        labelMin: q.labelMin ?? null,
        labelMax: q.labelMax ?? null,
        scoreMin: q.scoreMin ?? null,
        scoreMax: q.scoreMax ?? null,
        search: q.search ? `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
        limit: q.limit,
        offset: q.offset,
      };
      const whereSql = where.join(' AND ');
      const total = (
        db.prepare(`SELECT count(*) AS n FROM images i WHERE ${whereSql}`).get(params) as { n: number }
      ).n;
      const dir = q.descending ? 'DESC' : 'ASC';
      const rows = db
        .prepare(
          `${IMAGE_SELECT} WHERE ${whereSql} ORDER BY ${SORT_SQL[q.sort]} ${dir} NULLS LAST, i.id ${dir}
           LIMIT @limit OFFSET @offset`,
        )
        .all(params) as ImageRow[];
      return { total, offset: q.offset, items: rows.map(toImage) };
    },
  };
}
export type DatasetsRepo = ReturnType<typeof createDatasetsRepo>;

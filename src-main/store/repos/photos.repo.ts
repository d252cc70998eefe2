// Library photos in SQLite: images joined with photo_ratings (stars, reject, colour label, predicted stars), filtered and paged; calibrations per collection.
import type { Db } from '../db';
import { MEASURE_KEYS, type Calibration, type MeasureKey, type PhotoColor, type PhotoFilter, type PhotoItem, type PhotoMeasures, type PhotoPage, type PhotoSort, type PhotoStats } from '../../../src-shared/api/schemas';

interface PhotoRow {
  id: number;
  dataset_id: number;
  path: string;
  name: string;
  width: number | null;
  height: number | null;
  error: string | null;
  score: number | null;
  stars: number | null;
  rejected: number;
  predicted: number | null;
  color: PhotoColor | null;
  m_sharpness: number | null;
  m_noise: number | null;
  m_clipped_highlights: number | null;
  m_clipped_shadows: number | null;
  m_mean_luminance: number | null;
  m_compression: number | null;
  picked: number;
  e_captured: string | null;
  e_camera: string | null;
  e_lens: string | null;
  e_focal: number | null;
  e_iso: number | null;
  e_shutter: number | null;
  e_aperture: number | null;
  e_raw: string | null;
  e_seen: number | null;
  g_no: number | null;
  g_size: number | null;
  g_best: number | null;
}

/** The image_measures column of each measure. */
export const MEASURE_COLUMNS: Record<MeasureKey, string> = {
  sharpness: 'sharpness',
  noise: 'noise',
  clippedHighlights: 'clipped_highlights',
  clippedShadows: 'clipped_shadows',
  meanLuminance: 'mean_luminance',
  compression: 'compression',
};

export interface PhotoQuery extends Partial<PhotoFilter> {
  datasetId: number;
  offset: number;
  limit: number;
  sort: PhotoSort;
  descending: boolean;
}

/** A photo with what a sidecar needs: its culling state and its latest score with the weights that gave it. */
export interface SidecarRow {
  id: number;
  path: string;
  name: string;
  stars: number | null;
  rejected: boolean;
  picked: boolean;
  predicted: number | null;
  color: PhotoColor | null;
  score: { value: number; model: string; source: string; runId: number | null; scale: string; scoredAt: string } | null;
  measures: PhotoMeasures | null;
}

export interface ExportRow {
  path: string;
  score: number | null;
  stars: number | null;
  rejected: boolean;
  predicted: number | null;
  color: PhotoColor | null;
  model: string | null;
  /** Where the score's weights came from (`shipped:…`, a checkpoint path) and their run. */
  source: string | null;
  runId: number | null;
  scale: string | null;
  measures: PhotoMeasures | null;
}

const MEASURE_SELECT = MEASURE_KEYS.map((k) => `m.${MEASURE_COLUMNS[k]} AS m_${MEASURE_COLUMNS[k]}`).join(', ');
/** Images with their ratings and measures; every query of photos joins these two. */
const PHOTO_FROM =
  'FROM images i LEFT JOIN photo_ratings r ON r.image_id = i.id LEFT JOIN image_measures m ON m.image_id = i.id LEFT JOIN photo_exif e ON e.image_id = i.id LEFT JOIN photo_groups g ON g.image_id = i.id';
const EXTRA_SELECT = `coalesce(r.picked, 0) AS picked, e.captured_at AS e_captured, e.camera AS e_camera, e.lens AS e_lens, e.focal_length AS e_focal,
  e.iso AS e_iso, e.shutter AS e_shutter, e.aperture AS e_aperture, e.raw_path AS e_raw, e.image_id AS e_seen, g.group_no AS g_no, g.size AS g_size, g.best AS g_best`;

const PHOTO_SELECT = `
  SELECT i.id, i.dataset_id, i.path, i.name, i.width, i.height, i.error, i.score,
         r.stars, coalesce(r.rejected, 0) AS rejected, r.predicted, r.color, ${MEASURE_SELECT}, ${EXTRA_SELECT}
  ${PHOTO_FROM}`;

/** The image's most recent score row (the one images.score holds). */
const LATEST_SCORE_JOIN = `LEFT JOIN image_scores s ON s.id = (
  SELECT id FROM image_scores WHERE image_id = i.id ORDER BY scored_at DESC, id DESC LIMIT 1)`;

/** Stars as shown: the photographer's, else predicted, else 0; rejected photos below every star level. */
const SHOWN_STARS = 'CASE WHEN r.rejected = 1 THEN -1 ELSE coalesce(r.stars, r.predicted, 0) END';

const SORT_SQL: Record<PhotoSort, string> = {
  name: 'i.name',
  score: 'i.score',
  stars: SHOWN_STARS,
  added: 'i.id',
  captured: 'e.captured_at',
  ...(Object.fromEntries(MEASURE_KEYS.map((k) => [k, `m.${MEASURE_COLUMNS[k]}`])) as Record<MeasureKey, string>),
};

function measuresOf(row: Pick<PhotoRow, `m_${string}` & keyof PhotoRow>): PhotoMeasures | null {
  if (row.m_sharpness === null || row.m_sharpness === undefined) return null;
  return {
    sharpness: row.m_sharpness,
    noise: row.m_noise!,
    clippedHighlights: row.m_clipped_highlights!,
    clippedShadows: row.m_clipped_shadows!,
    meanLuminance: row.m_mean_luminance!,
    compression: row.m_compression!,
  };
}

const RATING_SQL: Record<PhotoFilter['rating'], string | null> = {
  all: null,
  notRejected: 'coalesce(r.rejected, 0) = 0',
  rejected: 'r.rejected = 1',
  unrated: 'r.stars IS NULL AND coalesce(r.rejected, 0) = 0',
  rated: 'r.stars IS NOT NULL',
  predicted: 'r.stars IS NULL AND r.predicted IS NOT NULL AND coalesce(r.rejected, 0) = 0',
  picked: 'r.picked = 1',
};

function toPhoto(row: PhotoRow): PhotoItem {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    path: row.path,
    name: row.name,
    width: row.width,
    height: row.height,
    error: row.error,
    score: row.score,
    stars: row.stars,
    rejected: row.rejected === 1,
    predicted: row.predicted,
    color: row.color,
    measures: measuresOf(row),
    picked: row.picked === 1,
    exif:
      row.e_seen === null
        ? null
        : { capturedAt: row.e_captured, camera: row.e_camera, lens: row.e_lens, focalLength: row.e_focal, iso: row.e_iso, shutter: row.e_shutter, aperture: row.e_aperture, rawPath: row.e_raw },
    group: row.g_no === null ? null : { no: row.g_no, size: row.g_size!, best: row.g_best === 1 },
  };
}

function whereOf(datasetId: number, f: Partial<PhotoFilter>): { sql: string; params: Record<string, unknown> } {
  const where = ['i.dataset_id = @datasetId'];
  const rating = RATING_SQL[f.rating ?? 'all'];
  if (rating) where.push(rating);
  if (f.starsMin !== undefined) where.push('coalesce(r.rejected, 0) = 0 AND coalesce(r.stars, r.predicted, 0) >= @starsMin');
  if (f.scoreMin !== undefined) where.push('i.score >= @scoreMin');
  if (f.scoreMax !== undefined) where.push('i.score <= @scoreMax');
  if (f.search) where.push("i.name LIKE @search ESCAPE '\\'");
  if (f.camera) where.push('e.camera = @camera');
  if (f.lens) where.push('e.lens = @lens');
  if (f.isoMax !== undefined) where.push('e.iso <= @isoMax');
  if (f.collapseGroups) where.push('(g.image_id IS NULL OR g.best = 1)');
  if (f.color === 'none') where.push('r.color IS NULL');
  else if (f.color) where.push('r.color = @color');
  const measureParams: Record<string, number> = {};
  (f.measures ?? []).forEach((m, i) => {
    const col = `m.${MEASURE_COLUMNS[m.key]}`;
    where.push(`${col} IS NOT NULL`);
    if (m.min !== undefined) {
      where.push(`${col} >= @measureMin${i}`);
      measureParams[`measureMin${i}`] = m.min;
    }
    if (m.max !== undefined) {
      where.push(`${col} <= @measureMax${i}`);
      measureParams[`measureMax${i}`] = m.max;
    }
  });
  return {
    sql: where.join(' AND '),
    params: {
      ...measureParams,
      datasetId,
      starsMin: f.starsMin ?? null,
      scoreMin: f.scoreMin ?? null,
      scoreMax: f.scoreMax ?? null,
      search: f.search ? `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
      color: f.color && f.color !== 'none' ? f.color : null,
      camera: f.camera ?? null,
      lens: f.lens ?? null,
      isoMax: f.isoMax ?? null,
    },
  };
}

export function createPhotosRepo(db: Db) {
  const getRow = db.prepare(`${PHOTO_SELECT} WHERE i.id = ?`);
  const upsertRating = db.prepare(`
    INSERT INTO photo_ratings (image_id, stars, rejected, picked, color, updated_at)
    VALUES (@imageId, @stars, @rejected, @picked, @color, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ON CONFLICT (image_id) DO UPDATE SET stars = excluded.stars, rejected = excluded.rejected, picked = excluded.picked, color = excluded.color, updated_at = excluded.updated_at`);
  const upsertPredicted = db.prepare(`
    INSERT INTO photo_ratings (image_id, predicted) VALUES (?, ?)
    ON CONFLICT (image_id) DO UPDATE SET predicted = excluded.predicted`);

  const getPhoto = (imageId: number): PhotoItem | undefined => {
    const row = getRow.get(imageId) as PhotoRow | undefined;
    return row && toPhoto(row);
  };

  return {
    getPhoto,
    list(q: PhotoQuery): PhotoPage {
      const { sql, params } = whereOf(q.datasetId, q);
      const base = `${PHOTO_FROM} WHERE ${sql}`;
      const total = (db.prepare(`SELECT count(*) AS n ${base}`).get(params) as { n: number }).n;
      const dir = q.descending ? 'DESC' : 'ASC';
      // Equal stars show the best-scored first in either direction of the sort.
      const then = q.sort === 'stars' ? `, i.score ${dir} NULLS LAST` : '';
      const rows = db
        .prepare(`${PHOTO_SELECT} WHERE ${sql} ORDER BY ${SORT_SQL[q.sort]} ${dir} NULLS LAST${then}, i.id ${dir} LIMIT @limit OFFSET @offset`)
        .all({ ...params, limit: q.limit, offset: q.offset }) as PhotoRow[];
      return { total, offset: q.offset, items: rows.map(toPhoto) };
    },
    /** Ids of the photos a filter selects, in id order. */
    ids(datasetId: number, filter: Partial<PhotoFilter> = {}): number[] {
      const { sql, params } = whereOf(datasetId, filter);
      return (db.prepare(`SELECT i.id ${PHOTO_FROM} WHERE ${sql} ORDER BY i.id`).all(params) as { id: number }[]).map(
        (r) => r.id,
      );
    },
    /** Ids among `ids` that belong to the dataset. */
    idsIn(datasetId: number, ids: readonly number[]): number[] {
      return (
        db.prepare('SELECT id FROM images WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id').all(datasetId, JSON.stringify(ids)) as { id: number }[]
      ).map((r) => r.id);
    },
    /** Sets the photographer's stars, flag (a pick clears a reject) and colour label as given (one statement, committed on return). */
    setRating(imageId: number, stars: number | null, rejected: boolean, color: PhotoColor | null, picked = false): PhotoItem {
      upsertRating.run({ imageId, stars, rejected: rejected ? 1 : 0, picked: picked && !rejected ? 1 : 0, color });
      return getPhoto(imageId)!;
    },
    stats(datasetId: number): PhotoStats {
      const c = db
        .prepare(
          `SELECT count(*) AS total, count(i.score) AS scored, count(r.stars) AS rated, coalesce(sum(r.rejected), 0) AS rejected,
                  coalesce(sum(r.stars IS NULL AND r.predicted IS NOT NULL AND coalesce(r.rejected, 0) = 0), 0) AS predicted
           FROM images i LEFT JOIN photo_ratings r ON r.image_id = i.id WHERE i.dataset_id = ?`,
        )
        .get(datasetId) as Omit<PhotoStats, 'stars' | 'scoreSources' | 'cameras' | 'lenses' | 'groups'>;
      const stars = [0, 0, 0, 0, 0, 0];
      const hist = db
        .prepare(
          `SELECT coalesce(r.stars, r.predicted, 0) AS s, count(*) AS n FROM images i LEFT JOIN photo_ratings r ON r.image_id = i.id
           WHERE i.dataset_id = ? AND coalesce(r.rejected, 0) = 0 GROUP BY s`,
        )
        .all(datasetId) as { s: number; n: number }[];
      for (const h of hist) stars[h.s] = h.n;
      const scoreSources = db
        .prepare(
          `SELECT s.model, s.source, s.run_id AS runId, s.scale, count(*) AS count FROM images i JOIN image_scores s ON s.id = (
             SELECT id FROM image_scores WHERE image_id = i.id ORDER BY scored_at DESC, id DESC LIMIT 1)
           WHERE i.dataset_id = ? GROUP BY s.model, s.source, s.run_id, s.scale ORDER BY count DESC, s.source`,
        )
        .all(datasetId) as PhotoStats['scoreSources'];
      const distinct = (col: string) =>
        (db.prepare(`SELECT DISTINCT e.${col} AS v FROM photo_exif e JOIN images i ON i.id = e.image_id WHERE i.dataset_id = ? AND e.${col} IS NOT NULL ORDER BY v`).all(datasetId) as { v: string }[]).map((r) => r.v);
      const groups = (db.prepare('SELECT count(DISTINCT group_no) AS n FROM photo_groups WHERE dataset_id = ?').get(datasetId) as { n: number }).n;
      return { ...c, stars, scoreSources, cameras: distinct('camera'), lenses: distinct('lens'), groups };
    },
    /** Scored, not rejected photos with 1-5 stars of the photographer's own: what a calibration fits to. */
    ratedScores(datasetId: number): { imageId: number; score: number; stars: number }[] {
      return db
        .prepare(
          `SELECT i.id AS imageId, i.score AS score, r.stars AS stars FROM images i JOIN photo_ratings r ON r.image_id = i.id
           WHERE i.dataset_id = ? AND i.score IS NOT NULL AND r.rejected = 0 AND r.stars BETWEEN 1 AND 5 ORDER BY i.id`,
        )
        .all(datasetId) as { imageId: number; score: number; stars: number }[];
    },
    /** Scored photos that are neither rated nor rejected, by score: where a calibration sample is drawn from. */
    unratedByScore(datasetId: number): PhotoItem[] {
      return (
        db
          .prepare(
            `${PHOTO_SELECT} WHERE i.dataset_id = ? AND i.error IS NULL AND i.score IS NOT NULL AND r.stars IS NULL AND coalesce(r.rejected, 0) = 0
             ORDER BY i.score, i.id`,
          )
          .all(datasetId) as PhotoRow[]
      ).map(toPhoto);
    },
    /** Sets predicted stars on every photo without stars of the photographer's own and not rejected; unscored ones lose theirs. */
    applyPredictions(datasetId: number, predict: (score: number) => number): { predicted: number; unscored: number; kept: number } {
      const rows = db
        .prepare(`SELECT i.id, i.score, r.stars, coalesce(r.rejected, 0) AS rejected FROM images i LEFT JOIN photo_ratings r ON r.image_id = i.id WHERE i.dataset_id = ?`)
        .all(datasetId) as { id: number; score: number | null; stars: number | null; rejected: number }[];
      const out = { predicted: 0, unscored: 0, kept: 0 };
      const clear = db.prepare('UPDATE photo_ratings SET predicted = NULL WHERE image_id = ?');
      db.transaction(() => {
        for (const r of rows) {
          if (r.stars !== null || r.rejected) out.kept++;
          else if (r.score === null) {
            clear.run(r.id);
            out.unscored++;
          } else {
            upsertPredicted.run(r.id, predict(r.score));
            out.predicted++;
          }
        }
      })();
      return out;
    },
    clearPredictions(datasetId: number): number {
      return db.transaction(() => {
        const inSet = 'image_id IN (SELECT id FROM images WHERE dataset_id = ?)';
        const n = db.prepare(`UPDATE photo_ratings SET predicted = NULL WHERE predicted IS NOT NULL AND ${inSet}`).run(datasetId).changes;
        db.prepare(`DELETE FROM photo_ratings WHERE stars IS NULL AND rejected = 0 AND picked = 0 AND predicted IS NULL AND color IS NULL AND ${inSet}`).run(datasetId);
        return n;
      })();
    },
    saveCalibration(c: Calibration): void {
      db.prepare(
        `INSERT INTO photo_calibrations (dataset_id, fit) VALUES (?, ?)
         ON CONFLICT (dataset_id) DO UPDATE SET fit = excluded.fit, created_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
      ).run(c.datasetId, JSON.stringify(c));
    },
    getCalibration(datasetId: number): Calibration | null {
      const row = db.prepare('SELECT fit FROM photo_calibrations WHERE dataset_id = ?').get(datasetId) as { fit: string } | undefined;
      return row ? (JSON.parse(row.fit) as Calibration) : null;
    },
    /** What the XMP writer needs for these photos (in id order). */
    sidecarRows(ids: readonly number[]): SidecarRow[] {
      const rows = db
        .prepare(
          `SELECT i.id, i.path, i.name, r.stars, coalesce(r.rejected, 0) AS rejected, coalesce(r.picked, 0) AS picked, r.predicted, r.color,
                  s.score AS s_score, s.model AS s_model, s.source AS s_source, s.run_id AS s_run, s.scale AS s_scale, s.scored_at AS s_at, ${MEASURE_SELECT}
           ${PHOTO_FROM} ${LATEST_SCORE_JOIN}
           WHERE i.id IN (SELECT value FROM json_each(?)) ORDER BY i.id`,
        )
        .all(JSON.stringify(ids)) as (Omit<PhotoRow, 'dataset_id' | 'width' | 'height' | 'error' | 'score'> & {
        s_score: number | null;
        s_model: string | null;
        s_source: string | null;
        s_run: number | null;
        s_scale: string | null;
        s_at: string | null;
      })[];
      return rows.map((r) => ({
        id: r.id,
        path: r.path,
        name: r.name,
        stars: r.stars,
        rejected: r.rejected === 1,
        picked: r.picked === 1,
        predicted: r.predicted,
        color: r.color,
        score:
          r.s_score === null
            ? null
            : { value: r.s_score, model: r.s_model!, source: r.s_source!, runId: r.s_run, scale: r.s_scale!, scoredAt: r.s_at! },
        measures: measuresOf(r),
      }));
    },
    /** Writes a batch of ratings read from sidecars in one transaction. */
    setRatings(rows: readonly { imageId: number; stars: number | null; rejected: boolean; color: PhotoColor | null; picked?: boolean }[]): void {
      db.transaction(() => {
        for (const r of rows) upsertRating.run({ imageId: r.imageId, stars: r.stars, rejected: r.rejected ? 1 : 0, picked: r.picked && !r.rejected ? 1 : 0, color: r.color });
      })();
    },
    exportRows(datasetId: number, filter: Partial<PhotoFilter> = {}): ExportRow[] {
      const { sql, params } = whereOf(datasetId, filter);
      const rows = db
        .prepare(
          `SELECT i.path, i.score, r.stars, coalesce(r.rejected, 0) AS rejected, r.predicted, r.color, s.model, s.source, s.run_id AS runId, s.scale, ${MEASURE_SELECT}
           ${PHOTO_FROM} ${LATEST_SCORE_JOIN}
           WHERE ${sql} ORDER BY i.name, i.id`,
        )
        .all(params) as (Omit<ExportRow, 'rejected' | 'measures'> & { rejected: number } & Pick<PhotoRow, `m_${string}` & keyof PhotoRow>)[];
      return rows.map((r) => ({
        path: r.path, score: r.score, stars: r.stars, rejected: r.rejected === 1, predicted: r.predicted, color: r.color, model: r.model, source: r.source, runId: r.runId, scale: r.scale,
        measures: measuresOf(r),
      }));
    },
  };
}
export type PhotosRepo = ReturnType<typeof createPhotosRepo>;

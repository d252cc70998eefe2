// Model scores of images (image_scores): batched upserts from scoring jobs and each image's scores for the detail pane.
import type { Db } from '../db';
import type { ImageScore, PhotoMeasures } from '../../../src-shared/api/schemas';

export interface NewImageScore {
  imageId: number;
  model: string;
  source: string;
  runId: number | null;
  score: number;
  scale: string;
  crops: number | null;
  /** The technical measures that came with the score (default quality model), stored per image. */
  measures?: PhotoMeasures;
}

interface ScoreRow {
  model: string;
  source: string;
  run_id: number | null;
  score: number;
  scale: string;
  crops: number | null;
  scored_at: string;
}

export function createScoresRepo(db: Db) {
  // A rescore with the same weights replaces the old value and becomes the image's latest score.
  const upsert = db.prepare(`
    INSERT INTO image_scores (image_id, model, source, run_id, score, scale, crops, scored_at)
    VALUES (@imageId, @model, @source, @runId, @score, @scale, @crops, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ON CONFLICT (image_id, source) DO UPDATE SET model = excluded.model, run_id = excluded.run_id, score = excluded.score,
      scale = excluded.scale, crops = excluded.crops, scored_at = excluded.scored_at`);
  const upsertMeasures = db.prepare(`
    INSERT INTO image_measures (image_id, sharpness, noise, clipped_highlights, clipped_shadows, mean_luminance, compression, measured_at)
    VALUES (@imageId, @sharpness, @noise, @clippedHighlights, @clippedShadows, @meanLuminance, @compression, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
    ON CONFLICT (image_id) DO UPDATE SET sharpness = excluded.sharpness, noise = excluded.noise, clipped_highlights = excluded.clipped_highlights,
      clipped_shadows = excluded.clipped_shadows, mean_luminance = excluded.mean_luminance, compression = excluded.compression, measured_at = excluded.measured_at`);
  const writeMany = db.transaction((rows: readonly NewImageScore[]) => {
    for (const { measures, ...r } of rows) {
      upsert.run(r);
      if (measures) upsertMeasures.run({ imageId: r.imageId, ...measures });
    }
  });
  return {
    /** Writes the rows in one transaction: all of them or none. */
    upsertMany(rows: readonly NewImageScore[]): void {
      if (rows.length) writeMany(rows);
    },
    /** An image's scores, latest first. */
    listForImage(imageId: number): ImageScore[] {
      const rows = db
        .prepare('SELECT model, source, run_id, score, scale, crops, scored_at FROM image_scores WHERE image_id = ? ORDER BY scored_at DESC, id DESC')
        .all(imageId) as ScoreRow[];
      return rows.map((r) => ({ model: r.model, source: r.source, runId: r.run_id, score: r.score, scale: r.scale, crops: r.crops, scoredAt: r.scored_at }));
    },
  };
}
export type ScoresRepo = ReturnType<typeof createScoresRepo>;

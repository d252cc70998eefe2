// Model scores of images (image_scores): batched upserts from scoring jobs and each image's scores for the detail pane.
import type { Db } from '../db';
import type { ImageScore } from '../../../src-shared/api/schemas';

export interface NewImageScore {
  imageId: number;
  model: string;
  source: string;
  runId: number | null;
  score: number;
  scale: string;
  crops: number | null;
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
  const writeMany = db.transaction((rows: readonly NewImageScore[]) => {
    for (const r of rows) upsert.run(r);
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

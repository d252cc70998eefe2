// Train/val/test splits of a dataset, their members, and the images each use of a split reads (splitting, training, evaluation).
import type { Db } from '../db';

/** The side of a split an image is on. */
export type SplitPart = 'train' | 'val' | 'test';

export interface SplitSummary {
  id: number;
  datasetId: number;
  name: string;
  protocol: string;
  seed: number | null;
  counts: Record<SplitPart, number>;
}

/** An image to split: its content is its reference's name (null: the image is its own content). */
export interface ImageToSplit {
  imageId: number;
  reference: string | null;
}

/** A readable labelled member of a split as training reads it. */
export interface TrainingImage {
  id: number;
  path: string;
  label: number;
  distortion: string | null;
  width: number | null;
  height: number | null;
  part: SplitPart;
  /** The reference's path, when it has one. */
  reference: string | null;
}

/** A readable labelled image to evaluate a checkpoint on. */
export interface EvaluationImage {
  id: number;
  path: string;
  label: number;
  distortion: string | null;
}

export function createSplitsRepo(db: Db) {
  const insertSplit = db.prepare('INSERT INTO splits (dataset_id, name, protocol, seed) VALUES (?, ?, ?, ?)');
  const insertMember = db.prepare('INSERT INTO split_members (split_id, image_id, part) VALUES (?, ?, ?)');
  return {
    /** Stores a split; `members` maps image id → part. Replaces a split of the same name. */
    save(datasetId: number, name: string, protocol: string, seed: number | null, members: Map<number, SplitPart>): number {
      db.prepare('DELETE FROM splits WHERE dataset_id = ? AND name = ?').run(datasetId, name);
      const id = Number(insertSplit.run(datasetId, name, protocol, seed).lastInsertRowid);
      for (const [imageId, part] of members) insertMember.run(id, imageId, part);
      return id;
    },
    list(datasetId: number): SplitSummary[] {
      const rows = db
        .prepare(
          `SELECT s.id, s.dataset_id, s.name, s.protocol, s.seed,
                  sum(m.part = 'train') AS train, sum(m.part = 'val') AS val, sum(m.part = 'test') AS test
           FROM splits s LEFT JOIN split_members m ON m.split_id = s.id
           WHERE s.dataset_id = ? GROUP BY s.id ORDER BY s.name`,
        )
        .all(datasetId) as { id: number; dataset_id: number; name: string; protocol: string; seed: number | null; train: number | null; val: number | null; test: number | null }[];
      return rows.map((r) => ({
        id: r.id,
        datasetId: r.dataset_id,
        name: r.name,
        protocol: r.protocol,
        seed: r.seed,
        counts: { train: r.train ?? 0, val: r.val ?? 0, test: r.test ?? 0 },
      }));
    },
    members(splitId: number): { imageId: number; part: SplitPart }[] {
      return db
        .prepare('SELECT image_id AS imageId, part FROM split_members WHERE split_id = ? ORDER BY image_id')
        .all(splitId) as { imageId: number; part: SplitPart }[];
    },
    /** The dataset's readable images in id order with their content (reference name), to split. */
    imagesToSplit(datasetId: number): ImageToSplit[] {
      return db
        .prepare(
          `SELECT i.id AS imageId, r.name AS reference FROM images i LEFT JOIN reference_images r ON r.id = i.reference_id
           WHERE i.dataset_id = ? AND i.error IS NULL ORDER BY i.id`,
        )
        .all(datasetId) as ImageToSplit[];
    },
    /** The split's readable labelled images of the dataset, every part, in id order. */
    trainingImages(splitId: number, datasetId: number): TrainingImage[] {
      return db
        .prepare(
          `SELECT i.id, i.path, i.label, i.distortion, i.width, i.height, m.part, r.path AS reference FROM split_members m JOIN images i ON i.id = m.image_id
           LEFT JOIN reference_images r ON r.id = i.reference_id
           WHERE m.split_id = ? AND i.dataset_id = ? AND i.error IS NULL AND i.label IS NOT NULL ORDER BY i.id`,
        )
        .all(splitId, datasetId) as TrainingImage[];
    },
    /** Readable labelled images of a dataset in id order: the test part of the split named `splitName`, or every one when it is null. */
    evaluationImages(datasetId: number, splitName: string | null): EvaluationImage[] {
      if (splitName === null) {
        return db
          .prepare('SELECT i.id, i.path, i.label, i.distortion FROM images i WHERE i.dataset_id = ? AND i.label IS NOT NULL AND i.error IS NULL ORDER BY i.id')
          .all(datasetId) as EvaluationImage[];
      }
      return db
        .prepare(
          `SELECT i.id, i.path, i.label, i.distortion FROM images i JOIN split_members m ON m.image_id = i.id JOIN splits s ON s.id = m.split_id
           WHERE i.dataset_id = ? AND s.dataset_id = i.dataset_id AND s.name = ? AND m.part = 'test' AND i.label IS NOT NULL AND i.error IS NULL ORDER BY i.id`,
        )
        .all(datasetId, splitName) as EvaluationImage[];
    },
    /** The distinct reference paths on record of the split's training part, sorted (a null split has none). */
    trainReferencePaths(splitId: number | null): string[] {
      const rows = db
        .prepare(
          `SELECT DISTINCT r.path FROM split_members m JOIN images i ON i.id = m.image_id JOIN reference_images r ON r.id = i.reference_id
           WHERE m.split_id = ? AND m.part = 'train' AND r.path IS NOT NULL ORDER BY r.path`,
        )
        .all(splitId) as { path: string }[];
      return rows.map((r) => r.path);
    },
  };
}
export type SplitsRepo = ReturnType<typeof createSplitsRepo>;

// Train/val/test splits of a dataset and their members.
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
  };
}
export type SplitsRepo = ReturnType<typeof createSplitsRepo>;

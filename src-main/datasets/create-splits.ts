// Makes and stores N seeded content-disjoint random splits of a dataset (pyiqa-style names).
import type { Store } from '../store/store';
import { contentDisjointSplit, randomSplitName } from './splits';

export interface CreateSplitsOptions {
  datasetId: number;
  trainRatio: number;
  valRatio: number;
  repeats: number;
  seed: number;
}

/** Split n uses seed + n - 1, so each repeat differs and each can be rebuilt alone. Returns the split names. */
export function createContentSplits(store: Store, opts: CreateSplitsOptions): string[] {
  const images = store.db
    .prepare(
      `SELECT i.id AS imageId, r.name AS reference FROM images i LEFT JOIN reference_images r ON r.id = i.reference_id
       WHERE i.dataset_id = ? AND i.error IS NULL ORDER BY i.id`,
    )
    .all(opts.datasetId) as { imageId: number; reference: string | null }[];
  return store.transaction(() =>
    Array.from({ length: opts.repeats }, (_, k) => {
      const name = randomSplitName(opts.trainRatio, opts.valRatio, opts.seed, k + 1);
      const parts = contentDisjointSplit(images, { trainRatio: opts.trainRatio, valRatio: opts.valRatio, seed: opts.seed + k });
      store.splits.save(opts.datasetId, name, 'content-disjoint', opts.seed + k, parts);
      return name;
    }),
  );
}

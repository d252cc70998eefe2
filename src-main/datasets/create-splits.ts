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
  const images = store.splits.imagesToSplit(opts.datasetId);
  return store.transaction(() =>
    Array.from({ length: opts.repeats }, (_, k) => {
      const name = randomSplitName(opts.trainRatio, opts.valRatio, opts.seed, k + 1);
      const parts = contentDisjointSplit(images, { trainRatio: opts.trainRatio, valRatio: opts.valRatio, seed: opts.seed + k });
      store.splits.save(opts.datasetId, name, 'content-disjoint', opts.seed + k, parts);
      return name;
    }),
  );
}

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

/**
 * N content-disjoint 80/20 splits to repeat an experiment on (the N-split protocol): the dataset's own when it has
 * N with images on both sides, else N new ones under a seed whose names are all new (re-making an existing split
 * would orphan the runs trained on it).
 */
export function seriesSplits(store: Store, datasetId: number, n: number): string[] {
  let names = store.splits
    .list(datasetId)
    .filter((s) => s.protocol === 'content-disjoint' && s.counts.train > 0 && s.counts.test > 0)
    .map((s) => s.name);
  if (names.length < n) {
    const taken = new Set(store.splits.list(datasetId).map((s) => s.name));
    let seed = 123;
    while (Array.from({ length: n }, (_, k) => randomSplitName(0.8, 0, seed, k + 1)).some((name) => taken.has(name))) seed++;
    names = createContentSplits(store, { datasetId, trainRatio: 0.8, valRatio: 0, repeats: n, seed });
  }
  return names.slice(0, n);
}

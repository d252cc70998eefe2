// Content-disjoint splits: every image of one reference scene lands on the same side; seeded and repeatable.
import { AppError } from '../../src-shared/api/errors';
import { seededRandom, shuffle } from '../util/random';
import type { SplitPart } from './importers/types';

export interface SplitInput {
  imageId: number;
  /** Content id; images without one are their own content. */
  reference: string | null;
}

export interface ContentSplitOptions {
  trainRatio: number;
  /** Share of the training contents held out as validation (0 = none). */
  valRatio?: number;
  seed: number;
}

/**
 * Splits by content: references are shuffled with the seed, the first `trainRatio` of them (rounded, at least one
 * on each side) go to train, the rest to test. Returns image id → part.
 */
export function contentDisjointSplit(images: readonly SplitInput[], opts: ContentSplitOptions): Map<number, SplitPart> {
  if (!(opts.trainRatio > 0 && opts.trainRatio < 1)) throw new AppError('validation', 'trainRatio must be between 0 and 1');
  const byContent = new Map<string, number[]>();
  for (const img of images) {
    const key = img.reference ?? `\0image:${img.imageId}`;
    const list = byContent.get(key) ?? [];
    list.push(img.imageId);
    byContent.set(key, list);
  }
  const contents = [...byContent.keys()].sort();
  if (contents.length < 2) {
    throw new AppError('bad_input', `A content-disjoint split needs at least 2 distinct contents; this dataset has ${contents.length}`);
  }
  const order = shuffle(contents, seededRandom(opts.seed));
  const nTrain = Math.min(contents.length - 1, Math.max(1, Math.round(contents.length * opts.trainRatio)));
  const nVal = opts.valRatio ? Math.min(nTrain - 1, Math.round(nTrain * opts.valRatio)) : 0;
  const parts = new Map<number, SplitPart>();
  order.forEach((content, i) => {
    const part: SplitPart = i < nTrain - nVal ? 'train' : i < nTrain ? 'val' : 'test';
    for (const id of byContent.get(content)!) parts.set(id, part);
  });
  return parts;
}

/**
 * Name of the n-th (1-based) random split in pyiqa's convention: ratio<train><val><test>_seed<seed>_split<NN>, the
 * ratios in tenths, e.g. ratio802_seed123_split01 for 80% train, no validation, 20% test.
 */
export function randomSplitName(trainRatio: number, valRatio: number, seed: number, n: number): string {
  const train = Math.round(trainRatio * (1 - valRatio) * 10);
  const val = Math.round(trainRatio * valRatio * 10);
  const test = 10 - train - val;
  return `ratio${train}${val}${test}_seed${seed}_split${String(n).padStart(2, '0')}`;
}

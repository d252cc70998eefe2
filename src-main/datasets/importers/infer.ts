// Helpers shared by importers: a score range from options or from the data, and split-column values.
import type { SplitPart } from './types';

/** The range to validate against: the user's, else the data's own min and max (with a note saying so). */
export function rangeOrInferred(scores: number[], given: [number, number] | undefined, notes: string[]): [number, number] {
  if (given) return given;
  const finite = scores.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  const lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) hi = lo + 1;
  notes.push(`score range not given; using the data's own range [${lo}, ${hi}]`);
  return [lo, hi];
}

const PARTS: Record<string, SplitPart> = {
  '0': 'train', train: 'train', training: 'train',
  '1': 'val', val: 'val', valid: 'val', validation: 'val',
  '2': 'test', test: 'test', testing: 'test',
};

/** pyiqa split columns hold 0/1/2 for train/val/test; words are accepted too. Undefined for anything else. */
export function parseSplitPart(raw: string): SplitPart | undefined {
  return PARTS[raw.trim().toLowerCase()];
}

export const PYIQA_SPLIT_COLUMN = /^(official_split|ratio\d+_seed\d+_split\d+)$/;

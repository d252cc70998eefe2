// The fixed split of the photo pool's sources into train / validation / test for the default quality model.
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { resourcesDir } from '../../app/paths';
import { seededRandom } from '../../util/random';

export type PoolPart = 'train' | 'val' | 'test';

export interface PoolSplit {
  /** How the split was made (seed, shares, grouping rule). */
  recipe: string;
  /** Source names (the pool file name without extension), each in exactly one part. */
  train: string[];
  val: string[];
  test: string[];
}

/** The committed split (resources/models/quality/pool-split.json). */
export const POOL_SPLIT_FILE = () => join(resourcesDir(), 'models', 'quality', 'pool-split.json');

export async function loadPoolSplit(file = POOL_SPLIT_FILE()): Promise<PoolSplit> {
  const split = JSON.parse(await readFile(file, 'utf8')) as PoolSplit;
  const seen = new Set<string>();
  for (const part of ['train', 'val', 'test'] as const) {
    for (const name of split[part]) {
      if (seen.has(name)) throw new Error(`${file}: ${name} is in more than one part`);
      seen.add(name);
    }
  }
  return split;
}

export const sourceName = (file: string): string => basename(file, extname(file));

/**
 * Photos of one subject taken for different activities (the same castle in two bundles, the sea series) count as one
 * source, so a subject never sits on both sides of the split.
 */
const SAME_SUBJECT: Record<string, string> = {
  gc_details_Neuschwanstein: 'neuschwanstein',
  gc_monument_neuschwansteinCastle: 'neuschwanstein',
  gc_details_TajMahal: 'tajmahal',
  gc_monument_tajMahal: 'tajmahal',
  gc_details_GizahPyramids: 'giza',
  gc_monument_greatPyramidOfGiza: 'giza',
  gc_erase_horse: 'horse',
  gc_farm_horse: 'horse',
  gc_erase_giraffe: 'giraffe',
  gc_wanimal_giraffe: 'giraffe',
  gc_erase_chamaeleon: 'chameleon',
  gc_wanimal_chameleon: 'chameleon',
};

export function subjectOf(name: string): string {
  return SAME_SUBJECT[name] ?? (name.startsWith('gc_sea_') ? 'sea' : name);
}

/** The pool's collection (erase, farm, monument, ...), for stratifying. */
const collectionOf = (name: string): string => name.split('_')[1] ?? name;

/**
 * Splits source names by subject, stratified by collection: within each collection the subjects are shuffled with
 * the seed and dealt out so that each part gets its share (rounded), test first, then validation.
 */
export function makePoolSplit(names: readonly string[], seed: number, shares = { val: 0.16, test: 0.28 }): PoolSplit {
  const bySubject = new Map<string, string[]>();
  for (const n of [...names].sort()) {
    const s = subjectOf(n);
    bySubject.set(s, [...(bySubject.get(s) ?? []), n]);
  }
  const byCollection = new Map<string, string[]>();
  for (const [subject, members] of bySubject) {
    const c = collectionOf(members[0]!);
    byCollection.set(c, [...(byCollection.get(c) ?? []), subject]);
  }
  const rand = seededRandom(seed);
  const split: PoolSplit = {
    recipe: `makePoolSplit(seed ${seed}, val ${shares.val}, test ${shares.test}): subjects (same-subject photos grouped) shuffled per collection and dealt test, val, train`,
    train: [],
    val: [],
    test: [],
  };
  for (const c of [...byCollection.keys()].sort()) {
    const subjects = byCollection.get(c)!;
    for (let i = subjects.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [subjects[i], subjects[j]] = [subjects[j]!, subjects[i]!];
    }
    const nTest = Math.round(subjects.length * shares.test);
    const nVal = Math.round(subjects.length * shares.val);
    subjects.forEach((s, i) => {
      const part: PoolPart = i < nTest ? 'test' : i < nTest + nVal ? 'val' : 'train';
      split[part].push(...bySubject.get(s)!);
    });
  }
  for (const part of ['train', 'val', 'test'] as const) split[part].sort();
  return split;
}

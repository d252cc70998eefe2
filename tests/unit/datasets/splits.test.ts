// Content-disjoint splits: no content on both sides, seeded and repeatable, pyiqa-style names, stored in SQLite.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentDisjointSplit, randomSplitName, type SplitInput } from '../../../src-main/datasets/splits';
import { seededRandom } from '../../../src-main/util/random';
import { openStore } from '../../../src-main/store/store';
import { tempDir } from '../../helpers/temp';

// 25 references x 6 distorted images, like a small TID-style dataset.
const images: SplitInput[] = Array.from({ length: 150 }, (_, i) => ({ imageId: i + 1, reference: `ref${Math.floor(i / 6)}` }));

describe('contentDisjointSplit', () => {
  it('keeps every reference on one side and splits contents 80/20', () => {
    const parts = contentDisjointSplit(images, { trainRatio: 0.8, seed: 123 });
    const sides = new Map<string, Set<string>>();
    for (const img of images) {
      const s = sides.get(img.reference!) ?? new Set();
      s.add(parts.get(img.imageId)!);
      sides.set(img.reference!, s);
    }
    for (const s of sides.values()) expect(s.size).toBe(1);
    const trainRefs = [...sides.values()].filter((s) => s.has('train')).length;
    expect(trainRefs).toBe(20);
    expect(parts.size).toBe(150);
  });

  it('is repeatable for a seed and differs between seeds', () => {
    const a = contentDisjointSplit(images, { trainRatio: 0.8, seed: 1 });
    const b = contentDisjointSplit(images, { trainRatio: 0.8, seed: 1 });
    const c = contentDisjointSplit(images, { trainRatio: 0.8, seed: 2 });
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  it('does not depend on the order images are listed in', () => {
    const a = contentDisjointSplit(images, { trainRatio: 0.8, seed: 9 });
    const b = contentDisjointSplit([...images].reverse(), { trainRatio: 0.8, seed: 9 });
    expect([...a].sort()).toEqual([...b].sort());
  });

  it('carves a validation part out of the training contents', () => {
    const parts = contentDisjointSplit(images, { trainRatio: 0.8, valRatio: 0.25, seed: 5 });
    const count = (p: string) => [...parts.values()].filter((v) => v === p).length / 6;
    expect([count('train'), count('val'), count('test')]).toEqual([15, 5, 5]);
  });

  it('treats images without a reference as their own content, and refuses a single content', () => {
    const solo = Array.from({ length: 10 }, (_, i) => ({ imageId: i + 1, reference: null }));
    expect(contentDisjointSplit(solo, { trainRatio: 0.8, seed: 3 }).size).toBe(10);
    expect(() => contentDisjointSplit([{ imageId: 1, reference: 'x' }, { imageId: 2, reference: 'x' }], { trainRatio: 0.8, seed: 1 })).toThrow(/at least 2 distinct contents/);
  });

  it('names splits like pyiqa', () => {
    expect(randomSplitName(0.8, 0, 123, 1)).toBe('ratio802_seed123_split01');
    expect(randomSplitName(0.8, 0.25, 123, 10)).toBe('ratio622_seed123_split10');
  });

  it('seededRandom is uniform enough for shuffling', () => {
    const r = seededRandom(42);
    const xs = Array.from({ length: 20000 }, r);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('splits repo', () => {
  it('stores a split with per-part counts and replaces one of the same name', () => {
    const store = openStore(join(tempDir(), 'splits.sqlite'));
    const ds = store.datasets.create({ name: 'd', kind: 'csv' });
    const ids = [1, 2, 3, 4].map((i) => store.datasets.addImage(ds, { path: `/x/${i}.png`, name: `${i}.png` }));
    store.splits.save(ds, 's1', 'content', 7, new Map([[ids[0]!, 'train'], [ids[1]!, 'train'], [ids[2]!, 'test']]));
    store.splits.save(ds, 's1', 'content', 8, new Map([[ids[0]!, 'train'], [ids[3]!, 'test']]));
    const [s] = store.splits.list(ds);
    expect(s).toMatchObject({ name: 's1', seed: 8, counts: { train: 1, val: 0, test: 1 } });
    expect(store.splits.members(s!.id)).toEqual([{ imageId: ids[0], part: 'train' }, { imageId: ids[3], part: 'test' }]);
    store.close();
  });
});

// The committed split of the photo pool: disjoint parts, one subject on one side only, and the dealing rule reproduces it.
import { describe, expect, it } from 'vitest';
import { loadPoolSplit, makePoolSplit, subjectOf } from '../../../../src-main/iqa/quality/pool-split';

describe('photo pool split', async () => {
  const split = await loadPoolSplit();
  const all = [...split.train, ...split.val, ...split.test];

  it('puts each of the 125 sources in one part, about 58/15/26 %', () => {
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(125);
    expect(split.test.length).toBeGreaterThanOrEqual(30);
    expect(split.val.length).toBeGreaterThanOrEqual(15);
  });

  it('keeps photos of one subject on one side', () => {
    const partOf = new Map<string, string>();
    for (const part of ['train', 'val', 'test'] as const) {
      for (const n of split[part]) {
        const s = subjectOf(n);
        expect(partOf.get(s) ?? part, `${n} (${s})`).toBe(part);
        partOf.set(s, part);
      }
    }
    expect(subjectOf('gc_details_TajMahal')).toBe(subjectOf('gc_monument_tajMahal'));
    expect(subjectOf('gc_sea_sea1')).toBe(subjectOf('gc_sea_sea6'));
  });

  it('is what makePoolSplit deals from the pool names with seed 22', () => {
    const again = makePoolSplit(all, 22);
    expect({ train: again.train, val: again.val, test: again.test }).toEqual({ train: split.train, val: split.val, test: split.test });
  });
});

// The spaced gold order: a bijection with its inverse, and every rater meets trapping items spread through their quota, never first and never side by side.
import { describe, expect, it } from 'vitest';
import { spacedGoldOrder } from '../../../src-main/studies/spaced-order';

function check(test: number, gold: number, quota: number, seed: number) {
  const o = spacedGoldOrder(test, gold, quota, seed);
  const seen = new Set<number>();
  const wrong: number[] = [];
  for (let k = 0; k < o.size; k++) {
    const rank = o.at(k);
    if (!(rank >= 0 && rank < test + gold) || o.positionOf(rank) !== k) wrong.push(k);
    seen.add(rank);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(seen.size).toBe(test + gold);
  return o;
}

describe('spacedGoldOrder', () => {
  it.each([
    [0, 0, 0],
    [10, 0, 10],
    [0, 3, 3],
    [1, 5, 3],
    [97, 3, 100],
    [97, 3, 10],
    [1000, 4, 12],
    [1000, 40, 7],
    [5000, 17, 5017],
  ])('is a bijection of %i test and %i gold items with quota %i, with its inverse', (test, gold, quota) => {
    for (const seed of [1, 77, 123_456]) check(test, gold, quota, seed);
  });

  it('puts the trapping items inside a small quota, spaced: one per quota/(g+1), never first, never adjacent', () => {
    for (const seed of [3, 9, 2024]) {
      const o = check(100_000, 3, 12, seed);
      // Three trapping items in the first 12 of 100,003 (a plain permutation would show one there 0.04% of the time).
      expect(o.goldPositions).toEqual([3, 6, 9]);
      const shown = Array.from({ length: 12 }, (_, k) => o.at(k));
      expect(shown.filter((r) => r >= 100_000).sort()).toEqual([100_000, 100_001, 100_002]);
    }
    const many = check(10_000, 50, 20, 5);
    expect(many.goldPositions.length).toBe(9);
    expect(many.goldPositions[0]).toBeGreaterThan(0);
    for (let j = 1; j < many.goldPositions.length; j++) expect(many.goldPositions[j]! - many.goldPositions[j - 1]!).toBeGreaterThanOrEqual(2);
  });

  it('gives different raters different test items and different gold items when there are more gold items than slots', () => {
    const a = check(1000, 40, 10, 1);
    const b = check(1000, 40, 10, 2);
    const first = (o: typeof a) => Array.from({ length: 10 }, (_, k) => o.at(k));
    expect(first(a)).not.toEqual(first(b));
    expect(a.goldPositions).toEqual(b.goldPositions);
  });
});

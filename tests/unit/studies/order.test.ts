// A rater's order: a seeded permutation computed per position, its inverse, and different orders for different seeds.
import { describe, expect, it } from 'vitest';
import { seededPermutation } from '../../../src-main/studies/order';

describe('seededPermutation', () => {
  it.each([1, 2, 3, 5, 16, 17, 1000, 4097])('is a bijection of 0..%i-1 with its inverse', (n) => {
    const p = seededPermutation(n, 12345);
    const seen = new Set<number>();
    for (let k = 0; k < n; k++) {
      const v = p.at(k);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(n);
      expect(p.positionOf(v)).toBe(k);
      seen.add(v);
    }
    expect(seen.size).toBe(n);
  });

  it('gives different seeds different orders, and the same seed the same one', () => {
    const order = (seed: number) => Array.from({ length: 50 }, (_, k) => seededPermutation(50, seed).at(k));
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    // Not the identity, and shuffled well enough that most positions move.
    expect(order(7).filter((v, k) => v === k).length).toBeLessThan(10);
  });

  it('answers a position of a 100,000-item order without building it', () => {
    const p = seededPermutation(100_000, 99);
    const k = 77_777;
    expect(p.positionOf(p.at(k))).toBe(k);
  });
});

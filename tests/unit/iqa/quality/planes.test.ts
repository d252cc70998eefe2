// The sorting shortcuts of the quality measures give what a full sort gives: selection for one quantile, packed keys for an order.
import { describe, expect, it } from 'vitest';
import { ascendingOrder, quantile, quantileSelect } from '../../../../src-main/iqa/quality/planes';
import { seededRandom } from '../../../../src-main/util/random';

describe('quality plane helpers', () => {
  const random = seededRandom(11);
  // Continuous values, many ties (few levels), sorted and reverse-sorted input, single values.
  const arrays = [
    ...Array.from({ length: 20 }, (_, t) => Float32Array.from({ length: 1 + Math.floor(random() * 3000) }, () => (t % 2 ? Math.floor(random() * 5) : random() * 100))),
    Float32Array.from({ length: 999 }, (_, i) => i / 7),
    Float32Array.from({ length: 1000 }, (_, i) => 1000 - i),
    Float32Array.of(3),
    new Float32Array(50).fill(2),
  ];

  it('quantileSelect equals quantile of the sorted values at any q', () => {
    for (const a of arrays) {
      const sorted = Float32Array.from(a).sort();
      for (const q of [0, 0.05, 0.2, 0.5, 0.9, 0.95, 1]) expect(quantileSelect(Float32Array.from(a), q)).toBe(quantile(sorted, q));
    }
    expect(quantileSelect(new Float32Array(0), 0.5)).toBeNaN();
  });

  it('ascendingOrder equals a stable sort of the indices by value', () => {
    for (const a of arrays) {
      const want = Array.from(a.keys()).sort((i, j) => a[i]! - a[j]!);
      expect(ascendingOrder(a)).toEqual(want);
    }
  });
});

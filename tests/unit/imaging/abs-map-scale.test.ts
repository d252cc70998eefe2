// |d| maps for display: the 99th percentile as numpy computes it, white there (auto) or at the fixed gain ×4, and the bytes that come out.
import { describe, expect, it } from 'vitest';
import { absMapBytes, autoScale, FIXED_GAIN, quantile } from '../../../src-main/imaging/abs-map-scale';

describe('quantile', () => {
  it('interpolates linearly between sorted values, as numpy.quantile does by default', () => {
    // numpy.quantile([3, 1, 4, 1, 5], [0, 0.5, 0.99, 1]) = [1, 3, 4.96, 5]
    expect([0, 0.5, 0.99, 1].map((q) => quantile([3, 1, 4, 1, 5], q))).toEqual([1, 3, expect.closeTo(4.96, 12), 5]);
    // numpy.quantile(range(101), 0.99) = 99
    expect(quantile(Array.from({ length: 101 }, (_, i) => i), 0.99)).toBe(99);
    expect(quantile([], 0.99)).toBe(0);
  });
});

describe('auto-scaled |d| maps', () => {
  // A faint discrepancy everywhere (|d| = 0.02 of the range) and a few strong pixels (0.8): the case that rendered black.
  const values = Float32Array.from({ length: 1000 }, (_, i) => (i < 990 ? 0.02 : 0.8));

  it('puts white at the 99th percentile of |d| and keeps the maximum for the colour bar', () => {
    const s = autoScale(values);
    // Sorted index 0.99 · 999 = 989.01: 0.02 + 0.01 · (0.8 − 0.02).
    expect(s.p99).toBeCloseTo(0.0278, 6);
    expect(s.max).toBeCloseTo(0.8, 6);
    expect(s.gain).toBeCloseTo(1 / 0.0278, 3);
    const auto = absMapBytes(values, s.gain);
    // The faint discrepancy shows as a clear grey (0.02 / 0.0278 · 255 = 183.5); the strong pixels saturate.
    expect([auto[0], auto[999]]).toEqual([183, 255]);
    // At the fixed ×4 the same map is nearly black: 0.02 · 4 · 255 = 20.4.
    const fixed = absMapBytes(values, FIXED_GAIN);
    expect([fixed[0], fixed[999]]).toEqual([20, 255]);
  });

  it('never divides by zero: a map that is zero at the 99th percentile scales to its maximum, an all-zero map stays black', () => {
    const sparse = Float32Array.from({ length: 1000 }, (_, i) => (i === 7 ? 0.1 : 0));
    expect(autoScale(sparse)).toMatchObject({ p99: 0, max: expect.closeTo(0.1, 6), gain: expect.closeTo(10, 4) });
    expect(absMapBytes(sparse, autoScale(sparse).gain)[7]).toBe(255);
    const zero = new Float32Array(12);
    expect(autoScale(zero)).toEqual({ p99: 0, max: 0, gain: 1 });
    expect([...absMapBytes(zero, 1)]).toEqual(Array(12).fill(0));
  });
});

// Two experiments compared split by split with hand-made predictions: Δ and its interval from the same pairs, degenerate intervals never "within noise".
import { describe, expect, it } from 'vitest';
import { MIN_PAIRED_IMAGES, mulberry32, pairedComparison } from '../../../src-shared/metrics/bootstrap';
import { srcc } from '../../../src-shared/metrics/correlation';
import { noiseText } from '../../../src-shared/metrics/noise-text';
import { pairedOverSplits } from '../../../src-shared/metrics/paired-splits';

/** n labels 1..5 and predictions label + noise (a fixed stream per seed). */
function data(n: number, seed: number) {
  const rand = mulberry32(seed);
  const mos = Array.from({ length: n }, () => 1 + 4 * rand());
  const noisy = (k: number) => mos.map((m) => m + k * (rand() + rand() + rand() - 1.5));
  return { mos, noisy };
}

describe('pairedOverSplits', () => {
  it('is exactly the paired bootstrap of one pair of runs when there is one split', () => {
    const { mos, noisy } = data(30, 3);
    const a = noisy(0.8);
    const b = noisy(1.6);
    for (const metric of ['srcc', 'plcc'] as const) {
      const one = pairedComparison(a, b, mos, metric, { resamples: 500, seed: 9 });
      const split = pairedOverSplits([{ split: 's1', a: [a], b: [b], mos }], metric, { resamples: 500, seed: 9 });
      expect([split.diff, split.lo, split.hi, split.p, split.withinNoise]).toEqual([one.diff, one.lo, one.hi, one.p, one.withinNoise]);
      expect(split.degenerate).toBeNull();
    }
  });

  it('takes Δ as the mean of per-split differences on the splits given, and its interval around that Δ', () => {
    // The case the Ablation tab got wrong: the baseline ran on s1 and s2, the row on s1 only. A difference of
    // medians (row s1 − mean of baseline s1 and s2) compares a split the row never ran on.
    const s1 = data(40, 1);
    const s2 = data(40, 2);
    const base1 = s1.noisy(0.5);
    const base2 = s2.noisy(3);
    const row1 = s1.noisy(1);
    const c = pairedOverSplits([{ split: 's1', a: [row1], b: [base1], mos: s1.mos }], 'srcc');
    const paired = srcc(row1, s1.mos) - srcc(base1, s1.mos);
    expect(c.diff).toBeCloseTo(paired, 12);
    const medianDelta = srcc(row1, s1.mos) - (srcc(base1, s1.mos) + srcc(base2, s2.mos)) / 2;
    expect(Math.abs(c.diff - medianDelta)).toBeGreaterThan(0.05);
    expect(c.splits.map((s) => [s.split, s.n])).toEqual([['s1', 40]]);
    expect(c.lo).toBeLessThanOrEqual(c.diff);
    expect(c.hi).toBeGreaterThanOrEqual(c.diff);

    // Two splits, the second side with two repeats on s2: per split the mean over its runs, then the mean over splits.
    const row2 = s2.noisy(1);
    const base2b = s2.noisy(3);
    const two = pairedOverSplits(
      [
        { split: 's1', a: [row1], b: [base1], mos: s1.mos },
        { split: 's2', a: [row2], b: [base2, base2b], mos: s2.mos },
      ],
      'srcc',
    );
    const d2 = srcc(row2, s2.mos) - (srcc(base2, s2.mos) + srcc(base2b, s2.mos)) / 2;
    expect(two.diff).toBeCloseTo((paired + d2) / 2, 12);
    expect(two.n).toBe(80);
    expect(two.lo).toBeLessThanOrEqual(two.diff);
    expect(two.hi).toBeGreaterThanOrEqual(two.diff);
    expect(noiseText(two).splits).toBe('2 splits');
  });

  it('marks identical predictions, too few images and a zero-width interval as degenerate, never within noise', () => {
    const { mos, noisy } = data(20, 5);
    const a = noisy(1);
    const same = pairedOverSplits([{ split: 's', a: [a], b: [[...a]], mos }], 'srcc');
    expect([same.diff, same.lo, same.hi]).toEqual([0, 0, 0]);
    expect(same.withinNoise).toBe(false);
    expect(same.degenerate).toMatch(/identical predictions/);
    expect(noiseText(same)).toMatchObject({ status: 'degenerate', interval: 'no interval' });
    expect(noiseText(same).verdict).not.toMatch(/within noise/);

    // The same ranking with other values: SRCC's difference is 0 on every resample, PLCC's is not.
    const squashed = a.map((v) => Math.exp(v / 2));
    const ranks = pairedOverSplits([{ split: 's', a: [squashed], b: [a], mos }], 'srcc');
    expect(ranks.withinNoise).toBe(false);
    expect(ranks.degenerate).toMatch(/same difference/);
    const linear = pairedOverSplits([{ split: 's', a: [squashed], b: [a], mos }], 'plcc');
    expect(linear.degenerate).toBeNull();

    const few = data(MIN_PAIRED_IMAGES - 1, 7);
    const small = pairedOverSplits([{ split: 's', a: [few.noisy(0.1)], b: [few.noisy(3)], mos: few.mos }], 'srcc');
    expect(small.withinNoise).toBe(false);
    expect(small.degenerate).toMatch(new RegExp(`only ${MIN_PAIRED_IMAGES - 1} shared test images`));

    const none = pairedOverSplits([], 'srcc');
    expect(none.degenerate).toMatch(/no split/);
    expect(none.withinNoise).toBe(false);
  });

  it('gives the single-pair comparison of Runs the same degenerate verdicts', () => {
    const { mos, noisy } = data(20, 11);
    const a = noisy(1);
    const c = pairedComparison(a, [...a], mos, 'srcc');
    expect(c.withinNoise).toBe(false);
    expect(c.degenerate).toMatch(/identical/);
    const near = pairedComparison(a, noisy(1.05), mos, 'srcc');
    expect(near.degenerate).toBeNull();
    expect(near.withinNoise).toBe(near.lo <= 0 && near.hi >= 0);
  });
});

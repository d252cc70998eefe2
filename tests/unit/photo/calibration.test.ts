// Score→stars calibration: the threshold fit is the exact optimum (checked by brute force), monotone, direction-aware; agreement, SRCC, confusion.
import { describe, expect, it } from 'vitest';
import { calibrate, fitThresholds, predictStars, scaleHigherIsBetter, type RatedSample } from '../../../src-main/photo/calibration';
import { seededRandom } from '../../../src-main/util/random';
import { srcc } from '../../../src-shared/metrics/correlation';

/** Photos rated 1..5 in blocks of `per`, scores 1, 2, 3, … in the same order. */
const blocks = (per: number): RatedSample[] => Array.from({ length: 5 * per }, (_, i) => ({ score: i + 1, stars: 1 + Math.floor(i / per) }));

/** Mismatches, then summed |error|, of the best non-decreasing star assignment in score order (all of them tried). */
function bruteForce(samples: RatedSample[]): [number, number] {
  const groups = [...new Set(samples.map((s) => s.score))].sort((a, b) => a - b).map((t) => samples.filter((s) => s.score === t));
  let best: [number, number] = [Infinity, Infinity];
  const walk = (g: number, min: number, cost: [number, number]) => {
    if (g === groups.length) {
      if (cost[0] < best[0] || (cost[0] === best[0] && cost[1] < best[1])) best = cost;
      return;
    }
    for (let level = min; level <= 5; level++) {
      const here = groups[g]!;
      walk(g + 1, level, [cost[0] + here.filter((s) => s.stars !== level).length, cost[1] + here.reduce((a, s) => a + Math.abs(s.stars - level), 0)]);
    }
  };
  walk(0, 1, [0, 0]);
  return best;
}

function costOf(samples: RatedSample[], predict: (s: number) => number): [number, number] {
  return [samples.filter((s) => predict(s.score) !== s.stars).length, samples.reduce((a, s) => a + Math.abs(predict(s.score) - s.stars), 0)];
}

describe('fitThresholds', () => {
  it('puts cut points midway between neighbouring scores that get different stars', () => {
    expect(fitThresholds(blocks(2), true)).toEqual([
      { stars: 1, lo: null, hi: 2.5 },
      { stars: 2, lo: 2.5, hi: 4.5 },
      { stars: 3, lo: 4.5, hi: 6.5 },
      { stars: 4, lo: 6.5, hi: 8.5 },
      { stars: 5, lo: 8.5, hi: null },
    ]);
  });

  it('reads a lower-is-better score the other way round', () => {
    const flipped = blocks(2).map((s) => ({ score: -s.score, stars: s.stars }));
    const bands = fitThresholds(flipped, false);
    expect(bands).toEqual([
      { stars: 5, lo: null, hi: -8.5 },
      { stars: 4, lo: -8.5, hi: -6.5 },
      { stars: 3, lo: -6.5, hi: -4.5 },
      { stars: 2, lo: -4.5, hi: -2.5 },
      { stars: 1, lo: -2.5, hi: null },
    ]);
    for (const s of flipped) expect(predictStars(bands, s.score)).toBe(s.stars);
  });

  it('predicts only the levels the photographer used, over the whole score line', () => {
    const samples = [3, 3, 3, 4, 4].map((stars, i) => ({ score: i / 10, stars }));
    const bands = fitThresholds(samples, true);
    expect(bands.map((b) => b.stars)).toEqual([3, 4]);
    expect(predictStars(bands, -1e9)).toBe(3);
    expect(predictStars(bands, 1e9)).toBe(4);
  });

  it('gives photos with equal scores the same stars', () => {
    const samples = [
      { score: 1, stars: 2 },
      { score: 1, stars: 2 },
      { score: 1, stars: 4 },
      { score: 2, stars: 4 },
    ];
    const bands = fitThresholds(samples, true);
    expect(predictStars(bands, 1)).toBe(2);
    expect(predictStars(bands, 2)).toBe(4);
  });

  it('finds the best monotone mapping on noisy ratings (brute force agrees), and it is non-decreasing', () => {
    const random = seededRandom(42);
    for (let trial = 0; trial < 60; trial++) {
      const n = 4 + Math.floor(random() * 7);
      const samples = Array.from({ length: n }, () => {
        const score = Math.round(random() * 8) / 2;
        const stars = Math.min(5, Math.max(1, Math.round(score / 1.1 + (random() - 0.5) * 3)));
        return { score, stars };
      });
      const bands = fitThresholds(samples, true);
      expect(costOf(samples, (s) => predictStars(bands, s))).toEqual(bruteForce(samples));
      const grid = Array.from({ length: 41 }, (_, i) => -1 + i * 0.15).map((s) => predictStars(bands, s));
      expect(grid).toEqual([...grid].sort((a, b) => a - b));
    }
  });
});

describe('calibrate', () => {
  it('reports agreement, SRCC, MAE, leave-one-out agreement and the confusion table', () => {
    const samples: RatedSample[] = [
      ...blocks(6),
      // Two photos the photographer rates off the trend.
      { score: 2.2, stars: 4 },
      { score: 29.5, stars: 2 },
    ];
    const fit = calibrate(samples, true);
    expect(fit.n).toBe(32);
    expect(fit.agreement).toBeCloseTo(30 / 32, 10);
    expect(fit.withinOne).toBeCloseTo(30 / 32, 10);
    expect(fit.mae).toBeCloseTo(6 / 32, 10);
    expect(fit.srcc).toBeCloseTo(srcc(samples.map((s) => s.score), samples.map((s) => s.stars)), 12);
    expect(fit.confusion).toEqual([
      [6, 0, 0, 0, 0],
      [0, 6, 0, 0, 1],
      [0, 0, 6, 0, 0],
      [1, 0, 0, 6, 0],
      [0, 0, 0, 0, 6],
    ]);
    expect(fit.confusion.flat().reduce((a, b) => a + b)).toBe(32);
    // Leaving out a photo next to a cut point can move the cut past it, so out-of-sample agreement is lower.
    expect(fit.looAgreement).not.toBeNull();
    expect(fit.looAgreement!).toBeLessThanOrEqual(fit.agreement);
    expect(fit.looAgreement!).toBeGreaterThan(0.7);
    expect(fit.warnings).toEqual([]);
  });

  it('warns about a small sample, few star levels, and scores that do not follow the stars', () => {
    const fit = calibrate([
      { score: 1, stars: 4 },
      { score: 2, stars: 3 },
      { score: 3, stars: 4 },
      { score: 4, stars: 3 },
      { score: 5, stars: 3 },
    ], true);
    expect(fit.warnings.join(' ')).toMatch(/Only 5 rated photos/);
    expect(fit.warnings.join(' ')).toMatch(/2 star levels/);
    expect(fit.warnings.join(' ')).toMatch(/barely follow your stars \(SRCC -0\.58\)/);
  });

  it('refuses stars outside 1-5 and non-finite scores', () => {
    expect(() => calibrate([{ score: 1, stars: 0 }], true)).toThrow(/1-5/);
    expect(() => calibrate([{ score: Number.NaN, stars: 3 }], true)).toThrow(/finite/);
  });
});

describe('scaleHigherIsBetter', () => {
  it('reads the direction from the stored scale', () => {
    expect(scaleHigherIsBetter('mos 1-5 higher')).toBe(true);
    expect(scaleHigherIsBetter('dmos 0-100 lower')).toBe(false);
    expect(scaleHigherIsBetter('raw')).toBe(true);
  });
});

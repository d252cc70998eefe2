// Bootstrap intervals, paired differences and Williams' test against numpy/scipy goldens (tests/golden/stats).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapCorrelation, fisherInterval, mulberry32, pairedComparison, tTwoSided, type CorrelationMetric } from '../../../src-shared/metrics/bootstrap';
import { REPO_ROOT } from '../../helpers/serve-process';

interface Golden {
  cases: {
    name: string;
    a: number[];
    b: number[];
    mos: number[];
    resamples: number;
    seed: number;
    metrics: Record<CorrelationMetric, {
      intervalA: { estimate: number; lo: number; hi: number };
      paired: { a: number; b: number; diff: number; lo: number; hi: number; p: number; williams: { t: number; df: number; p: number } };
      scipyIntervalA: { lo: number; hi: number };
    }>;
  }[];
  tTwoSided: { t: number; df: number; p: number }[];
  mulberry32Seed42: number[];
}

const golden = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/golden/stats/golden.json'), 'utf8')) as Golden;

describe('statistics against numpy/scipy', () => {
  it('mulberry32 draws the same stream as the Python twin', () => {
    const r = mulberry32(42);
    expect(golden.mulberry32Seed42.map(() => r())).toEqual(golden.mulberry32Seed42);
  });

  it("two-sided Student t p-values match scipy's", () => {
    for (const g of golden.tTwoSided) expect(tTwoSided(g.t, g.df)).toBeCloseTo(g.p, 12);
  });

  for (const c of golden.cases) {
    for (const metric of ['srcc', 'plcc'] as const) {
      const g = c.metrics[metric];
      it(`${c.name} ${metric}: interval, paired difference, p and Williams' test`, () => {
        const opts = { resamples: c.resamples, seed: c.seed };
        const iv = bootstrapCorrelation(c.a, c.mos, metric, opts);
        expect(iv.estimate).toBeCloseTo(g.intervalA.estimate, 12);
        expect(iv.lo).toBeCloseTo(g.intervalA.lo, 12);
        expect(iv.hi).toBeCloseTo(g.intervalA.hi, 12);
        // scipy's own bootstrap (another random stream, 2000 resamples) lands near ours.
        expect(Math.abs(iv.lo - g.scipyIntervalA.lo)).toBeLessThan(0.05);
        expect(Math.abs(iv.hi - g.scipyIntervalA.hi)).toBeLessThan(0.05);
        const p = pairedComparison(c.a, c.b, c.mos, metric, opts);
        expect(p.diff).toBeCloseTo(g.paired.diff, 12);
        expect(p.lo).toBeCloseTo(g.paired.lo, 12);
        expect(p.hi).toBeCloseTo(g.paired.hi, 12);
        expect(p.p).toBeCloseTo(g.paired.p, 12);
        expect(p.withinNoise).toBe(g.paired.lo <= 0 && g.paired.hi >= 0);
        expect(p.williams!.t).toBeCloseTo(g.paired.williams.t, 10);
        expect(p.williams!.p).toBeCloseTo(g.paired.williams.p, 10);
      });
    }
  }

  it('marks a clear win as outside the noise and a near tie as within it', () => {
    const weak = golden.cases.find((c) => c.name === 'good-vs-weak')!;
    expect(pairedComparison(weak.a, weak.b, weak.mos, 'srcc').withinNoise).toBe(false);
    const close = golden.cases.find((c) => c.name === 'good-vs-close')!;
    expect(pairedComparison(close.a, close.b, close.mos, 'srcc').withinNoise).toBe(true);
  });

  it("Fisher/Bonett-Wright intervals from r and n match scipy's normal quantile (values from scipy.stats.norm.ppf)", () => {
    const p = fisherInterval(0.8, 50, 'plcc');
    expect(p.lo).toBeCloseTo(0.6710891995764624, 12);
    expect(p.hi).toBeCloseTo(0.881955481608882, 12);
    const s = fisherInterval(0.6, 20, 'srcc');
    expect(s.lo).toBeCloseTo(0.1749542867311621, 12);
    expect(s.hi).toBeCloseTo(0.836535896606277, 12);
  });
});

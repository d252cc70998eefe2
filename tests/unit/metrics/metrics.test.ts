// Golden tests of the evaluation metrics against scipy (tests/golden/metrics), plus hand-checkable cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, fitLogistic, krcc, perGroupSrcc, plcc, rank, rmse, srcc, summarizeSplits } from '../../../src-shared/metrics/index';

interface GoldenCase {
  name: string;
  pred: number[];
  mos: number[];
  srcc: number;
  krcc: number;
  plcc: number;
  rmse: number;
  plcc_fitted4: number;
  plcc_fitted5: number;
  rmse_fitted4: number;
  rmse_fitted5: number;
}

const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../../golden/metrics/golden.json'), 'utf8')) as { cases: GoldenCase[] };

describe('metrics against scipy', () => {
  for (const c of golden.cases) {
    it(`${c.name}: SRCC, KRCC (tau-b), PLCC, RMSE within 1e-12`, () => {
      expect(Math.abs(srcc(c.pred, c.mos) - c.srcc)).toBeLessThan(1e-12);
      expect(Math.abs(krcc(c.pred, c.mos) - c.krcc)).toBeLessThan(1e-12);
      expect(Math.abs(plcc(c.pred, c.mos) - c.plcc)).toBeLessThan(1e-12);
      expect(Math.abs(rmse(c.pred, c.mos) - c.rmse)).toBeLessThan(1e-12);
    });
    it(`${c.name}: 4-parameter logistic fit matches curve_fit (PLCC within 1e-4, RMSE within 0.1%)`, () => {
      const e = evaluate(c.pred, c.mos, { logistic: 4 });
      expect(Math.abs(e.plccFitted - c.plcc_fitted4)).toBeLessThan(1e-4);
      expect(Math.abs(e.rmseFitted - c.rmse_fitted4) / c.rmse_fitted4).toBeLessThan(1e-3);
    });
    // The 5-parameter least-squares problem has several local optima on some data (a steep sigmoid can fit ties),
    // and LM from the same starts may stop in different ones: ours must be at least as good a fit as scipy's.
    it(`${c.name}: 5-parameter logistic fit is at least as good as curve_fit's`, () => {
      const e = evaluate(c.pred, c.mos, { logistic: 5 });
      expect(e.rmseFitted).toBeLessThanOrEqual(c.rmse_fitted5 * (1 + 1e-3));
      expect(e.plccFitted).toBeGreaterThanOrEqual(c.plcc_fitted5 - 1e-4);
    });
  }
});

describe('metrics by hand', () => {
  it('ranks ties by their average rank', () => {
    expect(rank([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it('perfect and reversed orders', () => {
    expect(srcc([1, 2, 3, 4], [10, 20, 30, 45])).toBeCloseTo(1, 12);
    expect(krcc([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // One discordant pair of six: (5 - 1) / 6.
    expect(krcc([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
  });
  it('a constant side has no correlation (NaN), and bad input is refused', () => {
    expect(plcc([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => srcc([1, 2], [1])).toThrow(/length/);
    expect(() => plcc([1, Number.NaN], [1, 2])).toThrow(/finite/);
  });
  it('the logistic recovers an exact logistic curve', () => {
    const x = Array.from({ length: 40 }, (_, i) => i / 39);
    const y = x.map((v) => 1 + 4 / (1 + Math.exp(-(v - 0.4) * 10)));
    const fit = fitLogistic(x, y, 4);
    for (let i = 0; i < x.length; i++) expect(fit.fitted[i]).toBeCloseTo(y[i]!, 6);
  });
  it('per-group SRCC and the split summary', () => {
    const g = perGroupSrcc([1, 2, 3, 3, 2, 1], [1, 2, 3, 1, 2, 3], ['a', 'a', 'a', 'b', 'b', 'b']);
    expect(g).toEqual([
      { group: 'a', n: 3, srcc: 1 },
      { group: 'b', n: 3, srcc: -1 },
    ]);
    const s = summarizeSplits([{ srcc: 0.9 }, { srcc: 0.8 }, { srcc: 0.95 }, { srcc: 0.7 }]);
    expect(s.srcc!.median).toBeCloseTo(0.85, 12);
    expect(s.srcc!.mean).toBeCloseTo(0.8375, 12);
    expect(s.srcc!.n).toBe(4);
  });
});

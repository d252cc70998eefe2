// Gradient-boosted trees learn a non-linear function and reproduce it from their JSON form; the held-out figures count ranks and pairs right.
import { describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../../src-main/iqa/quality/evaluate';
import { GBT_DEFAULTS, predictGbt, trainGbt, type Gbt } from '../../../../src-main/iqa/quality/gbt';
import type { SetRow } from '../../../../src-main/iqa/quality/sets';

describe('gradient-boosted trees', () => {
  const rand = (() => {
    let s = 1;
    return () => ((s = (s * 16807) % 2147483647) / 2147483647);
  })();
  const f = (x: Float64Array) => Math.sin(3 * x[0]!) + (x[1]! > 0.5 ? 1 : 0) * x[2]! - 0.5 * x[3]! ** 2;
  const data = Array.from({ length: 3000 }, () => Float64Array.from({ length: 5 }, rand));
  const train = data.slice(0, 2000);
  const test = data.slice(2000);

  it('fits held-out points far better than their mean, the same way for the same seed', () => {
    const opts = { ...GBT_DEFAULTS, trees: 150, depth: 4, minLeaf: 5, seed: 3 };
    const m = trainGbt(train, train.map(f), opts);
    const y = test.map(f);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const mse = (p: (x: Float64Array) => number) => test.reduce((s, x, i) => s + (p(x) - y[i]!) ** 2, 0) / test.length;
    expect(mse((x) => predictGbt(m, x))).toBeLessThan(0.1 * mse(() => mean));
    const again = trainGbt(train, train.map(f), opts);
    expect(JSON.stringify(again)).toBe(JSON.stringify(m));
    const copy = JSON.parse(JSON.stringify(m)) as Gbt;
    expect(predictGbt(copy, test[0]!)).toBe(predictGbt(m, test[0]!));
  });

  it('sends missing values (NaN) down the low side instead of failing', () => {
    const m = trainGbt(train, train.map(f), { ...GBT_DEFAULTS, trees: 20, seed: 1 });
    expect(Number.isFinite(predictGbt(m, Float64Array.from([NaN, 0.2, 0.3, NaN, 0.1])))).toBe(true);
  });
});

describe('held-out figures', () => {
  const rows: SetRow[] = [];
  for (const ref of ['a', 'b']) {
    for (const distortion of ['blur', 'noise']) {
      for (let level = 1; level <= 5; level++) rows.push({ file: `${ref}-${distortion}-${level}`, ref: ref, reference: ref, distortion, level, mos: 5 - 0.7 * level - (ref === 'b' ? 0.2 : 0) });
    }
  }
  const refs = new Map([['a', 5], ['b', 5]]);

  it('a score that follows the labels gets SRCC 1, every level pair and every reference above level 1', () => {
    const fig = evaluateScores(rows, rows.map((r) => r.mos), refs);
    expect(fig.srccMos).toBeCloseTo(1, 10);
    expect(fig.levelPairs).toBe(1);
    expect(fig.refAboveL1).toBe(1);
    expect(fig.perType.blur!.n).toBe(10);
  });

  it('counts level pairs in the wrong order, ties as wrong, and references below level 1', () => {
    const scores = rows.map((r) => (r.distortion === 'noise' ? 1 : 5 - r.level));
    const fig = evaluateScores(rows, scores, new Map([['a', 3.5], ['b', 5]]));
    expect(fig.perType.noise!.levelPairs).toBe(0);
    expect(fig.perType.blur!.levelPairs).toBe(1);
    expect(fig.levelPairs).toBe(0.5);
    // a: 3.5 is below its blur level 1 (4) but above its noise level 1 (1); b is above both.
    expect(fig.refAboveL1).toBe(0.75);
    expect(fig.perType.blur!.srccLevel).toBeCloseTo(1, 10);
  });
});

// Gradient-boosted trees learn a non-linear function and reproduce it from their JSON form; the held-out figures count ranks and pairs right.
import { describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../../src-main/iqa/quality/evaluate';
import { GBT_DEFAULTS, predictGbt, rankingLoss, squaredLoss, trainGbt, type Gbt } from '../../../../src-main/iqa/quality/gbt';
import type { SetRow } from '../../../../src-main/iqa/quality/sets';
import { FEATURE_NAMES } from '../../../../src-main/iqa/quality/features';
import { qualityPredictor, type QualityModelFile } from '../../../../src-main/iqa/quality/model';

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

  it('keeps a monotone constraint: the score only rises with a +1 feature and only falls with a -1 one, whatever the data say', () => {
    // sin(3x) rises then falls over [0, 1]: unconstrained trees follow the bump, constrained ones may not.
    const opts = { ...GBT_DEFAULTS, trees: 150, depth: 4, minLeaf: 5, seed: 3 };
    const grid = (m: Gbt, k: number) => Array.from({ length: 41 }, (_, i) => predictGbt(m, Float64Array.from({ length: 5 }, (_, j) => (j === k ? i / 40 : 0.6))));
    const falls = (v: number[]) => v.some((p, i) => i > 0 && p < v[i - 1]! - 1e-12);
    const rises = (v: number[]) => v.some((p, i) => i > 0 && p > v[i - 1]! + 1e-12);
    const free = trainGbt(train, train.map(f), opts);
    expect(falls(grid(free, 0))).toBe(true);
    const up = trainGbt(train, train.map(f), { ...opts, monotone: { 0: 1 } });
    expect(falls(grid(up, 0))).toBe(false);
    // -0.5 x3² falls anyway; asking x3 to rise flattens it instead of reversing the data.
    const down = trainGbt(train, train.map(f), { ...opts, monotone: { 0: -1, 3: 1 } });
    expect(rises(grid(down, 0))).toBe(false);
    expect(falls(grid(down, 3))).toBe(false);
    // The free features still fit: x2 (behind the x1 > 0.5 switch) keeps moving the score.
    const mse = (m: Gbt) => test.reduce((s, x) => s + (predictGbt(m, x) - f(x)) ** 2, 0) / test.length;
    expect(mse(up)).toBeLessThan(0.5);
    expect(mse(up)).toBeGreaterThan(mse(free));
  });

  it('sends missing values (NaN) down the low side instead of failing', () => {
    const m = trainGbt(train, train.map(f), { ...GBT_DEFAULTS, trees: 20, seed: 1 });
    expect(Number.isFinite(predictGbt(m, Float64Array.from([NaN, 0.2, 0.3, NaN, 0.1])))).toBe(true);
  });
});

describe('pairwise ranking term', () => {
  // Each group (a photo) has an offset the labels carry but the features cannot see; within a group the label
  // falls with x[0]. Least squares fits the offsets' noise; the pairs teach the order inside each group.
  const rand = (() => {
    let s = 7;
    return () => ((s = (s * 16807) % 2147483647) / 2147483647);
  })();
  const rows: { x: Float64Array; y: number; g: number }[] = [];
  for (let g = 0; g < 60; g++) {
    const offset = 3 * rand();
    for (let k = 0; k < 8; k++) {
      const x = Float64Array.from({ length: 3 }, rand);
      rows.push({ x, y: offset - x[0]!, g });
    }
  }
  const x = rows.map((r) => r.x);
  const y = rows.map((r) => r.y);
  const better: number[] = [];
  const worse: number[] = [];
  rows.forEach((a, i) => rows.forEach((b, j) => {
    if (a.g === b.g && a.y > b.y) better.push(i), worse.push(j);
  }));
  const pairs = { better: Int32Array.from(better), worse: Int32Array.from(worse), weight: new Float64Array(better.length).fill(rows.length / better.length) };
  const pairAccuracy = (m: Gbt) => better.filter((a, k) => predictGbt(m, x[a]!) > predictGbt(m, x[worse[k]!]!)).length / better.length;
  const opts = { ...GBT_DEFAULTS, trees: 60, depth: 3, minLeaf: 5, seed: 2 };

  it('the squared loss through the objective interface gives the same trees as the default', () => {
    expect(JSON.stringify(trainGbt(x, y, opts, squaredLoss(y)))).toBe(JSON.stringify(trainGbt(x, y, opts)));
  });

  it('orders pairs within groups better than least squares alone', () => {
    const plain = pairAccuracy(trainGbt(x, y, opts));
    const ranked = pairAccuracy(trainGbt(x, y, opts, rankingLoss(y, pairs, 4, 0.1)));
    expect(ranked).toBeGreaterThan(plain);
    expect(ranked).toBeGreaterThan(0.9);
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

describe('quality model files', () => {
  const stump = (feature: number): Gbt => ({ kind: 'gbt', bias: 3, trees: [{ feature: [feature, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -1, 1] }] });
  const file = (features: string[], regressor: Gbt): QualityModelFile => ({ format: 'iqa-quality-model/1', features, labels: { kind: 'mos', range: [1, 5], higherIsBetter: true }, regressor, training: {} });

  it('an older file trained on fewer features reads them by name from this build vector', () => {
    const name = FEATURE_NAMES[7]!;
    const predict = qualityPredictor(file([FEATURE_NAMES[3]!, name], stump(1)));
    const v = new Float64Array(FEATURE_NAMES.length);
    expect(predict(v)).toBe(2);
    v[7] = 1;
    expect(predict(v)).toBe(4);
  });

  it('a blend scores the weighted sum of its regressors, each reading its own features, clamped to the label range', () => {
    const a = FEATURE_NAMES[2]!;
    const b = FEATURE_NAMES[5]!;
    const blend: QualityModelFile = { ...file([a], stump(0)), weight: 0.5, members: [{ weight: 0.5, features: [b], regressor: stump(0) }] };
    const predict = qualityPredictor(blend);
    const v = new Float64Array(FEATURE_NAMES.length);
    expect(predict(v)).toBe(2);
    v[2] = 1;
    expect(predict(v)).toBe(3);
    v[5] = 1;
    expect(predict(v)).toBe(4);
    expect(qualityPredictor({ ...blend, weight: 2 })(v)).toBe(5);
  });

  it('refuses a file that needs a feature this build does not compute', () => {
    expect(() => qualityPredictor(file(['no_such_feature'], stump(0)))).toThrow(/no_such_feature/);
  });
});

// Golden tests of rater screening (BT.500 kurtosis test, z-scores) against numpy/scipy, plus gold items and straight-lining.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { computeMos, type Vote } from '../../../src-main/studies/mos';
import { checkGoldItems, detectStraightLining, screenRatersBt500, zScoreVotes } from '../../../src-main/studies/screening';
import { GOLDEN, M } from './ratings-matrix';


// Expected values from tests/golden/studies/make_golden.py: the BT.500 loop (sample std, J = items rated) and β2 =
// scipy.stats.kurtosis(fisher=False); SUREAL's SR_MOS loop on items 1..29 (np.std ddof 0, division by E = 29 items);
// z-scores (per-rater nanstd ddof 1, pooled mean and std, ZS-MOS = nanmean(Z·std + mean, 0)).
const BT500_P = GOLDEN.bt500.p;
const BT500_Q = GOLDEN.bt500.q;
const BT500_REJECTED = GOLDEN.bt500.rejected;
const BETA2_EXP = GOLDEN.bt500.beta2;
const SUREAL_P = GOLDEN.sureal.p;
const SUREAL_Q = GOLDEN.sureal.q;
const SUREAL_REJECTED = GOLDEN.sureal.rejected;
const Z_POOLED_MEAN = GOLDEN.zscore.pooled_mean;
const Z_POOLED_STD = GOLDEN.zscore.pooled_std;
const Z_RATER_STD = GOLDEN.zscore.rater_std;
const ZS_MOS_EXP = GOLDEN.zscore.zs_mos;

const rid = (r: number) => `r${String(r).padStart(2, '0')}`;
const iid = (i: number) => `i${String(i).padStart(2, '0')}`;

function votesOf(m: readonly (readonly (number | null)[])[]): Vote[] {
  const out: Vote[] = [];
  m.forEach((row, r) => row.forEach((value, i) => value !== null && out.push({ rater: rid(r), item: iid(i), value })));
  return out;
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const votes = votesOf(M);

describe('screenRatersBt500', () => {
  it('matches the numpy loop: P_i, Q_i, rejections (default: sample std, J = items rated)', () => {
    const r = screenRatersBt500(votes);
    expect(r.perRater.map((x) => x.rater)).toEqual(Array.from({ length: 12 }, (_, i) => rid(i)));
    expect(r.perRater.map((x) => x.p)).toEqual(BT500_P);
    expect(r.perRater.map((x) => x.q)).toEqual(BT500_Q);
    expect(r.rejected).toEqual(BT500_REJECTED.map(rid));
    // The biased rater (r09) is one-sided, so the asymmetry test keeps it.
    const r09 = r.perRater[9]!;
    expect(r09.asymmetry).toBe(1);
    expect(r09.rejected).toBe(false);
  });

  it('reports β2 per item as scipy.stats.kurtosis(fisher=False) within 1e-12; the one-vote item is unused', () => {
    const items = new Map(screenRatersBt500(votes).perItem.map((x) => [x.item, x]));
    for (let i = 0; i < 30; i++) {
      const it_ = items.get(iid(i))!;
      if (BETA2_EXP[i] === null) {
        expect(it_.used).toBe(false);
        continue;
      }
      expect(relErr(it_.beta2, BETA2_EXP[i]!)).toBeLessThan(1e-12);
      expect(it_.normal).toBe(BETA2_EXP[i]! >= 2 && BETA2_EXP[i]! <= 4);
    }
  });

  it("equals SUREAL's SR_MOS with { std: 'population', denominator: 'all' }", () => {
    const r = screenRatersBt500(
      votes.filter((v) => v.item !== 'i00'),
      { std: 'population', denominator: 'all' },
    );
    expect(r.perRater.map((x) => x.p)).toEqual(SUREAL_P);
    expect(r.perRater.map((x) => x.q)).toEqual(SUREAL_Q);
    expect(r.perRater.every((x) => x.j === 29)).toBe(true);
    expect(r.rejected).toEqual(SUREAL_REJECTED.map(rid));
  });

  it('rejects a rater with symmetric outliers on a hand-made study, and ignores unanimous items', () => {
    // 19 raters whose votes spread roughly normally about 50 (β2 stays in [2, 4], so the limits are ±2 S), and rater
    // "odd", who answers 57 or 43 (about 2.5 S out) on every other item. A single gross outlier would not do: it
    // raises β2 above 4, and with n ≤ 21 no vote can lie √20 sample std devs from the mean.
    const OFF = [-4, -3, -3, -2, -2, -1, -1, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4];
    const v: Vote[] = [];
    for (let i = 0; i < 20; i++) {
      for (let r = 0; r < 19; r++) v.push({ rater: `g${r}`, item: `x${i}`, value: 50 + OFF[(r + i) % 19]! });
      v.push({ rater: 'odd', item: `x${i}`, value: i % 4 === 0 ? 57 : i % 4 === 2 ? 43 : 50 });
    }
    for (let r = 0; r < 19; r++) v.push({ rater: `g${r}`, item: 'same', value: 3 });
    v.push({ rater: 'odd', item: 'same', value: 3 });
    const res = screenRatersBt500(v);
    expect(res.rejected).toEqual(['odd']);
    const odd = res.perRater.find((x) => x.rater === 'odd')!;
    expect([odd.p, odd.q, odd.j]).toEqual([5, 5, 21]);
    expect(res.perItem.find((x) => x.item === 'same')).toMatchObject({ used: false, std: 0 });
    expect(res.perRater.filter((x) => x.rater !== 'odd').every((x) => x.p + x.q === 0)).toBe(true);
  });

  it('rejects NaN votes naming the rater and item', () => {
    expect(() => screenRatersBt500([...votes, { rater: 'r03', item: 'i99', value: Number.NaN }])).toThrow(/rater "r03" on item "i99"/);
  });
});

describe('zScoreVotes', () => {
  it('matches numpy: per-rater sample std, pooled mean/std, and re-scaled ZS-MOS per item within 1e-12', () => {
    const z = zScoreVotes(votes);
    expect(z.excluded).toEqual([]);
    z.perRater.forEach((s, r) => expect(relErr(s.std, Z_RATER_STD[r]!)).toBeLessThan(1e-12));
    expect(relErr(z.pooledMean, Z_POOLED_MEAN)).toBeLessThan(1e-12);
    expect(relErr(z.pooledStd, Z_POOLED_STD)).toBeLessThan(1e-12);
    const zsMos = new Map(computeMos(z.rescaled).map((m) => [m.item, m.mos]));
    for (let i = 0; i < 30; i++) expect(relErr(zsMos.get(iid(i))!, ZS_MOS_EXP[i]!)).toBeLessThan(1e-12);
  });

  it('gives every rater mean 0 and sample std 1 in z units', () => {
    const z = zScoreVotes(votes);
    for (let r = 0; r < 12; r++) {
      const xs = z.z.filter((v) => v.rater === rid(r)).map((v) => v.value);
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
      expect(Math.abs(m)).toBeLessThan(1e-12);
      expect(Math.abs(sd - 1)).toBeLessThan(1e-12);
    }
  });

  it('leaves out a rater who always answers 3 and a rater with one vote, and keeps the others', () => {
    const v: Vote[] = [
      ...['a', 'b', 'c', 'd'].map((item) => ({ rater: 'flat', item, value: 3 })),
      { rater: 'once', item: 'a', value: 5 },
      ...[1, 2, 4, 5].map((value, k) => ({ rater: 'ok', item: 'abcd'[k]!, value })),
    ];
    const z = zScoreVotes(v);
    expect(z.excluded).toEqual([
      { rater: 'flat', reason: 'zero_variance' },
      { rater: 'once', reason: 'too_few_votes' },
    ]);
    expect(z.z.map((x) => x.rater)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // One rater: re-scaling returns exactly their own votes.
    z.rescaled.forEach((x, k) => expect(Math.abs(x.value - [1, 2, 4, 5][k]!)).toBeLessThan(1e-12));
  });
});

describe('checkGoldItems', () => {
  const gold = [
    { item: 'g1', expected: 1 },
    { item: 'g2', expected: 5 },
    { item: 'g3', expected: 1 },
  ];
  const v: Vote[] = [
    { rater: 'good', item: 'g1', value: 1 },
    { rater: 'good', item: 'g2', value: 4 },
    { rater: 'good', item: 'g3', value: 2 },
    { rater: 'good', item: 'x', value: 3 },
    { rater: 'bad', item: 'g1', value: 4 },
    { rater: 'bad', item: 'g2', value: 5 },
    { rater: 'none', item: 'x', value: 2 },
  ];

  it('counts answers within ±1 (default) as correct; unanswered gold items do not count', () => {
    expect(checkGoldItems(v, gold)).toEqual([
      { rater: 'good', answered: 3, correct: 3, share: 1, wrong: [] },
      { rater: 'bad', answered: 2, correct: 1, share: 0.5, wrong: [{ item: 'g1', value: 4, expected: 1 }] },
      { rater: 'none', answered: 0, correct: 0, share: null, wrong: [] },
    ]);
  });

  it('tolerance 0 demands the exact answer', () => {
    const good = checkGoldItems(v, gold, { tolerance: 0 })[0]!;
    expect([good.correct, good.share]).toEqual([1, 1 / 3]);
  });

  it('rejects a gold item without a finite expected answer, or listed twice', () => {
    expect(() => checkGoldItems(v, [{ item: 'g1', expected: Number.NaN }])).toThrow(/gold item "g1"/);
    expect(() => checkGoldItems(v, [gold[0]!, gold[0]!])).toThrow(/listed twice/);
    expect(() => checkGoldItems(v, gold, { tolerance: -1 })).toThrow(AppError);
  });
});

describe('detectStraightLining', () => {
  const seq = (rater: string, values: number[]): Vote[] => values.map((value, k) => ({ rater, item: `s${k}`, value }));

  it('flags a rater who always answers 3 on every test', () => {
    const [r] = detectStraightLining(seq('threes', Array(12).fill(3)));
    expect(r).toMatchObject({ n: 12, variance: 0, modeValue: 3, modeShare: 1, longestRun: 12, flagged: true });
    expect(r!.reasons).toEqual(['low_variance', 'same_value', 'long_run']);
  });

  it('passes a varied rater, and flags only the run when one appears in an otherwise varied sequence', () => {
    const varied = [1, 3, 5, 2, 4, 3, 1, 5, 2, 4, 3, 2];
    const withRun = [1, 5, 2, ...Array<number>(10).fill(4), 1, 5, 2, 3, 1, 5, 2, 3, 1, 5, 2, 3];
    const [a, b] = detectStraightLining([...seq('varied', varied), ...seq('run', withRun)]);
    expect(a).toMatchObject({ flagged: false, reasons: [], longestRun: 1 });
    expect(b).toMatchObject({ flagged: true, reasons: ['long_run'], longestRun: 10 });
    expect(b!.modeShare).toBeCloseTo(10 / 25, 12);
  });

  it('flags near-zero variance and a dominant value by the given thresholds', () => {
    const almost = [3, 3, 3, 4, 3, 3, 3, 3, 3, 3];
    const [r] = detectStraightLining(seq('almost', almost), { maxRun: 100 });
    // sample variance of nine 3s and one 4 = 0.1
    expect(r!.variance).toBeCloseTo(0.1, 12);
    expect(r!.reasons).toEqual(['low_variance', 'same_value']);
    expect(detectStraightLining(seq('almost', almost), { minVariance: 0.05, maxSameShare: 0.95, maxRun: 100 })[0]!.flagged).toBe(false);
  });

  it('does not judge raters with fewer than minVotes votes', () => {
    const [r] = detectStraightLining(seq('short', [3, 3, 3]));
    expect(r).toMatchObject({ checked: false, flagged: false, reasons: [] });
  });
});

// Golden tests of per-item MOS, sample std and Student-t CIs, and of the t/normal quantiles, against numpy/scipy.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { computeMos, normalCdf, normalQuantile, studentTCdf, studentTQuantile, type Vote } from '../../../src-main/studies/mos';
import { GOLDEN, M } from './ratings-matrix';

// Expected values from tests/golden/studies/make_golden.py: t and normal quantiles and the t CDF from mpmath at 40
// digits; per item n = (~isnan(M)).sum(0), mos = nanmean(M, 0), std = nanstd(M[:, j], ddof=1), half width =
// t(0.975 | 0.995, n − 1)·std/√n, null where n < 2.
const G = GOLDEN.mos;

const rid = (r: number) => `r${String(r).padStart(2, '0')}`;
const iid = (i: number) => `i${String(i).padStart(2, '0')}`;

function votesOf(m: readonly (readonly (number | null)[])[]): Vote[] {
  const out: Vote[] = [];
  m.forEach((row, r) => row.forEach((value, i) => value !== null && out.push({ rater: rid(r), item: iid(i), value })));
  return out;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('Student t and normal quantiles against scipy', () => {
  G.t_dofs.forEach((dof, d) => {
    it(`t.ppf for dof ${dof} within 1e-12 relative`, () => {
      G.t_ps.forEach((p, k) => expect(relErr(studentTQuantile(p, dof), G.t_ppf[d]![k]!)).toBeLessThan(1e-12));
    });
  });

  it('t.ppf for non-integer and large dof within 1e-12 relative', () => {
    for (const [p, dof, want] of G.t_ppf_nonint) expect(relErr(studentTQuantile(p!, dof!), want!)).toBeLessThan(1e-12);
  });

  it('keeps full precision next to p = 0.5, where scipy itself is off by ~1e-10', () => {
    // mpmath (40 digits): findroot on the CDF through the incomplete beta, and √2·erfinv(2p − 1) for the normal.
    for (const [p, dof, want] of G.near_half.t) expect(relErr(studentTQuantile(p, dof), want)).toBeLessThan(1e-14);
    for (const [p, want] of G.near_half.z) expect(relErr(normalQuantile(p), want)).toBeLessThan(1e-14);
    expect(G.near_half.t.length + G.near_half.z.length).toBe(4);
  });

  it('t.cdf within 1e-13 absolute, and inverts the quantile', () => {
    for (const [t, dof, want] of G.t_cdf) expect(Math.abs(studentTCdf(t!, dof!) - want!)).toBeLessThan(1e-13);
    for (const dof of [1, 3, 8.5, 40]) {
      for (const p of [0.01, 0.3, 0.77, 0.999]) expect(Math.abs(studentTCdf(studentTQuantile(p, dof), dof) - p)).toBeLessThan(1e-13);
    }
  });

  it('norm.ppf within 1e-13 relative; dof = Infinity is the normal', () => {
    for (const [p, want] of G.z_ppf) expect(relErr(normalQuantile(p!), want!)).toBeLessThan(1e-13);
    expect(studentTQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
    expect(Math.abs(normalCdf(1.959963984540054) - 0.975)).toBeLessThan(1e-15);
    expect(studentTQuantile(0.5, 7)).toBe(0);
  });

  it('rejects p outside (0, 1) and dof ≤ 0', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(AppError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(/degrees of freedom/);
    expect(() => normalQuantile(Number.NaN)).toThrow(AppError);
  });
});

describe('computeMos', () => {
  const votes = votesOf(M);
  const byItem = new Map(computeMos(votes).map((m) => [m.item, m]));

  it('matches numpy/scipy per item: n exactly, MOS/std/CI within 1e-12 relative', () => {
    expect(byItem.size).toBe(30);
    for (let i = 0; i < 30; i++) {
      const m = byItem.get(iid(i))!;
      expect(m.n).toBe(G.n[i]);
      expect(relErr(m.mos, G.mos[i]!)).toBeLessThan(1e-12);
      if (G.std[i] === null) {
        expect(m.std).toBeNull();
        expect(m.ci).toBeNull();
        continue;
      }
      expect(relErr(m.std!, G.std[i]!)).toBeLessThan(1e-12);
      expect(relErr(m.ci!.halfWidth, G.hw95[i]!)).toBeLessThan(1e-12);
      expect(relErr(m.ci!.low, G.mos[i]! - G.hw95[i]!)).toBeLessThan(1e-12);
      expect(relErr(m.ci!.high, G.mos[i]! + G.hw95[i]!)).toBeLessThan(1e-12);
    }
  });

  it('honours another confidence level (99 %)', () => {
    const mos99 = new Map(computeMos(votes, { confidence: 0.99 }).map((m) => [m.item, m]));
    for (let i = 1; i < 30; i++) expect(relErr(mos99.get(iid(i))!.ci!.halfWidth, G.hw99[i]!)).toBeLessThan(1e-12);
  });

  it('an item with one vote has its MOS but no std or CI; two votes use t(0.975; 1) = 12.706', () => {
    const r = computeMos([
      { rater: 'a', item: 'one', value: 4 },
      { rater: 'a', item: 'two', value: 2 },
      { rater: 'b', item: 'two', value: 4 },
    ]);
    expect(r).toEqual([
      { item: 'one', n: 1, mos: 4, std: null, ci: null },
      expect.objectContaining({ item: 'two', n: 2, mos: 3 }),
    ]);
    // s = √2, half width = 12.706204736174705 · √2/√2
    expect(Math.abs(r[1]!.ci!.halfWidth - 12.706204736174705)).toBeLessThan(1e-12);
  });

  it('gives zero-width intervals when all votes agree, and [] for no votes', () => {
    const r = computeMos(['a', 'b', 'c'].map((rater) => ({ rater, item: 'x', value: 3 })));
    expect(r[0]).toEqual({ item: 'x', n: 3, mos: 3, std: 0, ci: { low: 3, high: 3, halfWidth: 0 } });
    expect(computeMos([])).toEqual([]);
  });

  it('keeps items in order of their first vote', () => {
    const r = computeMos([
      { rater: 'a', item: 'z', value: 1 },
      { rater: 'a', item: 'y', value: 2 },
      { rater: 'b', item: 'z', value: 3 },
    ]);
    expect(r.map((m) => m.item)).toEqual(['z', 'y']);
  });

  it('rejects NaN, Infinity and duplicate votes with a bad_input error naming the rater and item', () => {
    const bad = (value: number) => [
      { rater: 'r1', item: 'img-1', value: 3 },
      { rater: 'r7', item: 'img-9', value },
    ];
    for (const v of [Number.NaN, Infinity]) {
      try {
        computeMos(bad(v));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('bad_input');
        expect((e as AppError).message).toMatch(/rater "r7".*item "img-9"/);
      }
    }
    expect(() => computeMos([{ rater: 'r1', item: 'x', value: '3' as unknown as number }])).toThrow(/rater "r1" on item "x"/);
    expect(() => computeMos([...bad(2), { rater: 'r7', item: 'img-9', value: 4 }])).toThrow(/rater "r7" voted more than once on item "img-9"/);
    expect(() => computeMos([{ rater: '', item: 'x', value: 1 }])).toThrow(/no rater id/);
    expect(() => computeMos(bad(2), { confidence: 1.5 })).toThrow(/confidence/);
  });
});

// Golden tests of Bradley-Terry (MM with prior) and Thurstone Case V scaling against scipy, and of their bootstrap CIs.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { bradleyTerry, thurstoneCaseV, type Comparison } from '../../../src-main/studies/pairwise';
import { GOLDEN } from './ratings-matrix';

// Expected scores from tests/golden/studies/make_golden.py (numpy/scipy), written independently of the MM code:
// - Bradley-Terry: the MAP of the log-posterior  Σ W_ij·log σ(θ_i − θ_j) + prior·Σ_i [log σ(θ_i) + log σ(−θ_i)]
//   (each item given `prior` wins and `prior` losses against a virtual item with θ = 0) by
//   scipy.optimize.minimize(method='trust-exact') with the analytic gradient and Hessian plus 5 Newton steps
//   (max |gradient| < 1e-12), then centred to mean 0.
// - Thurstone Case V: p = W_ij/N_ij, with 0 → 0.5/(N+1) and 1 → (N+0.5)/(N+1); z = stats.norm.ppf(p);
//   np.linalg.lstsq on rows sqrt(N_ij)·(e_i − e_j) = sqrt(N_ij)·z_ij (minimum-norm = mean-0 solution).
// - Fisher SE: sqrt(diag(C H⁻¹ Cᵀ)) with H the Hessian of the negative log-posterior at the MAP, C = I − 11ᵀ/n.
const P = GOLDEN.pairwise;
// Dataset A: W[i][j] = times item i was preferred over item j, items A..E. A won all its 14 comparisons; C-E was
// never compared.
const A_ITEMS = P.a.items;
const A_W = P.a.w;
const BT_A_PRIOR_0_5 = P.a.bt_prior_0_5;
const BT_A_PRIOR_0_1 = P.a.bt_prior_0_1;
const TH_A = P.a.thurstone;
const BT_B = P.b.bt;
const TH_B = P.b.thurstone;
const C_COUNTS = P.c.w;
const BT_C = P.c.bt;
const BT_C_FISHER_SE = P.c.bt_fisher_se;
const TH_C = P.c.thurstone;

function fromMatrix(items: readonly string[], w: readonly (readonly number[])[]): Comparison[] {
  const out: Comparison[] = [];
  w.forEach((row, i) => row.forEach((count, j) => count > 0 && out.push({ winner: items[i]!, loser: items[j]!, count })));
  return out;
}

const C_ITEMS = P.c.items;
const compA = fromMatrix(A_ITEMS, A_W);
const compC = fromMatrix(C_ITEMS, C_COUNTS);
// Dataset B: X-Y: X preferred 3 times, Y once, 2 ties; Y-Z 2 : 2; X-Z 4 ties. With ties as ½ win: X 4 : Y 2.
const compB: Comparison[] = P.b.comparisons;

const scores = (r: ReturnType<typeof bradleyTerry>) => r.scores.map((s) => s.score);
const maxAbsDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

describe('bradleyTerry', () => {
  it('matches the scipy MAP within 1e-10, with an always-winning item kept finite (prior 0.5 and 0.1)', () => {
    const r = bradleyTerry(compA, { bootstrap: 0 });
    expect(r.method).toBe('bradley-terry');
    expect(r.converged).toBe(true);
    expect(r.scores.map((s) => s.item)).toEqual(A_ITEMS);
    expect(maxAbsDiff(scores(r), BT_A_PRIOR_0_5)).toBeLessThan(1e-10);
    const weak = bradleyTerry(compA, { bootstrap: 0, prior: 0.1 });
    expect(maxAbsDiff(scores(weak), BT_A_PRIOR_0_1)).toBeLessThan(1e-10);
    // A weaker prior lets the unbeaten item move further out, but it stays finite.
    expect(weak.scores[0]!.score).toBeGreaterThan(r.scores[0]!.score);
    expect(Number.isFinite(weak.scores[0]!.score)).toBe(true);
  });

  it('anchors scores to mean 0 and reports wins and comparisons per item', () => {
    const r = bradleyTerry(compA, { bootstrap: 0 });
    expect(Math.abs(scores(r).reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
    expect(r.scores[0]).toMatchObject({ wins: 14, comparisons: 14, se: null, ci: null });
    expect(r.scores[4]).toMatchObject({ wins: 3, comparisons: 15 });
  });

  it('counts a tie as half a win to each side', () => {
    const r = bradleyTerry(compB, { bootstrap: 0 });
    expect(maxAbsDiff(scores(r), BT_B)).toBeLessThan(1e-10);
    expect(r.scores.map((s) => s.wins)).toEqual([6, 4, 4]);
  });

  it('matches on a balanced design, and its bootstrap SE is close to the Fisher-information SE', () => {
    const r = bradleyTerry(compC, { bootstrap: 400, seed: 11 });
    expect(maxAbsDiff(scores(r), BT_C)).toBeLessThan(1e-10);
    r.scores.forEach((s, i) => {
      // 400 resamples give the SE to about ±7 %; the bootstrap of a MAP is not exactly the asymptotic SE either.
      expect(s.se! / BT_C_FISHER_SE[i]!).toBeGreaterThan(0.75);
      expect(s.se! / BT_C_FISHER_SE[i]!).toBeLessThan(1.25);
      expect(s.ci!.low).toBeLessThan(s.score);
      expect(s.ci!.high).toBeGreaterThan(s.score);
    });
  });

  it('is deterministic given the seed, and another seed gives other intervals', () => {
    const a = bradleyTerry(compC, { bootstrap: 50, seed: 5 });
    const b = bradleyTerry(compC, { bootstrap: 50, seed: 5 });
    const c = bradleyTerry(compC, { bootstrap: 50, seed: 6 });
    expect(b).toEqual(a);
    expect(c.scores.map((s) => s.ci)).not.toEqual(a.scores.map((s) => s.ci));
    expect(scores(c)).toEqual(scores(a));
    expect([a.bootstrap, a.seed]).toEqual([50, 5]);
  });
});

describe('thurstoneCaseV', () => {
  it('matches weighted least squares on the corrected probits within 1e-12 (incomplete design, unbeaten item)', () => {
    const r = thurstoneCaseV(compA, { bootstrap: 0 });
    expect(r.method).toBe('thurstone-case-v');
    expect(r.iterations).toBeNull();
    expect(maxAbsDiff(scores(r), TH_A)).toBeLessThan(1e-12);
  });

  it('handles ties, and the balanced design', () => {
    expect(maxAbsDiff(scores(thurstoneCaseV(compB, { bootstrap: 0 })), TH_B)).toBeLessThan(1e-12);
    expect(maxAbsDiff(scores(thurstoneCaseV(compC, { bootstrap: 0 })), TH_C)).toBeLessThan(1e-12);
  });

  it('has bootstrap intervals that contain the estimate and shrink about 1/√n with 4x the data', () => {
    const r1 = thurstoneCaseV(compC, { bootstrap: 300, seed: 3 });
    const r4 = thurstoneCaseV(
      compC.map((c) => ({ ...c, count: c.count! * 4 })),
      { bootstrap: 300, seed: 3 },
    );
    expect(maxAbsDiff(scores(r4), scores(r1))).toBeLessThan(1e-12); // same proportions, same scores
    r1.scores.forEach((s, i) => {
      expect(s.ci!.low).toBeLessThan(s.score);
      expect(s.ci!.high).toBeGreaterThan(s.score);
      // 1/√4 = 0.5; it sits a little above because at 20 comparisons per pair the 0/1 correction damps resamples
      // of the lopsided pairs (c0-c5 is 1 : 19), and 300 resamples give each SE to about ±8 %.
      const ratio = r4.scores[i]!.se! / s.se!;
      expect(ratio).toBeGreaterThan(0.4);
      expect(ratio).toBeLessThan(0.7);
    });
  });

  it('a single unanimous comparison still orders the pair (0/1 correction)', () => {
    const r = thurstoneCaseV([{ winner: 'p', loser: 'q' }], { bootstrap: 0 });
    // p = 0.75 → z = 0.6744897501960817 (stats.norm.ppf(0.75)), split ±z/2 around 0.
    expect(Math.abs(r.scores[0]!.score - 0.6744897501960817 / 2)).toBeLessThan(1e-13);
    expect(Math.abs(r.scores[1]!.score + 0.6744897501960817 / 2)).toBeLessThan(1e-13);
  });

  it('is deterministic given the seed', () => {
    expect(thurstoneCaseV(compA, { bootstrap: 40, seed: 9 })).toEqual(thurstoneCaseV(compA, { bootstrap: 40, seed: 9 }));
  });
});

describe('bad input', () => {
  const both = [bradleyTerry, thurstoneCaseV];

  it('rejects NaN or negative counts naming the pair, self-comparisons and empty ids', () => {
    for (const fit of both) {
      expect(() => fit([{ winner: 'a', loser: 'b', count: Number.NaN }])).toThrow(/"a" over "b".*count NaN/);
      expect(() => fit([{ winner: 'a', loser: 'b', count: -1 }])).toThrow(AppError);
      expect(() => fit([{ winner: 'a', loser: 'b', count: 1.5 }])).toThrow(/integer/);
      expect(() => fit([{ winner: 'a', loser: 'a' }])).toThrow(/item "a" with itself/);
      expect(() => fit([{ winner: '', loser: 'b' }])).toThrow(/two item ids/);
    }
  });

  it('rejects no comparisons and disconnected designs', () => {
    for (const fit of both) {
      expect(() => fit([])).toThrow(/at least one comparison/);
      expect(() => fit([{ winner: 'a', loser: 'b', count: 0 }])).toThrow(/at least one comparison/);
      expect(() =>
        fit([
          { winner: 'a', loser: 'b' },
          { winner: 'c', loser: 'd' },
        ]),
      ).toThrow(/"a" and "c" are not linked/);
    }
  });

  it('rejects bad options', () => {
    expect(() => bradleyTerry(compA, { prior: 0 })).toThrow(/prior/);
    expect(() => thurstoneCaseV(compA, { bootstrap: -2 })).toThrow(/bootstrap/);
    expect(() => thurstoneCaseV(compA, { seed: 1.5 })).toThrow(/seed/);
    expect(() => bradleyTerry(compA, { confidence: 0 })).toThrow(/confidence/);
    try {
      bradleyTerry([{ winner: 'a', loser: 'a' }]);
    } catch (e) {
      expect((e as AppError).code).toBe('bad_input');
    }
  });
});

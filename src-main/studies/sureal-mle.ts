// SUREAL's maximum-likelihood subjective model (Li & Bampis 2017, "Recover subjective quality scores from noisy measurements", DCC; Netflix/sureal MaximumLikelihoodEstimationModel): true quality per item, bias and inconsistency per rater, ambiguity per content.
import { AppError } from '../../src-shared/api/errors';

/**
 * One vote X_es of rater s on item e, whose content (source) is c(e). The model (paper §3, eq. 1):
 *   X_es = x_e + B_es + A_es,   B_es ~ N(b_s, v_s²),   A_es ~ N(0, a_c(e)²)
 * so X_es ~ N(x_e + b_s, v_s² + a_c(e)²).
 */
export interface MleVote {
  item: number;
  rater: number;
  value: number;
}

export interface MleInput {
  /** Number of items E; votes refer to items 0..E-1. */
  items: number;
  /** Number of raters S; votes refer to raters 0..S-1. */
  raters: number;
  /** Content (source) of each item, 0..C-1. */
  contentOf: readonly number[];
  votes: readonly MleVote[];
  /** Shift the raters' biases to mean zero and the qualities by the same amount (SUREAL's default: true). */
  zeroMeanBias?: boolean;
  /** Stop when the L2 change of the qualities in one iteration falls below this (SUREAL: 1e-8). */
  tolerance?: number;
  maxIterations?: number;
}

export interface MleResult {
  /** x_e with its standard error (inverse square root of the Fisher information) and the 95% half width 1.95996·se. */
  quality: number[];
  qualityStd: number[];
  qualityCi95: number[];
  /** b_s, v_s per rater, with standard errors. */
  bias: number[];
  biasStd: number[];
  inconsistency: number[];
  inconsistencyStd: number[];
  /** a_c per content, with standard errors. */
  ambiguity: number[];
  ambiguityStd: number[];
  iterations: number;
  /** Per observation: log-likelihood, degrees of freedom (E + 2S + C), AIC, BIC, as SUREAL reports them. */
  loglikelihood: number;
  dof: number;
  aic: number;
  bic: number;
}

const REFRESH = 0.1;
const Z975 = 1.95996;

/**
 * Solves the model by SUREAL's "simplified" belief propagation: starting from MOS, the per-rater residual std and
 * the per-content residual std, each iteration takes a damped (refresh 0.1) step for b_s (paper eq. 12, a weighted
 * mean), a Newton step for v_s (eq. 14), one for a_c (eq. 15), and the weighted mean for x_e (eq. 11), until the
 * qualities move less than `tolerance`. Votes may be missing (incomplete designs): every sum runs over the votes
 * present. Works on the vote list, O(votes) per iteration.
 */
export function fitSurealMle(input: MleInput): MleResult {
  const E = input.items;
  const S = input.raters;
  const { votes, contentOf } = input;
  if (contentOf.length !== E) throw new AppError('bad_input', `contentOf has ${contentOf.length} entries for ${E} items`);
  const C = contentOf.reduce((m, c) => Math.max(m, c + 1), 0);
  const n = votes.length;
  if (!n) throw new AppError('bad_input', 'The MLE model needs votes');
  for (const v of votes) {
    if (!(v.item >= 0 && v.item < E && v.rater >= 0 && v.rater < S && Number.isFinite(v.value))) {
      throw new AppError('bad_input', `vote of rater ${v.rater} on item ${v.item} is out of range or not finite`);
    }
  }
  const ve = Int32Array.from(votes, (v) => v.item);
  const vs = Int32Array.from(votes, (v) => v.rater);
  const vc = Int32Array.from(votes, (v) => contentOf[v.item]!);
  const vx = Float64Array.from(votes, (v) => v.value);

  // Initialisation: MOS, then the residuals' std per rater and per content (ddof 0).
  const x = new Float64Array(E);
  const cntE = new Float64Array(E);
  for (let i = 0; i < n; i++) {
    x[ve[i]!]! += vx[i]!;
    cntE[ve[i]!]! += 1;
  }
  for (let e = 0; e < E; e++) x[e] = cntE[e]! ? x[e]! / cntE[e]! : Number.NaN;
  const stdOfResiduals = (groupOf: Int32Array, groups: number) => {
    const sum = new Float64Array(groups);
    const sum2 = new Float64Array(groups);
    const cnt = new Float64Array(groups);
    for (let i = 0; i < n; i++) {
      const r = vx[i]! - x[ve[i]!]!;
      const g = groupOf[i]!;
      sum[g]! += r;
      sum2[g]! += r * r;
      cnt[g]! += 1;
    }
    return Float64Array.from(sum, (s, g) => (cnt[g]! ? Math.sqrt(Math.max(0, sum2[g]! / cnt[g]! - (s / cnt[g]!) ** 2)) : Number.NaN));
  };
  const v = stdOfResiduals(vs, S);
  const a = stdOfResiduals(vc, C);
  const b = new Float64Array(S);
  const xStd = new Float64Array(E);
  const bStd = new Float64Array(S);
  const vStd = new Float64Array(S);
  const aStd = new Float64Array(C);

  const num = new Float64Array(Math.max(E, S, C));
  const den = new Float64Array(Math.max(E, S, C));
  const step = (len: number, apply: (k: number, num: number, den: number) => void) => {
    for (let k = 0; k < len; k++) apply(k, num[k]!, den[k]!);
  };
  const clear = (len: number) => {
    num.fill(0, 0, len);
    den.fill(0, 0, len);
  };

  const tolerance = input.tolerance ?? 1e-8;
  const maxIterations = input.maxIterations ?? 10_000;
  let iterations = 0;
  const xPrev = new Float64Array(E);
  for (;;) {
    xPrev.set(x);

    // (12) b_s: the precision-weighted mean of x_es − x_e over the rater's votes.
    clear(S);
    for (let i = 0; i < n; i++) {
      const s = vs[i]!;
      const w = 1 / (v[s]! ** 2 + a[vc[i]!]! ** 2);
      num[s]! += (vx[i]! - x[ve[i]!]!) * w;
      den[s]! += w;
    }
    step(S, (s, nu, de) => {
      b[s] = b[s]! * (1 - REFRESH) + (nu / de) * REFRESH;
      bStd[s] = 1 / Math.sqrt(Math.max(0, de));
    });

    // (14) v_s: a Newton step on the log-likelihood's derivative in v_s.
    clear(S);
    for (let i = 0; i < n; i++) {
      const s = vs[i]!;
      const v2 = v[s]! ** 2;
      const a2 = a[vc[i]!]! ** 2;
      const add = v2 + a2;
      const r2 = (vx[i]! - x[ve[i]!]! - b[s]!) ** 2;
      num[s]! += -v[s]! / add + (v[s]! * r2) / add ** 2;
      den[s]! += (v2 - a2) / add ** 2 + (r2 * (a2 * a2 - 3 * v2 * v2 - 2 * v2 * a2)) / add ** 4;
    }
    step(S, (s, nu, de) => {
      const next = v[s]! - nu / de;
      v[s] = Math.max(0, v[s]! * (1 - REFRESH) + next * REFRESH);
      vStd[s] = 1 / Math.sqrt(Math.max(0, -de));
    });

    // (15) a_c: the same for the content's ambiguity, summed over the content's items and their votes.
    clear(C);
    for (let i = 0; i < n; i++) {
      const c = vc[i]!;
      const v2 = v[vs[i]!]! ** 2;
      const a2 = a[c]! ** 2;
      const add = v2 + a2;
      const r2 = (vx[i]! - x[ve[i]!]! - b[vs[i]!]!) ** 2;
      num[c]! += -a[c]! / add + (a[c]! * r2) / add ** 2;
      den[c]! += -(v2 - a2) / add ** 2 + (r2 * (v2 * v2 - 3 * a2 * a2 - 2 * v2 * a2)) / add ** 4;
    }
    step(C, (c, nu, de) => {
      const next = a[c]! - nu / de;
      a[c] = Math.max(0, a[c]! * (1 - REFRESH) + next * REFRESH);
      aStd[c] = 1 / Math.sqrt(Math.max(0, -de));
    });

    // (11) x_e: the precision-weighted mean of x_es − b_s over the item's votes.
    clear(E);
    for (let i = 0; i < n; i++) {
      const e = ve[i]!;
      const w = 1 / (v[vs[i]!]! ** 2 + a[vc[i]!]! ** 2);
      num[e]! += (vx[i]! - b[vs[i]!]!) * w;
      den[e]! += w;
    }
    step(E, (e, nu, de) => {
      if (!de) return;
      x[e] = x[e]! * (1 - REFRESH) + (nu / de) * REFRESH;
      xStd[e] = 1 / Math.sqrt(Math.max(0, de));
    });

    iterations++;
    let change = 0;
    for (let e = 0; e < E; e++) if (cntE[e]) change += (xPrev[e]! - x[e]!) ** 2;
    if (Math.sqrt(change) < tolerance || iterations >= maxIterations) break;
  }

  if (input.zeroMeanBias ?? true) {
    let mean = 0;
    for (let s = 0; s < S; s++) mean += b[s]!;
    mean /= S;
    for (let s = 0; s < S; s++) b[s] = b[s]! - mean;
    for (let e = 0; e < E; e++) x[e] = x[e]! + mean;
  }

  let ll = 0;
  for (let i = 0; i < n; i++) {
    const sd2 = v[vs[i]!]! ** 2 + a[vc[i]!]! ** 2;
    ll += -0.5 * Math.log(2 * Math.PI * sd2) - (vx[i]! - x[ve[i]!]! - b[vs[i]!]!) ** 2 / (2 * sd2);
  }
  const loglikelihood = ll / n;
  const dof = (E + 2 * S + C) / n;
  return {
    quality: [...x],
    qualityStd: [...xStd],
    qualityCi95: Array.from(xStd, (sd) => Z975 * sd),
    bias: [...b],
    biasStd: [...bStd],
    inconsistency: [...v],
    inconsistencyStd: [...vStd],
    ambiguity: [...a],
    ambiguityStd: [...aStd],
    iterations,
    loglikelihood,
    dof,
    aic: 2 * dof - 2 * loglikelihood,
    bic: Math.log(n) * dof - 2 * loglikelihood,
  };
}

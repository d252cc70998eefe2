// Rater screening for rating studies: BT.500 kurtosis outlier test, per-rater z-scores, gold-item checks, straight-lining.
import { AppError } from '../../src-shared/api/errors';
import { assertValidVotes, groupBy, mean, stdDev, type ItemId, type RaterId, type Vote } from './mos';

// ---------------------------------------------------------------------------------------------------------------
// (a) ITU-R BT.500-14 Annex 1 §A1-2.3.1 observer screening

export interface Bt500Options {
  /**
   * Standard deviation used for the ±2σ / ±√20σ limits. 'sample' (default): the S_jkr of BT.500 Annex 1 §A1-2.2.1,
   * n − 1 in the denominator. 'population': n in the denominator, as SUREAL's SR_MOS computes it (np.std).
   */
  std?: 'sample' | 'population';
  /**
   * Denominator J of the rejection ratio (P_i + Q_i)/J. 'rated' (default): the number of items the rater voted on,
   * which is what J·K·R is in BT.500's complete design and stays fair when raters saw different subsets. 'all': the
   * number of items in the study, as SUREAL divides by E.
   */
  denominator?: 'rated' | 'all';
}

export interface Bt500Item {
  item: ItemId;
  n: number;
  mean: number;
  /** The std the limits use (see Bt500Options.std); NaN when n < 2. */
  std: number;
  /** β2 = m4/m2² with population moments m_x = Σ(u − ū)^x / n (Pearson kurtosis, 3 for a normal); NaN if m2 = 0. */
  beta2: number;
  /** True when 2 ≤ β2 ≤ 4: limits at mean ± 2·std, else mean ± √20·std. */
  normal: boolean;
  /** False for items that cannot flag anyone: fewer than 2 votes, or every vote equal (std = 0). */
  used: boolean;
}

export interface Bt500Rater {
  rater: RaterId;
  /** P_i: votes at or above the item's upper limit. */
  p: number;
  /** Q_i: votes at or below the item's lower limit. */
  q: number;
  /** The rejection ratio's denominator J for this rater. */
  j: number;
  /** (P_i + Q_i)/J. */
  outlierRatio: number;
  /** |(P_i − Q_i)/(P_i + Q_i)|; null when P_i + Q_i = 0. */
  asymmetry: number | null;
  rejected: boolean;
}

export interface Bt500Result {
  rejected: RaterId[];
  perRater: Bt500Rater[];
  perItem: Bt500Item[];
}

/**
 * ITU-R BT.500-14 (10/2019) Annex 1 §A1-2.3.1 screening (the same rule as BT.500-13 Annex 2 §2.3.1), applied once:
 *
 * 1. For each item j: mean ū_j, standard deviation S_j and β2_j = m4/m2² (population moments).
 * 2. If 2 ≤ β2_j ≤ 4 (taken as normal) the limits are ū_j ± 2·S_j, otherwise ū_j ± √20·S_j.
 * 3. For each vote u_ij: if u_ij ≥ upper limit then P_i += 1; if u_ij ≤ lower limit then Q_i += 1.
 * 4. Reject rater i if (P_i + Q_i)/J > 0.05 and |(P_i − Q_i)/(P_i + Q_i)| < 0.3.
 *
 * Deviations, each documented on Bt500Options: J is by default the rater's own number of votes (incomplete designs);
 * items with fewer than 2 votes or zero spread are skipped, since with S_j = 0 the "≥"/"≤" tests would count every
 * unanimous vote as both P and Q (SUREAL's SR_MOS has that quirk). With { std: 'population', denominator: 'all' }
 * the result equals SUREAL's SR_MOS subject rejection on data where every item has at least 2 votes that are not all
 * equal.
 *
 * Reading the result: one gross outlier on an item pushes its β2 above 4, and with n ≤ 21 votes no vote can lie
 * √20 standard deviations from the mean (the largest possible is (n − 1)/√n), so the test only catches raters who are
 * moderately off (beyond 2 S) on many items of near-normal spread, in both directions. One-sided raters (a constant
 * bias) are kept by design: the asymmetry rule leaves them to z-scoring.
 */
export function screenRatersBt500(votes: readonly Vote[], opts: Bt500Options = {}): Bt500Result {
  assertValidVotes(votes);
  const ddof = (opts.std ?? 'sample') === 'sample' ? 1 : 0;
  const byItem = groupBy(votes, (v) => v.item);
  const raters = [...groupBy(votes, (v) => v.rater).entries()];
  const p = new Map<RaterId, number>(raters.map(([r]) => [r, 0]));
  const q = new Map<RaterId, number>(raters.map(([r]) => [r, 0]));
  const perItem: Bt500Item[] = [];
  for (const [item, rows] of byItem) {
    const values = rows.map((r) => r.value);
    const n = values.length;
    const m = mean(values);
    let m2 = 0;
    let m4 = 0;
    for (const v of values) {
      const d2 = (v - m) * (v - m);
      m2 += d2;
      m4 += d2 * d2;
    }
    m2 /= n;
    m4 /= n;
    const beta2 = m2 > 0 ? m4 / (m2 * m2) : Number.NaN;
    const std = stdDev(values, ddof);
    const normal = beta2 >= 2 && beta2 <= 4;
    const used = n >= 2 && std > 0;
    perItem.push({ item, n, mean: m, std, beta2, normal, used });
    if (!used) continue;
    const k = normal ? 2 : Math.sqrt(20);
    const upper = m + k * std;
    const lower = m - k * std;
    for (const r of rows) {
      if (r.value >= upper) p.set(r.rater, p.get(r.rater)! + 1);
      if (r.value <= lower) q.set(r.rater, q.get(r.rater)! + 1);
    }
  }
  const perRater: Bt500Rater[] = raters.map(([rater, rows]) => {
    const pi = p.get(rater)!;
    const qi = q.get(rater)!;
    const j = (opts.denominator ?? 'rated') === 'rated' ? rows.length : byItem.size;
    const outlierRatio = (pi + qi) / j;
    const asymmetry = pi + qi > 0 ? Math.abs((pi - qi) / (pi + qi)) : null;
    const rejected = outlierRatio > 0.05 && asymmetry !== null && asymmetry < 0.3;
    return { rater, p: pi, q: qi, j, outlierRatio, asymmetry, rejected };
  });
  return { rejected: perRater.filter((r) => r.rejected).map((r) => r.rater), perRater, perItem };
}

// ---------------------------------------------------------------------------------------------------------------
// (b) z-scores per rater

export interface RaterScale {
  rater: RaterId;
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1) of the rater's votes. */
  std: number;
}

export interface ZScoreResult {
  /** z = (u − μ_rater)/σ_rater for every vote of a rater that could be z-scored, in input order. */
  z: Vote[];
  /** The same votes mapped back to the original scale: z·pooledStd + pooledMean. */
  rescaled: Vote[];
  perRater: RaterScale[];
  /** Raters left out: fewer than 2 votes, or all votes equal (σ = 0). */
  excluded: { rater: RaterId; reason: 'too_few_votes' | 'zero_variance' }[];
  /** Mean of all raw votes of the z-scored raters (so, for a complete design, the mean of the raters' means). */
  pooledMean: number;
  /** Pooled within-rater std √(Σ(n_r − 1)s_r² / Σ(n_r − 1)) over the z-scored raters. */
  pooledStd: number;
}

/**
 * Per-rater z-scoring, z = (u − μ_r)/σ_r with σ_r the sample std (ddof = 1), as SUREAL's zscore_mode
 * (pandas std(ddof=1) per subject over the items they rated). SUREAL's ZS_MOS stops there and reports z units; to
 * give MOS on the study's own scale we map back with z·s_pooled + m_grand (see ZScoreResult), which leaves a study
 * whose raters all share one mean and spread unchanged. Raters that cannot be z-scored are reported, not thrown on.
 */
export function zScoreVotes(votes: readonly Vote[]): ZScoreResult {
  assertValidVotes(votes);
  const perRater: RaterScale[] = [];
  const excluded: ZScoreResult['excluded'] = [];
  const scale = new Map<RaterId, RaterScale>();
  let sumAll = 0;
  let nAll = 0;
  let ssWithin = 0;
  let dofWithin = 0;
  for (const [rater, rows] of groupBy(votes, (v) => v.rater)) {
    const values = rows.map((r) => r.value);
    if (values.length < 2) {
      excluded.push({ rater, reason: 'too_few_votes' });
      continue;
    }
    const s = { rater, n: values.length, mean: mean(values), std: stdDev(values, 1) };
    if (!(s.std > 0)) {
      excluded.push({ rater, reason: 'zero_variance' });
      continue;
    }
    perRater.push(s);
    scale.set(rater, s);
    sumAll += s.mean * s.n;
    nAll += s.n;
    ssWithin += (s.n - 1) * s.std * s.std;
    dofWithin += s.n - 1;
  }
  const pooledMean = nAll > 0 ? sumAll / nAll : Number.NaN;
  const pooledStd = dofWithin > 0 ? Math.sqrt(ssWithin / dofWithin) : Number.NaN;
  const z: Vote[] = [];
  const rescaled: Vote[] = [];
  for (const v of votes) {
    const s = scale.get(v.rater);
    if (!s) continue;
    const zv = (v.value - s.mean) / s.std;
    z.push({ rater: v.rater, item: v.item, value: zv });
    rescaled.push({ rater: v.rater, item: v.item, value: zv * pooledStd + pooledMean });
  }
  return { z, rescaled, perRater, excluded, pooledMean, pooledStd };
}

// ---------------------------------------------------------------------------------------------------------------
// (c) gold items

export interface GoldItem {
  item: ItemId;
  expected: number;
}

export interface GoldOptions {
  /**
   * A vote counts as correct when |vote − expected| ≤ tolerance. Default 1, the ±1 that microsoft/P.910's result
   * parser tolerates on gold clips (whose expected answers are 1 or 5).
   */
  tolerance?: number;
}

export interface GoldResult {
  rater: RaterId;
  /** Gold items this rater voted on. */
  answered: number;
  correct: number;
  /** correct/answered; null when the rater saw no gold item. Unanswered gold items do not count against anyone. */
  share: number | null;
  /** The gold items the rater got wrong, with their vote. */
  wrong: { item: ItemId; value: number; expected: number }[];
}

/** Share of gold (trap) items each rater answered within tolerance, for every rater in `votes`, in first-vote order. */
export function checkGoldItems(votes: readonly Vote[], gold: readonly GoldItem[], opts: GoldOptions = {}): GoldResult[] {
  assertValidVotes(votes);
  const tolerance = opts.tolerance ?? 1;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new AppError('bad_input', `gold tolerance must be a finite number ≥ 0, got ${tolerance}`);
  const expected = new Map<ItemId, number>();
  for (const g of gold) {
    if (typeof g.expected !== 'number' || !Number.isFinite(g.expected)) {
      throw new AppError('bad_input', `gold item "${g.item}" has no finite expected answer (${String(g.expected)})`);
    }
    if (expected.has(g.item)) throw new AppError('bad_input', `gold item "${g.item}" is listed twice`);
    expected.set(g.item, g.expected);
  }
  return [...groupBy(votes, (v) => v.rater)].map(([rater, rows]) => {
    let answered = 0;
    let correct = 0;
    const wrong: GoldResult['wrong'] = [];
    for (const r of rows) {
      const e = expected.get(r.item);
      if (e === undefined) continue;
      answered++;
      // A small epsilon so that e.g. 4.7 vs 5 with tolerance 0.3 is not lost to rounding.
      if (Math.abs(r.value - e) <= tolerance + 1e-9) correct++;
      else wrong.push({ item: r.item, value: r.value, expected: e });
    }
    return { rater, answered, correct, share: answered > 0 ? correct / answered : null, wrong };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// (d) straight-lining

export interface StraightLiningOptions {
  /**
   * Flag when the sample variance (n − 1) of the rater's votes is below this. Default 0.15: microsoft/P.910's
   * "accept-and-use" rule drops sessions whose vote variance is under 0.15 (on a 1..5 scale).
   */
  minVariance?: number;
  /** Flag when the most frequent single value makes up more than this share of the rater's votes. Default 0.8. */
  maxSameShare?: number;
  /** Flag when the rater gave the same value this many times in a row (in input order) or more. Default 10. */
  maxRun?: number;
  /** Raters with fewer votes than this are reported but not judged. Default 5. */
  minVotes?: number;
}

export type StraightLiningReason = 'low_variance' | 'same_value' | 'long_run';

export interface StraightLiningResult {
  rater: RaterId;
  n: number;
  /** Sample variance; NaN when n < 2. */
  variance: number;
  /** The most frequent value and its share of the rater's votes (ties: the value seen first). */
  modeValue: number;
  modeShare: number;
  /** Longest run of identical consecutive values, in the order the votes were given. */
  longestRun: number;
  /** False when the rater has fewer than minVotes votes (reasons is then empty). */
  checked: boolean;
  reasons: StraightLiningReason[];
  flagged: boolean;
}

/**
 * Detects raters who give (nearly) the same answer regardless of the stimulus. Votes must be passed in presentation
 * order for the run test to mean anything; the variance and share tests ignore order.
 */
export function detectStraightLining(votes: readonly Vote[], opts: StraightLiningOptions = {}): StraightLiningResult[] {
  assertValidVotes(votes);
  const minVariance = opts.minVariance ?? 0.15;
  const maxSameShare = opts.maxSameShare ?? 0.8;
  const maxRun = opts.maxRun ?? 10;
  const minVotes = opts.minVotes ?? 5;
  return [...groupBy(votes, (v) => v.rater)].map(([rater, rows]) => {
    const values = rows.map((r) => r.value);
    const n = values.length;
    const sd = stdDev(values, 1);
    const variance = sd * sd;
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let modeValue = values[0]!;
    let modeCount = 0;
    for (const [v, c] of counts) {
      if (c > modeCount) {
        modeValue = v;
        modeCount = c;
      }
    }
    let longestRun = 1;
    let run = 1;
    for (let i = 1; i < n; i++) {
      run = values[i] === values[i - 1] ? run + 1 : 1;
      longestRun = Math.max(longestRun, run);
    }
    const modeShare = modeCount / n;
    const checked = n >= minVotes;
    const reasons: StraightLiningReason[] = [];
    if (checked) {
      if (variance < minVariance) reasons.push('low_variance');
      if (modeShare > maxSameShare) reasons.push('same_value');
      if (longestRun >= maxRun) reasons.push('long_run');
    }
    return { rater, n, variance, modeValue, modeShare, longestRun, checked, reasons, flagged: reasons.length > 0 };
  });
}

// Per-item MOS, sample standard deviation and Student-t confidence intervals from raw votes (ITU-T P.910, ITU-R BT.500).
import { AppError } from '../../src-shared/api/errors';

export type RaterId = string;
export type ItemId = string;

/** One opinion score: rater `rater` gave item `item` the value `value` (any finite number, e.g. 1..5 ACR). */
export interface Vote {
  rater: RaterId;
  item: ItemId;
  value: number;
}

export interface ConfidenceInterval {
  low: number;
  high: number;
  /** t·s/√n: the interval is mos ± halfWidth. */
  halfWidth: number;
}

export interface ItemMos {
  item: ItemId;
  /** Number of votes the item received. */
  n: number;
  mos: number;
  /** Sample standard deviation (n − 1 in the denominator); null when n < 2. */
  std: number | null;
  /** Two-sided Student-t interval with n − 1 degrees of freedom; null when n < 2. */
  ci: ConfidenceInterval | null;
}

export interface MosOptions {
  /** Confidence level of `ci`, in (0, 1). Default 0.95. */
  confidence?: number;
}

/**
 * Checks votes and throws AppError('bad_input') naming the first offending rater and item: empty ids, a value that
 * is not a finite number (NaN, ±Infinity, a string), or a second vote by the same rater on the same item (average
 * repeated presentations first, or give each presentation its own item id).
 */
export function assertValidVotes(votes: readonly Vote[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < votes.length; i++) {
    const v = votes[i]!;
    if (typeof v.rater !== 'string' || v.rater === '') throw new AppError('bad_input', `vote ${i} has no rater id`);
    if (typeof v.item !== 'string' || v.item === '') throw new AppError('bad_input', `vote ${i} (rater "${v.rater}") has no item id`);
    if (typeof v.value !== 'number' || !Number.isFinite(v.value)) {
      throw new AppError('bad_input', `vote of rater "${v.rater}" on item "${v.item}" is not a finite number (${String(v.value)})`);
    }
    const key = JSON.stringify([v.rater, v.item]);
    if (seen.has(key)) throw new AppError('bad_input', `rater "${v.rater}" voted more than once on item "${v.item}"`);
    seen.add(key);
  }
}

/** Groups values by a key, keeping first-appearance order of the keys. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

export function mean(x: readonly number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Standard deviation with `ddof` subtracted from n in the denominator (1: sample, 0: population); NaN if n ≤ ddof. */
export function stdDev(x: readonly number[], ddof = 1): number {
  if (x.length <= ddof) return Number.NaN;
  const m = mean(x);
  let ss = 0;
  for (const v of x) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (x.length - ddof));
}

/**
 * MOS per item, in order of the items' first vote. CI = MOS ± t(1 − α/2; n − 1)·s/√n with s the sample standard
 * deviation (n − 1): the small-sample, Student-t form of the P.910 / BT.500 interval on the mean score. SUREAL
 * reports 1.95996·s/√n (the normal quantile) instead, which for the 10-30 votes of a typical study is 5-15 % narrower
 * than t (t(0.975; 9) = 2.262, t(0.975; 29) = 2.045).
 */
export function computeMos(votes: readonly Vote[], opts: MosOptions = {}): ItemMos[] {
  assertValidVotes(votes);
  const confidence = opts.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new AppError('bad_input', `confidence must lie in (0, 1), got ${confidence}`);
  const out: ItemMos[] = [];
  for (const [item, rows] of groupBy(votes, (v) => v.item)) {
    const values = rows.map((r) => r.value);
    const n = values.length;
    const mos = mean(values);
    if (n < 2) {
      out.push({ item, n, mos, std: null, ci: null });
      continue;
    }
    const std = stdDev(values, 1);
    const halfWidth = (studentTQuantile(1 - (1 - confidence) / 2, n - 1) * std) / Math.sqrt(n);
    out.push({ item, n, mos, std, ci: { low: mos - halfWidth, high: mos + halfWidth, halfWidth } });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Distributions. Regularised incomplete gamma and beta functions as in Numerical Recipes (3rd ed., §6.2 and §6.4:
// series plus Lentz's continued fraction); quantiles by safeguarded Newton iteration on the accurate CDF.

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new AppError('bad_input', `logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const TINY = 1e-300;
const EPS = 1e-16;

/** Regularised incomplete gamma functions [P(a, x), Q(a, x)]; the one that is computed directly keeps full precision. */
function incGamma(a: number, x: number): [number, number] {
  if (x <= 0) return [0, 1];
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x).
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 10_000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    const p = sum * Math.exp(lead);
    return [p, 1 - p];
  }
  // Continued fraction for Q(a, x).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  const q = Math.exp(lead) * h;
  return [1 - q, q];
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Stirling's series remainder ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], for x ≥ 20 (error < 1e-17). */
function stirlingTail(x: number): number {
  const r = 1 / (x * x);
  return (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r / 1188)))) / x;
}

/** ln B(a, b), without the cancellation of ln Γ(a) + ln Γ(b) − ln Γ(a + b) when a or b is large. */
function logBeta(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (hi < 20) return logGamma(a) + logGamma(b) - logGamma(a + b);
  // ln Γ(hi) − ln Γ(hi + lo) by Stirling's series, written so that no large terms cancel.
  const diff = -(hi - 0.5) * Math.log1p(lo / hi) - lo * Math.log(hi + lo) + lo + stirlingTail(hi) - stirlingTail(hi + lo);
  const logGammaLo = lo >= 20 ? (lo - 0.5) * Math.log(lo) - lo + 0.5 * Math.log(2 * Math.PI) + stirlingTail(lo) : logGamma(lo);
  return logGammaLo + diff;
}

/** Regularised incomplete beta I_x(a, b); `y` = 1 − x is passed separately so that neither side loses digits. */
function incBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const logX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const logY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const lead = a * logX + b * logY - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lead) * betaCf(a, b, x)) / a;
  return 1 - (Math.exp(lead) * betaCf(b, a, y)) / b;
}

/** Standard normal [P(0 < Z < z), P(Z > z)] for z ≥ 0, each to full relative precision. */
function normalHalves(z: number): [number, number] {
  const [p, q] = incGamma(0.5, (z * z) / 2);
  return [0.5 * p, 0.5 * q];
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const [central, tail] = normalHalves(Math.abs(z));
  return z >= 0 ? 0.5 + central : tail;
}

/**
 * Standard normal quantile Φ⁻¹(p) (probit). Newton's method on P(Z > z) = 1 − p in the tails, started from
 * Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), and on P(0 < Z < z) = |p − 0.5| near the centre, started from the
 * linear term; matches scipy.stats.norm.ppf to about 1e-15 relative. Throws outside (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new AppError('bad_input', `normal quantile needs p in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  const q = p < 0.5 ? p : 1 - p; // upper-tail probability of |z|
  const central = q > 0.25;
  const target = central ? 0.5 - q : q;
  let z: number;
  if (central) {
    z = target * Math.sqrt(2 * Math.PI);
  } else {
    const s = Math.sqrt(-2 * Math.log(q));
    z = s - (2.515517 + 0.802853 * s + 0.010328 * s * s) / (1 + 1.432788 * s + 0.189269 * s * s + 0.001308 * s * s * s);
  }
  for (let i = 0; i < 50; i++) {
    const pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const [c, tail] = normalHalves(z);
    const step = central ? (target - c) / pdf : (tail - target) / pdf;
    z += step;
    if (Math.abs(step) <= 1e-16 * Math.abs(z)) break;
  }
  return p < 0.5 ? -z : z;
}

/** Upper tail P(T > t) of Student's t with `dof` degrees of freedom, for t ≥ 0. */
function studentTUpperTail(t: number, dof: number): number {
  const t2 = t * t;
  return 0.5 * incBeta(dof / (dof + t2), t2 / (dof + t2), dof / 2, 0.5);
}

/** Student-t CDF with `dof` > 0 degrees of freedom (dof = Infinity gives the normal CDF). */
export function studentTCdf(t: number, dof: number): number {
  assertDof(dof);
  if (Number.isNaN(t)) return Number.NaN;
  if (dof === Infinity) return normalCdf(t);
  return t >= 0 ? 1 - studentTUpperTail(t, dof) : studentTUpperTail(-t, dof);
}

function assertDof(dof: number): void {
  if (!(dof > 0)) throw new AppError('bad_input', `Student's t needs degrees of freedom > 0, got ${dof}`);
}

/**
 * Student-t quantile t(p; dof), the inverse of studentTCdf: closed forms for dof 1 and 2, otherwise Newton's method
 * on ln P(T > t) (tails) or ln P(0 < T < t) (centre) against ln t, both nearly linear, started from the
 * Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5) and kept inside a bracket. Matches scipy.stats.t.ppf to
 * about 1e-14 relative for dof 1 to 1e6 and p from 1e-12 to 1 − 1e-6 (next to p = 0.5 it is closer to the exact
 * value than scipy).
 */
export function studentTQuantile(p: number, dof: number): number {
  assertDof(dof);
  if (!(p > 0 && p < 1)) throw new AppError('bad_input', `Student's t quantile needs p in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (dof === Infinity) return normalQuantile(p);
  const sign = p < 0.5 ? -1 : 1;
  const q = p < 0.5 ? p : 1 - p; // upper-tail probability of |t|
  if (dof === 1) return sign * (q > 0.25 ? Math.tan(Math.PI * (0.5 - q)) : 1 / Math.tan(Math.PI * q));
  if (dof === 2) return sign * (1 - 2 * q) * Math.sqrt(2 / (4 * q * (1 - q)));

  const z = -normalQuantile(q);
  const z2 = z * z;
  const g1 = (z2 + 1) * z / 4;
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  let t = z + g1 / dof + g2 / dof ** 2 + g3 / dof ** 3 + g4 / dof ** 4;
  if (!(t > 0) || !Number.isFinite(t)) t = z;

  // Solve in u = ln t: in the tails ln P(T > t) = ln q, near the centre (q > 0.25) ln P(0 < T < t) = ln(0.5 − q), so
  // that neither side is computed as a difference of numbers close to 0.5. Both are nearly linear in u.
  const central = q > 0.25;
  const logTarget = Math.log(central ? 0.5 - q : q);
  const logPdfConst = -logBeta(dof / 2, 0.5) - 0.5 * Math.log(dof); // ln of Γ((ν+1)/2) / (Γ(ν/2) √(νπ))
  let lo = -Infinity; // bracket in u: the root lies in (lo, hi)
  let hi = Infinity;
  let u = Math.log(t);
  for (let i = 0; i < 200; i++) {
    t = Math.exp(u);
    const t2 = t * t;
    const h = central ? 0.5 * incBeta(t2 / (dof + t2), dof / (dof + t2), 0.5, dof / 2) : studentTUpperTail(t, dof);
    const g = Math.log(h) - logTarget; // increasing in u when central, decreasing otherwise
    if (g === 0) break;
    if (g > 0 === central) hi = Math.min(hi, u);
    else lo = Math.max(lo, u);
    const pdf = Math.exp(logPdfConst - ((dof + 1) / 2) * Math.log1p(t2 / dof));
    const slope = ((central ? 1 : -1) * t * pdf) / h; // d ln h / du
    let next = u - g / slope;
    if (!Number.isFinite(next) || next <= lo || next >= hi) {
      if (Number.isFinite(lo) && Number.isFinite(hi)) next = (lo + hi) / 2;
      else next = Number.isFinite(lo) ? u + 1 : u - 1;
    }
    if (Math.abs(next - u) <= 1e-15) {
      u = next;
      break;
    }
    u = next;
  }
  return sign * Math.exp(u);
}

// Uncertainty of SRCC/PLCC: percentile-bootstrap intervals, the paired bootstrap of a difference between two models on
// the same test images, and Williams' t-test for two dependent correlations sharing the labels (Steiger 1980, eq. 7).
import { plcc, srcc } from './correlation';

export type CorrelationMetric = 'srcc' | 'plcc';

export interface BootstrapOptions {
  /** Resamples (1000 by default). */
  resamples?: number;
  /** PRNG seed, so that an interval is the same every time it is shown. */
  seed?: number;
  /** Coverage of the interval (0.95 by default). */
  level?: number;
}

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  n: number;
}

/** A difference between two correlations with its bootstrap interval and verdict. */
export interface DifferenceEstimate {
  metric: CorrelationMetric;
  n: number;
  /** a − b. */
  diff: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  /** Two-sided bootstrap p-value of diff = 0. */
  p: number;
  /** The interval of the difference contains 0 and is not degenerate: the two cannot be told apart on these images. */
  withinNoise: boolean;
  /** Why the interval says nothing (too few images, identical predictions, zero width); null when it is usable. */
  degenerate: string | null;
}

export interface PairedComparison extends DifferenceEstimate {
  a: number;
  b: number;
  /** Williams' t-test of the two dependent correlations (PLCC on values, SRCC on ranks). */
  williams: { t: number; df: number; p: number } | null;
}

/** mulberry32: a small, fast 32-bit PRNG; the golden script (scripts/stats/make-goldens.py) has its twin. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** numpy.percentile's default ('linear', type 7) on sorted values. */
export function percentileSorted(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const correlation = (m: CorrelationMetric) => (m === 'srcc' ? srcc : plcc);

export function pick(x: readonly number[], idx: Int32Array): number[] {
  const out = new Array<number>(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]!]!;
  return out;
}

/** Resample index sets: resample r draws n indices floor(u · n) from one mulberry32 stream, in order. */
function* resampleSets(n: number, resamples: number, seed: number): Generator<Int32Array> {
  const rand = mulberry32(seed);
  for (let r = 0; r < resamples; r++) {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    yield idx;
  }
}

function defaults(o: BootstrapOptions) {
  return { resamples: o.resamples ?? 1000, seed: o.seed ?? 1, level: o.level ?? 0.95 };
}

/** Percentile-bootstrap interval of SRCC or PLCC between predictions and labels (resamples with a constant side skipped). */
export function bootstrapCorrelation(pred: readonly number[], mos: readonly number[], metric: CorrelationMetric, options: BootstrapOptions = {}): Interval {
  const { resamples, seed, level } = defaults(options);
  const f = correlation(metric);
  const estimate = f(pred, mos);
  const values: number[] = [];
  if (pred.length >= 3) {
    for (const idx of resampleSets(pred.length, resamples, seed)) {
      const v = f(pick(pred, idx), pick(mos, idx));
      if (Number.isFinite(v)) values.push(v);
    }
  }
  values.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return { estimate, lo: percentileSorted(values, tail), hi: percentileSorted(values, 1 - tail), level, resamples, n: pred.length };
}

/** Continued fraction of the incomplete beta function (Numerical Recipes, betacf). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x), Lanczos (g = 7, n = 9), accurate to about 1e-15 for x > 0. */
function lnGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betacf(a, b, x)) / a : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom (scipy: 2 · t.sf(|t|, df)). */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? Number.NaN : 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/**
 * Williams' t for H0: r12 = r13, where r12 = corr(A, labels), r13 = corr(B, labels), r23 = corr(A, B), all on the
 * same n images (Steiger 1980, Psychological Bulletin 87(2), eq. 7; df = n − 3).
 */
export function williamsTest(r12: number, r13: number, r23: number, n: number): { t: number; df: number; p: number } {
  const det = 1 - r12 * r12 - r13 * r13 - r23 * r23 + 2 * r12 * r13 * r23;
  const rbar = (r12 + r13) / 2;
  const t = (r12 - r13) * Math.sqrt(((n - 1) * (1 + r23)) / ((2 * (n - 1) * det) / (n - 3) + rbar * rbar * (1 - r23) ** 3));
  const df = n - 3;
  return { t, df, p: tTwoSided(t, df) };
}

/**
 * The difference of SRCC or PLCC between two models' predictions `a` and `b` on the same images (labels `mos`): the
 * paired percentile bootstrap (both correlations on each resample) and Williams' test.
 * p = min(1, 2 · (min(#{d* ≤ 0}, #{d* ≥ 0}) + 1) / (B + 1)).
 */
export function pairedComparison(a: readonly number[], b: readonly number[], mos: readonly number[], metric: CorrelationMetric, options: BootstrapOptions = {}): PairedComparison {
  const { resamples, seed, level } = defaults(options);
  const f = correlation(metric);
  const ra = f(a, mos);
  const rb = f(b, mos);
  const diffs: number[] = [];
  if (a.length >= 3) {
    for (const idx of resampleSets(a.length, resamples, seed)) {
      const m = pick(mos, idx);
      diffs.push(f(pick(a, idx), m) - f(pick(b, idx), m));
    }
  }
  const { lo, hi, p, valid } = differenceInterval(diffs, level);
  const rab = f(a, b);
  const williams = a.length > 3 && [ra, rb, rab].every(Number.isFinite) ? williamsTest(ra, rb, rab, a.length) : null;
  const degenerate = degenerateReason({ metric, n: a.length, identical: a.every((v, i) => v === b[i]), lo, hi, valid, resamples });
  return { metric, n: a.length, a: ra, b: rb, diff: ra - rb, lo, hi, level, resamples, p, withinNoise: !degenerate && !(lo > 0 || hi < 0), degenerate, williams };
}

/**
 * The percentile interval and two-sided p of bootstrap differences (non-finite ones, from a resample with a constant
 * side, dropped): p = min(1, 2 · (min(#{d* ≤ 0}, #{d* ≥ 0}) + 1) / (B + 1)).
 */
export function differenceInterval(diffs: readonly number[], level: number): { lo: number; hi: number; p: number; valid: number } {
  const d = diffs.filter(Number.isFinite).sort((x, y) => x - y);
  const le = d.filter((x) => x <= 0).length;
  const ge = d.filter((x) => x >= 0).length;
  const tail = (1 - level) / 2;
  const p = d.length ? Math.min(1, (2 * (Math.min(le, ge) + 1)) / (d.length + 1)) : Number.NaN;
  return { lo: percentileSorted(d, tail), hi: percentileSorted(d, 1 - tail), p, valid: d.length };
}

/** Fewer shared test images than this and a paired interval is not computed into a verdict. */
export const MIN_PAIRED_IMAGES = 6;

/**
 * Why a paired interval of a difference cannot be read as "within noise" or not: too few images, the same
 * predictions on both sides, too many resamples without a value, or a zero-width interval (every resample gave the
 * same difference, e.g. both sides rank a handful of images the same way). Null when the interval is usable.
 */
export function degenerateReason(o: { metric: CorrelationMetric; n: number; identical: boolean; lo: number; hi: number; valid: number; resamples: number }): string | null {
  if (o.n < MIN_PAIRED_IMAGES) return `only ${o.n} shared test image${o.n === 1 ? '' : 's'} (at least ${MIN_PAIRED_IMAGES} needed)`;
  if (o.identical) return 'identical predictions on the shared test images';
  if (o.valid < 0.9 * o.resamples || !Number.isFinite(o.lo) || !Number.isFinite(o.hi)) return `only ${o.valid} of ${o.resamples} resamples gave a ${o.metric.toUpperCase()}`;
  if (o.hi - o.lo <= 1e-12) return `every resample gave the same difference: ${o.metric === 'srcc' ? 'both rank' : 'both predictions, up to a linear map, score'} the ${o.n} shared test images alike`;
  return null;
}

/**
 * An approximate 95% interval of a correlation from its value and n alone (when per-image predictions are not kept):
 * Fisher's z with SE 1/√(n−3) for PLCC, Bonett & Wright's (2000) SE √((1 + r²/2)/(n−3)) for SRCC.
 */
export function fisherInterval(r: number, n: number, metric: CorrelationMetric): Interval {
  if (!(n > 3) || !Number.isFinite(r)) return { estimate: r, lo: Number.NaN, hi: Number.NaN, level: 0.95, resamples: 0, n };
  const z = Math.atanh(Math.max(-0.999999, Math.min(0.999999, r)));
  const se = metric === 'plcc' ? 1 / Math.sqrt(n - 3) : Math.sqrt((1 + (r * r) / 2) / (n - 3));
  const q = 1.959963984540054;
  return { estimate: r, lo: Math.tanh(z - q * se), hi: Math.tanh(z + q * se), level: 0.95, resamples: 0, n };
}

// Score→stars calibration: monotone thresholds fitted to a photographer's own 1-5 stars by dynamic programming, with SRCC, agreement and a confusion table.
import { srcc } from '../../src-shared/metrics/correlation';
import type { CalibrationBand } from '../../src-shared/api/schemas';

export interface RatedSample {
  score: number;
  /** The photographer's stars, 1-5. */
  stars: number;
}

export interface CalibrationFit {
  bands: CalibrationBand[];
  n: number;
  srcc: number | null;
  agreement: number;
  withinOne: number;
  mae: number;
  looAgreement: number | null;
  confusion: number[][];
  warnings: string[];
}

const LEVELS = [1, 2, 3, 4, 5] as const;
/** Leave-one-out refits cost n fits of O(n); beyond this many photos the in-sample figures are close enough. */
const MAX_LOO = 2000;
export const MIN_SAMPLES = 5;
export const RECOMMENDED_SAMPLES = 30;

/** Lexicographic cost: first photos given other stars than the photographer's, then the summed star error. */
type Cost = readonly [mismatches: number, absError: number];
const less = (a: Cost, b: Cost) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
const add = (a: Cost, b: Cost): Cost => [a[0] + b[0], a[1] + b[1]];

/**
 * The non-decreasing assignment of star levels to samples in score order that maximises exact agreement (ties: the
 * smallest absolute error), solved exactly by dynamic programming over groups of equal scores; cut points lie
 * midway between neighbouring scores that get different stars. Returned as score intervals in the raw score's units.
 */
export function fitThresholds(samples: readonly RatedSample[], higherIsBetter: boolean): CalibrationBand[] {
  if (!samples.length) throw new Error('no samples to fit');
  const sign = higherIsBetter ? 1 : -1;
  const sorted = samples.map((s) => ({ t: sign * s.score, stars: s.stars })).sort((a, b) => a.t - b.t);
  const groups: { t: number; counts: number[] }[] = [];
  for (const s of sorted) {
    let g = groups.at(-1);
    if (!g || g.t !== s.t) groups.push((g = { t: s.t, counts: [0, 0, 0, 0, 0, 0] }));
    g.counts[s.stars]!++;
  }
  const groupCost = (counts: number[], level: number): Cost => {
    let size = 0;
    let abs = 0;
    for (let k = 1; k <= 5; k++) {
      size += counts[k]!;
      abs += counts[k]! * Math.abs(k - level);
    }
    return [size - counts[level]!, abs];
  };

  // best[g][L]: the cheapest assignment of groups 0..g with group g at level L; from[g][L]: group g-1's level.
  const best: Cost[][] = [];
  const from: number[][] = [];
  for (const [g, group] of groups.entries()) {
    const row: Cost[] = [];
    const back: number[] = [];
    let prefix: Cost | null = null;
    let prefixLevel = 0;
    for (const level of LEVELS) {
      if (g > 0) {
        const prev = best[g - 1]![level - 1]!;
        if (prefix === null || less(prev, prefix)) {
          prefix = prev;
          prefixLevel = level;
        }
      }
      const own = groupCost(group.counts, level);
      row.push(prefix ? add(prefix, own) : own);
      back.push(prefixLevel);
    }
    best.push(row);
    from.push(back);
  }
  const last = best.at(-1)!;
  let level = 1;
  for (const l of LEVELS) if (less(last[l - 1]!, last[level - 1]!)) level = l;
  const levels = new Array<number>(groups.length);
  for (let g = groups.length - 1; g >= 0; g--) {
    levels[g] = level;
    level = from[g]![level - 1]!;
  }

  // Transformed intervals [cut_j, cut_j+1) per run of equal levels, then back to raw score units.
  const runs: { stars: number; lo: number; hi: number }[] = [];
  for (let g = 0; g < groups.length; g++) {
    const run = runs.at(-1);
    if (run && run.stars === levels[g]) continue;
    const cut = g === 0 ? -Infinity : (groups[g - 1]!.t + groups[g]!.t) / 2;
    if (run) run.hi = cut;
    runs.push({ stars: levels[g]!, lo: cut, hi: Infinity });
  }
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const bands = runs.map((r) =>
    higherIsBetter ? { stars: r.stars, lo: finite(r.lo), hi: finite(r.hi) } : { stars: r.stars, lo: finite(-r.hi), hi: finite(-r.lo) },
  );
  return bands.sort((a, b) => (a.lo ?? -Infinity) - (b.lo ?? -Infinity));
}

/** The stars of the band holding `score` (bands cover the whole line, each [lo, hi)). */
export function predictStars(bands: readonly CalibrationBand[], score: number): number {
  for (const b of bands) if ((b.lo === null || score >= b.lo) && (b.hi === null || score < b.hi)) return b.stars;
  throw new Error(`score ${score} falls in no calibration band`);
}

/** Fits the mapping and measures it on the sample: SRCC (score vs stars), exact and ±1 agreement, MAE, leave-one-out agreement, confusion. */
export function calibrate(samples: readonly RatedSample[], higherIsBetter: boolean): CalibrationFit {
  for (const s of samples) {
    if (!Number.isInteger(s.stars) || s.stars < 1 || s.stars > 5) throw new Error(`stars must be 1-5, got ${s.stars}`);
    if (!Number.isFinite(s.score)) throw new Error(`score must be finite, got ${s.score}`);
  }
  const n = samples.length;
  const bands = fitThresholds(samples, higherIsBetter);
  const predicted = samples.map((s) => predictStars(bands, s.score));
  const confusion = LEVELS.map(() => [0, 0, 0, 0, 0]);
  let exact = 0;
  let within = 0;
  let abs = 0;
  samples.forEach((s, i) => {
    const p = predicted[i]!;
    confusion[s.stars - 1]![p - 1]!++;
    if (p === s.stars) exact++;
    if (Math.abs(p - s.stars) <= 1) within++;
    abs += Math.abs(p - s.stars);
  });
  const sign = higherIsBetter ? 1 : -1;
  const rho = srcc(samples.map((s) => sign * s.score), samples.map((s) => s.stars));

  let looAgreement: number | null = null;
  if (n >= 2 && n <= MAX_LOO) {
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const rest = samples.filter((_, j) => j !== i);
      if (predictStars(fitThresholds(rest, higherIsBetter), samples[i]!.score) === samples[i]!.stars) hits++;
    }
    looAgreement = hits / n;
  }

  const warnings: string[] = [];
  if (n < RECOMMENDED_SAMPLES) warnings.push(`Only ${n} rated photos; rate at least ${RECOMMENDED_SAMPLES} for a stable fit.`);
  const used = new Set(samples.map((s) => s.stars));
  if (used.size < 3) warnings.push(`Your ratings use ${used.size} star level${used.size === 1 ? '' : 's'}; the mapping can only predict those.`);
  if (!Number.isNaN(rho) && rho < 0.2) {
    warnings.push(`The scores barely follow your stars (SRCC ${rho.toFixed(2)}); predicted stars will be little better than the most common rating.`);
  }
  return {
    bands,
    n,
    srcc: Number.isNaN(rho) ? null : rho,
    agreement: exact / n,
    withinOne: within / n,
    mae: abs / n,
    looAgreement,
    confusion,
    warnings,
  };
}

/** Direction of a stored score scale ('mos 1-5 higher', 'dmos 0-100 lower', 'raw' = the models' own 0 worst … 1 best). */
export function scaleHigherIsBetter(scale: string): boolean {
  return !/\blower$/.test(scale.trim());
}

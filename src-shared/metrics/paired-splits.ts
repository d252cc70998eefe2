// Two experiments compared split by split: per split both on the same test images, a paired bootstrap stratified by split (images resampled within each split) of the mean per-split difference of SRCC or PLCC.
import { plcc, srcc } from './correlation';
import { degenerateReason, differenceInterval, mulberry32, pick, type BootstrapOptions, type CorrelationMetric, type DifferenceEstimate } from './bootstrap';

/** One split both experiments ran on: each side's runs (repeats on the split) as predictions on the same images, in the order of `mos`. */
export interface SplitPair {
  split: string;
  a: readonly (readonly number[])[];
  b: readonly (readonly number[])[];
  mos: readonly number[];
}

export interface SplitDifference {
  split: string;
  /** Shared test images of the split. */
  n: number;
  /** Mean over the side's runs on this split. */
  a: number;
  b: number;
  diff: number;
}

export interface SplitsComparison extends DifferenceEstimate {
  /** The splits both experiments ran on, with their own differences; `n` counts the shared images over all of them and `diff` is the mean of theirs. */
  splits: SplitDifference[];
}

const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;

/**
 * The paired, split-stratified bootstrap: each resample draws n_s images with replacement within every split s (one
 * mulberry32 stream, splits in order, so one split with one run per side is exactly pairedComparison's resample),
 * recomputes every run's correlation on them, and averages the per-split differences of the sides' mean correlations.
 * The estimate is the same average on all images, so Δ and its interval come from the same pairs.
 */
export function pairedOverSplits(pairs: readonly SplitPair[], metric: CorrelationMetric, options: BootstrapOptions = {}): SplitsComparison {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const f = metric === 'srcc' ? srcc : plcc;
  const usable = pairs.filter((s) => s.a.length > 0 && s.b.length > 0);
  const side = (runs: readonly (readonly number[])[], mos: readonly number[]) => mean(runs.map((r) => f(r, mos)));
  const splits = usable.map((s): SplitDifference => {
    const a = side(s.a, s.mos);
    const b = side(s.b, s.mos);
    return { split: s.split, n: s.mos.length, a, b, diff: a - b };
  });
  const diff = splits.length ? mean(splits.map((s) => s.diff)) : Number.NaN;
  const n = splits.reduce((t, s) => t + s.n, 0);
  const smallest = splits.length ? Math.min(...splits.map((s) => s.n)) : 0;
  const diffs: number[] = [];
  if (splits.length && smallest >= 3) {
    const rand = mulberry32(options.seed ?? 1);
    for (let r = 0; r < resamples; r++) {
      let total = 0;
      for (const s of usable) {
        const idx = new Int32Array(s.mos.length);
        for (let i = 0; i < idx.length; i++) idx[i] = Math.floor(rand() * idx.length);
        const m = pick(s.mos, idx);
        total += side(s.a.map((x) => pick(x, idx)), m) - side(s.b.map((x) => pick(x, idx)), m);
      }
      diffs.push(total / usable.length);
    }
  }
  const { lo, hi, p, valid } = differenceInterval(diffs, level);
  const identical = usable.length > 0 && usable.every((s) => [...s.a, ...s.b].every((x) => x.every((v, i) => v === s.a[0]![i])));
  const degenerate = splits.length
    ? degenerateReason({ metric, n: smallest, identical, lo, hi, valid, resamples })
    : 'no split that both experiments completed';
  return { metric, splits, n, diff, lo, hi, level, resamples, p, withinNoise: !degenerate && !(lo > 0 || hi < 0), degenerate };
}

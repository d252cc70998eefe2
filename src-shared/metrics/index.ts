// IQA evaluation: correlations with and without the logistic fit, per-group SRCC and the median over splits.
import { krcc, plcc, rank, rmse, srcc } from './correlation';
import { fitLogistic, type LogisticKind } from './logistic';

export { krcc, plcc, rank, rmse, srcc, fitLogistic };
export type { LogisticKind };

export interface Evaluation {
  n: number;
  srcc: number;
  krcc: number;
  plcc: number;
  /** PLCC after mapping predictions through the fitted logistic. */
  plccFitted: number;
  rmse: number;
  rmseFitted: number;
}

export interface EvaluateOptions {
  /** Which logistic to fit before PLCC/RMSE (default 5, the VQEG/LIVE convention); false to skip. */
  logistic?: LogisticKind | false;
}

/**
 * `pred` and `mos` must be on the same scale for RMSE to mean anything (the raw RMSE); the fitted figures map
 * predictions onto the labels first. Correlations keep their sign: a model scoring quality against DMOS labels
 * gives negative values, which callers may report as absolute values as papers do.
 */
export function evaluate(pred: readonly number[], mos: readonly number[], options: EvaluateOptions = {}): Evaluation {
  const kind = options.logistic ?? 5;
  const fitted = kind && pred.length >= 6 ? fitLogistic(pred, mos, kind).fitted : [...pred];
  return {
    n: pred.length,
    srcc: srcc(pred, mos),
    krcc: krcc(pred, mos),
    plcc: plcc(pred, mos),
    plccFitted: plcc(fitted, mos),
    rmse: rmse(pred, mos),
    rmseFitted: rmse(fitted, mos),
  };
}

export interface GroupSrcc {
  group: string;
  n: number;
  srcc: number;
}

/** SRCC within each group (e.g. per distortion type), groups sorted by name. */
export function perGroupSrcc(pred: readonly number[], mos: readonly number[], groups: readonly string[]): GroupSrcc[] {
  const by = new Map<string, { p: number[]; m: number[] }>();
  groups.forEach((g, i) => {
    const e = by.get(g) ?? { p: [], m: [] };
    e.p.push(pred[i]!);
    e.m.push(mos[i]!);
    by.set(g, e);
  });
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, e]) => ({ group, n: e.p.length, srcc: e.p.length >= 2 ? srcc(e.p, e.m) : Number.NaN }));
}

export interface Spread {
  n: number;
  median: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (!n) return { n: 0, median: Number.NaN, mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  const median = n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const std = n > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, median, mean, std, min: v[0]!, max: v[n - 1]! };
}

/** The 10-split protocol's summary: for every metric, median (what papers report), mean and spread over splits. */
export function summarizeSplits(results: readonly Record<string, number>[]): Record<string, Spread> {
  const keys = new Set(results.flatMap((r) => Object.keys(r)));
  const out: Record<string, Spread> = {};
  for (const k of [...keys].sort()) out[k] = spread(results.map((r) => r[k] ?? Number.NaN));
  return out;
}

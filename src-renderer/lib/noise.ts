// Whether a difference between two experiments is within noise: paired bootstrap per matched split (runs:stats).
import { call } from './api';
import type { PairedDifference } from '../../src-shared/api/stats-schemas';

export interface NoiseVerdict {
  /** Paired comparisons, one per split both experiments ran on. */
  comparisons: PairedDifference[];
  /** Splits whose 95% interval of the difference excludes 0 in the direction of the median difference. */
  outside: number;
  /** Not a majority of the matched splits outside the noise (with one split: its interval contains 0). */
  within: boolean;
  /** "[−0.031, +0.052]" for one split, "2/5 splits outside noise" for several. */
  label: string;
  /** Tooltip: every interval, p and Williams' test. */
  detail: string;
}

interface RunLike {
  id: number;
  status: string;
  config: Record<string, unknown>;
}

/** JSON turns NaN into null: both print as a dash. */
const num = (v: number | null, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const signed = (v: number | null) => (typeof v === 'number' && Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}` : '—');

export function verdictOf(comparisons: PairedDifference[]): NoiseVerdict | null {
  if (!comparisons.length) return null;
  const diffs = comparisons.map((c) => c.diff).sort((a, b) => a - b);
  const direction = Math.sign(diffs[Math.floor(diffs.length / 2)]!);
  const outside = comparisons.filter((c) => !c.withinNoise && Math.sign(c.diff) === direction).length;
  const within = comparisons.length === 1 ? comparisons[0]!.withinNoise : outside * 2 <= comparisons.length;
  const one = comparisons[0]!;
  const label = comparisons.length === 1 ? `[${signed(one.lo)}, ${signed(one.hi)}]` : `${outside}/${comparisons.length} splits outside noise`;
  const detail = comparisons
    .map((c) => `${c.metric.toUpperCase()} Δ ${signed(c.diff)}, 95% CI [${signed(c.lo)}, ${signed(c.hi)}] (paired bootstrap, ${c.resamples} resamples, n = ${c.n}), p = ${num(c.p)}${c.williams ? `; Williams t(${c.williams.df}) = ${num(c.williams.t, 2)}, p = ${num(c.williams.p)}` : ''}`)
    .join('\n');
  return { comparisons, outside, within, label, detail };
}

/** Pairs the completed runs of `runs` and `baseline` by split and compares each pair on its shared test images. */
export async function compareExperiments(runs: readonly RunLike[], baseline: readonly RunLike[], metric: 'srcc' | 'plcc' = 'srcc'): Promise<NoiseVerdict | null> {
  const done = (r: RunLike) => r.status === 'completed';
  const pairs = runs.filter(done).flatMap((r) => {
    const b = baseline.find((x) => done(x) && x.id !== r.id && x.config.split === r.config.split);
    return b ? [[r.id, b.id] as const] : [];
  });
  const results = await Promise.all(pairs.map(([id, base]) => call('runs:stats', { ids: [id], baseline: base, resamples: 1000 })));
  return verdictOf(results.flatMap((r) => (r.runs[0]?.vsBaseline ? [r.runs[0].vsBaseline[metric]] : [])));
}

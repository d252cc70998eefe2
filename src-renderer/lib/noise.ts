// Whether a difference between two experiments is within noise: their runs paired by split on shared test images (runs:compareExperiments), worded as everywhere else (noise-text).
import { call } from './api';
import type { SplitsComparison } from '../../src-shared/api/stats-schemas';
import { noiseText, type DifferenceLike, type NoiseText } from '../../src-shared/metrics/noise-text';

export interface NoiseVerdict extends NoiseText {
  comparison: DifferenceLike;
  /** The interval holds 0 and is not degenerate. */
  within: boolean;
  /** The Δ itself (mean of the per-split differences for experiments); NaN when there is none. */
  diff: number;
}

export function verdictOf(c: DifferenceLike): NoiseVerdict {
  const text = noiseText(c);
  return { ...text, comparison: c, within: text.status === 'within', diff: typeof c.diff === 'number' ? c.diff : Number.NaN };
}

/** Both metrics of `runs` against `baseline` (two experiments, each a list of runs over splits). */
export async function compareExperiments(runs: readonly { id: number }[], baseline: readonly { id: number }[]): Promise<{ srcc: NoiseVerdict; plcc: NoiseVerdict; unmatched: { runs: string[]; baseline: string[] } }> {
  const r = await call('runs:compareExperiments', { runs: runs.map((x) => x.id), baseline: baseline.map((x) => x.id), resamples: 1000 });
  return { srcc: verdictOf(r.srcc as SplitsComparison), plcc: verdictOf(r.plcc as SplitsComparison), unmatched: r.unmatched };
}

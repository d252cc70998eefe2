// One wording of a paired difference for every surface (Runs, the ablation tab, the matrix, `iqa ablation`): Δ, its 95% interval, how many splits, and whether it is within noise or the interval is degenerate.

/** The fields of a paired comparison the wording needs (PairedComparison, SplitsComparison; JSON turns NaN into null). */
export interface DifferenceLike {
  metric: 'srcc' | 'plcc';
  diff: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
  resamples: number;
  withinNoise: boolean;
  degenerate: string | null;
  p?: number | null;
  williams?: { t: number | null; df: number; p: number | null } | null;
  splits?: readonly { split: string; n: number; diff: number | null }[];
}

export type NoiseStatus = 'within' | 'outside' | 'degenerate';

export interface NoiseText {
  status: NoiseStatus;
  /** "+0.012" / "−0.012" / "—". */
  delta: string;
  /** "[−0.031, +0.052]", or "no interval" when degenerate. */
  interval: string;
  /** "within noise", "outside noise" or "no verdict: <reason>". */
  verdict: string;
  /** "1 split", "3 splits" (only for split-paired comparisons). */
  splits: string;
  /** Everything, for a tooltip or a footnote. */
  detail: string;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
export const signed3 = (v: number | null | undefined): string => (finite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}` : '—');

export function noiseText(c: DifferenceLike): NoiseText {
  const status: NoiseStatus = c.degenerate ? 'degenerate' : c.withinNoise ? 'within' : 'outside';
  const interval = c.degenerate ? 'no interval' : `[${signed3(c.lo)}, ${signed3(c.hi)}]`;
  const verdict = status === 'within' ? 'within noise' : status === 'outside' ? 'outside noise' : `no verdict: ${c.degenerate}`;
  const k = c.splits?.length;
  const splits = k === undefined ? '' : `${k} split${k === 1 ? '' : 's'}`;
  const per = c.splits?.length ? `; per split ${c.splits.map((s) => `${s.split || '(none)'} ${signed3(s.diff)} (n = ${s.n})`).join(', ')}` : '';
  const how = c.splits ? `paired bootstrap within each split, ${c.resamples} resamples, n = ${c.n} over ${splits}` : `paired bootstrap, ${c.resamples} resamples, n = ${c.n}`;
  const p = finite(c.p) ? `, p = ${c.p.toFixed(3)}` : '';
  const w = c.williams && finite(c.williams.t) && finite(c.williams.p) ? `; Williams t(${c.williams.df}) = ${c.williams.t.toFixed(2)}, p = ${c.williams.p.toFixed(3)}` : '';
  const detail = `${c.metric.toUpperCase()} Δ ${signed3(c.diff)}, 95% CI ${interval} (${how})${p}${w}${per}; ${verdict}`;
  return { status, delta: signed3(c.diff), interval, verdict, splits, detail };
}

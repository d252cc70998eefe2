// What the Runs charts and the detail panel draw from one run: the prediction scatter by distortion, its logistic fit, the last epoch's metrics.
import type { RunDetail, RunPrediction } from '../../../src-shared/api/schemas';
import { fitLogistic } from '../../../src-shared/metrics/index';
import { colourFor, type ScatterGroup } from '../../lib/components/chart-setup';
import type { EpochSummary } from '../../lib/state/runs.svelte';

/** Predicted vs label, one group per distortion type (one group when the dataset names none). */
export function scatterGroups(predictions: readonly RunPrediction[]): ScatterGroup[] {
  const byGroup = new Map<string, RunPrediction[]>();
  const hasDistortion = predictions.some((p) => p.distortion);
  for (const p of predictions) {
    const g = hasDistortion ? (p.distortion ?? 'none') : 'test images';
    byGroup.set(g, [...(byGroup.get(g) ?? []), p]);
  }
  return [...byGroup.entries()].map(([g, ps], i) => ({
    label: g,
    color: colourFor(i),
    points: ps
      .filter((p) => p.label !== null)
      .map((p) => ({ x: p.label!, y: p.score, name: p.name, id: p.imageId, ...(p.labelStd !== null ? { xErr: p.labelStd } : {}) })),
  }));
}

/** The 5-parameter logistic label ≈ f(prediction) (what plcc_fitted uses), drawn as the curve (f(p), p) over the predictions' range. */
export function logisticCurve(predictions: readonly RunPrediction[]): { x: number; y: number }[] {
  const ps = predictions.filter((p) => p.label !== null);
  if (ps.length < 6) return [];
  const fit = fitLogistic(
    ps.map((p) => p.score),
    ps.map((p) => p.label!),
    5,
  );
  const lo = Math.min(...ps.map((p) => p.score));
  const hi = Math.max(...ps.map((p) => p.score));
  const steps = 80;
  return Array.from({ length: steps + 1 }, (_, i) => {
    const y = lo + ((hi - lo) * i) / steps;
    return { x: fit.map(y), y };
  }).filter((p) => Number.isFinite(p.x));
}

/** Ids of the `n` predicted images with the largest |prediction − label|. */
export const worstImages = (predictions: readonly RunPrediction[], n: number): number[] =>
  predictions
    .filter((p) => p.label !== null)
    .sort((a, b) => Math.abs(b.score - b.label!) - Math.abs(a.score - a.label!))
    .slice(0, n)
    .map((p) => p.imageId);

/** SRCC per distortion type at the run's last epoch, by name. */
export function perDistortion(detail: RunDetail | undefined, last: EpochSummary | null): { name: string; value: number }[] {
  if (!detail || !last) return [];
  return detail.metrics
    .filter((m) => m.epoch === last.epoch && m.name.startsWith('srcc/'))
    .map((m) => ({ name: m.name.slice(5), value: m.value }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The last epoch's unscoped metrics, the usual ones first (srcc, krcc, plcc, …), then the rest by name. */
export function lastEpochMetrics(detail: RunDetail | undefined, last: EpochSummary | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!detail || !last) return out;
  const order = ['srcc', 'krcc', 'plcc', 'plcc_fitted', 'rmse', 'rmse_fitted', 'train_loss'];
  const rank = (n: string) => (order.includes(n) ? order.indexOf(n) : order.length);
  const found = detail.metrics.filter((m) => m.epoch === last.epoch && !m.name.includes('/'));
  for (const m of found.sort((x, y) => rank(x.name) - rank(y.name) || x.name.localeCompare(y.name))) out[m.name] = m.value;
  return out;
}

/** A run's name for chart legends, cut so one entry fits a narrow chart (the table has the full name). */
export function legendName(id: number, name: string | undefined, max = 26): string {
  const n = name ?? '';
  return `#${id} ${n.length > max ? `${n.slice(0, max - 1)}…` : n}`;
}

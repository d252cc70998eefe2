// Inspect across runs: which models hallucinate maps, what each score source means, the address's id lists and number formats.
import type { RunImageScore } from '../../../src-shared/api/schemas';

/** Models whose checkpoints hallucinate a reference (images:maps). */
export const HALLUCINATING = new Set(['hiqa']);

export const SOURCE: Record<RunImageScore['source'], { label: string; title: string }> = {
  prediction: { label: 'test prediction', title: "The run's own prediction for this test image (its last epoch)" },
  stored: { label: 'stored score', title: "Scored with the run's checkpoint by Score dataset" },
  scored: { label: 'scored now', title: "Scored just now with the run's latest checkpoint (the model's test crops); not stored" },
};

/** A value fetched per run and image. */
export type Cell<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: string };

/** "3,5,8" → [3, 5, 8]; null when absent; bad and repeated ids dropped. */
export function parseIds(raw: string | null): number[] | null {
  if (raw === null) return null;
  const ids = raw.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return [...new Set(ids)];
}

export const fmtScore = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
export const fmtDelta = (d: number): string => `${d >= 0 ? '+' : '−'}${Math.abs(d).toFixed(3)}`;

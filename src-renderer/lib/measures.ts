// The technical measures as the Library shows them: names, units, formatting and which way is better.
import type { MeasureKey, PhotoMeasures } from '../../src-shared/api/schemas';

export interface MeasureInfo {
  key: MeasureKey;
  label: string;
  /** What the number means, for tooltips. */
  help: string;
  format: (v: number) => string;
}

export const MEASURES: readonly MeasureInfo[] = [
  { key: 'sharpness', label: 'Sharpness', help: 'Sharpness of the best-focused part, 0–100 (100 = crisp)', format: (v) => v.toFixed(0) },
  { key: 'noise', label: 'Noise', help: 'Estimated noise σ in grey levels (0 = clean; above 5 it shows)', format: (v) => v.toFixed(1) },
  { key: 'clippedHighlights', label: 'Blown highlights', help: 'Pixels with a channel at 254–255, %', format: (v) => `${v.toFixed(1)}%` },
  { key: 'clippedShadows', label: 'Black shadows', help: 'Pixels at black (luma ≤ 3), %', format: (v) => `${v.toFixed(1)}%` },
  { key: 'meanLuminance', label: 'Brightness', help: 'Mean luminance, 0–100 %', format: (v) => `${v.toFixed(0)}%` },
  { key: 'compression', label: 'Compression', help: 'Blocking of lossy compression (0 = none; about 1 and above shows)', format: (v) => v.toFixed(2) },
];

export const measureInfo = (key: MeasureKey): MeasureInfo => MEASURES.find((m) => m.key === key)!;

export function formatMeasure(m: PhotoMeasures | null, key: MeasureKey): string {
  return m ? measureInfo(key).format(m[key]) : '–';
}

/** Heat-map colour of a tile's sharpness (0 blurred → 1 crisp): red, through yellow, to green; transparent when unknown. */
export function focusColour(v: number | null, alpha = 0.45): string {
  if (v === null) return 'rgba(0,0,0,0)';
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 * Math.min(1, 2 * (1 - t)));
  const g = Math.round(255 * Math.min(1, 2 * t));
  return `rgba(${r},${g},40,${alpha})`;
}

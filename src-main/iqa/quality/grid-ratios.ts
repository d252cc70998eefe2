// Block-grid contrast of a plane (compression's blocking), for several block sizes in one pass.
import type { Plane } from './planes';

/**
 * Mean absolute difference between neighbours across a block grid of each `period` vs inside blocks, per direction
 * (1 = no grid). One pass for all periods; each period's sums add up in the same order as a pass of its own would.
 */
export function gridRatios(y: Plane, periods: readonly number[]): number[] {
  if (periods.length > 3) return [...gridRatios(y, periods.slice(0, 3)), ...gridRatios(y, periods.slice(3))];
  const { width: w, height: h, data } = y;
  // Bit j of onX[x] / onY[yy]: x (yy) is on the grid of periods[j].
  const onX = new Uint8Array(w);
  const onY = new Uint8Array(h);
  periods.forEach((p, j) => {
    for (let x = 0; x < w; x += p) onX[x]! |= 1 << j;
    for (let yy = 0; yy < h; yy += p) onY[yy]! |= 1 << j;
  });
  // Per period j (at most 3, in locals): on-grid and off-grid sums, horizontal (H) and vertical (V), and on-grid counts.
  let onH0 = 0, offH0 = 0, onV0 = 0, offV0 = 0, nH0 = 0, nV0 = 0;
  let onH1 = 0, offH1 = 0, onV1 = 0, offV1 = 0, nH1 = 0, nV1 = 0;
  let onH2 = 0, offH2 = 0, onV2 = 0, offV2 = 0, nH2 = 0, nV2 = 0;
  for (let yy = 0; yy < h; yy++) {
    const row = yy * w;
    for (let x = 1; x < w; x++) {
      const d = Math.abs(data[row + x]! - data[row + x - 1]!);
      const on = onX[x]!;
      if (on & 1) (onH0 += d), nH0++;
      else offH0 += d;
      if (on & 2) (onH1 += d), nH1++;
      else offH1 += d;
      if (on & 4) (onH2 += d), nH2++;
      else offH2 += d;
    }
    if (yy === 0) continue;
    const on = onY[yy]!;
    for (let x = 1; x < w; x++) {
      const dv = Math.abs(data[row + x]! - data[row - w + x]!);
      if (on & 1) (onV0 += dv), nV0++;
      else offV0 += dv;
      if (on & 2) (onV1 += dv), nV1++;
      else offV1 += dv;
      if (on & 4) (onV2 += dv), nV2++;
      else offV2 += dv;
    }
  }
  const nH = h * (w - 1);
  const nV = Math.max(0, (h - 1) * (w - 1));
  const ratio = (onH: number, offH: number, nOnH: number, onV: number, offV: number, nOnV: number) => {
    const rh = onH / Math.max(1, nOnH) / Math.max(1e-6, offH / Math.max(1, nH - nOnH));
    const rv = onV / Math.max(1, nOnV) / Math.max(1e-6, offV / Math.max(1, nV - nOnV));
    return 0.5 * (rh + rv);
  };
  const all = [ratio(onH0, offH0, nH0, onV0, offV0, nV0), ratio(onH1, offH1, nH1, onV1, offV1, nV1), ratio(onH2, offH2, nH2, onV2, offV2, nV2)];
  return all.slice(0, periods.length);
}

// Block-grid contrast of a plane (compression's blocking), for several block sizes in one pass.
import type { Plane } from './planes';

/**
 * Mean absolute difference between neighbours across a block grid of each `period` vs inside blocks, per direction
 * (1 = no grid). One pass for all periods; each period's sums add up in the same order as a pass of its own would.
 */
export function gridRatios(y: Plane, periods: readonly number[]): number[] {
  const { width: w, height: h, data } = y;
  const np = periods.length;
  // Per period: on-grid and off-grid sums and counts, horizontal then vertical.
  const onH = new Float64Array(np);
  const offH = new Float64Array(np);
  const onV = new Float64Array(np);
  const offV = new Float64Array(np);
  const nOnH = new Float64Array(np);
  const nOnV = new Float64Array(np);
  // Bit j of onX[x] / onY[yy]: x (yy) is on the grid of periods[j].
  const onX = new Uint8Array(w);
  const onY = new Uint8Array(h);
  periods.forEach((p, j) => {
    for (let x = 0; x < w; x += p) onX[x]! |= 1 << j;
    for (let yy = 0; yy < h; yy += p) onY[yy]! |= 1 << j;
  });
  for (let yy = 0; yy < h; yy++) {
    const row = yy * w;
    const rowOn = onY[yy]!;
    for (let x = 1; x < w; x++) {
      const d = Math.abs(data[row + x]! - data[row + x - 1]!);
      const colOn = onX[x]!;
      for (let j = 0; j < np; j++) {
        if ((colOn >> j) & 1) {
          onH[j]! += d;
          nOnH[j]!++;
        } else offH[j]! += d;
      }
      if (yy > 0) {
        const dv = Math.abs(data[row + x]! - data[row - w + x]!);
        for (let j = 0; j < np; j++) {
          if ((rowOn >> j) & 1) {
            onV[j]! += dv;
            nOnV[j]!++;
          } else offV[j]! += dv;
        }
      }
    }
  }
  const nH = h * (w - 1);
  const nV = (h - 1) * (w - 1);
  return periods.map((_, j) => {
    const rh = onH[j]! / Math.max(1, nOnH[j]!) / Math.max(1e-6, offH[j]! / Math.max(1, nH - nOnH[j]!));
    const rv = onV[j]! / Math.max(1, nOnV[j]!) / Math.max(1e-6, offV[j]! / Math.max(1, Math.max(0, nV) - nOnV[j]!));
    return 0.5 * (rh + rv);
  });
}

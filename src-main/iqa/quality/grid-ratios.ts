// Block-codec evidence in a luma plane: contrast across block grids (several block sizes in one pass) and flat blocks on the grid.
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

/**
 * Aligned flat blocks against shifted ones: the share of `period`-square blocks on the codec's grid whose luma spans at
 * most 1.5 levels, over the same share on a grid shifted by half a block. A block codec at a low rate keeps only the
 * DC of many blocks (JPEG 8x8, WebP 4x4), so flat blocks line up with its grid; natural flat areas (sky) do not care.
 */
export function alignedFlatRatios(y: Plane): { flat4: number; flat8: number } {
  const { width: w, height: h, data } = y;
  // Luma range of the 4-square blocks from `off` (row-major); 8-square blocks are 2x2 of those on the same grid.
  const blocks4 = (off: number) => {
    const rows = Math.max(0, Math.floor((h - off) / 4));
    const cols = Math.max(0, Math.floor((w - off) / 4));
    const lo = new Float32Array(rows * cols).fill(255);
    const hi = new Float32Array(rows * cols);
    for (let yy = off; yy < off + 4 * rows; yy++) {
      const b = ((yy - off) >> 2) * cols;
      let i = yy * w + off;
      for (let c = 0; c < cols; c++) {
        let l = lo[b + c]!;
        let m = hi[b + c]!;
        for (let k = 0; k < 4; k++, i++) {
          const v = data[i]!;
          if (v < l) l = v;
          if (v > m) m = v;
        }
        lo[b + c] = l;
        hi[b + c] = m;
      }
    }
    return { rows, cols, lo, hi };
  };
  const share4 = (g: ReturnType<typeof blocks4>) => {
    let flat = 0;
    for (let k = 0; k < g.lo.length; k++) if (g.hi[k]! - g.lo[k]! <= 1.5) flat++;
    return flat / Math.max(1, g.lo.length);
  };
  // 8-square blocks from 4 * first (first = 0: on the grid, 1: shifted by 4).
  const share8 = (g: ReturnType<typeof blocks4>, first: number) => {
    const rows = Math.max(0, (g.rows - first) >> 1);
    const cols = Math.max(0, (g.cols - first) >> 1);
    let flat = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const k = (first + 2 * r) * g.cols + first + 2 * c;
        const l = Math.min(g.lo[k]!, g.lo[k + 1]!, g.lo[k + g.cols]!, g.lo[k + g.cols + 1]!);
        const m = Math.max(g.hi[k]!, g.hi[k + 1]!, g.hi[k + g.cols]!, g.hi[k + g.cols + 1]!);
        if (m - l <= 1.5) flat++;
      }
    }
    return flat / Math.max(1, rows * cols);
  };
  const on = blocks4(0);
  return {
    flat4: (share4(on) + 0.002) / (share4(blocks4(2)) + 0.002),
    flat8: (share8(on, 0) + 0.002) / (share8(on, 1) + 0.002),
  };
}

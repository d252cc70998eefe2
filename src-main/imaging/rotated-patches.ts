// Rotated training crops (HIQA's ±20° augmentation, Lin & Wang CVPR 2018 §3.6): a square patch turned by an angle, sampled bilinearly, kept inside the image.
import type { RgbBuffer } from './patches';

/** Side of the axis-aligned box that a patch of side `patch` turned by `radians` covers. */
export function rotatedExtent(patch: number, radians: number): number {
  return patch * (Math.abs(Math.cos(radians)) + Math.abs(Math.sin(radians)));
}

/**
 * The largest angle (≤ `maxRadians`, at most π/4) at which a turned patch still fits inside a width×height image, so
 * no crop ever needs a border rule; 0 when only the upright patch fits.
 */
export function maxFittingAngle(patch: number, width: number, height: number, maxRadians: number): number {
  const limit = Math.min(maxRadians, Math.PI / 4);
  const side = Math.min(width, height);
  if (rotatedExtent(patch, limit) <= side) return limit;
  // cos θ + sin θ = √2·sin(θ + π/4) rises on [0, π/4]: solve it for side / patch.
  const k = side / patch;
  if (k <= 1) return 0;
  return Math.max(0, Math.min(limit, Math.asin(k / Math.SQRT2) - Math.PI / 4));
}

/**
 * Writes the patch×patch square centred at (cx, cy) (px; pixel k spans [k, k + 1)) turned by `radians` into `out` at
 * `offset` (HWC floats v/255), mirrored left-right first when `flip`. Bilinear sampling; at angle 0 and an integer
 * corner it copies the pixels exactly. Coordinates are clamped to the image (the caller keeps the square inside).
 */
export function writeRotatedPatch(out: Float32Array, offset: number, src: RgbBuffer, cx: number, cy: number, patch: number, radians: number, flip: boolean): void {
  const { data, width, height } = src;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const half = patch / 2;
  let o = offset;
  for (let j = 0; j < patch; j++) {
    const dv = j + 0.5 - half;
    for (let i = 0; i < patch; i++) {
      const du = (flip ? patch - 1 - i : i) + 0.5 - half;
      const x = Math.min(width - 1, Math.max(0, cx + cos * du - sin * dv - 0.5));
      const y = Math.min(height - 1, Math.max(0, cy + sin * du + cos * dv - 0.5));
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = Math.min(width - 1, x0 + 1);
      const y1 = Math.min(height - 1, y0 + 1);
      const fx = x - x0;
      const fy = y - y0;
      const a = (y0 * width + x0) * 3;
      const b = (y0 * width + x1) * 3;
      const c = (y1 * width + x0) * 3;
      const d = (y1 * width + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch]! + (data[b + ch]! - data[a + ch]!) * fx;
        const bottom = data[c + ch]! + (data[d + ch]! - data[c + ch]!) * fx;
        out[o++] = (top + (bottom - top) * fy) / 255;
      }
    }
  }
}

/** A rotated crop: the centre of its square and its angle. */
export interface RotatedCrop {
  cx: number;
  cy: number;
  radians: number;
  flip: boolean;
}

/**
 * `count` crops with angles uniform in ±(the largest fitting angle up to `maxDegrees`), each placed uniformly where its
 * turned square stays inside the image, and a coin-flip mirror when `flip`.
 */
export function randomRotatedCrops(width: number, height: number, patch: number, count: number, maxDegrees: number, flip: boolean, random: () => number): RotatedCrop[] {
  const limit = maxFittingAngle(patch, width, height, (maxDegrees * Math.PI) / 180);
  return Array.from({ length: count }, () => {
    const radians = (2 * random() - 1) * limit;
    const extent = Math.min(Math.min(width, height), rotatedExtent(patch, radians));
    const cx = extent / 2 + random() * (width - extent);
    const cy = extent / 2 + random() * (height - extent);
    return { cx, cy, radians, flip: flip && random() < 0.5 };
  });
}

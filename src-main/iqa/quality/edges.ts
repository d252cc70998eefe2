// Edge steepness at the photo's strongest edges: the share of an edge's rise taken in its single steepest pixel step, a sub-pixel focus cue.
import { quantile, quantileSelect, type Plane } from './planes';

export interface EdgeSteepness {
  /** Median and 90th percentile of the steepness over the strong edges (0 when the photo has none). */
  p50: number;
  p90: number;
  /** Median steepness across the flatter axis over the steeper one (1 = the same along x and y; a motion blur lowers it). */
  axisRatio: number;
  /** Strong edges measured, per 1000 pixels. */
  count: number;
}

/** Below this rise (grey levels) an edge is too faint to tell blur from noise. */
const MIN_RISE = 24;

/**
 * At each strong edge (a local maximum of the central-difference gradient along its dominant axis, in the top 5 %
 * of magnitudes, as Marziliano et al., ICIP 2002, pick them), the edge's monotone run along that axis is followed to
 * the intensity extrema on both sides; steepness = the largest one-pixel step of the run / the run's whole rise.
 * A crisp edge, wherever it falls between two pixels, puts 55-100 % of its rise into one step; the mildest blur
 * spreads it over two or three (a Gaussian of σ 0.5 px already caps it near 60 %). Unlike an edge width in whole
 * pixels, the ratio moves continuously with sub-pixel blur, and it depends on the edge's profile, not on its contrast.
 */
export function edgeSteepness(y: Plane): EdgeSteepness {
  const { width: w, height: h, data } = y;
  const mags = new Float64Array(Math.ceil(h / 2) * Math.ceil(w / 2));
  let nm = 0;
  for (let yy = 2; yy < h - 2; yy += 2) {
    for (let x = 2; x < w - 2; x += 2) {
      const i = yy * w + x;
      mags[nm++] = Math.abs(data[i + 1]! - data[i - 1]!) + Math.abs(data[i + w]! - data[i - w]!);
    }
  }
  const thr = Math.max(16, quantileSelect(mags.subarray(0, nm), 0.95));
  const along: [number[], number[]] = [[], []];
  const TOL = 0.5;
  for (let yy = 2; yy < h - 2; yy++) {
    for (let x = 2; x < w - 2; x++) {
      const i = yy * w + x;
      const gx = data[i + 1]! - data[i - 1]!;
      const gy = data[i + w]! - data[i - w]!;
      const ax = Math.abs(gx);
      const ay = Math.abs(gy);
      if (ax + ay < thr) continue;
      const horizontal = ax >= ay;
      const step = horizontal ? 1 : w;
      const g = (k: number) => Math.abs(data[k + step]! - data[k - step]!);
      const a = horizontal ? ax : ay;
      if (a < g(i - step) || a <= g(i + step)) continue;
      const sign = (horizontal ? gx : gy) > 0 ? 1 : -1;
      const [room0, room1] = horizontal ? [x, w - 1 - x] : [yy, h - 1 - yy];
      let maxStep = 0;
      let lo = 0;
      for (let d = sign * (data[i]! - data[i - step]!); lo < room0 && d > TOL; d = sign * (data[i - lo * step]! - data[i - (lo + 1) * step]!)) {
        maxStep = Math.max(maxStep, d);
        lo++;
      }
      let hi = 0;
      for (let d = sign * (data[i + step]! - data[i]!); hi < room1 && d > TOL; d = sign * (data[i + (hi + 1) * step]! - data[i + hi * step]!)) {
        maxStep = Math.max(maxStep, d);
        hi++;
      }
      const rise = sign * (data[i + hi * step]! - data[i - lo * step]!);
      if (rise < MIN_RISE) continue;
      along[horizontal ? 0 : 1].push(maxStep / rise);
    }
  }
  const all = Float64Array.from([...along[0], ...along[1]]).sort();
  const median = (v: number[]) => (v.length >= 20 ? quantile(Float64Array.from(v).sort(), 0.5) : NaN);
  const mx = median(along[0]);
  const my = median(along[1]);
  return {
    p50: all.length ? quantile(all, 0.5) : 0,
    p90: all.length ? quantile(all, 0.9) : 0,
    axisRatio: Number.isFinite(mx) && Number.isFinite(my) ? Math.min(mx, my) / Math.max(mx, my, 1e-6) : 1,
    count: (1000 * all.length) / Math.max(1, w * h),
  };
}

// Display scaling of |d| maps (HIQA's discrepancy |I_d − G(I_d)|, |I_d − I_r|): white at the 99th percentile of |d| over the image, or at a fixed gain.

/** The fixed gain: |d| × 4, white from |d| = 0.25 of the pixel range up. */
export const FIXED_GAIN = 4;

/** The q-quantile (0..1) of `values`, interpolated linearly between the sorted values (numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (!n) return 0;
  const sorted = Float64Array.from(values).sort();
  const at = Math.min(1, Math.max(0, q)) * (n - 1);
  const lo = Math.floor(at);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export interface AbsMapScale {
  /** The 99th percentile and the maximum of |d| over every pixel and channel, on the 0-1 pixel scale. */
  p99: number;
  max: number;
  /** Auto gain: |d| = p99 shows white (the maximum when p99 is 0; 1 for an all-zero map). */
  gain: number;
}

export function autoScale(abs: ArrayLike<number>): AbsMapScale {
  const p99 = quantile(abs, 0.99);
  let max = 0;
  for (let i = 0; i < abs.length; i++) max = Math.max(max, abs[i]!);
  const white = p99 > 0 ? p99 : max > 0 ? max : 1;
  return { p99, max, gain: 1 / white };
}

/** The map as bytes: round(|d| × gain × 255), clipped to 255. */
export function absMapBytes(abs: ArrayLike<number>, gain: number): Buffer {
  const out = Buffer.alloc(abs.length);
  for (let i = 0; i < abs.length; i++) out[i] = Math.min(255, Math.round(Math.abs(abs[i]!) * gain * 255));
  return out;
}

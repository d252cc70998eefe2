// Pixel helpers shared by the distortions: float buffers, convolution, colour spaces (Lab, YCbCr, HSV) and tone curves.
import type { RgbImage } from './types';

/** Interleaved RGB as floats on the 0..255 scale. */
export function toFloat(img: RgbImage): Float32Array {
  return Float32Array.from(img.data);
}

/** Rounds and clamps interleaved floats (0..255 scale) back to an 8-bit image. */
export function fromFloat(width: number, height: number, data: ArrayLike<number>): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(data[i]!);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { width, height, data: out };
}

export const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/** Normalised 1-D Gaussian, radius ceil(3 sigma) unless given. */
export function gaussianKernel(sigma: number, radius = Math.max(1, Math.ceil(3 * sigma))): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/** Separable convolution of an interleaved image with `channels` channels, replicating the borders. */
export function convolveSeparable(src: Float32Array, width: number, height: number, channels: number, kernel: Float64Array): Float32Array {
  const r = (kernel.length - 1) / 2;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) {
          const xx = x + k < 0 ? 0 : x + k >= width ? width - 1 : x + k;
          s += kernel[k + r]! * src[(row + xx) * channels + c]!;
        }
        tmp[(row + x) * channels + c] = s;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = -r; k <= r; k++) {
          const yy = y + k < 0 ? 0 : y + k >= height ? height - 1 : y + k;
          s += kernel[k + r]! * tmp[(yy * width + x) * channels + c]!;
        }
        out[(y * width + x) * channels + c] = s;
      }
    }
  }
  return out;
}

/** A square 2-D kernel (side odd), row-major, applied by correlation with replicated borders. */
export interface Kernel2d {
  size: number;
  data: Float64Array;
}

export function convolve2d(src: Float32Array, width: number, height: number, channels: number, kernel: Kernel2d): Float32Array {
  const r = (kernel.size - 1) / 2;
  // Only the non-zero taps: disk and line kernels are mostly empty.
  const taps: { dx: number; dy: number; w: number }[] = [];
  for (let ky = 0; ky < kernel.size; ky++) {
    for (let kx = 0; kx < kernel.size; kx++) {
      const w = kernel.data[ky * kernel.size + kx]!;
      if (w !== 0) taps.push({ dx: kx - r, dy: ky - r, w });
    }
  }
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      for (const { dx, dy, w } of taps) {
        const xx = x + dx < 0 ? 0 : x + dx >= width ? width - 1 : x + dx;
        const yy = y + dy < 0 ? 0 : y + dy >= height ? height - 1 : y + dy;
        const p = (yy * width + xx) * channels;
        for (let c = 0; c < channels; c++) out[o + c]! += w * src[p + c]!;
      }
    }
  }
  return out;
}

/** Picks channels `from` of an interleaved buffer into a new one with `count` channels. */
export function takeChannels(src: Float32Array, channels: number, from: number, count: number): Float32Array {
  const n = src.length / channels;
  const out = new Float32Array(n * count);
  for (let i = 0; i < n; i++) for (let c = 0; c < count; c++) out[i * count + c] = src[i * channels + from + c]!;
  return out;
}

export function putChannels(dst: Float32Array, channels: number, from: number, src: Float32Array, count: number): void {
  const n = dst.length / channels;
  for (let i = 0; i < n; i++) for (let c = 0; c < count; c++) dst[i * channels + from + c] = src[i * count + c]!;
}

// ---- sRGB <-> CIE L*a*b* (D65), as MATLAB's rgb2lab / lab2rgb define them ----

const SRGB_TO_LINEAR: Float64Array = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) {
    const v = i / 255;
    t[i] = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }
  return t;
})();

const linearToSrgb = (v: number): number => (v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055);

const XN = 0.95047;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;
const labF = (t: number): number => (t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116);
const labFInv = (f: number): number => (f * f * f > EPS ? f * f * f : (116 * f - 16) / KAPPA);

/** Interleaved L (0..100), a, b. */
export function rgbToLab(img: RgbImage): Float32Array {
  const d = img.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i += 3) {
    const r = SRGB_TO_LINEAR[d[i]!]!;
    const g = SRGB_TO_LINEAR[d[i + 1]!]!;
    const b = SRGB_TO_LINEAR[d[i + 2]!]!;
    const fx = labF((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN);
    const fy = labF(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const fz = labF((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN);
    out[i] = 116 * fy - 16;
    out[i + 1] = 500 * (fx - fy);
    out[i + 2] = 200 * (fy - fz);
  }
  return out;
}

/** Back to interleaved RGB floats on the 0..255 scale (out-of-gamut colours are clipped per channel). */
export function labToRgb(lab: Float32Array): Float32Array {
  const out = new Float32Array(lab.length);
  for (let i = 0; i < lab.length; i += 3) {
    const fy = (lab[i]! + 16) / 116;
    const fx = fy + lab[i + 1]! / 500;
    const fz = fy - lab[i + 2]! / 200;
    const x = labFInv(fx) * XN;
    const y = labFInv(fy);
    const z = labFInv(fz) * ZN;
    const r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
    const g = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
    const b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
    out[i] = 255 * linearToSrgb(clamp(r, 0, 1));
    out[i + 1] = 255 * linearToSrgb(clamp(g, 0, 1));
    out[i + 2] = 255 * linearToSrgb(clamp(b, 0, 1));
  }
  return out;
}

// ---- RGB <-> YCbCr (ITU-R BT.601, full range as JPEG uses it; 0..255) ----

export function rgbToYcbcr(src: ArrayLike<number>): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 3) {
    const r = src[i]!;
    const g = src[i + 1]!;
    const b = src[i + 2]!;
    out[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    out[i + 1] = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    out[i + 2] = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return out;
}

export function ycbcrToRgb(src: Float32Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 3) {
    const y = src[i]!;
    const cb = src[i + 1]! - 128;
    const cr = src[i + 2]! - 128;
    out[i] = y + 1.402 * cr;
    out[i + 1] = y - 0.344136 * cb - 0.714136 * cr;
    out[i + 2] = y + 1.772 * cb;
  }
  return out;
}

/** Luma (BT.601 weights) of an 8-bit image, 0..255. */
export function luma(img: RgbImage): Float32Array {
  const d = img.data;
  const out = new Float32Array(img.width * img.height);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = 0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!;
  return out;
}

// ---- tone curves ----

/**
 * A smooth monotone curve through (0,0), the control points and (1,1): piecewise cubic Hermite with
 * Fritsch-Carlson slopes (MATLAB's pchip), so it never overshoots. KADID-10k's curves() uses a cubic spline through
 * the same points; pchip keeps the curve monotone for strong settings. Returns a 256-entry lookup table (0..255
 * in, 0..255 out, unrounded, clamped).
 */
export function curveLut(points: readonly (readonly [number, number])[]): Float64Array {
  const xs = [0, ...points.map((p) => p[0]), 1];
  const ys = [0, ...points.map((p) => p[1]), 1];
  const n = xs.length;
  const h: number[] = [];
  const delta: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    h.push(xs[i + 1]! - xs[i]!);
    delta.push((ys[i + 1]! - ys[i]!) / h[i]!);
  }
  const m = new Array<number>(n).fill(0);
  for (let i = 1; i < n - 1; i++) {
    const d0 = delta[i - 1]!;
    const d1 = delta[i]!;
    if (d0 * d1 > 0) {
      const w1 = 2 * h[i]! + h[i - 1]!;
      const w2 = h[i]! + 2 * h[i - 1]!;
      m[i] = (w1 + w2) / (w1 / d0 + w2 / d1);
    }
  }
  // End slopes: the three-point formula, limited as pchip does.
  const endSlope = (h0: number, h1: number, d0: number, d1: number): number => {
    let s = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
    if (Math.sign(s) !== Math.sign(d0)) s = 0;
    else if (Math.sign(d0) !== Math.sign(d1) && Math.abs(s) > Math.abs(3 * d0)) s = 3 * d0;
    return s;
  };
  m[0] = n > 2 ? endSlope(h[0]!, h[1]!, delta[0]!, delta[1]!) : delta[0]!;
  m[n - 1] = n > 2 ? endSlope(h[n - 2]!, h[n - 3]!, delta[n - 2]!, delta[n - 3]!) : delta[0]!;
  const lut = new Float64Array(256);
  let seg = 0;
  for (let v = 0; v < 256; v++) {
    const x = v / 255;
    while (seg < n - 2 && x > xs[seg + 1]!) seg++;
    const t = (x - xs[seg]!) / h[seg]!;
    const t2 = t * t;
    const t3 = t2 * t;
    const y =
      (2 * t3 - 3 * t2 + 1) * ys[seg]! +
      (t3 - 2 * t2 + t) * h[seg]! * m[seg]! +
      (-2 * t3 + 3 * t2) * ys[seg + 1]! +
      (t3 - t2) * h[seg]! * m[seg + 1]!;
    lut[v] = 255 * clamp(y, 0, 1);
  }
  return lut;
}

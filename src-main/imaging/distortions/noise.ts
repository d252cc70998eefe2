// Noise distortions modelled on KADID-10k: white noise (RGB, YCbCr), impulse, multiplicative noise, and denoising residue.
import { fromFloat, rgbToYcbcr, toFloat, ycbcrToRgb } from './ops';
import type { Rng } from './rng';
import { param, type Distortion, type RgbImage } from './types';

// Variances on the 0..1 scale, as MATLAB's imnoise takes them; KADID-10k's values.
const WHITE_VAR = [0.001, 0.002, 0.003, 0.005, 0.01] as const;
const WHITE_CC_VAR = [0.0001, 0.0005, 0.001, 0.002, 0.003] as const;
// Share of the R, G, B values replaced by 0 or 255 (KADID-10k: 0.001, 0.005, 0.01, 0.02, 0.03).
const IMPULSE_DENSITY = [0.001, 0.005, 0.01, 0.02, 0.03] as const;
const MULT_VAR = [0.001, 0.005, 0.01, 0.02, 0.05] as const;
// Noise added before the denoiser runs (KADID-10k: 0.001, 0.002, 0.003, 0.005, 0.01).
const DENOISE_VAR = [0.001, 0.002, 0.003, 0.005, 0.01] as const;

/** One standard normal per value, always drawn in the same order, so every level scales the same noise. */
function normals(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

function whiteNoise(img: RgbImage, variance: number, rng: Rng): RgbImage {
  const buf = toFloat(img);
  const n = normals(buf.length, rng);
  const sd = Math.sqrt(variance) * 255;
  for (let i = 0; i < buf.length; i++) buf[i]! += sd * n[i]!;
  return fromFloat(img.width, img.height, buf);
}

/** Gaussian noise added to Y, Cb and Cr separately, then back to RGB. */
function whiteNoiseColor(img: RgbImage, variance: number, rng: Rng): RgbImage {
  const ycc = rgbToYcbcr(img.data);
  const n = normals(ycc.length, rng);
  const sd = Math.sqrt(variance) * 255;
  for (let i = 0; i < ycc.length; i++) ycc[i]! += sd * n[i]!;
  return fromFloat(img.width, img.height, ycbcrToRgb(ycc));
}

/** Salt and pepper on each R, G, B value independently (imnoise 'salt & pepper' on a colour image). */
function impulseNoise(img: RgbImage, density: number, rng: Rng): RgbImage {
  const out = new Uint8Array(img.data);
  for (let i = 0; i < out.length; i++) {
    const u = rng.next();
    if (u < density) out[i] = u < density / 2 ? 0 : 255;
  }
  return { width: img.width, height: img.height, data: out };
}

/** Speckle: x + x n with n normal of the given variance (imnoise 'speckle'). */
function multiplicativeNoise(img: RgbImage, variance: number, rng: Rng): RgbImage {
  const buf = toFloat(img);
  const n = normals(buf.length, rng);
  const sd = Math.sqrt(variance);
  for (let i = 0; i < buf.length; i++) buf[i]! += buf[i]! * sd * n[i]!;
  return fromFloat(img.width, img.height, buf);
}

/**
 * Adaptive Wiener filter per channel (MATLAB wiener2): local mean m and variance s2 over a (2r+1)^2 window, then
 * m + max(s2 - noise, 0) / max(s2, noise) (x - m).
 */
export function wiener(buf: Float32Array, width: number, height: number, noiseVar: number, r: number): Float32Array {
  const out = new Float32Array(buf.length);
  const area = (2 * r + 1) ** 2;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let s = 0;
        let s2 = 0;
        for (let dy = -r; dy <= r; dy++) {
          const yy = y + dy < 0 ? 0 : y + dy >= height ? height - 1 : y + dy;
          for (let dx = -r; dx <= r; dx++) {
            const xx = x + dx < 0 ? 0 : x + dx >= width ? width - 1 : x + dx;
            const v = buf[(yy * width + xx) * 3 + c]!;
            s += v;
            s2 += v * v;
          }
        }
        const m = s / area;
        const variance = Math.max(0, s2 / area - m * m);
        const p = (y * width + x) * 3 + c;
        out[p] = m + (Math.max(variance - noiseVar, 0) / Math.max(variance, noiseVar)) * (buf[p]! - m);
      }
    }
  }
  return out;
}

/** White noise, then removed again by a 5x5 adaptive Wiener filter that knows its variance: smearing and blotches. */
function denoise(img: RgbImage, variance: number, rng: Rng): RgbImage {
  const buf = toFloat(img);
  const n = normals(buf.length, rng);
  const sd = Math.sqrt(variance) * 255;
  for (let i = 0; i < buf.length; i++) buf[i] = Math.min(255, Math.max(0, buf[i]! + sd * n[i]!));
  return fromFloat(img.width, img.height, wiener(buf, img.width, img.height, sd * sd, 2));
}

export const NOISE_DISTORTIONS: Distortion[] = [
  {
    id: 'white_noise',
    label: 'White noise',
    family: 'noise',
    levels: 5,
    params: WHITE_VAR,
    paramName: 'variance (0..1 scale), R, G, B independent',
    apply: (img, level, rng) => whiteNoise(img, param(WHITE_VAR, level), rng),
  },
  {
    id: 'white_noise_color',
    label: 'White noise in colour components',
    family: 'noise',
    levels: 5,
    params: WHITE_CC_VAR,
    paramName: 'variance (0..1 scale) in Y, Cb, Cr',
    apply: (img, level, rng) => whiteNoiseColor(img, param(WHITE_CC_VAR, level), rng),
  },
  {
    id: 'impulse_noise',
    label: 'Impulse noise',
    family: 'noise',
    levels: 5,
    params: IMPULSE_DENSITY,
    paramName: 'density (share of values set to 0 or 255)',
    apply: (img, level, rng) => impulseNoise(img, param(IMPULSE_DENSITY, level), rng),
  },
  {
    id: 'multiplicative_noise',
    label: 'Multiplicative noise',
    family: 'noise',
    levels: 5,
    params: MULT_VAR,
    paramName: 'speckle variance',
    apply: (img, level, rng) => multiplicativeNoise(img, param(MULT_VAR, level), rng),
  },
  {
    id: 'denoise',
    label: 'Denoise',
    family: 'noise',
    levels: 5,
    params: DENOISE_VAR,
    paramName: 'variance of the noise removed (0..1 scale), 5x5 Wiener filter',
    apply: (img, level, rng) => denoise(img, param(DENOISE_VAR, level), rng),
  },
];

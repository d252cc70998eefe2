// Full-reference image quality metrics (PSNR, SSIM, MS-SSIM) comparing a distorted image with its reference.
//
// SSIM: Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from error
//   visibility to structural similarity", IEEE Trans. Image Processing 13(4), 2004; reference code ssim_index.m.
// MS-SSIM: Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multi-scale structural similarity for image quality
//   assessment", 37th Asilomar Conference on Signals, Systems and Computers, 2003; reference code msssim.m.
import { AppError } from '../../src-shared/api/errors';
import { loadRgb, type RawImage } from './raw-image';

export const FR_METRICS = ['psnr', 'ssim', 'ms-ssim'] as const;
export type FrMetric = (typeof FR_METRICS)[number];

export interface SsimOptions {
  /** Luminance stabiliser constant, C1 = (k1 L)^2. Default 0.01. */
  k1?: number;
  /** Contrast stabiliser constant, C2 = (k2 L)^2. Default 0.03. */
  k2?: number;
  /** Dynamic range of the pixel values. Default 255. */
  L?: number;
}

/** A single-channel image of doubles, row-major. */
export interface Plane {
  width: number;
  height: number;
  data: Float64Array;
}

const WIN = 11;
const SIGMA = 1.5;
const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;
/** Smallest side MS-SSIM accepts: the coarsest of 5 scales (side / 2^4) must still hold an 11x11 window. */
export const MS_SSIM_MIN_SIDE = WIN * 2 ** (MS_SSIM_WEIGHTS.length - 1);

// fspecial('gaussian', 11, 1.5) is the outer product of this 1-D kernel, so filtering rows then columns
// gives the same result as the 2-D window.
const GAUSS: Float64Array = (() => {
  const g = new Float64Array(WIN);
  const r = (WIN - 1) / 2;
  let sum = 0;
  for (let i = 0; i < WIN; i++) {
    g[i] = Math.exp(-((i - r) ** 2) / (2 * SIGMA * SIGMA));
    sum += g[i]!;
  }
  for (let i = 0; i < WIN; i++) g[i]! /= sum;
  return g;
})();

function checkImage(img: RawImage, name: string): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError('bad_input', `${name} image has an invalid size ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new AppError(
      'bad_input',
      `${name} image ${width}x${height} should hold ${width * height * 3} RGB bytes, has ${data.length}`,
    );
  }
}

function checkPair(a: RawImage, b: RawImage): void {
  checkImage(a, 'first');
  checkImage(b, 'second');
  if (a.width !== b.width || a.height !== b.height) {
    throw new AppError(
      'bad_input',
      `images differ in size: ${a.width}x${a.height} vs ${b.width}x${b.height}; full-reference metrics need equal sizes`,
    );
  }
}

/** Peak signal-to-noise ratio in dB over R, G and B together, peak 255; Infinity for identical images. */
export function psnr(a: RawImage, b: RawImage): number {
  checkPair(a, b);
  const x = a.data;
  const y = b.data;
  let sse = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    sse += d * d;
  }
  if (sse === 0) return Infinity;
  return 10 * Math.log10((255 * 255) / (sse / x.length));
}

/** Luminance as MATLAB's rgb2gray weights it (0.2989 R + 0.5870 G + 0.1140 B), 0..255, not rounded. */
export function rgbToLuma(img: RawImage): Float64Array {
  checkImage(img, 'input');
  const n = img.width * img.height;
  const d = img.data;
  const out = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = 0.2989 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!;
  return out;
}

function constants(opts: SsimOptions): { c1: number; c2: number } {
  const { k1 = 0.01, k2 = 0.03, L = 255 } = opts;
  // ssim_index.m has a separate formula for C1 = 0 or C2 = 0; only the usual positive case is supported.
  if (!(k1 > 0) || !(k2 > 0) || !(L > 0)) {
    throw new AppError('bad_input', `SSIM constants must be positive, got k1=${k1} k2=${k2} L=${L}`);
  }
  return { c1: (k1 * L) ** 2, c2: (k2 * L) ** 2 };
}

interface SsimStats {
  /** Mean of the SSIM map. */
  mssim: number;
  /** Mean of the contrast-structure map (2 sigma12 + C2) / (sigma1^2 + sigma2^2 + C2). */
  mcs: number;
}

/**
 * SSIM and contrast-structure means of two planes with 'valid' Gaussian filtering, as ssim_index.m and
 * msssim.m's ssim_index_new.m compute them. Writes the SSIM map into `map` when given.
 */
function ssimStats(x: Plane, y: Plane, c1: number, c2: number, map?: Float64Array): SsimStats {
  const { width: w, height: h } = x;
  if (w < WIN || h < WIN) {
    throw new AppError('bad_input', `SSIM needs at least ${WIN}x${WIN} pixels, got ${w}x${h}`);
  }
  const ow = w - WIN + 1;
  const oh = h - WIN + 1;
  const xd = x.data;
  const yd = y.data;
  const g = GAUSS;
  // Ring of the last WIN horizontally filtered rows of x, y, x^2, y^2 and xy; each output row then needs
  // one vertical pass over the ring, so the full-size intermediate images are never stored.
  const rx = new Float64Array(WIN * ow);
  const ry = new Float64Array(WIN * ow);
  const rxx = new Float64Array(WIN * ow);
  const ryy = new Float64Array(WIN * ow);
  const rxy = new Float64Array(WIN * ow);
  let ssimSum = 0;
  let csSum = 0;
  for (let row = 0; row < h; row++) {
    const slot = (row % WIN) * ow;
    const base = row * w;
    for (let ox = 0; ox < ow; ox++) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      const p = base + ox;
      for (let k = 0; k < WIN; k++) {
        const gk = g[k]!;
        const u = xd[p + k]!;
        const v = yd[p + k]!;
        const gu = gk * u;
        const gv = gk * v;
        sx += gu;
        sy += gv;
        sxx += gu * u;
        syy += gv * v;
        sxy += gu * v;
      }
      rx[slot + ox] = sx;
      ry[slot + ox] = sy;
      rxx[slot + ox] = sxx;
      ryy[slot + ox] = syy;
      rxy[slot + ox] = sxy;
    }
    if (row < WIN - 1) continue;
    const oy = row - WIN + 1;
    for (let ox = 0; ox < ow; ox++) {
      let mu1 = 0;
      let mu2 = 0;
      let exx = 0;
      let eyy = 0;
      let exy = 0;
      for (let k = 0; k < WIN; k++) {
        const q = ((oy + k) % WIN) * ow + ox;
        const gk = g[k]!;
        mu1 += gk * rx[q]!;
        mu2 += gk * ry[q]!;
        exx += gk * rxx[q]!;
        eyy += gk * ryy[q]!;
        exy += gk * rxy[q]!;
      }
      const mu1sq = mu1 * mu1;
      const mu2sq = mu2 * mu2;
      const mu12 = mu1 * mu2;
      const cs = (2 * (exy - mu12) + c2) / (exx - mu1sq + (eyy - mu2sq) + c2);
      const s = ((2 * mu12 + c1) / (mu1sq + mu2sq + c1)) * cs;
      ssimSum += s;
      csSum += cs;
      if (map) map[oy * ow + ox] = s;
    }
  }
  const n = ow * oh;
  return { mssim: ssimSum / n, mcs: csSum / n };
}

function lumaPlane(img: RawImage): Plane {
  return { width: img.width, height: img.height, data: rgbToLuma(img) };
}

/**
 * The SSIM map on luminance, (H-10)x(W-10) ('valid' filtering), as ssim_index.m returns it.
 *
 * No automatic downsampling: Wang's later ssim.m first downsamples by round(min(H,W)/256) to mimic
 * viewing distance; we follow ssim_index.m, which compares the images at full resolution.
 */
export function ssimMap(a: RawImage, b: RawImage, opts: SsimOptions = {}): Plane {
  checkPair(a, b);
  const { c1, c2 } = constants(opts);
  const x = lumaPlane(a);
  const y = lumaPlane(b);
  if (x.width < WIN || x.height < WIN) {
    throw new AppError('bad_input', `SSIM needs at least ${WIN}x${WIN} pixels, got ${x.width}x${x.height}`);
  }
  const map = new Float64Array((x.width - WIN + 1) * (x.height - WIN + 1));
  ssimStats(x, y, c1, c2, map);
  return { width: x.width - WIN + 1, height: x.height - WIN + 1, data: map };
}

/**
 * Mean SSIM on luminance (ssim_index.m: 11x11 Gaussian window, sigma 1.5, K = [0.01 0.03], L = 255,
 * 'valid' filtering). Like ssimMap, no automatic downsampling (ssim.m would downsample; see there).
 */
export function ssim(a: RawImage, b: RawImage, opts: SsimOptions = {}): number {
  checkPair(a, b);
  const { c1, c2 } = constants(opts);
  return ssimStats(lumaPlane(a), lumaPlane(b), c1, c2).mssim;
}

// imfilter(im, ones(2)/4, 'symmetric', 'same') followed by im(1:2:end, 1:2:end). MATLAB anchors a 2x2 kernel
// at its top-left element, so each output averages a pixel with its right and lower neighbours, and the
// mirrored border repeats the last row and column.
function halve(p: Plane): Plane {
  const { width: w, height: h, data } = p;
  const nw = Math.ceil(w / 2);
  const nh = Math.ceil(h / 2);
  const out = new Float64Array(nw * nh);
  for (let i = 0; i < nh; i++) {
    const r0 = 2 * i * w;
    const r1 = Math.min(2 * i + 1, h - 1) * w;
    for (let j = 0; j < nw; j++) {
      const c0 = 2 * j;
      const c1 = Math.min(c0 + 1, w - 1);
      out[i * nw + j] = (data[r0 + c0]! + data[r0 + c1]! + data[r1 + c0]! + data[r1 + c1]!) / 4;
    }
  }
  return { width: nw, height: nh, data: out };
}

/**
 * Multi-scale SSIM on luminance, as msssim.m computes it with its defaults (5 scales, product pooling):
 * prod(mcs(1:4) .^ weight(1:4)) * mssim(5) ^ weight(5).
 */
export function msSsim(a: RawImage, b: RawImage): number {
  checkPair(a, b);
  if (Math.min(a.width, a.height) < MS_SSIM_MIN_SIDE) {
    throw new AppError(
      'bad_input',
      `MS-SSIM needs both sides at least ${MS_SSIM_MIN_SIDE} px (an ${WIN}x${WIN} window at the 5th scale), got ${a.width}x${a.height}`,
    );
  }
  const { c1, c2 } = constants({});
  let x = lumaPlane(a);
  let y = lumaPlane(b);
  const levels = MS_SSIM_WEIGHTS.length;
  let overall = 1;
  for (let l = 0; l < levels; l++) {
    const { mssim, mcs } = ssimStats(x, y, c1, c2);
    // A negative mean (anti-correlated images) gives NaN here, where MATLAB would return a complex number.
    overall *= l < levels - 1 ? mcs ** MS_SSIM_WEIGHTS[l]! : mssim ** MS_SSIM_WEIGHTS[l]!;
    if (l < levels - 1) {
      x = halve(x);
      y = halve(y);
    }
  }
  return overall;
}

export function frScore(metric: FrMetric, ref: RawImage, dist: RawImage): number {
  switch (metric) {
    case 'psnr':
      return psnr(ref, dist);
    case 'ssim':
      return ssim(ref, dist);
    case 'ms-ssim':
      return msSsim(ref, dist);
    default:
      throw new AppError('bad_input', `unknown full-reference metric ${String(metric)}; expected one of ${FR_METRICS.join(', ')}`);
  }
}

/** Decodes both files to RGB (see loadRgb) and scores the distorted one against the reference. */
export async function frScoreFiles(metric: FrMetric, refPath: string, distPath: string): Promise<number> {
  const [ref, dist] = await Promise.all([loadRgb(refPath), loadRgb(distPath)]);
  return frScore(metric, ref, dist);
}

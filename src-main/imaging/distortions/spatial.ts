// Spatial distortions modelled on KADID-10k: jitter, non-eccentricity patches, pixelation, quantisation and colour blocks.
import { clamp, fromFloat, luma, toFloat } from './ops';
import type { Rng } from './rng';
import { param, spatialScale, type Distortion, type RgbImage } from './types';

// KADID-10k: per-pixel random displacement with this standard deviation (px at 512 px), applied 5 times.
const JITTER_AMOUNT = [0.05, 0.1, 0.2, 0.5, 1] as const;
// KADID-10k: this many 16x16 patches (at 512x384) copied to a nearby random place.
const NEP_COUNT = [20, 40, 60, 80, 100] as const;
// Pixel cell size in px at 512 px. KADID-10k's factors (0.95 - s^0.6 for s = 0.01 .. 0.5) give cells of 1.13 to
// 3.4 px, hardly visible until level 5; ours span a wider range.
const PIXEL_CELL = [1.5, 2, 3, 4.5, 7] as const;
// KADID-10k: grey levels of multi-level thresholding.
const QUANT_LEVELS = [20, 16, 13, 10, 7] as const;
// KADID-10k: this many 32x32 blocks (at 512 px) of a random colour.
const BLOCK_COUNT = [2, 4, 6, 8, 10] as const;

const KADID_AREA = 512 * 384;

/** Five rounds of per-pixel random displacement (normal, sd `amount` px in x and y), bilinear resampling. */
function jitter(img: RgbImage, amount: number, rng: Rng): RgbImage {
  const { width: w, height: h } = img;
  let buf = toFloat(img);
  for (let it = 0; it < 5; it++) {
    const next = new Float32Array(buf.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const fx = clamp(x - rng.normal() * amount, 0, w - 1);
        const fy = clamp(y - rng.normal() * amount, 0, h - 1);
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const ax = fx - x0;
        const ay = fy - y0;
        const o = (y * w + x) * 3;
        const p00 = (y0 * w + x0) * 3;
        const p10 = (y0 * w + x1) * 3;
        const p01 = (y1 * w + x0) * 3;
        const p11 = (y1 * w + x1) * 3;
        for (let c = 0; c < 3; c++) {
          const top = buf[p00 + c]! * (1 - ax) + buf[p10 + c]! * ax;
          const bottom = buf[p01 + c]! * (1 - ax) + buf[p11 + c]! * ax;
          next[o + c] = top * (1 - ay) + bottom * ay;
        }
      }
    }
    buf = next;
  }
  return fromFloat(w, h, buf);
}

function copyBlock(data: Uint8Array, w: number, sx: number, sy: number, dx: number, dy: number, size: number): void {
  const block = new Uint8Array(size * size * 3);
  for (let j = 0; j < size; j++) block.set(data.subarray(((sy + j) * w + sx) * 3, ((sy + j) * w + sx + size) * 3), j * size * 3);
  for (let j = 0; j < size; j++) data.set(block.subarray(j * size * 3, (j + 1) * size * 3), ((dy + j) * w + dx) * 3);
}

/** Patches copied a few pixels away from where they were, one after another (KADID-10k's non-eccentricity pattern). */
function nonEccentricityPatch(img: RgbImage, count: number, rng: Rng): RgbImage {
  const { width: w, height: h } = img;
  const s = spatialScale(img);
  const size = Math.max(4, Math.min(Math.round(16 * s), Math.floor(Math.min(w, h) / 2)));
  const radius = Math.max(2, Math.round(16 * s));
  const n = Math.max(1, Math.round((count * w * h) / KADID_AREA));
  const data = new Uint8Array(img.data);
  const lo = (side: number) => Math.min(radius, side - size);
  const hi = (side: number) => Math.max(lo(side), side - size - radius);
  for (let i = 0; i < n; i++) {
    const x = lo(w) + Math.round(rng.next() * (hi(w) - lo(w)));
    const y = lo(h) + Math.round(rng.next() * (hi(h) - lo(h)));
    const tx = clamp(Math.round((rng.next() - 0.5) * radius + x), 0, w - size);
    const ty = clamp(Math.round((rng.next() - 0.5) * radius + y), 0, h - size);
    copyBlock(data, w, x, y, tx, ty, size);
  }
  return { width: w, height: h, data };
}

/** Each pixel replaced by the mean of its cell on a grid of `cell`-px cells (non-integer sizes give uneven cells). */
function pixelate(img: RgbImage, cell: number): RgbImage {
  const { width: w, height: h, data } = img;
  const cw = Math.ceil(w / cell);
  const ch = Math.ceil(h / cell);
  const colOf = Int32Array.from({ length: w }, (_, x) => Math.min(cw - 1, Math.floor(x / cell)));
  const rowOf = Int32Array.from({ length: h }, (_, y) => Math.min(ch - 1, Math.floor(y / cell)));
  const sums = new Float64Array(cw * ch * 3);
  const counts = new Uint32Array(cw * ch);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = rowOf[y]! * cw + colOf[x]!;
      counts[k]!++;
      for (let c = 0; c < 3; c++) sums[k * 3 + c]! += data[(y * w + x) * 3 + c]!;
    }
  }
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = rowOf[y]! * cw + colOf[x]!;
      for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = sums[k * 3 + c]! / counts[k]!;
    }
  }
  return fromFloat(w, h, out);
}

/**
 * `n`-level thresholds minimising the within-class variance of the luma histogram (the criterion of Otsu's
 * multi-level method, found by Lloyd-Max iterations from equal-count bins); returns thresholds and class means.
 */
export function lloydMax(hist: Float64Array, n: number): { thresholds: number[]; values: number[] } {
  const total = hist.reduce((a, b) => a + b, 0);
  const thresholds: number[] = [];
  let acc = 0;
  for (let v = 0, k = 1; v < 256 && k < n; v++) {
    acc += hist[v]!;
    while (k < n && acc >= (k * total) / n) {
      thresholds.push(v + 0.5);
      k++;
    }
  }
  while (thresholds.length < n - 1) thresholds.push(255.5);
  let values: number[] = [];
  for (let it = 0; it < 30; it++) {
    values = [];
    for (let k = 0; k < n; k++) {
      const from = k === 0 ? 0 : Math.ceil(thresholds[k - 1]!);
      const to = k === n - 1 ? 255 : Math.floor(thresholds[k]!);
      let s = 0;
      let m = 0;
      for (let v = Math.max(0, from); v <= Math.min(255, to); v++) {
        s += hist[v]!;
        m += v * hist[v]!;
      }
      values.push(s > 0 ? m / s : (Math.max(0, from) + Math.min(255, to)) / 2);
    }
    const next = values.slice(1).map((v, k) => (values[k]! + v) / 2);
    if (next.every((t, k) => t === thresholds[k])) break;
    thresholds.splice(0, thresholds.length, ...next);
  }
  return { thresholds, values };
}

/** R, G and B each quantised with the grey-level thresholds of the luma (imquantize with multithresh, as KADID-10k). */
function quantize(img: RgbImage, n: number): RgbImage {
  const y = luma(img);
  const hist = new Float64Array(256);
  for (const v of y) hist[Math.min(255, Math.round(v))]!++;
  const { thresholds, values } = lloydMax(hist, n);
  const lut = new Uint8Array(256);
  for (let v = 0, k = 0; v < 256; v++) {
    while (k < thresholds.length && v > thresholds[k]!) k++;
    lut[v] = Math.round(values[k]!);
  }
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = lut[img.data[i]!]!;
  return { width: img.width, height: img.height, data: out };
}

/** Solid blocks of random colours at random places. */
function colorBlock(img: RgbImage, count: number, rng: Rng): RgbImage {
  const { width: w, height: h } = img;
  const size = Math.max(4, Math.min(Math.round(32 * spatialScale(img)), w, h));
  const data = new Uint8Array(img.data);
  for (let i = 0; i < count; i++) {
    const colour = [rng.next(), rng.next(), rng.next()].map((v) => Math.round(v * 255));
    const x0 = Math.floor(rng.next() * (w - size + 1));
    const y0 = Math.floor(rng.next() * (h - size + 1));
    for (let y = y0; y < y0 + size; y++) {
      for (let x = x0; x < x0 + size; x++) {
        const p = (y * w + x) * 3;
        data[p] = colour[0]!;
        data[p + 1] = colour[1]!;
        data[p + 2] = colour[2]!;
      }
    }
  }
  return { width: w, height: h, data };
}

export const SPATIAL_DISTORTIONS: Distortion[] = [
  {
    id: 'jitter',
    label: 'Jitter',
    family: 'spatial',
    levels: 5,
    params: JITTER_AMOUNT,
    paramName: 'displacement sd (px at 512 px), 5 rounds',
    apply: (img, level, rng) => jitter(img, param(JITTER_AMOUNT, level) * spatialScale(img), rng),
  },
  {
    id: 'non_eccentricity_patch',
    label: 'Non-eccentricity patch',
    family: 'spatial',
    levels: 5,
    params: NEP_COUNT,
    paramName: 'patches per 512x384 (16 px, moved up to 8 px)',
    apply: (img, level, rng) => nonEccentricityPatch(img, param(NEP_COUNT, level), rng),
  },
  {
    id: 'pixelate',
    label: 'Pixelate',
    family: 'spatial',
    levels: 5,
    params: PIXEL_CELL,
    paramName: 'cell size (px at 512 px)',
    apply: (img, level) => pixelate(img, Math.max(1.15, param(PIXEL_CELL, level) * spatialScale(img))),
  },
  {
    id: 'quantization',
    label: 'Quantisation',
    family: 'spatial',
    levels: 5,
    params: QUANT_LEVELS,
    paramName: 'grey levels',
    apply: (img, level) => quantize(img, param(QUANT_LEVELS, level)),
  },
  {
    id: 'color_block',
    label: 'Colour block',
    family: 'spatial',
    levels: 5,
    params: BLOCK_COUNT,
    paramName: 'blocks (32 px at 512 px)',
    apply: (img, level, rng) => colorBlock(img, param(BLOCK_COUNT, level), rng),
  },
];

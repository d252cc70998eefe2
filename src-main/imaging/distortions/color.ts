// Colour distortions modelled on KADID-10k: colour diffusion, colour shift, colour quantisation and two saturation changes.
import {
  clamp,
  convolveSeparable,
  fromFloat,
  gaussianKernel,
  labToRgb,
  luma,
  putChannels,
  rgbToLab,
  takeChannels,
  toFloat,
} from './ops';
import type { Rng } from './rng';
import { param, spatialScale, type Distortion, type RgbImage } from './types';

// KADID-10k: amount 1, 3, 6, 8, 12; the a*b* planes are blurred with sigma 1.5 amount + 2 (px at 512 px).
const DIFFUSE_AMOUNT = [1, 3, 6, 8, 12] as const;
// KADID-10k: green shifted by 1, 3, 6, 8, 12 px (at 512 px), blended in along edges.
const SHIFT_AMOUNT = [1, 3, 6, 8, 12] as const;
// KADID-10k: 64, 48, 32, 16, 8 colours with dithering (rgb2ind).
const QUANT_COLOURS = [64, 48, 32, 16, 8] as const;
// KADID-10k: HSV saturation multiplied by 0.4, 0.2, 0.1, 0, -0.4 (negative = complementary hues).
const SAT1_FACTOR = [0.4, 0.2, 0.1, 0, -0.4] as const;
// KADID-10k scales the CIELAB a*, b* planes up; the factors here are ours (level 1 must not be the identity).
const SAT2_FACTOR = [1.4, 2, 3, 5, 8] as const;

/** Colour bleeding: a*b* blurred (and slightly amplified, 1 + amount/20), L* kept. */
function colorDiffusion(img: RgbImage, amount: number): RgbImage {
  const { width: w, height: h } = img;
  const lab = rgbToLab(img);
  const sigma = (1.5 * amount + 2) * spatialScale(img);
  const ab = convolveSeparable(takeChannels(lab, 3, 1, 2), w, h, 2, gaussianKernel(sigma, Math.ceil(2 * sigma)));
  const gain = 1 + amount / 20;
  for (let i = 0; i < ab.length; i++) ab[i]! *= gain;
  putChannels(lab, 3, 1, ab, 2);
  return fromFloat(w, h, labToRgb(lab));
}

/**
 * Green channel displaced by `amount` px in a random direction and blended in where the image has edges
 * (weight: blurred gradient magnitude, normalised, clipped at its 1st and 99th percentiles), as KADID-10k does.
 */
function colorShift(img: RgbImage, amount: number, rng: Rng): RgbImage {
  const { width: w, height: h, data } = img;
  const a = rng.next();
  const b = rng.next();
  const norm = Math.hypot(a, b) || 1;
  let sx = Math.round((a / norm) * amount);
  let sy = Math.round((b / norm) * amount);
  if (sx === 0 && sy === 0) {
    if (a >= b) sx = 1;
    else sy = 1;
  }
  const y = luma(img);
  const grad = new Float32Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const p = j * w + i;
      const gx = (i + 1 < w ? y[p + 1]! : y[p]!) - y[p]!;
      const gy = (j + 1 < h ? y[p + w]! : y[p]!) - y[p]!;
      grad[p] = Math.hypot(gx, gy);
    }
  }
  const e = convolveSeparable(grad, w, h, 1, gaussianKernel(4, 8));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of e) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi > lo) for (let i = 0; i < e.length; i++) e[i] = (e[i]! - lo) / (hi - lo);
  const sorted = Float32Array.from(e).sort();
  const pHi = sorted[Math.min(sorted.length - 1, Math.round(sorted.length * 0.99) - 1)]!;
  const pLo = sorted[Math.max(0, Math.round(sorted.length * 0.01) - 1)]!;
  const out = new Uint8Array(data);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const p = j * w + i;
      const wgt = clamp(e[p]!, pLo, pHi);
      const si = clamp(i - sx, 0, w - 1);
      const sj = clamp(j - sy, 0, h - 1);
      const shifted = data[(sj * w + si) * 3 + 1]!;
      out[p * 3 + 1] = Math.round(shifted * wgt + data[p * 3 + 1]! * (1 - wgt));
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * A palette of up to `n` colours: median cut over a 15-bit colour histogram (the box with the largest
 * channel range x pixel count is split at its weighted median), then 10 k-means (Lloyd) rounds over the
 * histogram. Deterministic: no random starts, ties broken by order.
 */
export function buildPalette(img: RgbImage, n: number): number[][] {
  const d = img.data;
  const count = new Float64Array(32768);
  const sum = new Float64Array(32768 * 3);
  for (let i = 0; i < d.length; i += 3) {
    const k = ((d[i]! >> 3) << 10) | ((d[i + 1]! >> 3) << 5) | (d[i + 2]! >> 3);
    count[k]!++;
    sum[k * 3]! += d[i]!;
    sum[k * 3 + 1]! += d[i + 1]!;
    sum[k * 3 + 2]! += d[i + 2]!;
  }
  const bins: { w: number; c: [number, number, number] }[] = [];
  for (let k = 0; k < 32768; k++) {
    const w = count[k]!;
    if (w > 0) bins.push({ w, c: [sum[k * 3]! / w, sum[k * 3 + 1]! / w, sum[k * 3 + 2]! / w] });
  }
  let boxes: (typeof bins)[] = [bins];
  const stats = (box: typeof bins): { score: number; channel: number } => {
    let best = -1;
    let channel = 0;
    let weight = 0;
    for (const b of box) weight += b.w;
    for (let c = 0; c < 3; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const b of box) {
        lo = Math.min(lo, b.c[c]!);
        hi = Math.max(hi, b.c[c]!);
      }
      if (hi - lo > best) {
        best = hi - lo;
        channel = c;
      }
    }
    return { score: box.length > 1 ? best * weight : 0, channel };
  };
  while (boxes.length < n) {
    let pick = -1;
    let pickStats = { score: 0, channel: 0 };
    boxes.forEach((box, i) => {
      const st = stats(box);
      if (st.score > pickStats.score) {
        pick = i;
        pickStats = st;
      }
    });
    if (pick < 0) break;
    const c = pickStats.channel;
    const box = [...boxes[pick]!].sort((p, q) => p.c[c]! - q.c[c]!);
    const half = box.reduce((a, b) => a + b.w, 0) / 2;
    let acc = 0;
    let cut = 1;
    for (; cut < box.length - 1; cut++) {
      acc += box[cut - 1]!.w;
      if (acc >= half) break;
    }
    boxes = [...boxes.slice(0, pick), box.slice(0, cut), box.slice(cut), ...boxes.slice(pick + 1)];
  }
  let palette = boxes.map((box) => {
    const m = [0, 0, 0];
    let w = 0;
    for (const b of box) {
      for (let c = 0; c < 3; c++) m[c]! += b.c[c]! * b.w;
      w += b.w;
    }
    return m.map((v) => v / w);
  });
  for (let it = 0; it < 10; it++) {
    const acc = palette.map(() => [0, 0, 0, 0]);
    for (const b of bins) acc[nearest(palette, b.c[0], b.c[1], b.c[2])]!.forEach((_, c, a) => (a[c]! += c < 3 ? b.c[c]! * b.w : b.w));
    palette = palette.map((p, i) => {
      const a = acc[i]!;
      return a[3]! > 0 ? [a[0]! / a[3]!, a[1]! / a[3]!, a[2]! / a[3]!] : p;
    });
  }
  return palette.map((p) => p.map((v) => Math.round(v)));
}

function nearest(palette: number[][], r: number, g: number, b: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < palette.length; i++) {
    const p = palette[i]!;
    const dd = (p[0]! - r) ** 2 + (p[1]! - g) ** 2 + (p[2]! - b) ** 2;
    if (dd < bestD) {
      bestD = dd;
      best = i;
    }
  }
  return best;
}

/** Reduced to `n` colours (buildPalette) with Floyd-Steinberg error diffusion, like MATLAB's rgb2ind(..., 'dither'). */
function colorQuantize(img: RgbImage, n: number): RgbImage {
  const { width: w, height: h } = img;
  const palette = buildPalette(img, n);
  const buf = toFloat(img);
  const out = new Uint8Array(buf.length);
  const spread = (x: number, y: number, er: number, eg: number, eb: number, f: number) => {
    if (x < 0 || x >= w || y >= h) return;
    const p = (y * w + x) * 3;
    buf[p]! += er * f;
    buf[p + 1]! += eg * f;
    buf[p + 2]! += eb * f;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      const r = buf[p]!;
      const g = buf[p + 1]!;
      const b = buf[p + 2]!;
      const best = palette[nearest(palette, r, g, b)]!;
      out[p] = best[0]!;
      out[p + 1] = best[1]!;
      out[p + 2] = best[2]!;
      const er = r - best[0]!;
      const eg = g - best[1]!;
      const eb = b - best[2]!;
      spread(x + 1, y, er, eg, eb, 7 / 16);
      spread(x - 1, y + 1, er, eg, eb, 3 / 16);
      spread(x, y + 1, er, eg, eb, 5 / 16);
      spread(x + 1, y + 1, er, eg, eb, 1 / 16);
    }
  }
  return { width: w, height: h, data: out };
}

/** HSV saturation multiplied by `factor` (MATLAB rgb2hsv / hsv2rgb formulas; negative factors flip hues). */
function saturateHsv(img: RgbImage, factor: number): RgbImage {
  const d = img.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i]!;
    const g = d[i + 1]!;
    const b = d[i + 2]!;
    const v = Math.max(r, g, b);
    const delta = v - Math.min(r, g, b);
    if (delta === 0 || v === 0) {
      out[i] = r;
      out[i + 1] = g;
      out[i + 2] = b;
      continue;
    }
    let hue = v === r ? (g - b) / delta : v === g ? 2 + (b - r) / delta : 4 + (r - g) / delta;
    if (hue < 0) hue += 6;
    const s = (delta / v) * factor;
    const sector = Math.floor(hue) % 6;
    const f = hue - Math.floor(hue);
    const p = v * (1 - s);
    const q = v * (1 - s * f);
    const t = v * (1 - s * (1 - f));
    const rgb = [
      [v, t, p],
      [q, v, p],
      [p, v, t],
      [p, q, v],
      [t, p, v],
      [v, p, q],
    ][sector]!;
    out[i] = rgb[0]!;
    out[i + 1] = rgb[1]!;
    out[i + 2] = rgb[2]!;
  }
  return fromFloat(img.width, img.height, out);
}

/** CIELAB a*, b* multiplied by `factor` (out-of-gamut colours clip). */
function saturateLab(img: RgbImage, factor: number): RgbImage {
  const lab = rgbToLab(img);
  for (let i = 0; i < lab.length; i += 3) {
    lab[i + 1]! *= factor;
    lab[i + 2]! *= factor;
  }
  return fromFloat(img.width, img.height, labToRgb(lab));
}

export const COLOR_DISTORTIONS: Distortion[] = [
  {
    id: 'color_diffusion',
    label: 'Colour diffusion',
    family: 'color',
    levels: 5,
    params: DIFFUSE_AMOUNT,
    paramName: 'amount (a*b* blur sigma 1.5 amount + 2 px at 512 px, chroma gain 1 + amount/20)',
    apply: (img, level) => colorDiffusion(img, param(DIFFUSE_AMOUNT, level)),
  },
  {
    id: 'color_shift',
    label: 'Colour shift',
    family: 'color',
    levels: 5,
    params: SHIFT_AMOUNT,
    paramName: 'green channel shift (px at 512 px), random direction',
    apply: (img, level, rng) => colorShift(img, Math.max(1, param(SHIFT_AMOUNT, level) * spatialScale(img)), rng),
  },
  {
    id: 'color_quantization',
    label: 'Colour quantisation',
    family: 'color',
    levels: 5,
    params: QUANT_COLOURS,
    paramName: 'palette size (median cut + k-means, Floyd-Steinberg dither)',
    apply: (img, level) => colorQuantize(img, param(QUANT_COLOURS, level)),
  },
  {
    id: 'color_saturation_1',
    label: 'Colour saturation 1 (HSV)',
    family: 'color',
    levels: 5,
    params: SAT1_FACTOR,
    paramName: 'HSV saturation factor',
    apply: (img, level) => saturateHsv(img, param(SAT1_FACTOR, level)),
  },
  {
    id: 'color_saturation_2',
    label: 'Colour saturation 2 (CIELAB)',
    family: 'color',
    levels: 5,
    params: SAT2_FACTOR,
    paramName: 'CIELAB a*b* factor',
    apply: (img, level) => saturateLab(img, param(SAT2_FACTOR, level)),
  },
];

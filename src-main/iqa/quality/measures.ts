// Explainable technical measures of one photo (sharpness with a tile map, noise, exposure, compression, colour) and the raw statistics behind them.
import type { PhotoMeasures } from '../../../src-shared/api/schemas';
import { gridRatios } from './grid-ratios';
import { ascendingOrder, half, lumaChroma, mean, quantile, quantileSelect, type Plane } from './planes';

/** Side of the square tiles of the sharpness map, in pixels of the analysed image. */
export const TILE = 16;

/**
 * Re-blur sharpness (the share of neighbour differences a 9-tap blur removes) on a 0..1 display scale: about 0.5 on
 * a photo blurred past recognition and 0.9 on a crisp one (measured on the pool's photos and their blurred levels).
 */
export const focusScale = (ratio: number): number => Math.min(1, Math.max(0, (ratio - 0.5) / 0.4));

export interface SharpnessMap {
  cols: number;
  rows: number;
  /** Per tile 0..1 (1 = crisp), NaN where the tile has too little texture to tell. Row-major. */
  values: Float32Array;
}

/**
 * Re-blur sharpness after Crété-Roffet et al. (SPIE 2007, "The blur effect"): the share of the neighbour differences
 * that a 9-tap box blur removes, per direction, the weaker direction taken. 1 - their blur value: 1 = crisp, 0 = no
 * fine detail left. Computed per tile (for the map) and over the whole image.
 */
function reblurSharpness(y: Plane): { global: number; tiles: { sF: Float64Array; sV: Float64Array; sG: Float64Array }; cols: number; rows: number } {
  const { width: w, height: h, data } = y;
  const cols = Math.ceil(w / TILE);
  const rows = Math.ceil(h / TILE);
  // Per tile and direction: the sum of differences in the image (sF) and of what the blur removed (sV).
  const sF = new Float64Array(cols * rows * 2);
  const sV = new Float64Array(cols * rows * 2);
  const sG = new Float64Array(cols * rows);
  const R = 4;
  // Tile column of each x.
  const tcol = new Int32Array(w);
  for (let x = 0; x < w; x++) tcol[x] = (x / TILE) | 0;
  // Horizontal: box-blurred rows by running sums. The luma values are multiples of 2^-27 under 2^8, so every sum of
  // them here is exact in a double and a running sum equals the 9-tap sum bit for bit.
  const bh = new Float32Array(w);
  for (let yy = 0; yy < h; yy++) {
    const row = yy * w;
    let s = 0;
    for (let k = -R; k <= R; k++) s += data[row + (k < 0 ? 0 : k >= w ? w - 1 : k)]!;
    for (let x = 0; x < w; x++) {
      bh[x] = s / (2 * R + 1);
      s += data[row + (x + R + 1 >= w ? w - 1 : x + R + 1)]! - data[row + (x - R < 0 ? 0 : x - R)]!;
    }
    const tr = ((yy / TILE) | 0) * cols;
    for (let x = 1; x < w; x++) {
      const dF = Math.abs(data[row + x]! - data[row + x - 1]!);
      const dB = Math.abs(bh[x]! - bh[x - 1]!);
      const t = (tr + tcol[x]!) * 2;
      sF[t]! += dF;
      sV[t]! += Math.max(0, dF - dB);
      sG[t >> 1]! += dF;
    }
  }
  // Vertical: the same, a row at a time (column running sums); per tile the order of the sums changes, not their
  // values (exact, as above).
  const colSum = new Float64Array(w);
  for (let x = 0; x < w; x++) for (let k = -R; k <= R; k++) colSum[x]! += data[(k < 0 ? 0 : k >= h ? h - 1 : k) * w + x]!;
  let prev = new Float32Array(w);
  let cur = new Float32Array(w);
  for (let yy = 0; yy < h; yy++) {
    const row = yy * w;
    const add = (yy + R + 1 >= h ? h - 1 : yy + R + 1) * w;
    const sub = (yy - R < 0 ? 0 : yy - R) * w;
    for (let x = 0; x < w; x++) {
      cur[x] = colSum[x]! / (2 * R + 1);
      colSum[x]! += data[add + x]! - data[sub + x]!;
    }
    if (yy > 0) {
      const tr = ((yy / TILE) | 0) * cols;
      for (let x = 0; x < w; x++) {
        const dF = Math.abs(data[row + x]! - data[row - w + x]!);
        const dB = Math.abs(cur[x]! - prev[x]!);
        const t = (tr + tcol[x]!) * 2 + 1;
        sF[t]! += dF;
        sV[t]! += Math.max(0, dF - dB);
        sG[t >> 1]! += dF;
      }
    }
    [prev, cur] = [cur, prev];
  }
  let fh = 0;
  let vh = 0;
  let fv = 0;
  let vv = 0;
  for (let t = 0; t < cols * rows; t++) {
    fh += sF[2 * t]!;
    vh += sV[2 * t]!;
    fv += sF[2 * t + 1]!;
    vv += sV[2 * t + 1]!;
  }
  const global = Math.min(vh / Math.max(fh, 1e-9), vv / Math.max(fv, 1e-9));
  return { global, tiles: { sF, sV, sG }, cols, rows };
}

/**
 * Edge widths after Marziliano et al. (ICIP 2002): at the strongest edges (local maxima of the gradient along its
 * dominant axis, in the top 5 %), the distance between the intensity extrema on either side, scanned along that
 * axis. Blur of any kind widens every edge it crosses, whatever the content. Returns the widths sorted.
 */
function edgeWidths(y: Plane): Float32Array {
  const { width: w, height: h, data } = y;
  const gx = new Float32Array(w * h);
  const gy = new Float32Array(w * h);
  const mags = new Float32Array(Math.ceil(h / 2) * Math.ceil(w / 2));
  let nm = 0;
  for (let yy = 1; yy < h - 1; yy++) {
    for (let x = 1; x < w - 1; x++) {
      const i = yy * w + x;
      gx[i] = 0.5 * (data[i + 1]! - data[i - 1]!);
      gy[i] = 0.5 * (data[i + w]! - data[i - w]!);
      if ((x & 1) === 0 && (yy & 1) === 0) mags[nm++] = Math.abs(gx[i]!) + Math.abs(gy[i]!);
    }
  }
  const thr = Math.max(8, quantileSelect(mags.subarray(0, nm), 0.95));
  const widths: number[] = [];
  const TOL = 0.5;
  for (let yy = 2; yy < h - 2; yy++) {
    for (let x = 2; x < w - 2; x++) {
      const i = yy * w + x;
      const ax = Math.abs(gx[i]!);
      const ay = Math.abs(gy[i]!);
      if (ax + ay < thr) continue;
      const horizontal = ax >= ay;
      const step = horizontal ? 1 : w;
      const g = horizontal ? gx : gy;
      const a = Math.abs(g[i]!);
      if (a < Math.abs(g[i - step]!) || a <= Math.abs(g[i + step]!)) continue;
      const sign = g[i]! > 0 ? 1 : -1;
      const limit = horizontal ? [x, w - 1 - x] : [yy, h - 1 - yy];
      let lo = 0;
      while (lo < limit[0]! && sign * (data[i - lo * step]! - data[i - (lo + 1) * step]!) > TOL) lo++;
      let hi = 0;
      while (hi < limit[1]! && sign * (data[i + (hi + 1) * step]! - data[i + hi * step]!) > TOL) hi++;
      widths.push(lo + hi);
    }
  }
  return Float32Array.from(widths).sort();
}

/**
 * Immerkær's noise estimate (CVIU 1996): σ = sqrt(π/2) / 6 · mean |I * N| with N the difference of two Laplacians,
 * taken per 8x8 block and summarised by low quantiles (the flattest blocks, where texture does not count as noise).
 * Returns the block estimates sorted, with each block's mean level.
 */
function blockNoise(p: Plane): { sorted: Float32Array; byLevel: [number, number] } {
  const { width: w, height: h, data } = p;
  const B = 8;
  const cols = Math.floor((w - 2) / B);
  const rows = Math.floor((h - 2) / B);
  const est = new Float32Array(cols * rows);
  const lvl = new Float32Array(cols * rows);
  const k = Math.sqrt(Math.PI / 2) / 6;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let s = 0;
      let m = 0;
      for (let yy = 1 + by * B; yy < 1 + (by + 1) * B; yy++) {
        for (let x = 1 + bx * B; x < 1 + (bx + 1) * B; x++) {
          const i = yy * w + x;
          const v =
            data[i - w - 1]! - 2 * data[i - w]! + data[i - w + 1]! -
            2 * data[i - 1]! + 4 * data[i]! - 2 * data[i + 1]! +
            data[i + w - 1]! - 2 * data[i + w]! + data[i + w + 1]!;
          s += Math.abs(v);
          m += data[i]!;
        }
      }
      est[by * cols + bx] = (k * s) / (B * B);
      lvl[by * cols + bx] = m / (B * B);
    }
  }
  // Noise in the darker and the brighter half of the flat blocks: multiplicative noise grows with the level.
  const order = ascendingOrder(est);
  const flat = order.slice(0, Math.max(1, Math.floor(order.length * 0.3)));
  const medLvl = quantile(Float32Array.from(flat.map((i) => lvl[i]!)).sort(), 0.5);
  const dark = flat.filter((i) => lvl[i]! <= medLvl).map((i) => est[i]!);
  const bright = flat.filter((i) => lvl[i]! > medLvl).map((i) => est[i]!);
  return { sorted: Float32Array.from(order.map((i) => est[i]!)), byLevel: [mean(dark), mean(bright)] };
}

/**
 * Aligned flat blocks against shifted ones: the share of `period`-square blocks on the codec's grid whose luma spans at
 * most 1.5 levels, over the same share on a grid shifted by half a block. A block codec at a low rate keeps only the
 * DC of many blocks (JPEG 8x8, WebP 4x4), so flat blocks line up with its grid; natural flat areas (sky) do not care.
 */
function alignedFlatRatio(y: Plane, period: number): number {
  const { width: w, height: h, data } = y;
  const flatShare = (off: number) => {
    let flat = 0;
    let all = 0;
    for (let by = off; by + period <= h; by += period) {
      for (let bx = off; bx + period <= w; bx += period) {
        let lo = 255;
        let hi = 0;
        for (let yy = by; yy < by + period; yy++) {
          const row = yy * w;
          for (let x = bx; x < bx + period; x++) {
            const v = data[row + x]!;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
          }
        }
        all++;
        if (hi - lo <= 1.5) flat++;
      }
    }
    return flat / Math.max(1, all);
  };
  return (flatShare(0) + 0.002) / (flatShare(period >> 1) + 0.002);
}

/**
 * Local contrast by tone band: mean |∇| of the pixels in the shadows (luma < 64), mid-tones and highlights (> 176),
 * each over the mean of all. A tone curve that darkens flattens the shadows' slope and steepens the highlights';
 * brightening does the reverse, so the bands' contrast shifts against each other whatever the photo's own key.
 */
function toneBandContrast(y: Plane): [number, number, number] {
  const { width: w, height: h, data } = y;
  const s = [0, 0, 0];
  const c = [0, 0, 0];
  let all = 0;
  for (let yy = 0; yy < h - 1; yy++) {
    for (let x = 0; x < w - 1; x++) {
      const i = yy * w + x;
      const v = data[i]!;
      const g = Math.abs(data[i + 1]! - v) + Math.abs(data[i + w]! - v);
      const b = v < 64 ? 0 : v > 176 ? 2 : 1;
      s[b]! += g;
      c[b]!++;
      all += g;
    }
  }
  const m = all / Math.max(1, (w - 1) * (h - 1));
  return [0, 1, 2].map((b) => (c[b]! > 50 ? s[b]! / c[b]! / Math.max(m, 1e-6) : 1)) as [number, number, number];
}

/** The measures shown beside the score (the Library's columns, CSV, XMP, `iqa score --json`). */
export type Measures = PhotoMeasures;

export interface Analysis {
  measures: Measures;
  map: SharpnessMap;
  /** The statistics the model reads (see FEATURE_NAMES). */
  stats: Record<string, number>;
  /** The luma plane at full and half scale, for the features computed beside these (features.ts). */
  planes: { y: Plane; y2: Plane };
}

/** Analyses an 8-bit RGB image (already at analysis size). */
export function analyseRgb(rgb: Uint8Array, width: number, height: number): Analysis {
  const { y, cb, cr } = lumaChroma(rgb, width, height);
  const n = width * height;
  const stats: Record<string, number> = {};

  // Sharpness and its map.
  const rb = reblurSharpness(y);
  const tiles = rb.cols * rb.rows;
  const tileSharp = new Float32Array(tiles);
  const textured: number[] = [];
  const tileGrad: number[] = [];
  for (let t = 0; t < tiles; t++) {
    const f = rb.tiles.sF[2 * t]! + rb.tiles.sF[2 * t + 1]!;
    const v = rb.tiles.sV[2 * t]! + rb.tiles.sV[2 * t + 1]!;
    const g = rb.tiles.sG[t]! / (2 * TILE * TILE);
    tileGrad.push(g);
    // A tile with a mean neighbour difference under 1.5 grey levels is flat: its sharpness is unknowable.
    tileSharp[t] = g < 1.5 ? NaN : v / Math.max(f, 1e-9);
    if (g >= 1.5) textured.push(tileSharp[t]!);
  }
  textured.sort((a, b) => a - b);
  const mapValues = tileSharp.map((v) => (Number.isFinite(v) ? focusScale(v) : NaN));
  stats.sharp_global = rb.global;
  stats.sharp_p50 = textured.length ? quantile(textured, 0.5) : 0;
  stats.sharp_p90 = textured.length ? quantile(textured, 0.9) : 0;
  stats.sharp_p98 = textured.length ? quantile(textured, 0.98) : 0;
  stats.textured_share = textured.length / tiles;
  const sortedGrad = Float32Array.from(tileGrad).sort();
  stats.grad_p50 = quantile(sortedGrad, 0.5);
  stats.grad_p90 = quantile(sortedGrad, 0.9);

  // Multi-scale detail: mean |∇| at 1x, 1/2 and 1/4 (the fall-off is the spectrum's slope).
  const meanGrad = (p: Plane) => {
    let s = 0;
    for (let yy = 0; yy < p.height - 1; yy++) for (let x = 0; x < p.width - 1; x++) {
      const i = yy * p.width + x;
      s += Math.abs(p.data[i + 1]! - p.data[i]!) + Math.abs(p.data[i + p.width]! - p.data[i]!);
    }
    return s / Math.max(1, (p.width - 1) * (p.height - 1));
  };
  const y2 = half(y);
  const y4 = half(y2);
  const g1 = meanGrad(y);
  const g2 = meanGrad(y2);
  const g4 = meanGrad(y4);
  stats.grad1 = g1;
  stats.detail_12 = g1 / Math.max(g2, 1e-6);
  stats.detail_24 = g2 / Math.max(g4, 1e-6);

  // Directional detail: fine over coarse neighbour differences along 4 directions. A motion blur lowers the ratio
  // along its own direction only, so the spread between directions tells it from defocus.
  // One pass for the 4 directions (each direction's sums in the order of a pass of its own).
  let h1 = 0, h2 = 0, v1 = 0, v2 = 0, d1 = 0, d2 = 0, a1 = 0, a2 = 0;
  const yd = y.data;
  for (let yy = 2; yy < height - 2; yy++) {
    for (let x = 2; x < width - 2; x++) {
      const i = yy * width + x;
      const v = yd[i]!;
      h1 += Math.abs(yd[i + 1]! - v);
      h2 += Math.abs(yd[i + 2]! - v);
      v1 += Math.abs(yd[i + width]! - v);
      v2 += Math.abs(yd[i + 2 * width]! - v);
      d1 += Math.abs(yd[i + width + 1]! - v);
      d2 += Math.abs(yd[i + 2 * (width + 1)]! - v);
      a1 += Math.abs(yd[i - width + 1]! - v);
      a2 += Math.abs(yd[i + 2 * (1 - width)]! - v);
    }
  }
  const ratios = [h1 / Math.max(h2, 1e-6), v1 / Math.max(v2, 1e-6), d1 / Math.max(d2, 1e-6), a1 / Math.max(a2, 1e-6)];
  stats.dir_min = Math.min(...ratios);
  stats.dir_max = Math.max(...ratios);
  stats.dir_spread = stats.dir_max - stats.dir_min;

  const ew = edgeWidths(y);
  stats.edge_w25 = ew.length ? quantile(ew, 0.25) : 0;
  stats.edge_w50 = ew.length ? quantile(ew, 0.5) : 0;
  stats.edge_w75 = ew.length ? quantile(ew, 0.75) : 0;
  stats.edge_count = ew.length / n;

  // Noise.
  const ny = blockNoise(y);
  const ncb = blockNoise(cb);
  const ncr = blockNoise(cr);
  stats.noise_y_p05 = quantile(ny.sorted, 0.05);
  stats.noise_y_p20 = quantile(ny.sorted, 0.2);
  stats.noise_y_p50 = quantile(ny.sorted, 0.5);
  stats.noise_c_p05 = 0.5 * (quantile(ncb.sorted, 0.05) + quantile(ncr.sorted, 0.05));
  stats.noise_c_p20 = 0.5 * (quantile(ncb.sorted, 0.2) + quantile(ncr.sorted, 0.2));
  stats.noise_dark = ny.byLevel[0];
  stats.noise_bright = ny.byLevel[1];
  stats.noise_y2_p20 = quantile(blockNoise(y2).sorted, 0.2);

  // Impulses: a value at 0 or 255 that both horizontal neighbours miss by more than 60 levels.
  let impulses = 0;
  let equalNeighbours = 0;
  for (let yy = 0; yy < height; yy++) {
    for (let x = 1; x < width - 1; x++) {
      const i = (yy * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = rgb[i + c]!;
        if ((v === 0 || v === 255) && Math.abs(v - rgb[i + c - 3]!) > 60 && Math.abs(v - rgb[i + c + 3]!) > 60) impulses++;
      }
      if (rgb[i] === rgb[i - 3] && rgb[i + 1] === rgb[i - 2] && rgb[i + 2] === rgb[i - 1]) equalNeighbours++;
    }
  }
  stats.impulses = impulses / (3 * n);
  stats.equal_neighbours = equalNeighbours / n;

  // Exposure and tone.
  const hist = new Float64Array(256);
  let blown = 0;
  let black = 0;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const l = y.data[i]!;
    hist[Math.min(255, Math.max(0, Math.round(l)))]!++;
    if (rgb[j]! >= 254 || rgb[j + 1]! >= 254 || rgb[j + 2]! >= 254) blown++;
    if (l <= 3) black++;
  }
  const pct = (q: number) => {
    let c = 0;
    for (let v = 0; v < 256; v++) {
      c += hist[v]!;
      if (c >= q * n) return v;
    }
    return 255;
  };
  stats.lum_mean = mean(y.data) / 255;
  stats.lum_p01 = pct(0.01) / 255;
  stats.lum_p05 = pct(0.05) / 255;
  stats.lum_p25 = pct(0.25) / 255;
  stats.lum_p50 = pct(0.5) / 255;
  stats.lum_p75 = pct(0.75) / 255;
  stats.lum_p95 = pct(0.95) / 255;
  stats.lum_p99 = pct(0.99) / 255;
  let lv = 0;
  for (let i = 0; i < n; i++) lv += (y.data[i]! / 255 - stats.lum_mean) ** 2;
  stats.lum_std = Math.sqrt(lv / n);
  stats.blown = blown / n;
  stats.black = black / n;
  // Posterisation: empty luma levels between the 1st and 99th percentile.
  const lo = pct(0.01);
  const hi = pct(0.99);
  let empty = 0;
  for (let v = lo; v <= hi; v++) if (hist[v] === 0) empty++;
  stats.empty_levels = empty / Math.max(1, hi - lo + 1);

  // Compression grids.
  [stats.grid8, stats.grid4, stats.grid16] = gridRatios(y, [8, 4, 16]) as [number, number, number];
  const [cb16, cb8] = gridRatios(cb, [16, 8]) as [number, number];
  const [cr16, cr8] = gridRatios(cr, [16, 8]) as [number, number];
  stats.grid16c = 0.5 * (cb16 + cr16);
  stats.grid8c = 0.5 * (cb8 + cr8);
  stats.flat4_aligned = alignedFlatRatio(y, 4);
  stats.flat8_aligned = alignedFlatRatio(y, 8);
  [stats.tone_grad_dark, stats.tone_grad_mid, stats.tone_grad_bright] = toneBandContrast(y);
  let entropy = 0;
  for (let v = 0; v < 256; v++) if (hist[v]! > 0) entropy -= (hist[v]! / n) * Math.log2(hist[v]! / n);
  stats.lum_entropy = entropy / 8;

  // Colour: colourfulness (Hasler & Süsstrunk 2003), chroma detail relative to luma detail.
  let srg = 0;
  let srg2 = 0;
  let syb = 0;
  let syb2 = 0;
  let sat = 0;
  for (let j = 0; j < 3 * n; j += 3) {
    const r = rgb[j]!;
    const g = rgb[j + 1]!;
    const b = rgb[j + 2]!;
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    srg += rg;
    srg2 += rg * rg;
    syb += yb;
    syb2 += yb * yb;
    const mx = Math.max(r, g, b);
    sat += mx ? (mx - Math.min(r, g, b)) / mx : 0;
  }
  const mrg = srg / n;
  const myb = syb / n;
  stats.colourfulness = (Math.sqrt(Math.max(0, srg2 / n - mrg * mrg) + Math.max(0, syb2 / n - myb * myb)) + 0.3 * Math.sqrt(mrg * mrg + myb * myb)) / 100;
  stats.saturation = sat / n;
  const gc = 0.5 * (meanGrad(cb) + meanGrad(cr));
  stats.chroma_detail = gc / Math.max(g1, 1e-6);

  return { measures: measuresFromStats(stats), map: { cols: rb.cols, rows: rb.rows, values: mapValues }, stats, planes: { y, y2 } };
}

/** The shown measures as functions of the statistics (so reports can recompute them from stored feature vectors). */
export function measuresFromStats(stats: Record<string, number>): Measures {
  return {
    sharpness: 100 * (stats.textured_share! > 0 ? focusScale(stats.sharp_p90!) : 0),
    noise: Math.sqrt(stats.noise_y_p20! ** 2 + stats.noise_c_p20! ** 2),
    clippedHighlights: 100 * stats.blown!,
    clippedShadows: 100 * stats.black!,
    meanLuminance: 100 * stats.lum_mean!,
    compression: Math.max(0, stats.grid8! - 1) + Math.max(0, stats.grid4! - 1),
  };
}

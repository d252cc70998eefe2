// Content-relative statistics: each compares the photo with a shifted, re-blurred or re-binned version of itself, so a
// mild defect shows against the photo's own content (a clean photo scores near 1 or 0 whatever it shows).
import { half, type Plane } from './planes';

/** Orthonormal DCT-II basis of size n, row u = frequency. */
function dctBasis(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let u = 0; u < n; u++) {
    const a = u === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let x = 0; x < n; x++) m[u * n + x] = a * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
  }
  return m;
}

/**
 * Share of a block transform's high-frequency coefficients (u + v ≥ n/2) that are near zero (|c| < 0.75 grey levels,
 * above the ±0.5 rounding of 8-bit RGB), over n-square blocks starting at `off`. A block codec (JPEG 8x8, WebP 4x4)
 * zeroes most of them in its own blocks; blocks straddling its grid see its block edges as high frequencies instead.
 */
function zeroHighShare(y: Plane, n: number, off: number): number {
  const { width: w, height: h, data } = y;
  const basis = dctBasis(n);
  const tmp = new Float64Array(n * n);
  let zero = 0;
  let all = 0;
  for (let by = off; by + n <= h; by += n) {
    for (let bx = off; bx + n <= w; bx += n) {
      // Rows first: tmp[r][u] = Σx block[r][x] · basis[u][x] (spelt out for 8 and 4, the same sums in the same order).
      for (let r = 0; r < n; r++) {
        const row = (by + r) * w + bx;
        if (n === 8) {
          const d0 = data[row]!, d1 = data[row + 1]!, d2 = data[row + 2]!, d3 = data[row + 3]!, d4 = data[row + 4]!, d5 = data[row + 5]!, d6 = data[row + 6]!, d7 = data[row + 7]!;
          for (let u = 0, b = 0; u < 8; u++, b += 8) {
            tmp[r * 8 + u] = 0 + d0 * basis[b]! + d1 * basis[b + 1]! + d2 * basis[b + 2]! + d3 * basis[b + 3]! + d4 * basis[b + 4]! + d5 * basis[b + 5]! + d6 * basis[b + 6]! + d7 * basis[b + 7]!;
          }
        } else if (n === 4) {
          const d0 = data[row]!, d1 = data[row + 1]!, d2 = data[row + 2]!, d3 = data[row + 3]!;
          for (let u = 0, b = 0; u < 4; u++, b += 4) tmp[r * 4 + u] = 0 + d0 * basis[b]! + d1 * basis[b + 1]! + d2 * basis[b + 2]! + d3 * basis[b + 3]!;
        } else {
          for (let u = 0; u < n; u++) {
            let s = 0;
            for (let x = 0; x < n; x++) s += data[row + x]! * basis[u * n + x]!;
            tmp[r * n + u] = s;
          }
        }
      }
      for (let v = 0; v < n; v++) {
        const b = v * n;
        for (let u = Math.max(0, Math.ceil(n / 2) - v); u < n; u++) {
          let s: number;
          if (n === 8) {
            s = 0 + tmp[u]! * basis[b]! + tmp[8 + u]! * basis[b + 1]! + tmp[16 + u]! * basis[b + 2]! + tmp[24 + u]! * basis[b + 3]! + tmp[32 + u]! * basis[b + 4]! + tmp[40 + u]! * basis[b + 5]! + tmp[48 + u]! * basis[b + 6]! + tmp[56 + u]! * basis[b + 7]!;
          } else if (n === 4) {
            s = 0 + tmp[u]! * basis[b]! + tmp[4 + u]! * basis[b + 1]! + tmp[8 + u]! * basis[b + 2]! + tmp[12 + u]! * basis[b + 3]!;
          } else {
            s = 0;
            for (let r = 0; r < n; r++) s += tmp[r * n + u]! * basis[b + r]!;
          }
          all++;
          if (Math.abs(s) < 0.75) zero++;
        }
      }
    }
  }
  return zero / Math.max(1, all);
}

/**
 * Block-codec evidence at block size n: zeroed high frequencies on the grid against the grid shifted by half a block
 * (as (aligned + 0.01) / (shifted + 0.01): about 1 for a clean photo, well above 1 after JPEG or WebP), and the
 * aligned share itself.
 */
export function blockZeroing(y: Plane, n: number): { ratio: number; aligned: number } {
  const aligned = zeroHighShare(y, n, 0);
  const shifted = zeroHighShare(y, n, n >> 1);
  return { ratio: (aligned + 0.01) / (shifted + 0.01), aligned };
}

/** Mean |4-neighbour Laplacian| over the plane's interior. */
function laplacianEnergy(p: Plane): number {
  const { width: w, height: h, data } = p;
  let s = 0;
  for (let yy = 1; yy < h - 1; yy++) {
    for (let x = 1; x < w - 1; x++) {
      const i = yy * w + x;
      s += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - w]! - data[i + w]!);
    }
  }
  return s / Math.max(1, (w - 2) * (h - 2));
}

/** Separable binomial blur [1 2 1]/4 applied `times` times, edges replicated. */
function binomial(p: Plane, times: number): Plane {
  const { width: w, height: h } = p;
  let src = p.data;
  for (let t = 0; t < times; t++) {
    const tmp = new Float32Array(w * h);
    const out = new Float32Array(w * h);
    for (let yy = 0; yy < h; yy++) {
      const row = yy * w;
      for (let x = 0; x < w; x++) tmp[row + x] = 0.25 * (src[row + Math.max(0, x - 1)]! + 2 * src[row + x]! + src[row + Math.min(w - 1, x + 1)]!);
    }
    for (let yy = 0; yy < h; yy++) {
      const up = Math.max(0, yy - 1) * w;
      const down = Math.min(h - 1, yy + 1) * w;
      for (let x = 0; x < w; x++) out[yy * w + x] = 0.25 * (tmp[up + x]! + 2 * tmp[yy * w + x]! + tmp[down + x]!);
    }
    src = out;
  }
  return { width: w, height: h, data: src };
}

/**
 * Re-blur at the finest scales (the small-kernel relative of Crété-Roffet's re-blur): the Laplacian energy left after
 * one and after two binomial passes, over the photo's own. A crisp photo loses most of its finest detail to one pass;
 * one already blurred, even slightly, has little left to lose, so the ratio rises towards 1. Also the Laplacian energy
 * at full over half scale (the spectrum's slope at its top octave).
 */
export function fineReblur(y: Plane, y2: Plane = half(y)): { once: number; twice: number; octave: number } {
  const e0 = Math.max(laplacianEnergy(y), 1e-6);
  const once = binomial(y, 1);
  return {
    once: laplacianEnergy(once) / e0,
    // Two passes are one pass over the first one's output.
    twice: laplacianEnergy(binomial(once, 1)) / e0,
    octave: e0 / Math.max(laplacianEnergy(y2), 1e-6),
  };
}

/**
 * Histogram combing of 8-bit R, G, B in the shadows (< 85), mid-tones and highlights (≥ 170): Σ |h(v) − (h(v−1) +
 * h(v+1)) / 2| over the band's levels, against what Poisson counts would give (about 1 for a smooth histogram
 * whatever the pixel count), averaged over the channels. A tone curve applied in 8 bits leaves
 * empty levels where it stretches and doubled ones where it squeezes (brighten, darken, contrast); a photo developed
 * at higher bit depth and resized has a smooth histogram (Poisson noise only).
 */
export function histogramComb(rgb: Uint8Array): [number, number, number] {
  const hist = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  for (let j = 0; j < rgb.length; j += 3) {
    hist[0]![rgb[j]!]!++;
    hist[1]![rgb[j + 1]!]!++;
    hist[2]![rgb[j + 2]!]!++;
  }
  const bands: [number, number][] = [[1, 85], [85, 170], [170, 255]];
  return bands.map(([lo, hi]) => {
    let score = 0;
    let weight = 0;
    for (const hc of hist) {
      let dev = 0;
      let expected = 0;
      let tot = 0;
      for (let v = lo; v < hi; v++) {
        dev += Math.abs(hc[v]! - 0.5 * (hc[v - 1]! + hc[v + 1]!));
        // What Poisson counts around the local mean would give: E|a - (b + c) / 2| = sqrt(1.5 λ) · sqrt(2 / π).
        let local = 0;
        for (let k = -2; k <= 2; k++) local += hc[Math.min(255, Math.max(0, v + k))]!;
        expected += Math.sqrt(1.5 * Math.max(1, local / 5)) * Math.sqrt(2 / Math.PI);
        tot += hc[v]!;
      }
      // A channel with under 200 pixels in the band says nothing about it.
      if (tot >= 200) {
        score += dev / expected;
        weight++;
      }
    }
    return weight ? score / weight : 1;
  }) as [number, number, number];
}

// Natural-scene statistics of BRISQUE (Mittal, Moorthy & Bovik, IEEE TIP 2012, §III): MSCN coefficients and their GGD / AGGD fits.
import { filterSeparable, gaussianTaps, plane, type Plane } from './planes';

/** Lanczos approximation of Γ(x) for x > 0 (g = 7, 9 terms). */
function gamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * a;
}

// Shape parameters searched by moment matching (BRISQUE's estimateggdparam / estimateaggdparam: 0.2..10).
const ALPHAS = Array.from({ length: 981 }, (_, i) => 0.2 + i * 0.01);
const RHO = ALPHAS.map((a) => (gamma(2 / a) ** 2) / (gamma(1 / a) * gamma(3 / a)));

function alphaFor(ratio: number): number {
  let best = 0;
  for (let i = 1; i < RHO.length; i++) if (Math.abs(RHO[i]! - ratio) < Math.abs(RHO[best]! - ratio)) best = i;
  return ALPHAS[best]!;
}

/** MSCN coefficients (eq. 1-3): (I - μ) / (σ + 1) with a 7x7 Gaussian window of σ = 7/6, I on the 0..255 scale. */
export function mscn(p: Plane): Plane {
  const taps = gaussianTaps(7 / 6);
  const mu = filterSeparable(p, taps);
  const sq = plane(p.width, p.height, new Float32Array(p.data.length));
  for (let i = 0; i < p.data.length; i++) sq.data[i] = p.data[i]! * p.data[i]!;
  const mu2 = filterSeparable(sq, taps);
  const out = new Float32Array(p.data.length);
  for (let i = 0; i < out.length; i++) {
    const m = mu.data[i]!;
    out[i] = (p.data[i]! - m) / (Math.sqrt(Math.abs(mu2.data[i]! - m * m)) + 1);
  }
  return plane(p.width, p.height, out);
}

/** GGD fit (eq. 4-5): shape α and variance σ². */
export function ggdFit(x: ArrayLike<number>): [number, number] {
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    s1 += Math.abs(v);
    s2 += v * v;
  }
  const n = x.length;
  const variance = s2 / n;
  return [alphaFor((s1 / n) ** 2 / Math.max(variance, 1e-12)), variance];
}

/** AGGD fit (eq. 6-8) from its sums: shape α, mean η, left and right variances; from the sums of squares left and right of 0 (with counts), of absolute values, and the count. */
function aggdFromSums(l2: number, nl: number, r2: number, nr: number, s1: number, n: number): [number, number, number, number] {
  const sl = Math.sqrt(l2 / Math.max(1, nl));
  const sr = Math.sqrt(r2 / Math.max(1, nr));
  const g = sl / Math.max(sr, 1e-12);
  const rHat = (s1 / n) ** 2 / Math.max((l2 + r2) / n, 1e-12);
  const big = (rHat * (g ** 3 + 1) * (g + 1)) / (g * g + 1) ** 2;
  const a = alphaFor(big);
  const eta = (sr - sl) * (gamma(2 / a) / gamma(1 / a)) * Math.sqrt(gamma(1 / a) / gamma(3 / a));
  return [a, eta, sl * sl, sr * sr];
}

/**
 * BRISQUE's 18 features at one scale (Table I): the GGD fit of the MSCN coefficients, then the AGGD fit of the
 * products of neighbours in four orientations (horizontal, vertical, main and secondary diagonal).
 */
export function brisqueFeatures(p: Plane): number[] {
  const m = mscn(p);
  const { width: w, height: h, data } = m;
  const out: number[] = [...ggdFit(data)];
  const shifts: [number, number][] = [[0, 1], [1, 0], [1, 1], [1, -1]];
  for (const [dy, dx] of shifts) {
    const x0 = Math.max(0, -dx);
    const x1 = w - Math.max(0, dx);
    // aggdFit over the products of neighbours (rounded to float32, as an array of them would hold), without the array.
    let l2 = 0;
    let nl = 0;
    let r2 = 0;
    let nr = 0;
    let s1 = 0;
    for (let y = 0; y < h - dy; y++) {
      const a = y * w;
      const b = (y + dy) * w + dx;
      for (let x = x0; x < x1; x++) {
        const v = Math.fround(data[a + x]! * data[b + x]!);
        s1 += Math.abs(v);
        if (v < 0) {
          l2 += v * v;
          nl++;
        } else if (v > 0) {
          r2 += v * v;
          nr++;
        }
      }
    }
    out.push(...aggdFromSums(l2, nl, r2, nr, s1, (h - dy) * (x1 - x0)));
  }
  return out;
}

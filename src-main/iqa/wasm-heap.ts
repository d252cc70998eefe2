// Memory-bound training kernels as JS loops over the wasm backend's heap: im2col, zero-dilation, strided pixels, max-pool gradient, batch-norm sums.
import type * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;

/** The parts of tfjs-wasm's BackendWasm these loops use. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(info: Info): Float32Array;
}

/**
 * A float32 output on the heap. Allocate every output before taking views: a malloc can grow the heap, which detaches
 * views taken earlier.
 */
export function heapOutput(backend: unknown, shape: number[]): Info {
  return (backend as HeapBackend).makeOutput(shape, 'float32');
}

/** A Float32Array view of a tensor on the heap (valid until the next allocation). */
export function heapView(backend: unknown, t: Info): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`wasm heap kernels take float32, got ${t.dtype}`);
  return (backend as HeapBackend).typedArrayFromHeap(t);
}

/** A sliding window: kernel size, stride, leading padding and output size. */
export interface WindowGeometry {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  ho: number;
  wo: number;
}

/**
 * The transposed im2col matrix [kh·kw·Ci, B·Ho·Wo] of a channel-major input xT [Ci, B, H, W]: row (i·kw + j)·Ci + c
 * holds x[b, ho·sh + i − top, wo·sw + j − left, c] over (b, ho, wo), zero outside the image.
 */
export function im2colTransposed(backend: unknown, xT: Info, g: WindowGeometry): Info {
  const [ci, n, h, w] = xT.shape as [number, number, number, number];
  const { kh, kw, sh, sw, top, left, ho, wo } = g;
  const out = heapOutput(backend, [kh * kw * ci, n * ho * wo]);
  const src = heapView(backend, xT);
  const dst = heapView(backend, out);
  let o = 0;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      // Output columns whose input column is inside the image: lo ≤ ow < hi.
      const x0 = j - left;
      const lo = Math.min(wo, Math.max(0, Math.ceil(-x0 / sw)));
      const hi = Math.max(lo, Math.min(wo, Math.ceil((w - x0) / sw)));
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < n; b++) {
          const plane = (c * n + b) * h * w;
          for (let oh = 0; oh < ho; oh++) {
            const y = oh * sh + i - top;
            if (y < 0 || y >= h) {
              dst.fill(0, o, o + wo);
            } else {
              const row = plane + y * w + x0;
              if (lo > 0) dst.fill(0, o, o + lo);
              if (sw === 1) dst.set(src.subarray(row + lo, row + hi), o + lo);
              else for (let ow = lo; ow < hi; ow++) dst[o + ow] = src[row + ow * sw]!;
              if (hi < wo) dst.fill(0, o + hi, o + wo);
            }
            o += wo;
          }
        }
      }
    }
  }
  return out;
}

/** NHWC dy [N,Ho,Wo,C] spread to [N,(Ho−1)·sh+1,(Wo−1)·sw+1,C] with zeros between pixels (a strided conv's dx input). */
export function zeroDilate(backend: unknown, dy: Info, sh: number, sw: number): Info {
  const [n, ho, wo, c] = dy.shape as [number, number, number, number];
  const dh = (ho - 1) * sh + 1;
  const dw = (wo - 1) * sw + 1;
  const out = heapOutput(backend, [n, dh, dw, c]);
  const src = heapView(backend, dy);
  const dst = heapView(backend, out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      const s = ((b * ho + oh) * wo) * c;
      const d = ((b * dh + oh * sh) * dw) * c;
      for (let ow = 0; ow < wo; ow++) dst.set(src.subarray(s + ow * c, s + ow * c + c), d + ow * sw * c);
    }
  }
  return out;
}

/** x[b, oh·sh, ow·sw, :] for oh < ho, ow < wo: the pixels a 1×1 strided conv reads. */
export function stridedPixels(backend: unknown, x: Info, sh: number, sw: number, ho: number, wo: number): Info {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const out = heapOutput(backend, [n, ho, wo, c]);
  const src = heapView(backend, x);
  const dst = heapView(backend, out);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      const row = (b * h + oh * sh) * w * c;
      for (let ow = 0; ow < wo; ow++, o += c) dst.set(src.subarray(row + ow * sw * c, row + ow * sw * c + c), o);
    }
  }
  return out;
}

/**
 * Max-pool gradient: each output's dy goes to the first maximum of its window in x (row-major window order, padding
 * excluded), as tfjs's cpu backend and PyTorch route it.
 */
export function maxPoolGrad(backend: unknown, dy: Info, x: Info, g: WindowGeometry): Info {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const { kh, kw, sh, sw, top, left, ho, wo } = g;
  const out = heapOutput(backend, [n, h, w, c]);
  const xs = heapView(backend, x);
  const gs = heapView(backend, dy);
  const dx = heapView(backend, out);
  dx.fill(0);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < ho; oh++) {
      const y0 = Math.max(0, oh * sh - top);
      const y1 = Math.min(h, oh * sh - top + kh);
      for (let ow = 0; ow < wo; ow++) {
        const x0 = Math.max(0, ow * sw - left);
        const x1 = Math.min(w, ow * sw - left + kw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let y = y0; y < y1; y++) {
          for (let xx = x0; xx < x1; xx++) {
            const p = ((b * h + y) * w + xx) * c;
            for (let k = 0; k < c; k++) {
              const v = xs[p + k]!;
              if (v > best[k]!) {
                best[k] = v;
                at[k] = p + k;
              }
            }
          }
        }
        const q = ((b * ho + oh) * wo + ow) * c;
        for (let k = 0; k < c; k++) if (at[k]! >= 0) dx[at[k]!] = dx[at[k]!]! + gs[q + k]!;
      }
    }
  }
  return out;
}

/** Per-channel mean and biased variance of x viewed as [M, C] (two passes, float64 sums). */
export function channelMoments(backend: unknown, x: Info): { mean: Info; variance: Info } {
  const c = x.shape[x.shape.length - 1]!;
  const mean = heapOutput(backend, [c]);
  const variance = heapOutput(backend, [c]);
  const xs = heapView(backend, x);
  const m = xs.length / c;
  const s = new Float64Array(c);
  for (let p = 0; p < xs.length; p += c) for (let k = 0; k < c; k++) s[k] = s[k]! + xs[p + k]!;
  for (let k = 0; k < c; k++) s[k] = s[k]! / m;
  const q = new Float64Array(c);
  for (let p = 0; p < xs.length; p += c) {
    for (let k = 0; k < c; k++) {
      const d = xs[p + k]! - s[k]!;
      q[k] = q[k]! + d * d;
    }
  }
  heapView(backend, mean).set(s);
  const v = heapView(backend, variance);
  for (let k = 0; k < c; k++) v[k] = q[k]! / m;
  return { mean, variance };
}

/**
 * Batch norm's backward for x viewed as [M, C], x̂ = (x − μ)·inv: dβ = Σ dy, dγ = Σ dy·x̂ = inv·(Σ dy·x − μ·Σ dy),
 * dx = γ·inv·(dy − dβ/M − x̂·dγ/M), in two passes over dy and x.
 */
export function batchNormBackward(backend: unknown, dy: Info, x: Info, mean: Info, inv: Info, gamma: Info): { dx: Info; dgamma: Info; dbeta: Info } {
  const c = x.shape[x.shape.length - 1]!;
  const dxOut = heapOutput(backend, x.shape);
  const dgOut = heapOutput(backend, [c]);
  const dbOut = heapOutput(backend, [c]);
  const [g, xs, mu, iv, gm] = [dy, x, mean, inv, gamma].map((t) => heapView(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const m = xs.length / c;
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  for (let p = 0; p < xs.length; p += c) {
    for (let k = 0; k < c; k++) {
      const d = g[p + k]!;
      sdy[k] = sdy[k]! + d;
      sdyx[k] = sdyx[k]! + d * xs[p + k]!;
    }
  }
  const dgamma = heapView(backend, dgOut);
  const dbeta = heapView(backend, dbOut);
  // dx = dy·k1 + x·a + b with k1 = γ·inv, a = −k1·inv·dγ/M, b = −k1·dβ/M − μ·a.
  const k1 = new Float32Array(c);
  const a = new Float32Array(c);
  const b0 = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const dg = iv[k]! * (sdyx[k]! - mu[k]! * sdy[k]!);
    dgamma[k] = dg;
    dbeta[k] = sdy[k]!;
    k1[k] = gm[k]! * iv[k]!;
    a[k] = (-k1[k]! * iv[k]! * dg) / m;
    b0[k] = (-k1[k]! * sdy[k]!) / m - mu[k]! * a[k]!;
  }
  const dx = heapView(backend, dxOut);
  for (let p = 0; p < xs.length; p += c) for (let k = 0; k < c; k++) dx[p + k] = g[p + k]! * k1[k]! + xs[p + k]! * a[k]! + b0[k]!;
  return { dx: dxOut, dgamma: dgOut, dbeta: dbOut };
}

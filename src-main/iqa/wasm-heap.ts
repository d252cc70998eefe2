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

/** dst[d..d+n) = src[s..s+n): an element loop for short runs (a subarray per run costs more than it copies). */
function copyRun(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  if (n < 24) for (let i = 0; i < n; i++) dst[d + i] = src[s + i]!;
  else dst.set(src.subarray(s, s + n), d);
}

/** A sliding window: kernel size, stride, leading padding and output size. */
interface WindowGeometry {
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
              if (sw === 1) copyRun(src, row + lo, dst, o + lo, hi - lo);
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

/** A conv filter [kh,kw,Ci,Co] flipped in space with its channel axes swapped: g[i,j,o,c] = f[kh−1−i, kw−1−j, c, o]. */
export function flippedFilter(backend: unknown, filter: Info): Info {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = heapOutput(backend, [kh, kw, co, ci]);
  const src = heapView(backend, filter);
  const dst = heapView(backend, out);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const sb = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      const db = (i * kw + j) * co * ci;
      for (let c = 0; c < ci; c++) {
        const s0 = sb + c * co;
        for (let o = 0; o < co; o++) dst[db + o * ci + c] = src[s0 + o]!;
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
      for (let ow = 0; ow < wo; ow++) copyRun(src, s + ow * c, dst, d + ow * sw * c, c);
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
      for (let ow = 0; ow < wo; ow++, o += c) copyRun(src, row + ow * sw * c, dst, o, c);
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

/**
 * Mean and biased variance of x viewed as [G, M, C] per group and channel, as [G·C] (two passes, float64 sums): G = 1
 * for batch norm, G = the batch for instance norm.
 */
export function channelMoments(backend: unknown, x: Info, groups = 1): { mean: Info; variance: Info } {
  const c = x.shape[x.shape.length - 1]!;
  const mean = heapOutput(backend, [groups * c]);
  const variance = heapOutput(backend, [groups * c]);
  const xs = heapView(backend, x);
  const span = xs.length / groups;
  const m = span / c;
  // One pass of shifted sums Σ(x − K), Σ(x − K)² with K = the group's first value per channel (no cancellation when
  // the mean is far from 0): mean = K + S/M, var = Q/M − (S/M)².
  const s = new Float64Array(c);
  const q = new Float64Array(c);
  const shift = new Float64Array(c);
  const mv = heapView(backend, mean);
  const vv = heapView(backend, variance);
  for (let g = 0; g < groups; g++) {
    const o = g * c;
    const start = g * span;
    for (let k = 0; k < c; k++) shift[k] = xs[start + k]!;
    s.fill(0);
    q.fill(0);
    for (let p = start; p < start + span; p += c) {
      for (let k = 0; k < c; k++) {
        const d = xs[p + k]! - shift[k]!;
        s[k] = s[k]! + d;
        q[k] = q[k]! + d * d;
      }
    }
    for (let k = 0; k < c; k++) {
      const d = s[k]! / m;
      mv[o + k] = shift[k]! + d;
      vv[o + k] = Math.max(0, q[k]! / m - d * d);
    }
  }
  return { mean, variance };
}

/**
 * The backward of normalisation over x viewed as [G, M, C] with statistics per group and channel (mean, inv [G·C];
 * γ [C] shared), x̂ = (x − μ)·inv: per group dβ_g = Σ dy, dγ_g = Σ dy·x̂ = inv·(Σ dy·x − μ·Σ dy),
 * dx = γ·inv·(dy − dβ_g/M − x̂·dγ_g/M); dγ and dβ are the sums over groups. Two passes over dy and x. With `act`
 * the forward was a (leaky) ReLU of z = γx̂ + β: dy is scaled by 1 where z > 0, else by the slope α (0: ReLU).
 */
export function batchNormBackward(
  backend: unknown,
  dy: Info,
  x: Info,
  mean: Info,
  inv: Info,
  gamma: Info,
  groups = 1,
  act: { beta: Info; alpha: number } | null = null,
): { dx: Info; dgamma: Info; dbeta: Info } {
  const c = x.shape[x.shape.length - 1]!;
  const dxOut = heapOutput(backend, x.shape);
  const dgOut = heapOutput(backend, [c]);
  const dbOut = heapOutput(backend, [c]);
  const [dys, xs, mu, iv, gm] = [dy, x, mean, inv, gamma].map((t) => heapView(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const bt = act ? heapView(backend, act.beta) : null;
  const alpha = act?.alpha ?? 0;
  const dgamma = heapView(backend, dgOut);
  const dbeta = heapView(backend, dbOut);
  const dx = heapView(backend, dxOut);
  // With an activation, its masked dy is written to dx in the first pass and read back from there in the second.
  const g = bt ? dx : dys;
  dgamma.fill(0);
  dbeta.fill(0);
  const span = xs.length / groups;
  const m = span / c;
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  // dx = dy·k1 + x·a + b with k1 = γ·inv, a = −k1·inv·dγ_g/M, b = −k1·dβ_g/M − μ·a.
  const k1 = new Float32Array(c);
  const a = new Float32Array(c);
  const b0 = new Float32Array(c);
  for (let grp = 0; grp < groups; grp++) {
    const start = grp * span;
    const end = start + span;
    const o = grp * c;
    sdy.fill(0);
    sdyx.fill(0);
    if (bt) {
      for (let k = 0; k < c; k++) {
        k1[k] = gm[k]! * iv[o + k]!;
        b0[k] = bt[k]! - mu[o + k]! * k1[k]!;
      }
      for (let p = start; p < end; p += c) {
        for (let k = 0; k < c; k++) {
          const xv = xs[p + k]!;
          const d = xv * k1[k]! + b0[k]! > 0 ? dys[p + k]! : alpha * dys[p + k]!;
          dx[p + k] = d;
          sdy[k] = sdy[k]! + d;
          sdyx[k] = sdyx[k]! + d * xv;
        }
      }
    } else {
      for (let p = start; p < end; p += c) {
        for (let k = 0; k < c; k++) {
          const d = dys[p + k]!;
          sdy[k] = sdy[k]! + d;
          sdyx[k] = sdyx[k]! + d * xs[p + k]!;
        }
      }
    }
    for (let k = 0; k < c; k++) {
      const dg = iv[o + k]! * (sdyx[k]! - mu[o + k]! * sdy[k]!);
      dgamma[k] = dgamma[k]! + dg;
      dbeta[k] = dbeta[k]! + sdy[k]!;
      k1[k] = gm[k]! * iv[o + k]!;
      a[k] = (-k1[k]! * iv[o + k]! * dg) / m;
      b0[k] = (-k1[k]! * sdy[k]!) / m - mu[o + k]! * a[k]!;
    }
    for (let p = start; p < end; p += c) for (let k = 0; k < c; k++) dx[p + k] = g[p + k]! * k1[k]! + xs[p + k]! * a[k]! + b0[k]!;
  }
  return { dx: dxOut, dgamma: dgOut, dbeta: dbOut };
}

/** Adam's constants for one step: c1 = 1 − β₁ᵗ, c2 = 1 − β₂ᵗ (float32, as tf.train.adam computes them). */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  c1: number;
  c2: number;
}

/**
 * tf.train.adam's update for n (x, m, v, g) quadruples in one pass each, into new buffers [x′, m′, v′] per variable:
 * m′ = β₁m + (1 − β₁)g, v′ = β₂v + (1 − β₂)g², x′ = x − lr·(m′/c1) / (√(v′/c2) + ε), rounding to float32 where its
 * ops do.
 */
export function adamUpdate(backend: unknown, quads: [Info, Info, Info, Info][], s: AdamStep): Info[] {
  const outs = quads.flatMap(([x]) => [heapOutput(backend, x.shape), heapOutput(backend, x.shape), heapOutput(backend, x.shape)]);
  const f = Math.fround;
  const [b1, b2, a1, a2, c1, c2, eps, nlr] = [s.beta1, s.beta2, 1 - s.beta1, 1 - s.beta2, s.c1, s.c2, s.eps, -s.lr].map(f) as number[];
  quads.forEach(([x, m, v, g], q) => {
    const [xs, ms, vs, gs, xo, mo, vo] = [x, m, v, g, outs[3 * q]!, outs[3 * q + 1]!, outs[3 * q + 2]!].map((t) => heapView(backend, t)) as Float32Array[];
    for (let i = 0; i < xs!.length; i++) {
      const gi = gs![i]!;
      const mi = f(f(ms![i]! * b1!) + f(gi * a1!));
      const vi = f(f(vs![i]! * b2!) + f(f(gi * gi) * a2!));
      mo![i] = mi;
      vo![i] = vi;
      xo![i] = f(xs![i]! + f(f(f(mi / c1!) / f(f(Math.sqrt(f(vi / c2!))) + eps!)) * nlr!));
    }
  });
  return outs;
}

/** Σ over all leading axes of x viewed as [M, C]: [C] (float64 sums), a bias's gradient in one pass. */
export function channelSum(backend: unknown, x: Info): Info {
  const c = x.shape[x.shape.length - 1]!;
  const out = heapOutput(backend, [c]);
  const xs = heapView(backend, x);
  const s = new Float64Array(c);
  for (let p = 0; p < xs.length; p += c) for (let k = 0; k < c; k++) s[k] = s[k]! + xs[p + k]!;
  heapView(backend, out).set(s);
  return out;
}

/** The backward of y = ReLU(x + b) from dy and y: dx = dy where y > 0 (else 0), db = Σ dx over all but the last axis. */
export function biasReluBackward(backend: unknown, dy: Info, y: Info): { dx: Info; db: Info } {
  const c = y.shape[y.shape.length - 1]!;
  const dxOut = heapOutput(backend, y.shape);
  const dbOut = heapOutput(backend, [c]);
  const [gs, ys, dx] = [dy, y, dxOut].map((t) => heapView(backend, t)) as [Float32Array, Float32Array, Float32Array];
  const s = new Float64Array(c);
  for (let p = 0; p < ys.length; p += c) {
    for (let k = 0; k < c; k++) {
      const g = ys[p + k]! > 0 ? gs[p + k]! : 0;
      dx[p + k] = g;
      s[k] = s[k]! + g;
    }
  }
  heapView(backend, dbOut).set(s);
  return { dx: dxOut, db: dbOut };
}

/** Index i of a side n reflected into [0, n) without repeating the edge (PyTorch ReflectionPad2d): −1 → 1, n → n − 2. */
function reflectIndex(i: number, n: number): number {
  return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
}

/**
 * Reflection padding of NHWC x by p pixels on all four sides (forward), or its gradient (backward: dy [N,H+2p,W+2p,C]
 * summed back onto the pixels each padded pixel copies).
 */
export function reflectPad(backend: unknown, t: Info, p: number, backward: boolean): Info {
  const [n, th, tw, c] = t.shape as [number, number, number, number];
  const [h, w] = backward ? [th - 2 * p, tw - 2 * p] : [th, tw];
  const out = heapOutput(backend, backward ? [n, h, w, c] : [n, h + 2 * p, w + 2 * p, c]);
  const src = heapView(backend, t);
  const dst = heapView(backend, out);
  if (backward) dst.fill(0);
  const [ph, pw] = [h + 2 * p, w + 2 * p];
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < ph; r++) {
      const y = reflectIndex(r - p, h);
      for (let q = 0; q < pw; q++) {
        const x = reflectIndex(q - p, w);
        const small = ((b * h + y) * w + x) * c;
        const big = ((b * ph + r) * pw + q) * c;
        if (!backward) copyRun(src, small, dst, big, c);
        else for (let k = 0; k < c; k++) dst[small + k] = dst[small + k]! + src[big + k]!;
      }
    }
  }
  return out;
}

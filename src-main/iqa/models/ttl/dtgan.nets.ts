// TTL-IQA's DT-GAN networks (Yang, Li & Liu, TMM 2021, §IV-A, Table II, Fig. 4-5; methods.md §3.2.1-3.2.2): the D-Gnet/H-Gnet resize-convolution generator and the D-Dnet/H-Dnet 70×70 PatchGAN.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { affineNormOp, instanceNormActOp } from '../../layers/norm';
import { ParamStore } from '../../layers/param-store';
import type { Param } from '../../layers/torch-params';
import { biasAdd, conv, ownedVariable } from '../../layers/torch-params';
import { hasFastHeapKernels, REFLECT_PAD, REFLECT_PAD_GRAD } from '../../wasm-kernels';

/** Instance-norm ε (PyTorch's InstanceNorm2d default). */
export const IN_EPS = 1e-5;

/**
 * Conv weights N(0, 0.02²) [U]: the paper gives no initialisation; this is CycleGAN/pix2pix's `init_type='normal'`.
 * ParamStore draws std = gain/√fan_in, so the gain is chosen to cancel the fan-in.
 */
const INIT_STD = 0.02;

function convParam(s: ParamStore, name: string, k: number, cin: number, cout: number, bias: boolean): void {
  s.conv(name, k, cin, cout, bias, INIT_STD * Math.sqrt(k * k * cin));
}

/** Affine instance-norm parameters `${name}.weight` = 1 and `${name}.bias` = 0 (PyTorch's affine InstanceNorm2d). */
function instanceNormParams(s: ParamStore, name: string, c: number): void {
  for (const [suffix, init] of [['weight', tf.ones([c])], ['bias', tf.zeros([c])]] as const) {
    const key = `${name}.${suffix}`;
    if (s.params.has(key)) throw new Error(`parameter ${key} defined twice`);
    s.params.set(key, { variable: ownedVariable(init), layout: 'vector', trainable: true });
  }
}

function sliceAxis(x: tf.Tensor4D, axis: 1 | 2, begin: number, size: number): tf.Tensor4D {
  const b = [0, 0, 0, 0];
  const s = [-1, -1, -1, -1];
  b[axis] = begin;
  s[axis] = size;
  return tf.slice(x, b, s);
}

function reflectAxis(x: tf.Tensor4D, p: number, axis: 1 | 2): tf.Tensor4D {
  if (p === 0) return x;
  const n = x.shape[axis];
  if (p >= n) throw new AppError('bad_input', `reflection padding of ${p} needs a side of at least ${p + 1} pixels, got ${n}`);
  const before = tf.reverse(sliceAxis(x, axis, 1, p), axis);
  const after = tf.reverse(sliceAxis(x, axis, n - 1 - p, p), axis);
  return tf.concat([before, x, after], axis);
}

/**
 * Reflection padding of `p` pixels on all four sides of H and W (PyTorch ReflectionPad2d, the edge pixel is not
 * repeated: [a b c d] → [c b | a b c d | c b] for p = 2). Built from slice, reverse and concat because tfjs's
 * MirrorPad gradient only slices dy and drops the mirrored contributions.
 */
export function reflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p > 0 && hasFastHeapKernels()) {
    for (const n of [x.shape[1], x.shape[2]]) {
      if (p >= n) throw new AppError('bad_input', `reflection padding of ${p} needs a side of at least ${p + 1} pixels, got ${n}`);
    }
    return heapReflectPad(x, p);
  }
  return tf.tidy(() => reflectAxis(reflectAxis(x, p, 1), p, 2));
}

/** On wasm (fast kernels): one heap pass each way (src-main/iqa/wasm-heap.ts) instead of slices, reverses and concats. */
function heapReflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [input] = args as [tf.Tensor4D];
    return {
      value: tf.engine().runKernel(REFLECT_PAD, { x: input }, { pad: p }) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.engine().runKernel(REFLECT_PAD_GRAD, { dy: dy as tf.Tensor4D }, { pad: p }) as tf.Tensor4D],
    };
  });
  return op(x) as tf.Tensor4D;
}

/** Affine instance norm: per sample and channel over H×W (biased variance), with the hand-written backward of affineNormOp. */
const instanceNormOp = affineNormOp([1, 2], IN_EPS);

export function instanceNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  return instanceNormOp(x, gamma, beta);
}

/** Instance norm then ReLU, and then LeakyReLU(0.2) (one heap kernel each way on wasm). */
const instanceNormRelu = instanceNormActOp(IN_EPS, 'relu');
const instanceNormLeaky = instanceNormActOp(IN_EPS, { leaky: 0.2 });

/**
 * Nearest-neighbour ×2 upsampling by reshape and broadcast: the same values as tf.image.resizeNearestNeighbor, but its
 * gradient is a plain sum on every backend (tfjs 4.22's cpu ResizeNearestNeighborGrad is wrong for batches > 1).
 */
export function upsampleNearest2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  // Two rank-4 broadcasts (columns, then rows): tfjs has no Tile gradient above rank 4.
  return tf.tidy(() => {
    const cols = x.reshape([b * h, w, 1, c]).broadcastTo([b * h, w, 2, c]);
    return cols.reshape([b, h, 1, 2 * w * c]).broadcastTo([b, h, 2, 2 * w * c]).reshape([b, 2 * h, 2 * w, c]) as tf.Tensor4D;
  });
}

/** Zero padding of `pad` on every side, then a 'valid' conv (PyTorch Conv2d(padding=pad)). */
function zeroPadConv(x: tf.Tensor4D, w: tf.Tensor, stride: number, pad: number): tf.Tensor4D {
  const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
  return conv(padded, w, stride, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Generator (D-Gnet = H-Gnet)

export interface TranslatorGeneratorOptions {
  /** w: channels of SC1; SC2 has 2w, SC3 and the RBs 4w (64 in Table II). */
  width: number;
  /** Residual blocks at 4w (the text says three, Table II lists two; default 3) [P, U]. */
  residualBlocks: number;
  seed: number;
}

export interface TranslatorGenerator {
  readonly options: TranslatorGeneratorOptions;
  /** `sc1.weight`, `sc1.norm.{weight,bias}`, ..., `rb{i}.conv{1,2}.weight`, `rb{i}.norm{1,2}.*`, `rc{1,2}.*`, `sc4.{weight,bias}`. */
  readonly params: Map<string, Param>;
  readonly store: ParamStore;
  /** What H and W must divide by (two stride-2 convs). */
  readonly multiple: number;
  /** Translates an NHWC batch in [0,1] to [0,1]; H and W multiples of 4 and at least 8. Call inside tf.tidy. */
  forward(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/**
 * Table II's generator (Fig. 4): ReflPad3-SC1 7×7 (3→w) → SC2 3×3 s2 p1 (w→2w) → SC3 3×3 s2 p1 (2w→4w) →
 * N × RB [ReflPad1-Conv3-IN-ReLU-ReflPad1-Conv3-IN + identity] → RC1 (NN ×2, ReflPad1, Conv3 4w→2w) → RC2 (NN ×2,
 * ReflPad1, Conv3 2w→w; the printed 256→128 is a typo) → ReflPad3-SC4 7×7 (w→3) → tanh. InstanceNorm + ReLU after
 * every conv but SC4 [U, CycleGAN]. Convs followed by IN have no bias (IN removes it); SC4 has one. Images are mapped
 * [0,1] → [−1,1] on the way in and back on the way out [U].
 */
export function createTranslatorGenerator(opts: TranslatorGeneratorOptions): TranslatorGenerator {
  const { width: w, residualBlocks } = opts;
  if (w < 1 || residualBlocks < 0) throw new AppError('validation', 'DT-GAN generator: width must be ≥ 1 and residualBlocks ≥ 0');
  const s = new ParamStore(opts.seed);
  const convIn = (name: string, k: number, cin: number, cout: number) => {
    convParam(s, name, k, cin, cout, false);
    instanceNormParams(s, `${name}.norm`, cout);
  };
  convIn('sc1', 7, 3, w);
  convIn('sc2', 3, w, 2 * w);
  convIn('sc3', 3, 2 * w, 4 * w);
  for (let i = 1; i <= residualBlocks; i++) {
    convParam(s, `rb${i}.conv1`, 3, 4 * w, 4 * w, false);
    instanceNormParams(s, `rb${i}.norm1`, 4 * w);
    convParam(s, `rb${i}.conv2`, 3, 4 * w, 4 * w, false);
    instanceNormParams(s, `rb${i}.norm2`, 4 * w);
  }
  convIn('rc1', 3, 4 * w, 2 * w);
  convIn('rc2', 3, 2 * w, w);
  convParam(s, 'sc4', 7, w, 3, true);

  const norm = (x: tf.Tensor4D, name: string) => instanceNorm(x, s.v(`${name}.weight`) as tf.Tensor1D, s.v(`${name}.bias`) as tf.Tensor1D);
  const normRelu = (x: tf.Tensor4D, name: string) => instanceNormRelu(x, s.v(`${name}.weight`) as tf.Tensor1D, s.v(`${name}.bias`) as tf.Tensor1D);
  const w4 = (name: string) => s.v(`${name}.weight`);

  const forward = (x: tf.Tensor4D): tf.Tensor4D => {
    const [, hgt, wid, c] = x.shape;
    if (c !== 3 || hgt % 4 !== 0 || wid % 4 !== 0 || hgt < 8 || wid < 8) {
      throw new AppError('bad_input', `DT-GAN generator: input ${hgt}x${wid}x${c} must be RGB with sides that are multiples of 4 and at least 8`);
    }
    let h = normRelu(conv(reflectPad(x.mul(2).sub(1) as tf.Tensor4D, 3), w4('sc1'), 1, 0), 'sc1.norm');
    h = normRelu(zeroPadConv(h, w4('sc2'), 2, 1), 'sc2.norm');
    h = normRelu(zeroPadConv(h, w4('sc3'), 2, 1), 'sc3.norm');
    for (let i = 1; i <= residualBlocks; i++) {
      let r = normRelu(conv(reflectPad(h, 1), w4(`rb${i}.conv1`), 1, 0), `rb${i}.norm1`);
      r = norm(conv(reflectPad(r, 1), w4(`rb${i}.conv2`), 1, 0), `rb${i}.norm2`);
      h = tf.add(h, r);
    }
    h = normRelu(conv(reflectPad(upsampleNearest2(h), 1), w4('rc1'), 1, 0), 'rc1.norm');
    h = normRelu(conv(reflectPad(upsampleNearest2(h), 1), w4('rc2'), 1, 0), 'rc2.norm');
    const y = tf.tanh(biasAdd(conv(reflectPad(h, 3), w4('sc4'), 1, 0), s.v('sc4.bias')));
    return y.add(1).mul(0.5) as tf.Tensor4D;
  };

  return { options: opts, params: s.params, store: s, multiple: 4, forward, dispose: () => s.dispose() };
}

// ---------------------------------------------------------------------------------------------------------------
// PatchGAN discriminator (D-Dnet = H-Dnet)

export interface PatchDiscriminatorOptions {
  /** w: channels of SC_m1; SC_m2..SC_m4 have 2w, 4w, 8w (64 in Table II). */
  width: number;
  seed: number;
}

export interface PatchDiscriminatorForwardOptions {
  /**
   * False drops the instance norms. IN's per-channel statistics span the whole map, so with it every logit depends a
   * little on every pixel; without it a logit sees exactly its 70×70 footprint (used to check the receptive field).
   */
  instanceNorm?: boolean;
}

export interface PatchDiscriminator {
  readonly options: PatchDiscriminatorOptions;
  /** `sc_m1.{weight,bias}`, `sc_m{2,3,4}.weight` + `sc_m{2,3,4}.norm.{weight,bias}`, `sc_m5.{weight,bias}`. */
  readonly params: Map<string, Param>;
  readonly store: ParamStore;
  /** Real/fake logits [B, h, w, 1] (one per 70×70 patch) for an NHWC batch in [0,1]. Call inside tf.tidy. */
  forward(x: tf.Tensor4D, o?: PatchDiscriminatorForwardOptions): tf.Tensor4D;
  dispose(): void;
}

/** Table II's discriminator layers (kernel, stride, zero padding); SC_m2's printed padding 4 is taken as 1 (§9.3). */
export const PATCHGAN_LAYERS: readonly { k: number; s: number; p: number }[] = [
  { k: 4, s: 2, p: 1 },
  { k: 4, s: 2, p: 1 },
  { k: 4, s: 2, p: 1 },
  { k: 4, s: 1, p: 1 },
  { k: 4, s: 1, p: 1 },
];

/** Logit-map side for an input side n: 30 for 256 [I]. */
export function patchGanOutputSize(n: number): number {
  return PATCHGAN_LAYERS.reduce((m, l) => Math.floor((m + 2 * l.p - l.k) / l.s) + 1, n);
}

/** Input rows (or columns) [first, last] seen by logit row (column) `o`; may reach into the padding. */
export function patchGanFootprint(o: number): [number, number] {
  let lo = o;
  let hi = o;
  for (let i = PATCHGAN_LAYERS.length - 1; i >= 0; i--) {
    const l = PATCHGAN_LAYERS[i]!;
    lo = lo * l.s - l.p;
    hi = hi * l.s - l.p + l.k - 1;
  }
  return [lo, hi];
}

/** 70: the side of the footprint of one logit [P §IV-D]. */
export const PATCHGAN_RECEPTIVE_FIELD = patchGanFootprint(0)[1] - patchGanFootprint(0)[0] + 1;

/**
 * Table II's five SC layers as a PatchGAN [P §IV-D]: SC_m1 (3→w) LReLU(0.2); SC_m2 (w→2w), SC_m3 (2w→4w),
 * SC_m4 (4w→8w) each IN + LReLU(0.2); SC_m5 (8w→1) = logits [U, pix2pix]. Input mapped [0,1] → [−1,1] [U].
 */
export function createPatchDiscriminator(opts: PatchDiscriminatorOptions): PatchDiscriminator {
  const w = opts.width;
  if (w < 1) throw new AppError('validation', 'DT-GAN discriminator: width must be ≥ 1');
  const s = new ParamStore(opts.seed);
  const channels = [3, w, 2 * w, 4 * w, 8 * w, 1];
  PATCHGAN_LAYERS.forEach((l, i) => {
    const name = `sc_m${i + 1}`;
    const normed = i >= 1 && i <= 3;
    convParam(s, name, l.k, channels[i]!, channels[i + 1]!, !normed);
    if (normed) instanceNormParams(s, `${name}.norm`, channels[i + 1]!);
  });

  const forward = (x: tf.Tensor4D, o: PatchDiscriminatorForwardOptions = {}): tf.Tensor4D => {
    const useNorm = o.instanceNorm ?? true;
    const [, hgt, wid, c] = x.shape;
    if (c !== 3 || patchGanOutputSize(Math.min(hgt, wid)) < 1) {
      throw new AppError('bad_input', `DT-GAN discriminator: input ${hgt}x${wid}x${c} must be RGB and at least 24 pixels a side`);
    }
    let h = x.mul(2).sub(1) as tf.Tensor4D;
    PATCHGAN_LAYERS.forEach((l, i) => {
      const name = `sc_m${i + 1}`;
      h = zeroPadConv(h, s.v(`${name}.weight`), l.s, l.p);
      const last = i === PATCHGAN_LAYERS.length - 1;
      if (s.has(`${name}.bias`)) h = biasAdd(h, s.v(`${name}.bias`));
      else if (useNorm) {
        const [g, b] = [s.v(`${name}.norm.weight`) as tf.Tensor1D, s.v(`${name}.norm.bias`) as tf.Tensor1D];
        h = last ? instanceNorm(h, g, b) : instanceNormLeaky(h, g, b);
        return;
      }
      if (!last) h = tf.leakyRelu(h, 0.2);
    });
    return h;
  };

  return { options: opts, params: s.params, store: s, forward, dispose: () => s.dispose() };
}

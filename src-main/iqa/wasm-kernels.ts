// Fast training kernels for the tfjs wasm backend: conv gradients and transposed matmuls as XNNPACK convs and GEMMs.
import * as tf from '@tensorflow/tfjs';
import { adamUpdate, batchNormBackward, biasReluBackward, channelMoments, channelSum, flippedFilter, heapOutput, heapView, im2colTransposed, maxPoolGrad, reflectPad, stridedPixels, zeroDilate, type AdamStep } from './wasm-heap';

type Info = tf.TensorInfo;
type KernelFunc = (args: { inputs: Record<string, Info> | Info[]; backend: unknown; attrs: Record<string, unknown> }) => Info;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** The wasm backend's own kernels, looked up once (before this module replaces any of them). */
const original = new Map<string, KernelFunc>();
function wasmKernel(name: string): KernelFunc {
  let k = original.get(name);
  if (!k) {
    const found = tf.getKernel(name, 'wasm');
    if (!found) throw new Error(`wasm backend has no ${name} kernel`);
    k = found.kernelFunc as unknown as KernelFunc;
    original.set(name, k);
  }
  return k;
}

/** Runs wasm kernels inside a kernel and frees every intermediate it made except the ones returned. */
class Scratch {
  private made: Info[] = [];
  constructor(private readonly backend: unknown) {}
  run(name: string, inputs: Record<string, Info> | Info[], attrs: Record<string, unknown> = {}): Info {
    const out = wasmKernel(name)({ inputs, backend: this.backend, attrs });
    this.made.push(out);
    return out;
  }
  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }
  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }
  matMul(a: Info, b: Info): Info {
    return this.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }
  /** Adopts a tensor made outside `run` (a heap kernel's output), to be freed by `done`. */
  own(t: Info): Info {
    this.made.push(t);
    return t;
  }
  /** Disposes everything made except `keep`. */
  done(keep: Info): Info {
    const b = this.backend as { disposeData(id: unknown): void };
    for (const t of this.made) if (t !== keep) b.disposeData(t.dataId);
    this.made = [];
    return keep;
  }
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
}

function nhwcOnly(kernel: string, attrs: ConvAttrs) {
  if (attrs.dataFormat && attrs.dataFormat !== 'NHWC') throw new Error(`${kernel} on wasm supports NHWC only`);
}

/**
 * dW[i,j,ci,co] = Σ_{b,ho,wo} xpad[b, ho·s + i, wo·s + j, ci] · dy[b,ho,wo,co]: with x transposed once to
 * [Ci, B, Hp, Wp], each kernel tap (i,j) is a strided slice [Ci, B·Ho·Wo] times dy [B·Ho·Wo, Co], one GEMM per tap.
 */
const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  nhwcOnly('Conv2DBackpropFilter', a);
  const [kh, kw, ci, co] = a.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo, batchSize: n } = info;
  const m = n * ho * wo;
  const s = new Scratch(backend);
  const dy2 = s.reshape(dy, [m, co]);
  const { top, bottom, left, right } = info.padInfo;
  if (kh === 1 && kw === 1 && top + bottom + left + right === 0) {
    // Pointwise: dW = x_sᵀ · dy with x_s the strided input pixels.
    const xs = sh === 1 && sw === 1 ? x : s.own(stridedPixels(backend, x, sh, sw, ho, wo));
    const xT = s.transpose(s.reshape(xs, [m, ci]), [1, 0]);
    return s.done(s.reshape(s.matMul(xT, dy2), [1, 1, ci, co]));
  }
  // im2col, transposed: x → [Ci,B,H,W] once (XNNPACK), then every tap's rows copied on the heap into one
  // [kh·kw·Ci, B·Ho·Wo] matrix (zero outside the image), then one GEMM with dy.
  const xT = s.transpose(x, [3, 0, 1, 2]);
  const cols = s.own(im2colTransposed(backend, xT, { kh, kw, sh, sw, top, left, ho, wo }));
  return s.done(s.reshape(s.matMul(cols, dy2), [kh, kw, ci, co]));
};

/** The previous kernel, kept for the before/after bench: dW as an XNNPACK conv of x (channels as batch) with dy as the filter. */
const conv2dBackpropFilterViaConv: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  nhwcOnly('Conv2DBackpropFilter', a);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
  const s = new Scratch(backend);
  const { top, bottom, left, right } = info.padInfo;
  const full = s.run('Conv2D', { x: s.transpose(x, [3, 1, 2, 0]), filter: s.transpose(dy, [1, 2, 0, 3]) }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [info.strideHeight, info.strideWidth],
  });
  const [kh, kw, ci, co] = a.filterShape;
  const cropped = s.run('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
  return s.done(s.transpose(cropped, [1, 2, 0, 3]));
};

interface BackendData {
  dataIdMap: { has(id: unknown): boolean };
  disposeData(id: unknown): void;
}

/**
 * Flipped filters by their source filter's data: a step's micro-batches reuse one flipped filter per conv, so it is
 * transformed once and XNNPACK (whose conv operators are cached by filter) packs it once. An entry goes when its source
 * is freed (an optimiser step assigns each variable new data).
 */
const flippedByFilter = new Map<unknown, Info>();

function cachedFlippedFilter(backend: unknown, filter: Info): Info {
  const b = backend as BackendData;
  for (const [src, flipped] of flippedByFilter) {
    if (!b.dataIdMap.has(src)) {
      b.disposeData(flipped.dataId);
      flippedByFilter.delete(src);
    }
  }
  let flipped = flippedByFilter.get(filter.dataId);
  if (!flipped) {
    flipped = flippedFilter(backend, filter);
    flippedByFilter.set(filter.dataId, flipped);
  }
  return flipped;
}

/**
 * dx is the forward convolution of dy (zero-dilated by the stride) with the filter flipped in space and with its
 * channel axes swapped, padded by k − 1 − pad: one XNNPACK conv instead of tfjs-wasm's scalar loop.
 */
const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  nhwcOnly('Conv2DBackpropInput', a);
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, [kh, kw, ci, co], a.strides, 1, a.pad, a.dimRoundingMode);
  const { strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo, batchSize: n, inHeight: h, inWidth: w } = info;
  const s = new Scratch(backend);
  const g = sh > 1 || sw > 1 ? s.own(zeroDilate(backend, dy, sh, sw)) : dy;
  const dh = (ho - 1) * sh + 1;
  const dw = (wo - 1) * sw + 1;
  const { top, left } = info.padInfo;
  const pt = kh - 1 - top;
  const pl = kw - 1 - left;
  const pb = h - dh + kh - 1 - pt;
  const pr = w - dw + kw - 1 - pl;
  const swapped = cachedFlippedFilter(backend, filter);
  let gp = g;
  let [cpt, cpb, cpl, cpr] = [pt, pb, pl, pr];
  if (Math.min(pt, pb, pl, pr) < 0) {
    // A crop (padding larger than the kernel reach) is a slice before the conv.
    const [bt, bl] = [Math.max(0, -pt), Math.max(0, -pl)];
    gp = s.run('Slice', { x: g }, { begin: [0, bt, bl, 0], size: [n, dh - bt - Math.max(0, -pb), dw - bl - Math.max(0, -pr), co] });
    [cpt, cpb, cpl, cpr] = [Math.max(0, pt), Math.max(0, pb), Math.max(0, pl), Math.max(0, pr)];
  }
  const out = s.run('Conv2D', { x: gp, filter: swapped }, {
    strides: [1, 1],
    pad: [[0, 0], [cpt, cpb], [cpl, cpr], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
  });
  return s.done(out);
};

/** tfjs-wasm multiplies transposed operands in a scalar loop; an explicit transpose first keeps XNNPACK's GEMM. */
const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: Info; b: Info };
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return wasmKernel('BatchMatMul')({ inputs, backend, attrs });
  const s = new Scratch(backend);
  const swapLast = (t: Info) => s.transpose(t, [...t.shape.keys()].map((k, _, all) => (k < all.length - 2 ? k : all.length * 2 - 3 - k)));
  return s.done(s.matMul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b));
};

/** tfjs-wasm's MaxPoolGrad is a scalar C++ loop over every window per input pixel; one heap pass routes dy instead. */
const maxPoolGradKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const a = attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: ho, outWidth: wo } = info;
  return maxPoolGrad(backend, dy, input, { kh, kw, sh, sw, top: info.padInfo.top, left: info.padInfo.left, ho, wo });
};

/** Batch statistics of NHWC x over batch and pixels: [mean, biased variance] per channel. */
export const BATCH_MOMENTS = 'IqaBatchMoments';
/**
 * Training normalisation forward: inputs x, gamma, beta; attrs eps and perSample (false: batch norm, statistics per
 * channel; true: instance norm, per sample and channel), relu and alpha (y = z > 0 ? z : α·z for z = γx̂ + β, α = 0 for
 * ReLU); outputs [y, mean, 1/√(var + ε)],
 * statistics [G·C], and the biased variance as a 4th output.
 */
export const BATCH_NORM_TRAIN = 'IqaBatchNormTrain';
/** Its backward: inputs dy, x, mean, inv, gamma (and beta when attr relu); attr perSample; outputs [dx, dγ, dβ]. */
export const BATCH_NORM_GRAD = 'IqaBatchNormGrad';

const groupsOf = (x: Info, attrs: unknown) => ((attrs as { perSample?: boolean }).perSample ? x.shape[0]! : 1);

const batchMoments: KernelFunc = ({ inputs, backend }) => {
  const { mean, variance } = channelMoments(backend, (inputs as { x: Info }).x);
  return [mean, variance] as unknown as Info;
};

const batchNormTrain: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as { x: Info; gamma: Info; beta: Info };
  const { eps, relu, alpha = 0 } = attrs as { eps: number; relu?: boolean; alpha?: number };
  const groups = groupsOf(x, attrs);
  const { mean, variance } = channelMoments(backend, x, groups);
  const y = heapOutput(backend, x.shape);
  const biased = heapOutput(backend, variance.shape);
  heapView(backend, biased).set(heapView(backend, variance));
  const [xs, ys, mu, va, gm, bt] = [x, y, mean, variance, gamma, beta].map((t) => heapView(backend, t)) as Float32Array[];
  const c = gm!.length;
  const span = xs!.length / groups;
  // variance becomes inv in place; y = x·scale + shift with scale = γ·inv, shift = β − μ·scale.
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let g = 0; g < groups; g++) {
    const o = g * c;
    for (let k = 0; k < c; k++) {
      va![o + k] = 1 / Math.sqrt(va![o + k]! + eps);
      scale[k] = gm![k]! * va![o + k]!;
      shift[k] = bt![k]! - mu![o + k]! * scale[k]!;
    }
    const end = (g + 1) * span;
    if (relu && alpha === 0) for (let p = g * span; p < end; p += c) for (let k = 0; k < c; k++) ys![p + k] = Math.max(0, xs![p + k]! * scale[k]! + shift[k]!);
    else if (relu) {
      for (let p = g * span; p < end; p += c) {
        for (let k = 0; k < c; k++) {
          const z = xs![p + k]! * scale[k]! + shift[k]!;
          ys![p + k] = z > 0 ? z : alpha * z;
        }
      }
    } else for (let p = g * span; p < end; p += c) for (let k = 0; k < c; k++) ys![p + k] = xs![p + k]! * scale[k]! + shift[k]!;
  }
  return [y, mean, variance, biased] as unknown as Info;
};

const batchNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, mean, inv, gamma, beta } = inputs as Record<'dy' | 'x' | 'mean' | 'inv' | 'gamma' | 'beta', Info>;
  const { relu, alpha = 0 } = attrs as { relu?: boolean; alpha?: number };
  const { dx, dgamma, dbeta } = batchNormBackward(backend, dy, x, mean, inv, gamma, groupsOf(x, attrs), relu ? { beta: beta!, alpha } : null);
  return [dx, dgamma, dbeta] as unknown as Info;
};

/** Σ of x over every axis but the last (a bias's gradient): input x; output [C]. */
export const CHANNEL_SUM = 'IqaChannelSum';

const channelSumKernel: KernelFunc = ({ inputs, backend }) => channelSum(backend, (inputs as { x: Info }).x);

/** The backward of ReLU(x + b): inputs dy, y (the output); outputs [dx, db]. */
export const BIAS_RELU_GRAD = 'IqaBiasReluGrad';

const biasReluGradKernel: KernelFunc = ({ inputs, backend }) => {
  const { dy, y } = inputs as { dy: Info; y: Info };
  const { dx, db } = biasReluBackward(backend, dy, y);
  return [dx, db] as unknown as Info;
};

/** Reflection padding of NHWC x (attr pad) and its gradient (input dy, attr pad). */
export const REFLECT_PAD = 'IqaReflectPad';
export const REFLECT_PAD_GRAD = 'IqaReflectPadGrad';

const reflectPadKernel: KernelFunc = ({ inputs, backend, attrs }) => reflectPad(backend, (inputs as { x: Info }).x, (attrs as { pad: number }).pad, false);
const reflectPadGradKernel: KernelFunc = ({ inputs, backend, attrs }) => reflectPad(backend, (inputs as { dy: Info }).dy, (attrs as { pad: number }).pad, true);

/** Adam over many variables at once: inputs x0, m0, v0, g0, x1, …; attrs lr, beta1, beta2, eps, c1, c2; outputs [x′0, m′0, v′0, …]. */
export const ADAM_UPDATE = 'IqaAdam';

const adamKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const named = inputs as Record<string, Info>;
  const quads: [Info, Info, Info, Info][] = [];
  for (let q = 0; named[`x${q}`]; q++) quads.push([named[`x${q}`]!, named[`m${q}`]!, named[`v${q}`]!, named[`g${q}`]!]);
  return adamUpdate(backend, quads, attrs as unknown as AdamStep) as unknown as Info;
};

const REPLACED: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Conv2DBackpropInput: conv2dBackpropInput,
  BatchMatMul: batchMatMul,
  MaxPoolGrad: maxPoolGradKernel,
  [BATCH_MOMENTS]: batchMoments,
  [BATCH_NORM_TRAIN]: batchNormTrain,
  [BATCH_NORM_GRAD]: batchNormGrad,
  [ADAM_UPDATE]: adamKernel,
  [CHANNEL_SUM]: channelSumKernel,
  [BIAS_RELU_GRAD]: biasReluGradKernel,
  [REFLECT_PAD]: reflectPadKernel,
  [REFLECT_PAD_GRAD]: reflectPadGradKernel,
};

/** What the wasm backend ran before these kernels: its own scalar loops and the conv-based filter gradient. */
const LEGACY: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilterViaConv,
  Conv2DBackpropInput: (args) => wasmKernel('Conv2DBackpropInput')(args),
  BatchMatMul: (args) => wasmKernel('BatchMatMul')(args),
  MaxPoolGrad: (args) => wasmKernel('MaxPoolGrad')(args),
};

export type TrainingKernels = 'fast' | 'legacy';
let active: TrainingKernels | null = null;

/** Which set is registered ('legacy' only for the before/after bench). */
export function activeTrainingKernels(): TrainingKernels | null {
  return active;
}

/** Whether the active backend has the heap batch-norm kernels (wasm with the fast set). */
export function hasFastBatchNorm(): boolean {
  return hasFastHeapKernels();
}

/** Whether the active backend has this module's heap kernels (batch norm, Adam, …): wasm with the fast set. */
export function hasFastHeapKernels(): boolean {
  return tf.getBackend() === 'wasm' && active === 'fast';
}

/** Registers the fast training kernels on the wasm backend, replacing its scalar ones (idempotent); 'legacy' restores the old ones. */
export function registerWasmTrainingKernels(set: TrainingKernels = 'fast'): void {
  if (active === set) return;
  const kernels = set === 'fast' ? REPLACED : LEGACY;
  // Kernels only the fast set has (the heap batch norm) are unregistered for 'legacy'.
  for (const name of Object.keys(REPLACED)) if (!kernels[name] && tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  for (const [name, kernelFunc] of Object.entries(kernels)) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing) {
      if (!active && !name.startsWith('Iqa')) wasmKernel(name);
      tf.unregisterKernel(name, 'wasm');
    }
    // The original's setup (its wasm function bindings) already ran when the backend started; it is kept for a restart.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc: existing?.setupFunc, disposeFunc: existing?.disposeFunc });
  }
  active = set;
}

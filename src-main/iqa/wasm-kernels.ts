// Fast training kernels for the tfjs wasm backend: conv gradients and transposed matmuls as XNNPACK convs and GEMMs.
import * as tf from '@tensorflow/tfjs';

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
    const xs = sh === 1 && sw === 1 ? x : s.run('StridedSlice', { x }, sliceAttrs([0, 0, 0, 0], [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, ci], [1, sh, sw, 1]));
    const xT = s.transpose(s.reshape(xs, [m, ci]), [1, 0]);
    return s.done(s.reshape(s.matMul(xT, dy2), [1, 1, ci, co]));
  }
  // im2col, transposed: each tap (i,j) of x as [Ci, B·Ho·Wo] rows of one [kh·kw·Ci, M] matrix, then one GEMM with dy.
  const xT = s.transpose(x, [3, 0, 1, 2]);
  const xp = top + bottom + left + right === 0 ? xT : s.run('PadV2', { x: xT }, { paddings: [[0, 0], [0, 0], [top, bottom], [left, right]], constantValue: 0 });
  const taps: Info[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = s.run('StridedSlice', { x: xp }, sliceAttrs([0, 0, i, j], [ci, n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1], [1, 1, sh, sw]));
      taps.push(s.reshape(tap, [ci, m]));
    }
  }
  const cols = s.run('Concat', taps, { axis: 0 });
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

function sliceAttrs(begin: number[], end: number[], strides: number[]) {
  return { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 };
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
  let g = dy;
  if (sh > 1 || sw > 1) {
    // Zero-dilate: [N,Ho,1,Wo,1,C] padded to [N,Ho,sh,Wo,sw,C], then cropped to (Ho−1)·sh+1 rows.
    const six = s.reshape(dy, [n, ho, 1, wo, 1, co]);
    const padded = s.run('PadV2', { x: six }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    g = s.run('Slice', { x: s.reshape(padded, [n, ho * sh, wo * sw, co]) }, { begin: [0, 0, 0, 0], size: [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, co] });
  }
  const dh = (ho - 1) * sh + 1;
  const dw = (wo - 1) * sw + 1;
  const { top, left } = info.padInfo;
  const pt = kh - 1 - top;
  const pl = kw - 1 - left;
  const pb = h - dh + kh - 1 - pt;
  const pr = w - dw + kw - 1 - pl;
  const flipped = kh === 1 && kw === 1 ? filter : s.run('Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = s.transpose(flipped, [0, 1, 3, 2]);
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

const REPLACED: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Conv2DBackpropInput: conv2dBackpropInput,
  BatchMatMul: batchMatMul,
};

/** What the wasm backend ran before these kernels: its own scalar loops and the conv-based filter gradient. */
const LEGACY: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: conv2dBackpropFilterViaConv,
  Conv2DBackpropInput: (args) => wasmKernel('Conv2DBackpropInput')(args),
  BatchMatMul: (args) => wasmKernel('BatchMatMul')(args),
};

export type TrainingKernels = 'fast' | 'legacy';
let active: TrainingKernels | null = null;

/** Which set is registered ('legacy' only for the before/after bench). */
export function activeTrainingKernels(): TrainingKernels | null {
  return active;
}

/** Registers the fast training kernels on the wasm backend, replacing its scalar ones (idempotent); 'legacy' restores the old ones. */
export function registerWasmTrainingKernels(set: TrainingKernels = 'fast'): void {
  if (active === set) return;
  for (const [name, kernelFunc] of Object.entries(set === 'fast' ? REPLACED : LEGACY)) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing) {
      if (!active) wasmKernel(name);
      tf.unregisterKernel(name, 'wasm');
    }
    // The original's setup (its wasm function bindings) already ran when the backend started; it is kept for a restart.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, setupFunc: existing?.setupFunc, disposeFunc: existing?.disposeFunc });
  }
  active = set;
}

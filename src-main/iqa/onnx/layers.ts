// Layer helpers for ONNX graph builders: convs from tfjs HWIO weights (batch norm folded in), dense layers, activations, NHWC⇄NCHW.
import type * as tf from '@tensorflow/tfjs';
import { float, type OnnxGraph } from './graph';

/** A weight as the tfjs model holds it: conv HWIO, linear [in, out], vectors as they are. */
export interface HostTensor {
  data: Float32Array;
  shape: number[];
}

/** Reads a model's weights by name (a copy out of tfjs per read); `has` asks whether one exists. */
export interface Weights {
  (name: string): HostTensor;
  has(name: string): boolean;
}

export function weightsOf(vars: Map<string, tf.Variable>, prefix = ''): Weights {
  const read = (name: string): HostTensor => {
    const v = vars.get(prefix + name);
    if (!v) throw new Error(`onnx builder: no weight ${prefix + name}`);
    return { data: Float32Array.from(v.dataSync() as Float32Array), shape: [...v.shape] };
  };
  return Object.assign(read, { has: (name: string) => vars.has(prefix + name) });
}

/** The weights under `prefix` of another weight reader (a sub-network's names). */
export function scoped(w: Weights, prefix: string): Weights {
  return Object.assign((name: string) => w(prefix + name), { has: (name: string) => w.has(prefix + name) });
}

export interface BatchNorm {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  eps: number;
}

/** BatchNorm2d's four tensors under `name` (`.weight`, `.bias`, `.running_mean`, `.running_var`). */
export function batchNormOf(w: Weights, name: string, eps: number): BatchNorm {
  return { gamma: w(`${name}.weight`).data, beta: w(`${name}.bias`).data, mean: w(`${name}.running_mean`).data, variance: w(`${name}.running_var`).data, eps };
}

/** HWIO → OIHW (ONNX / PyTorch conv layout). */
export function hwioToOihw(t: HostTensor): HostTensor {
  const [h, w, i, o] = t.shape as [number, number, number, number];
  const out = new Float32Array(t.data.length);
  for (let a = 0; a < h; a++) {
    for (let b = 0; b < w; b++) {
      for (let c = 0; c < i; c++) {
        const src = ((a * w + b) * i + c) * o;
        for (let d = 0; d < o; d++) out[((d * i + c) * h + a) * w + b] = t.data[src + d]!;
      }
    }
  }
  return { data: out, shape: [o, i, h, w] };
}

export interface ConvOptions {
  /** HWIO (tfjs); for a depthwise conv [k, k, 1, C] or [k, k, C, 1] with `depthwise`. */
  weight: HostTensor;
  bias?: Float32Array;
  /** Folded into the weight and bias: y = γ·(conv(x) + b − μ)/√(σ² + ε) + β. */
  bn?: BatchNorm;
  stride?: number;
  /** Symmetric zero padding (PyTorch Conv2d padding); default 0. */
  pad?: number;
  depthwise?: boolean;
  name: string;
}

/** Conv2d on an NCHW value with PyTorch semantics; batch norm, when given, is folded into the conv's weights. */
export function conv2d(g: OnnxGraph, x: string, o: ConvOptions): string {
  const [kh, kw] = o.weight.shape as [number, number];
  let w: HostTensor;
  if (o.depthwise) {
    const c = o.weight.data.length / (kh * kw);
    // [k, k, C] per channel → [C, 1, k, k].
    const data = new Float32Array(o.weight.data.length);
    for (let a = 0; a < kh * kw; a++) for (let ch = 0; ch < c; ch++) data[ch * kh * kw + a] = o.weight.data[a * c + ch]!;
    w = { data, shape: [c, 1, kh, kw] };
  } else w = hwioToOihw(o.weight);
  const cout = w.shape[0]!;
  let bias = o.bias ? Float32Array.from(o.bias) : null;
  if (o.bn) {
    const { gamma, beta, mean, variance, eps } = o.bn;
    const per = w.data.length / cout;
    const b = new Float32Array(cout);
    for (let c = 0; c < cout; c++) {
      const s = gamma[c]! / Math.sqrt(variance[c]! + eps);
      for (let j = 0; j < per; j++) w.data[c * per + j] = w.data[c * per + j]! * s;
      b[c] = ((bias?.[c] ?? 0) - mean[c]!) * s + beta[c]!;
    }
    bias = b;
  }
  const p = o.pad ?? 0;
  const inputs = [x, g.weight(`${o.name}.weight`, w.data, w.shape)];
  if (bias) inputs.push(g.weight(`${o.name}.bias`, bias, [cout]));
  return g.op('Conv', inputs, {
    kernel_shape: [kh, kw],
    strides: [o.stride ?? 1, o.stride ?? 1],
    pads: [p, p, p, p],
    ...(o.depthwise ? { group: cout } : {}),
  }, o.name);
}

/** x [N, in] · W [in, out] + b as one Gemm. */
export function dense(g: OnnxGraph, x: string, weight: HostTensor, bias: HostTensor, name: string): string {
  return g.op('Gemm', [x, g.weight(`${name}.weight`, weight.data, weight.shape), g.weight(`${name}.bias`, bias.data, bias.shape)], {}, name);
}

/** A dense layer whose weights are `${name}.weight` / `${name}.bias` in `w`. */
export function denseOf(g: OnnxGraph, x: string, w: Weights, name: string, prefix = ''): string {
  return dense(g, x, w(`${name}.weight`), w(`${name}.bias`), prefix + name);
}

export const relu = (g: OnnxGraph, x: string) => g.op('Relu', [x]);
export const sigmoid = (g: OnnxGraph, x: string) => g.op('Sigmoid', [x]);
export const add = (g: OnnxGraph, a: string, b: string) => g.op('Add', [a, b]);

/** MaxPool k×k stride s with PyTorch's padding (padded cells never win). */
export const maxPool = (g: OnnxGraph, x: string, k: number, s: number, pad = 0) =>
  g.op('MaxPool', [x], { kernel_shape: [k, k], strides: [s, s], pads: [pad, pad, pad, pad] });

/** Mean over H and W keeping [N, C] (Flatten after GlobalAveragePool). */
export const globalMean = (g: OnnxGraph, x: string) => g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });

/** NHWC → NCHW, and back. */
export const toNchw = (g: OnnxGraph, x: string) => g.op('Transpose', [x], { perm: [0, 3, 1, 2] }, 'to_nchw');
export const toNhwc = (g: OnnxGraph, x: string) => g.op('Transpose', [x], { perm: [0, 2, 3, 1] }, 'to_nhwc');

/** Reshape to `shape` (0 copies the input's dimension, −1 is inferred). */
export const reshape = (g: OnnxGraph, x: string, shape: number[]) => g.op('Reshape', [x, g.ints(shape)]);

/** Inference batch norm as its own node, where no conv precedes it to fold into (pre-activation units). */
export function batchNormNode(g: OnnxGraph, x: string, bn: BatchNorm, name: string): string {
  const c = bn.gamma.length;
  const v = (suffix: string, data: Float32Array) => g.weight(`${name}.${suffix}`, data, [c]);
  return g.op('BatchNormalization', [x, v('weight', bn.gamma), v('bias', bn.beta), v('running_mean', bn.mean), v('running_var', bn.variance)], { epsilon: float(bn.eps) }, name);
}

/** Nearest-neighbour ×2 upsampling: output pixel (y, x) takes input (⌊y/2⌋, ⌊x/2⌋), as tfjs resizeNearestNeighbor. */
export const upsampleNearest2 = (g: OnnxGraph, x: string) =>
  g.op('Resize', [x, '', g.floatConstOf([1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });

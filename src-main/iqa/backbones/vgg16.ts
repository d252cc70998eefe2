// VGG-16 (torchvision layout) for TTL-IQA's SFTnet backbone and DT-GAN's semantic loss (Yang, Li & Liu, TMM 2021, §V-A and eq. 13; methods.md §3.3.1).
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import type { SafeTensor } from '../weights/safetensors';
import { fromTorch, torchShape, type Param } from '../layers/torch-params';
import { ParamStore } from '../layers/param-store';

/** torchvision `vgg16().features`: conv channels, 'M' = MaxPool 2×2 s2. Conv i is `features.<k>` (ReLU at k+1). */
export const VGG16_CFG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
/** `features.<k>` index of each of the 13 convs: 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28. */
export const VGG16_CONV_INDICES: readonly number[] = (() => {
  const out: number[] = [];
  let k = 0;
  for (const item of VGG16_CFG) {
    if (item === 'M') k += 1;
    else {
      out.push(k);
      k += 2;
    }
  }
  return out;
})();

export interface Vgg16Options {
  /** Divides every conv width: 1 = VGG-16 (64…512 channels); 4 or 8 are our CPU-sized scales [U]. */
  widthDivisor: number;
  /** fc6/fc7 units (4096 in VGG-16). */
  hidden: number;
  seed: number;
  /**
   * Units of the last FC layer `classifier.6` (1000 = ImageNet classes). 0 = no last layer: `head()` then returns
   * fc7's output (after ReLU and, when training, dropout) and the caller adds its own last layer (SFTnet's heads).
   */
  outputs: number;
  /** Dropout ratio after fc6 and fc7 while training (torchvision and the paper: 0.5). */
  dropout?: number;
  /** Prepended to every parameter name (default ''), e.g. 'vgg.' → `vgg.features.0.weight`. */
  prefix?: string;
}

export interface Vgg16 {
  readonly options: Required<Vgg16Options>;
  /** Channels of conv5_3 (512 / widthDivisor). */
  readonly channels: number;
  readonly store: ParamStore;
  /** `<prefix>features.<k>.weight|bias`, `<prefix>classifier.0|3.*` and, when outputs > 0, `<prefix>classifier.6.*`. */
  readonly params: Map<string, Param>;
  /** conv5_3 after its ReLU, before pool5, for ImageNet-normalised NHWC input (224² → 14×14×512); `training` changes nothing (no BN or dropout in the convs). */
  features(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  /** pool5 → AdaptiveAvgPool2d(7, 7) → NCHW flatten → fc6 → ReLU → dropout → fc7 → ReLU → dropout → classifier.6 (if any). */
  head(f: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** head(features(x)). */
  logits(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  dispose(): void;
}

/** Bin [start, end) of output cell i when n inputs are pooled into m cells: PyTorch's adaptive pooling rule. */
function adaptiveBins(n: number, m: number): [number, number][] {
  return Array.from({ length: m }, (_, i) => [Math.floor((i * n) / m), Math.ceil(((i + 1) * n) / m)] as [number, number]);
}

/** The m×n matrix that averages each adaptive bin. */
function poolMatrix(n: number, m: number): tf.Tensor2D {
  const data = new Float32Array(m * n);
  adaptiveBins(n, m).forEach(([s, e], i) => {
    for (let j = s; j < e; j++) data[i * n + j] = 1 / (e - s);
  });
  return tf.tensor2d(data, [m, n]);
}

/**
 * PyTorch's AdaptiveAvgPool2d for NHWC: separable, so two matrix products (rows, then columns) with the bin-averaging
 * matrices; differentiable with matMul only. The identity (no op) when the input already has the output size.
 */
export function adaptiveAvgPool2d(x: tf.Tensor4D, out: [number, number]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const [oh, ow] = out;
  if (h === oh && w === ow) return x;
  return tf.tidy(() => {
    // [H, B·W·C] → rows pooled → [oh, B, W, C]
    const rows = poolMatrix(h, oh).matMul(x.transpose([1, 0, 2, 3]).reshape([h, b * w * c])).reshape([oh, b, w, c]);
    // [W, oh·B·C] → columns pooled → [ow, oh, B, C] → [B, oh, ow, C]
    const cols = poolMatrix(w, ow).matMul(rows.transpose([2, 0, 1, 3]).reshape([w, oh * b * c])).reshape([ow, oh, b, c]);
    return cols.transpose([2, 1, 0, 3]) as tf.Tensor4D;
  });
}

/** NHWC → NCHW, then per-sample flatten: the order of PyTorch's `torch.flatten(x, 1)` that classifier.0 was trained on. */
export function flattenNchw(x: tf.Tensor4D): tf.Tensor2D {
  return x.transpose([0, 3, 1, 2]).reshape([x.shape[0], -1]);
}

/**
 * Builds VGG-16 with torchvision's initialisation (convs Kaiming normal fan-out, ReLU gain; linears N(0, 0.01²);
 * biases 0), seeded per tensor through ParamStore.
 */
export function createVgg16(opts: Vgg16Options): Vgg16 {
  const o: Required<Vgg16Options> = { dropout: 0.5, prefix: '', ...opts };
  if (!Number.isInteger(o.widthDivisor) || o.widthDivisor < 1 || 64 % o.widthDivisor !== 0) {
    throw new AppError('validation', `VGG-16: widthDivisor must divide 64, got ${o.widthDivisor}`);
  }
  if (!Number.isInteger(o.hidden) || o.hidden < 1) throw new AppError('validation', `VGG-16: hidden must be a positive integer, got ${o.hidden}`);
  if (!Number.isInteger(o.outputs) || o.outputs < 0) throw new AppError('validation', `VGG-16: outputs must be ≥ 0, got ${o.outputs}`);
  const p = o.prefix;
  const s = new ParamStore(o.seed);
  const convs: { name: string; pool: boolean }[] = [];
  let cin = 3;
  let k = 0;
  for (const item of VGG16_CFG) {
    if (item === 'M') {
      convs[convs.length - 1]!.pool = true;
      k += 1;
      continue;
    }
    const cout = item / o.widthDivisor;
    // Kaiming normal, fan-out, ReLU gain: std √(2/(9·cout)) = gain/√(9·cin) with gain √2·√(cin/cout).
    s.conv(`${p}features.${k}`, 3, cin, cout, true, Math.SQRT2 * Math.sqrt(cin / cout));
    convs.push({ name: `${p}features.${k}`, pool: false });
    cin = cout;
    k += 2;
  }
  const channels = cin;
  s.linear(`${p}classifier.0`, channels * 49, o.hidden, 0.01);
  s.linear(`${p}classifier.3`, o.hidden, o.hidden, 0.01);
  if (o.outputs > 0) s.linear(`${p}classifier.6`, o.hidden, o.outputs, 0.01);

  let dropoutSeed = o.seed * 7919;
  const features = (x: tf.Tensor4D): tf.Tensor4D =>
    tf.tidy(() => {
      let h = x;
      convs.forEach((c, i) => {
        h = s.conv2d(h, c.name, 1, true);
        // pool5 belongs to head(): features() stops at conv5_3's ReLU.
        if (c.pool && i < convs.length - 1) h = tf.maxPool(h, 2, 2, 'valid');
      });
      return h;
    });
  const head = (f: tf.Tensor4D, training: boolean): tf.Tensor2D =>
    tf.tidy(() => {
      if (f.shape[1] < 2 || f.shape[2] < 2) throw new AppError('bad_input', `VGG-16: conv5_3 features are ${f.shape[1]}×${f.shape[2]}; the input must be at least 32×32`);
      let z = flattenNchw(adaptiveAvgPool2d(tf.maxPool(f, 2, 2, 'valid'), [7, 7]));
      for (const name of ['classifier.0', 'classifier.3']) {
        z = s.dense(z, `${p}${name}`, true);
        if (training && o.dropout > 0) z = tf.dropout(z, o.dropout, undefined, dropoutSeed++) as tf.Tensor2D;
      }
      return o.outputs > 0 ? s.dense(z, `${p}classifier.6`) : z;
    });

  return {
    options: o,
    channels,
    store: s,
    params: s.params,
    features: (x) => features(x),
    head,
    logits: (x, training) => tf.tidy(() => head(features(x), training)),
    dispose: () => s.dispose(),
  };
}

/**
 * Copies a torchvision `vgg16` state dict into `net` by name (conv OIHW → HWIO, linear [out,in] → [in,out]), with the
 * expected shapes taken from `net` itself, so it works for any width. Everything is checked before anything is
 * assigned; a missing, non-float or mis-shaped tensor is a `bad_input` error naming it. `classifier.6` is loaded only
 * with `includeLast` (and then the net must have a last layer).
 */
export function assignVgg16Tensors(net: Vgg16, tensors: Map<string, SafeTensor>, opts: { includeLast: boolean }): void {
  const p = net.options.prefix;
  if (opts.includeLast && net.options.outputs === 0) {
    throw new AppError('validation', 'VGG-16 weights: includeLast needs a net with a last layer (outputs > 0)');
  }
  const plan: { param: Param; tensor: SafeTensor }[] = [];
  for (const [name, param] of net.params) {
    const key = name.slice(p.length);
    if (!opts.includeLast && key.startsWith('classifier.6.')) continue;
    const tensor = tensors.get(key);
    if (!tensor) throw new AppError('bad_input', `VGG-16 weights: tensor "${key}" is missing`);
    if (!(tensor.data instanceof Float32Array)) throw new AppError('bad_input', `VGG-16 weights: tensor "${key}" has dtype ${tensor.dtype}, expected a float type`);
    const want = torchShape(param.variable.shape, param.layout);
    if (tensor.shape.join(',') !== want.join(',')) {
      throw new AppError('bad_input', `VGG-16 weights: tensor "${key}" has shape [${tensor.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
    plan.push({ param, tensor });
  }
  for (const { param, tensor } of plan) {
    const value = fromTorch(tensor.data as Float32Array, tensor.shape, param.layout);
    param.variable.assign(value);
    value.dispose();
  }
}

/**
 * Loads ImageNet weights you provide (a torchvision `vgg16` state dict read from .safetensors) into a full-size
 * VGG-16. Refuses reduced widths (widthDivisor ≠ 1) and fc sizes other than 4096. With `includeLast: false` the last
 * FC (`classifier.6`, 1000 classes) is not loaded; SFTnet replaces it [P §V-B].
 */
export function loadTorchvisionVgg16(net: Vgg16, tensors: Map<string, SafeTensor>, opts: { includeLast: boolean }): void {
  if (net.options.widthDivisor !== 1 || net.options.hidden !== 4096) {
    throw new AppError(
      'validation',
      `torchvision VGG-16 weights fit only the full-size network (widthDivisor 1, hidden 4096); this one has widthDivisor ${net.options.widthDivisor}, hidden ${net.options.hidden}`,
    );
  }
  if (opts.includeLast && net.options.outputs !== 1000) {
    throw new AppError('validation', `torchvision VGG-16's classifier.6 has 1000 outputs; this net has ${net.options.outputs}`);
  }
  assignVgg16Tensors(net, tensors, opts);
}

/** Names and shapes of a torchvision `vgg16` state dict (conv OIHW, linear [out, in]); classifier.6 when includeLast. */
export function torchvisionVgg16Shapes(includeLast: boolean): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let inC = 3;
  let c = 0;
  for (const item of VGG16_CFG) {
    if (item === 'M') continue;
    const k = VGG16_CONV_INDICES[c++]!;
    out.set(`features.${k}.weight`, [item, inC, 3, 3]);
    out.set(`features.${k}.bias`, [item]);
    inC = item;
  }
  const fcs: [number, number, number][] = [[0, 4096, 512 * 7 * 7], [3, 4096, 4096], ...(includeLast ? [[6, 1000, 4096] as [number, number, number]] : [])];
  for (const [k, o, i] of fcs) {
    out.set(`classifier.${k}.weight`, [o, i]);
    out.set(`classifier.${k}.bias`, [o]);
  }
  return out;
}

/**
 * Checks that a weights file holds a torchvision VGG-16 (every tensor the loader needs, float, right shape) without
 * building the 138M-parameter network, so a chain refuses a wrong file before hours of DT-GAN training.
 */
export function checkTorchvisionVgg16(tensors: Map<string, SafeTensor>, opts: { includeLast: boolean }, file: string): void {
  for (const [key, want] of torchvisionVgg16Shapes(opts.includeLast)) {
    const tensor = tensors.get(key);
    if (!tensor) throw new AppError('bad_input', `${file} is not a torchvision VGG-16: tensor "${key}" is missing`);
    if (!(tensor.data instanceof Float32Array)) throw new AppError('bad_input', `${file}: VGG-16 tensor "${key}" has dtype ${tensor.dtype}, expected a float type`);
    if (tensor.shape.join(',') !== want.join(',')) {
      throw new AppError('bad_input', `${file}: VGG-16 tensor "${key}" has shape [${tensor.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
  }
}

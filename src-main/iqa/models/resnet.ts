// ResNet-18/50 backbones (He et al., CVPR 2016, §3-4, Table 1; torchvision v1.5 layout) in NHWC with torchvision weight names.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import type { SafeTensor } from '../weights/safetensors';
import { batchMoments, batchNormTrainOp } from './norm';
import { activeTrainingKernels } from '../wasm-kernels';

/**
 * How a variable is laid out in PyTorch: conv weights are OIHW there and HWIO here, linear weights [out, in] there and
 * [in, out] here, vectors identical.
 */
export type TorchLayout = 'conv' | 'linear' | 'vector';

export interface Param {
  variable: tf.Variable;
  layout: TorchLayout;
  /** False for batch-norm running statistics (updated by forward passes, never by an optimizer). */
  trainable: boolean;
}

/** 10 is not a torchvision model: one basic block per stage, for small CPU-trainable backbones. */
export type ResNetDepth = 10 | 18 | 50;

export interface ForwardOptions {
  /** Batch-norm uses batch statistics (PyTorch `train()` mode). */
  training?: boolean;
  /** With `training`, also update the running statistics (momentum 0.1, unbiased variance, as PyTorch does). */
  updateStats?: boolean;
}

export interface ResNetFeatures {
  layer1: tf.Tensor4D;
  layer2: tf.Tensor4D;
  layer3: tf.Tensor4D;
  layer4: tf.Tensor4D;
}

export interface ResNet {
  readonly depth: ResNetDepth;
  /** Channels of layer1..layer4 outputs: [256, 512, 1024, 2048] for ResNet-50, [64, 128, 256, 512] for ResNet-18. */
  readonly stageChannels: readonly [number, number, number, number];
  /** Every parameter by its torchvision name (`conv1.weight`, `layer1.0.downsample.1.running_mean`, ...). */
  readonly params: Map<string, Param>;
  /** Stage outputs for an NHWC batch. Call inside tf.tidy (or dispose the results). */
  forward(x: tf.Tensor4D, opts?: ForwardOptions): ResNetFeatures;
  dispose(): void;
}

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;
/** Training-mode BatchNorm2d with batch statistics and a hand-written backward pass. */
const batchNormTrain = batchNormTrainOp(BN_EPS);

const SPECS: Record<ResNetDepth, { block: 'basic' | 'bottleneck'; layers: [number, number, number, number] }> = {
  10: { block: 'basic', layers: [1, 1, 1, 1] },
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
};

/** Conv with PyTorch's symmetric zero padding (tfjs 'same' pads asymmetrically at stride 2). */
export function conv(x: tf.Tensor4D, w: tf.Variable | tf.Tensor, stride: number, pad: number): tf.Tensor4D {
  return tf.conv2d(x, w as tf.Tensor4D, stride, pad === 0 ? 'valid' : pad);
}

/** Torch shape of a tfjs-layout variable. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'conv') {
    const [h, w, i, o] = shape as [number, number, number, number];
    return [o, i, h, w];
  }
  if (layout === 'linear') {
    const [i, o] = shape as [number, number];
    return [o, i];
  }
  return [...shape];
}

/** Converts PyTorch-layout data to this variable's tfjs layout (OIHW -> HWIO, [out,in] -> [in,out]). */
export function fromTorch(data: Float32Array, shape: number[], layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(data, shape, 'float32');
    if (layout === 'conv') return t.transpose([2, 3, 1, 0]);
    if (layout === 'linear') return t.transpose([1, 0]);
    return t;
  });
}

/** Converts a tfjs-layout tensor back to PyTorch layout (for export). */
export function toTorch(t: tf.Tensor, layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => (layout === 'conv' ? t.transpose([3, 2, 0, 1]) : layout === 'linear' ? t.transpose([1, 0]) : t.clone()));
}

/**
 * Assigns PyTorch tensors to parameters by name. `names` maps each file name to a parameter; every parameter must be
 * present with the right shape, or a `bad_input` error names the tensor.
 */
export function assignTorchTensors(
  params: Map<string, Param>,
  tensors: Map<string, SafeTensor>,
  fileName: (paramName: string) => string,
): void {
  // Check everything first so a bad file leaves the model untouched.
  const plan: { param: Param; tensor: SafeTensor; name: string }[] = [];
  for (const [name, param] of params) {
    const key = fileName(name);
    const tensor = tensors.get(key);
    if (!tensor) throw new AppError('bad_input', `weights: tensor "${key}" is missing`);
    if (!(tensor.data instanceof Float32Array)) {
      throw new AppError('bad_input', `weights: tensor "${key}" has dtype ${tensor.dtype}, expected a float type`);
    }
    const want = torchShape(param.variable.shape, param.layout);
    if (tensor.shape.length !== want.length || tensor.shape.some((d, i) => d !== want[i])) {
      throw new AppError('bad_input', `weights: tensor "${key}" has shape [${tensor.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
    plan.push({ param, tensor, name: key });
  }
  for (const { param, tensor } of plan) {
    const value = fromTorch(tensor.data as Float32Array, tensor.shape, param.layout);
    param.variable.assign(value);
    value.dispose();
  }
}

/** A variable owning its data: the initial tensor is disposed (tf.variable keeps a reference to it otherwise). */
export function ownedVariable(init: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** Gaussian init with a per-parameter seed, so a model is reproducible from one seed. */
function normal(shape: number[], std: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

/**
 * Builds a ResNet. Initialisation when training from scratch (seeded): conv weights Kaiming normal with fan-out
 * (torchvision and the official HyperIQA backbone), BN weight 1, bias 0, running mean 0, running variance 1.
 */
/** `width` is the stem's channel count (64 in torchvision); stage s has width·2^s planes. */
export function createResNet(opts: { depth: ResNetDepth; seed: number; width?: number }): ResNet {
  const width = opts.width ?? 64;
  const spec = SPECS[opts.depth];
  if (!spec) throw new AppError('validation', `unsupported ResNet depth ${String(opts.depth)}; use 18 or 50`);
  const params = new Map<string, Param>();
  let k = 0;
  const convParam = (name: string, kh: number, cin: number, cout: number) => {
    const std = Math.sqrt(2 / (kh * kh * cout));
    params.set(name, { variable: ownedVariable(normal([kh, kh, cin, cout], std, opts.seed * 1000 + ++k)), layout: 'conv', trainable: true });
  };
  const bnParams = (name: string, c: number) => {
    params.set(`${name}.weight`, { variable: ownedVariable(tf.ones([c])), layout: 'vector', trainable: true });
    params.set(`${name}.bias`, { variable: ownedVariable(tf.zeros([c])), layout: 'vector', trainable: true });
    params.set(`${name}.running_mean`, { variable: ownedVariable(tf.zeros([c]), false), layout: 'vector', trainable: false });
    params.set(`${name}.running_var`, { variable: ownedVariable(tf.ones([c]), false), layout: 'vector', trainable: false });
  };

  interface Block { name: string; planes: number; stride: number; downsample: boolean }
  const blocks: Block[][] = [];
  convParam('conv1.weight', 7, 3, width);
  bnParams('bn1', width);
  const expansion = spec.block === 'bottleneck' ? 4 : 1;
  let inplanes = width;
  const stageChannels: number[] = [];
  spec.layers.forEach((count, s) => {
    const planes = width * 2 ** s;
    const stageStride = s === 0 ? 1 : 2;
    const stage: Block[] = [];
    for (let b = 0; b < count; b++) {
      const name = `layer${s + 1}.${b}`;
      const stride = b === 0 ? stageStride : 1;
      const downsample = b === 0 && (stride !== 1 || inplanes !== planes * expansion);
      if (spec.block === 'bottleneck') {
        convParam(`${name}.conv1.weight`, 1, inplanes, planes);
        bnParams(`${name}.bn1`, planes);
        convParam(`${name}.conv2.weight`, 3, planes, planes);
        bnParams(`${name}.bn2`, planes);
        convParam(`${name}.conv3.weight`, 1, planes, planes * 4);
        bnParams(`${name}.bn3`, planes * 4);
      } else {
        convParam(`${name}.conv1.weight`, 3, inplanes, planes);
        bnParams(`${name}.bn1`, planes);
        convParam(`${name}.conv2.weight`, 3, planes, planes);
        bnParams(`${name}.bn2`, planes);
      }
      if (downsample) {
        convParam(`${name}.downsample.0.weight`, 1, inplanes, planes * expansion);
        bnParams(`${name}.downsample.1`, planes * expansion);
      }
      stage.push({ name, planes, stride, downsample });
      inplanes = planes * expansion;
    }
    blocks.push(stage);
    stageChannels.push(inplanes);
  });

  const v = (name: string): tf.Variable => {
    const p = params.get(name);
    if (!p) throw new Error(`resnet: no parameter ${name}`);
    return p.variable;
  };

  /** BatchNorm2d: eval uses running stats; training uses batch stats and optionally updates the running ones. */
  const bn = (x: tf.Tensor4D, name: string, o: ForwardOptions): tf.Tensor4D => {
    const gamma = v(`${name}.weight`);
    const beta = v(`${name}.bias`);
    const runMean = v(`${name}.running_mean`);
    const runVar = v(`${name}.running_var`);
    if (!o.training) return tf.batchNorm4d(x, runMean as tf.Tensor1D, runVar as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, BN_EPS);
    if (o.updateStats) {
      const { mean, variance } = batchMoments(x);
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      const unbiased = n > 1 ? n / (n - 1) : 1;
      const [m, s] = tf.tidy(() => [
        runMean.mul(1 - BN_MOMENTUM).add(mean.mul(BN_MOMENTUM)),
        runVar.mul(1 - BN_MOMENTUM).add(variance.mul(BN_MOMENTUM * unbiased)),
      ]);
      runMean.assign(m!);
      runVar.assign(s!);
      tf.dispose([m!, s!, mean, variance]);
    }
    if (activeTrainingKernels() === 'legacy') {
      // The autodiff path the before/after bench times as "before".
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, BN_EPS);
    }
    return batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D);
  };

  const runBlock = (x: tf.Tensor4D, blk: Block, o: ForwardOptions): tf.Tensor4D => {
    const n = blk.name;
    let out: tf.Tensor4D;
    if (spec.block === 'bottleneck') {
      out = bn(conv(x, v(`${n}.conv1.weight`), 1, 0), `${n}.bn1`, o).relu() as tf.Tensor4D;
      // torchvision v1.5: the stride sits on the 3x3 conv.
      out = bn(conv(out, v(`${n}.conv2.weight`), blk.stride, 1), `${n}.bn2`, o).relu();
      out = bn(conv(out, v(`${n}.conv3.weight`), 1, 0), `${n}.bn3`, o);
    } else {
      out = bn(conv(x, v(`${n}.conv1.weight`), blk.stride, 1), `${n}.bn1`, o).relu();
      out = bn(conv(out, v(`${n}.conv2.weight`), 1, 1), `${n}.bn2`, o);
    }
    const residual = blk.downsample ? bn(conv(x, v(`${n}.downsample.0.weight`), blk.stride, 0), `${n}.downsample.1`, o) : x;
    return out.add(residual).relu();
  };

  return {
    depth: opts.depth,
    stageChannels: stageChannels as [number, number, number, number],
    params,
    forward(x, o = {}) {
      let h: tf.Tensor4D = bn(conv(x, v('conv1.weight'), 2, 3), 'bn1', o).relu();
      // MaxPool 3x3 s2 pad 1, padding with -Infinity like PyTorch.
      h = tf.maxPool(tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]], -Infinity), 3, 2, 'valid');
      const feats: tf.Tensor4D[] = [];
      for (const stage of blocks) {
        for (const blk of stage) h = runBlock(h, blk, o);
        feats.push(h);
      }
      return { layer1: feats[0]!, layer2: feats[1]!, layer3: feats[2]!, layer4: feats[3]! };
    },
    dispose() {
      params.forEach((p) => p.variable.dispose());
    },
  };
}

/**
 * Loads torchvision ImageNet weights (`conv1.weight`, `layer1.0.bn1.running_mean`, ...) into a backbone. `fc.*` and
 * `num_batches_tracked` entries are ignored; any other unknown name, a missing tensor or a shape mismatch is an error.
 */
export function loadTorchvisionResNet(resnet: ResNet, tensors: Map<string, SafeTensor>, prefix = ''): void {
  const unexpected = [...tensors.keys()].filter((name) => {
    if (!name.startsWith(prefix)) return true;
    const bare = name.slice(prefix.length);
    return !resnet.params.has(bare) && !bare.startsWith('fc.') && !bare.endsWith('num_batches_tracked');
  });
  if (unexpected.length) {
    throw new AppError(
      'bad_input',
      `weights: ${unexpected.length} tensor(s) do not belong to a ResNet-${resnet.depth}: ${unexpected.slice(0, 5).map((n) => `"${n}"`).join(', ')}${unexpected.length > 5 ? ', ...' : ''}`,
    );
  }
  assignTorchTensors(resnet.params, tensors, (n) => prefix + n);
}

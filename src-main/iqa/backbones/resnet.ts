// ResNet-18/50 backbones (He et al., CVPR 2016, §3-4, Table 1; torchvision v1.5 layout) in NHWC with torchvision weight names.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import type { SafeTensor } from '../weights/safetensors';
import { batchNorm2d } from '../layers/norm';
import { assignTorchTensors, conv, ownedVariable, type ForwardOptions, type Param } from '../layers/torch-params';

/** 10 is not a torchvision model: one basic block per stage, for small CPU-trainable backbones. */
export type ResNetDepth = 10 | 18 | 50;

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

const SPECS: Record<ResNetDepth, { block: 'basic' | 'bottleneck'; layers: [number, number, number, number] }> = {
  10: { block: 'basic', layers: [1, 1, 1, 1] },
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
};

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

  const bn = (x: tf.Tensor4D, name: string, o: ForwardOptions): tf.Tensor4D => batchNorm2d(x, v, name, o);
  const bnRelu = (x: tf.Tensor4D, name: string, o: ForwardOptions): tf.Tensor4D => batchNorm2d(x, v, name, o, 'relu');

  const runBlock = (x: tf.Tensor4D, blk: Block, o: ForwardOptions): tf.Tensor4D => {
    const n = blk.name;
    let out: tf.Tensor4D;
    if (spec.block === 'bottleneck') {
      out = bnRelu(conv(x, v(`${n}.conv1.weight`), 1, 0), `${n}.bn1`, o);
      // torchvision v1.5: the stride sits on the 3x3 conv.
      out = bnRelu(conv(out, v(`${n}.conv2.weight`), blk.stride, 1), `${n}.bn2`, o);
      out = bn(conv(out, v(`${n}.conv3.weight`), 1, 0), `${n}.bn3`, o);
    } else {
      out = bnRelu(conv(x, v(`${n}.conv1.weight`), blk.stride, 1), `${n}.bn1`, o);
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
      let h: tf.Tensor4D = bnRelu(conv(x, v('conv1.weight'), 2, 3), 'bn1', o);
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

// HyperIQA (Su et al., CVPR 2020, §3 eq. 1-5): ResNet backbone + LDA module, hyper network, per-image target network.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AppError } from '../../../src-shared/api/errors';
import { readWeights } from '../weights/read-weights';
import type { SafeTensor, SafeTensorInput } from '../weights/safetensors';
import { trainOfficial } from './hyperiqa.official';
import type { IqaModel, ModelSpec } from './model';
import { createResNet, loadTorchvisionResNet, type ResNet } from '../backbones/resnet';
import { assignTorchTensors, conv, ownedVariable, toTorch } from '../layers/torch-params';
import type { ForwardOptions, Param } from '../layers/torch-params';
import { train } from '../train/trainer';

export const HyperIqaConfig = z
  .object({
    /** `small`: a ResNet-10 of width 16 (not in the paper; our choice so that training is practical on a CPU). */
    backbone: z.enum(['resnet50', 'resnet18', 'small']).default('resnet50'),
    testCrops: z.number().int().min(1).max(256).default(25),
    trainCrops: z.number().int().min(1).max(256).default(25),
    flip: z.boolean().default(true),
    /** A torchvision ResNet state dict as .safetensors (ImageNet weights you provide) loaded into the backbone before training. */
    backboneWeights: z.string().min(1).nullable().default(null),
    /** Resize every image first (the official code uses 512x384 for KonIQ-10k); null crops at native size. */
    resize: z.object({ width: z.number().int().min(224), height: z.number().int().min(224) }).nullable().default(null),
    /**
     * 'paper': §3.5 as written (batches of whole images' crops, labels mapped to 0..1, the run's step schedule).
     * 'official-code': SSL92/hyperIQA's HyerIQASolver.py (crop-level shuffle in batches of `batchCrops`, raw labels,
     * PyTorch Adam with weight decay on every parameter, the code's per-epoch group learning rates; 16 epochs there).
     */
    mode: z.enum(['paper', 'official-code']).default('paper'),
    /** Official-code mode: crops per optimiser step (`--batch_size`). */
    batchCrops: z.number().int().min(1).max(512).default(96),
    /** Official-code mode: the hyper network's learning rate over the backbone's (`--lr_ratio`). */
    lrRatio: z.number().min(1).max(1000).default(10),
    /** Official-code mode: 'as-released' stops training the hyper network after epoch 1, as the code does (its issue #32). */
    officialHyperNet: z.enum(['as-released', 'as-intended']).default('as-released'),
  })
  .strict();
export type HyperIqaConfig = z.infer<typeof HyperIqaConfig>;
/** A config as written (fields left out take their defaults). */
export type HyperIqaConfigInput = z.input<typeof HyperIqaConfig>;

/** HyperNet(16, 112, 224, 112, 56, 28, 14, 7) of the official code [C]. */
export const HYPER = {
  ldaOut: 16,
  hyperIn: 112,
  targetIn: 224,
  fc: [112, 56, 28, 14] as const,
  featureSize: 7,
  patch: 224,
} as const;

const BACKBONES: Record<HyperIqaConfig['backbone'], (seed: number) => Parameters<typeof createResNet>[0]> = {
  resnet50: (seed) => ({ depth: 50, seed }),
  resnet18: (seed) => ({ depth: 18, seed }),
  small: (seed) => ({ depth: 10, seed, width: 16 }),
};

export interface HyperIqaModel extends IqaModel {
  readonly config: HyperIqaConfig;
  readonly backbone: ResNet;
  /** Every parameter by its official name (`res.conv1.weight`, `lda1_fc` under `res.`, `conv1.0.weight`, `fc1w_conv.weight`, ...). */
  readonly params: Map<string, Param>;
  /** The official HyperNet + TargetNet output for an NHWC ImageNet-normalised 224x224 batch: one raw score per patch. */
  forwardRaw(x: tf.Tensor4D, opts?: ForwardOptions): tf.Tensor1D;
}

/** Parameters of the official `HyperNet` outside its `res` backbone (LDA lives in `res.` too, like the code). */
function buildHeadParams(stage: readonly [number, number, number, number], seed: number): Map<string, Param> {
  const params = new Map<string, Param>();
  let k = 0;
  const next = () => seed * 1000 + 500 + ++k;
  // Kaiming normal (fan-in, gain sqrt 2) for weights the code initialises with kaiming_normal_; PyTorch's default
  // uniform(+-1/sqrt(fan_in)) for the rest (biases, and the 1x1 hyper convs `conv1.*` which the code leaves default).
  const kaiming = (shape: number[], fanIn: number) => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', next());
  const uniform = (shape: number[], fanIn: number) => tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', next());
  const add = (name: string, t: tf.Tensor, layout: Param['layout']) => params.set(name, { variable: ownedVariable(t), layout, trainable: true });
  const { ldaOut, hyperIn, targetIn, fc, featureSize } = HYPER;
  const cells = featureSize * featureSize;

  // LDA branches [C]: 1x1 conv (no bias) 256->16, 512->32, 1024->64 for ResNet-50; spatial cells 8x8, 4x4, 2x2.
  const ldaConv = [16, 32, 64];
  const ldaCells = [64, 16, 4];
  for (let i = 0; i < 3; i++) {
    const cin = stage[i]!;
    const cout = ldaConv[i]!;
    add(`res.lda${i + 1}_pool.0.weight`, kaiming([1, 1, cin, cout], cin), 'conv');
    const flat = cout * ldaCells[i]!;
    add(`res.lda${i + 1}_fc.weight`, kaiming([flat, ldaOut], flat), 'linear');
    add(`res.lda${i + 1}_fc.bias`, uniform([ldaOut], flat), 'vector');
  }
  const c4 = stage[3];
  add('res.lda4_fc.weight', kaiming([c4, targetIn - 3 * ldaOut], c4), 'linear');
  add('res.lda4_fc.bias', uniform([targetIn - 3 * ldaOut], c4), 'vector');

  // Hyper network 1x1 convs [C]: 2048 -> 1024 -> 512 -> 112, ReLU after each.
  const chain: [number, number][] = [[c4, 1024], [1024, 512], [512, hyperIn]];
  chain.forEach(([cin, cout], i) => {
    add(`conv1.${2 * i}.weight`, uniform([1, 1, cin, cout], cin), 'conv');
    add(`conv1.${2 * i}.bias`, uniform([cout], cin), 'vector');
  });

  // Weight generators (3x3 conv, pad 1) and bias generators (FC on GAP) for the target layers [C].
  const sizes = [targetIn, ...fc];
  for (let i = 0; i < 4; i++) {
    const out = sizes[i + 1]!;
    const inn = sizes[i]!;
    const ch = (out * inn) / cells;
    add(`fc${i + 1}w_conv.weight`, kaiming([3, 3, hyperIn, ch], hyperIn * 9), 'conv');
    add(`fc${i + 1}w_conv.bias`, uniform([ch], hyperIn * 9), 'vector');
    add(`fc${i + 1}b_fc.weight`, kaiming([hyperIn, out], hyperIn), 'linear');
    add(`fc${i + 1}b_fc.bias`, uniform([out], hyperIn), 'vector');
  }
  add('fc5w_fc.weight', kaiming([hyperIn, fc[3]], hyperIn), 'linear');
  add('fc5w_fc.bias', uniform([fc[3]], hyperIn), 'vector');
  add('fc5b_fc.weight', kaiming([hyperIn, 1], hyperIn), 'linear');
  add('fc5b_fc.bias', uniform([1], hyperIn), 'vector');
  return params;
}

/** NHWC -> NCHW, then flatten per sample: the order PyTorch's `view(B, -1)` sees. */
function flattenNchw(x: tf.Tensor4D): tf.Tensor2D {
  return x.transpose([0, 3, 1, 2]).reshape([x.shape[0], -1]);
}

/** Non-overlapping k x k average pooling (AvgPool2d(k, stride=k), floor mode) as reshape + mean. */
function avgPoolK(x: tf.Tensor4D, k: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const ho = Math.floor(h / k);
  const wo = Math.floor(w / k);
  const cropped = ho * k === h && wo * k === w ? x : x.slice([0, 0, 0, 0], [b, ho * k, wo * k, c]);
  return cropped.reshape([b, ho, k, wo, k, c]).mean([2, 4]) as tf.Tensor4D;
}

export function createHyperIqa(config: HyperIqaConfigInput, seed: number): HyperIqaModel {
  const cfg = HyperIqaConfig.parse(config);
  const backbone = createResNet(BACKBONES[cfg.backbone]!(seed));
  const head = buildHeadParams(backbone.stageChannels, seed);
  const params = new Map<string, Param>();
  for (const [name, p] of backbone.params) params.set(`res.${name}`, p);
  for (const [name, p] of head) params.set(name, p);
  const v = (name: string) => {
    const p = head.get(name);
    if (!p) throw new Error(`hyperiqa: no parameter ${name}`);
    return p.variable;
  };
  const { targetIn, fc, patch } = HYPER;

  const forwardRaw = (x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor1D =>
    tf.tidy(() => {
      if (x.shape[1] !== patch || x.shape[2] !== patch || x.shape[3] !== 3) {
        throw new AppError('bad_input', `HyperIQA takes ${patch}x${patch} RGB patches, got ${x.shape.slice(1).join('x')}`);
      }
      const b = x.shape[0];
      const f = backbone.forward(x, opts);

      // Local distortion aware module [C]: 1x1 conv -> AvgPool 7 s7 -> flatten (NCHW order) -> FC.
      const lda = [f.layer1, f.layer2, f.layer3].map((feat, i) => {
        const pooled = avgPoolK(conv(feat, v(`res.lda${i + 1}_pool.0.weight`), 1, 0), 7);
        return flattenNchw(pooled).matMul(v(`res.lda${i + 1}_fc.weight`)).add(v(`res.lda${i + 1}_fc.bias`));
      });
      const lda4 = flattenNchw(avgPoolK(f.layer4, 7)).matMul(v('res.lda4_fc.weight')).add(v('res.lda4_fc.bias'));
      // v_x = S_ms(x), the target network input (eq. 4).
      const targetIn_ = tf.concat([...lda, lda4], 1) as tf.Tensor2D;

      // Hyper network H(S(x), gamma) (eq. 3): three 1x1 convs + ReLU on S(x) = layer4.
      let h: tf.Tensor4D = f.layer4;
      for (let i = 0; i < 3; i++) h = conv(h, v(`conv1.${2 * i}.weight`), 1, 0).add(v(`conv1.${2 * i}.bias`)).relu();
      const gap = h.mean([1, 2]) as tf.Tensor2D; // [B, 112]
      const sizes = [targetIn, ...fc];
      const weights: tf.Tensor3D[] = [];
      const biases: tf.Tensor2D[] = [];
      for (let i = 0; i < 4; i++) {
        const w = conv(h, v(`fc${i + 1}w_conv.weight`), 1, 1).add(v(`fc${i + 1}w_conv.bias`)) as tf.Tensor4D;
        // PyTorch views the NCHW map [B, out*in/49, 7, 7] as [B, out, in].
        weights.push(w.transpose([0, 3, 1, 2]).reshape([b, sizes[i + 1]!, sizes[i]!]));
        biases.push(gap.matMul(v(`fc${i + 1}b_fc.weight`)).add(v(`fc${i + 1}b_fc.bias`)));
      }
      const w5 = gap.matMul(v('fc5w_fc.weight')).add(v('fc5w_fc.bias')) as tf.Tensor2D; // [B, 14]
      const b5 = gap.matMul(v('fc5b_fc.weight')).add(v('fc5b_fc.bias')) as tf.Tensor2D; // [B, 1]

      // Target network phi(v_x, theta_x) (eq. 2, 4): four FC + sigmoid, then a linear FC.
      let q: tf.Tensor2D = targetIn_;
      for (let i = 0; i < 4; i++) {
        q = tf.matMul(weights[i]!, q.expandDims(2)).squeeze([2]).add(biases[i]!).sigmoid() as tf.Tensor2D;
      }
      return q.mul(w5).sum(1).add(b5.reshape([b])) as tf.Tensor1D;
    });

  return {
    id: 'hyperiqa',
    config: cfg,
    backbone,
    params,
    forwardRaw,
    // Raw target-network output; the registry maps labels into 0..1 for training and the linear output learns that.
    predict: (x, training = false) => forwardRaw(x, { training, updateStats: training }),
    weights: () => new Map([...params].map(([name, p]) => [name, p.variable])),
    parameterGroups: () => {
      // As in the official solver: `res` (backbone + LDA) at the base LR, the hyper network at 10x.
      const backboneVars: tf.Variable[] = [];
      const hyperVars: tf.Variable[] = [];
      for (const [name, p] of params) {
        if (!p.trainable) continue;
        (name.startsWith('res.') ? backboneVars : hyperVars).push(p.variable);
      }
      return [
        { name: 'backbone', lrMultiplier: 1, variables: backboneVars },
        { name: 'hyper', lrMultiplier: 10, variables: hyperVars },
      ];
    },
    dispose: () => params.forEach((p) => p.variable.dispose()),
  };
}

/**
 * Loads an official HyperNet state dict (names as in SSL92/hyperIQA models.py: `res.conv1.weight`,
 * `res.lda1_pool.0.weight`, `conv1.0.weight`, `fc1w_conv.weight`, ...). `num_batches_tracked` is ignored; a missing,
 * unexpected or mis-shaped tensor is a `bad_input` error naming it, and nothing is assigned then.
 */
export function loadOfficialWeights(model: HyperIqaModel, tensors: Map<string, SafeTensor>): void {
  const unexpected = [...tensors.keys()].filter((n) => !model.params.has(n) && !n.endsWith('num_batches_tracked'));
  if (unexpected.length) {
    throw new AppError(
      'bad_input',
      `weights: ${unexpected.length} tensor(s) are not part of HyperIQA (${model.config.backbone}): ${unexpected.slice(0, 5).map((n) => `"${n}"`).join(', ')}${unexpected.length > 5 ? ', ...' : ''}`,
    );
  }
  assignTorchTensors(model.params, tensors, (n) => n);
}

/** Loads torchvision ImageNet ResNet weights (no `res.` prefix; `fc.*` ignored) into the backbone. */
export function loadBackboneWeights(model: HyperIqaModel, tensors: Map<string, SafeTensor>): void {
  loadTorchvisionResNet(model.backbone, tensors);
}

/** The model's weights in the official layout and names, ready for `writeSafetensors`. */
export function exportOfficialWeights(model: HyperIqaModel): Record<string, SafeTensorInput> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [name, p] of model.params) {
    const t = toTorch(p.variable, p.layout);
    out[name] = { dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array };
    t.dispose();
  }
  return out;
}

export const hyperiqaSpec: ModelSpec<HyperIqaConfig> = {
  id: 'hyperiqa',
  label: 'HyperIQA (ResNet + hyper network)',
  citation: 'Su et al., CVPR 2020, §3 eq. 1-5; SSL92/hyperIQA models.py',
  configSchema: HyperIqaConfig as unknown as z.ZodType<HyperIqaConfig>,
  input: (c) => ({
    patch: HYPER.patch,
    ...(c.resize ? { resize: c.resize } : {}),
    testCrops: c.testCrops,
    trainCrops: c.trainCrops,
    flip: c.flip,
    imagenet: true,
  }),
  create: createHyperIqa,
  trainLoop: (opts) => {
    const c = (opts.model as HyperIqaModel).config;
    return c.mode === 'official-code' ? trainOfficial(opts, { batchCrops: c.batchCrops, lrRatio: c.lrRatio, hyperNet: c.officialHyperNet }) : train(opts);
  },
  rawLabels: (c) => c.mode === 'official-code',
  // [P §3.5]: Adam, weight decay 5e-4, 15 epochs, LR 2e-5 divided by 10 every 5 epochs, batch 96 patches
  // (4 images x 25 crops = 100 here), hyper network at 10x (parameterGroups).
  defaultHyper: { epochs: 15, batchImages: 4, lr: 2e-5, weightDecay: 5e-4, lrDecay: { every: 5, factor: 0.1 } },
  prepare: async (model, config) => {
    if (config.backboneWeights) loadBackboneWeights(model as HyperIqaModel, await readWeights(config.backboneWeights));
  },
  importWeights: async (model, file) => loadOfficialWeights(model as HyperIqaModel, await readWeights(file)),
};

// TTL-IQA's SFTnet (Yang, Li & Liu, TMM 2021, §V-A Fig. 6, §V-B, §VI-A.3; methods.md §3.3): VGG-16 + SDA block, a quality-level head (stage 2) or a score head (stage 3).
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AppError } from '../../../../src-shared/api/errors';
import { readWeights } from '../../weights/read-weights';
import { ParamStore } from '../../layers/param-store';
import type { Param } from '../../layers/torch-params';
import type { IqaModel, ModelSpec } from '../model';
import { levelToTarget } from './levels';
import { createSda, type SdaBlock } from './sda';
import { sftnetEpochs, trainSftnet } from './sftnet.train';
import { createVgg16, loadTorchvisionVgg16, type Vgg16 } from '../../backbones/vgg16';

/** 'paper' is VGG-16 at 224² [I]; 'small' and 'tiny' are our CPU-sized choices [U]. */
export const SFTNET_SCALES = {
  paper: { widthDivisor: 1, inputSize: 224, hidden: 4096 },
  small: { widthDivisor: 4, inputSize: 112, hidden: 256 },
  tiny: { widthDivisor: 8, inputSize: 64, hidden: 64 },
} as const;
export type SftnetScale = keyof typeof SFTNET_SCALES;

export const SftnetConfig = z
  .object({
    scale: z.enum(['paper', 'small', 'tiny']).default('paper'),
    /** Input side (random crops in stage 'levels', the whole-image resize in stage 'score'); null = the scale's (224 in the paper). */
    inputSize: z.number().int().min(32).max(1024).nullable().default(null),
    /** fc6/fc7 units; null = the scale's (4096 in VGG-16). */
    hidden: z.number().int().min(1).max(8192).nullable().default(null),
    /**
     * 'levels': the auxiliary quality-level task (softmax cross-entropy, 224 random crops) [P §V-B step 2]; 'score':
     * the IQA task (one output, Euclidean loss, whole images resized to 224²) [P §V-B step 3].
     */
    stage: z.enum(['levels', 'score']).default('score'),
    /** Quality levels K of stage 'levels' (3 in the paper: High, Medium, Low). */
    levels: z.number().int().min(2).max(5).default(3),
    /** The SDA block on or off (off = plain VGG-16, the ablation of Table IX). */
    attention: z.boolean().default(true),
    /** Channel-weight form of eq. 18: 'paper' (Dense C→C, ReLU, sigmoid) or 'se' (squeeze-and-excitation) [U]. */
    sdaForm: z.enum(['paper', 'se']).default('paper'),
    /** Dropout after fc6 and fc7 while training [P §VI-A.3]. */
    dropout: z.number().min(0).max(0.9).default(0.5),
    /**
     * A torchvision `vgg16` state dict, .pth or .safetensors (ImageNet weights you provide; nothing is downloaded), loaded
     * into the backbone before training. Paper scale only; its last FC (classifier.6) is not used.
     */
    backboneWeights: z.string().min(1).nullable().default(null),
    /** 'sgd' with momentum as the paper's Caffe solver, or 'adam' [U]. */
    optimizer: z.enum(['sgd', 'adam']).default('sgd'),
    momentum: z.number().min(0).max(0.999).default(0.9),
    /**
     * Training length in iterations (mini-batches) [P §VI-A.3: 50,000]: the run's epochs become ⌈iterations / steps
     * per epoch⌉ and training stops after exactly this many steps. null = the run's epochs [U: a CPU-sized length].
     */
    iterations: z.number().int().min(1).max(10_000_000).nullable().default(null),
    /**
     * Multiply the LR by lrDecayFactor every this many iterations [P §VI-A.3: 10,000]. null = a fifth of the run, the
     * paper's 10K of 50K at any length; 0 = never.
     */
    lrDecayEvery: z.number().int().min(0).max(10_000_000).nullable().default(null),
    lrDecayFactor: z.number().positive().max(1).default(0.1),
  })
  .strict();
export type SftnetConfig = z.infer<typeof SftnetConfig>;

export interface SftnetSizes {
  widthDivisor: number;
  inputSize: number;
  hidden: number;
  /** Channels of conv5_3, where SDA sits (512 / widthDivisor). */
  channels: number;
}

export function resolveSftnetSizes(config: SftnetConfig): SftnetSizes {
  const s = SFTNET_SCALES[config.scale];
  return { widthDivisor: s.widthDivisor, inputSize: config.inputSize ?? s.inputSize, hidden: config.hidden ?? s.hidden, channels: 512 / s.widthDivisor };
}

export interface SftnetAttention {
  /** s_c per image and channel (eq. 18), [B, C]. */
  weights: tf.Tensor2D;
  /** V: conv5_3 feature maps (after ReLU) that SDA weighs, [B, H, W, C]. */
  features: tf.Tensor4D;
  /** X = V·s (eq. 19), what the rest of the network sees. */
  attended: tf.Tensor4D;
}

export interface SftnetModel extends IqaModel {
  readonly config: SftnetConfig;
  readonly sizes: SftnetSizes;
  readonly vgg: Vgg16;
  /** null when attention is off. */
  readonly sda: SdaBlock | null;
  /** torchvision names (`features.<k>.*`, `classifier.0|3.*`), `sda.*`, and `head_levels.*` or `head_score.*`. */
  readonly params: Map<string, Param>;
  /** The last layer's raw output: [B, K] level logits (stage 'levels') or [B, 1] scores (stage 'score'). */
  forward(x: tf.Tensor4D, training?: boolean): tf.Tensor2D;
  /** Level logits [B, K], class k = level k+1 (level 1 = best); stage 'levels' only. */
  levelLogits(x: tf.Tensor4D, training?: boolean): tf.Tensor2D;
  /** SDA's channel weights and feature maps for an inspector; throws when attention is off. */
  attention(x: tf.Tensor4D): SftnetAttention;
  /** Σw² over conv, depthwise and FC weights (biases excluded), for L2 weight decay. */
  l2(): tf.Scalar;
}

export function createSftnet(config: SftnetConfig, seed: number): SftnetModel {
  const cfg = SftnetConfig.parse(config);
  const sizes = resolveSftnetSizes(cfg);
  const vgg = createVgg16({ widthDivisor: sizes.widthDivisor, hidden: sizes.hidden, seed, outputs: 0, dropout: cfg.dropout });
  // Separate seed ranges per store (ParamStore seeds tensors seed·1000 + k).
  const sda = cfg.attention ? createSda({ channels: sizes.channels, form: cfg.sdaForm, seed: seed + 100_000 }) : null;
  const head = new ParamStore(seed + 200_000);
  const headName = cfg.stage === 'levels' ? 'head_levels' : 'head_score';
  // The new last FC as torchvision initialises linears, N(0, 0.01²); the score head starts at mid-scale (bias 0.5) [U].
  if (cfg.stage === 'levels') head.linear(headName, sizes.hidden, cfg.levels, 0.01);
  else head.linear(headName, sizes.hidden, 1, 0.01, 0.5);
  const params = new Map<string, Param>([...vgg.params, ...(sda?.params ?? []), ...head.params]);
  const stores = [vgg.store, ...(sda ? [sda.store] : []), head];
  const levelTargets = Array.from({ length: cfg.levels }, (_, k) => levelToTarget(k + 1, cfg.levels));

  const checkInput = (x: tf.Tensor4D) => {
    if (x.shape[3] !== 3 || x.shape[1] < 32 || x.shape[2] < 32) {
      throw new AppError('bad_input', `SFTnet takes RGB images of at least 32×32, got ${x.shape.slice(1).join('×')}`);
    }
  };
  const forward = (x: tf.Tensor4D, training = false): tf.Tensor2D =>
    tf.tidy(() => {
      checkInput(x);
      let f = vgg.features(x, training);
      // One SDA block after conv5_3, before pool5 [U: the placement is not stated, methods.md §3.3.1].
      if (sda) f = sda.forward(f).output;
      return head.dense(vgg.head(f, training), headName);
    });
  const levelLogits = (x: tf.Tensor4D, training = false): tf.Tensor2D => {
    if (cfg.stage !== 'levels') throw new AppError('unsupported', "SFTnet: level logits need stage 'levels' (this model has the one-output score head)");
    return forward(x, training);
  };

  return {
    id: 'sftnet',
    config: cfg,
    sizes,
    vgg,
    sda,
    params,
    forward,
    levelLogits,
    // Stage 'score': the raw output (normalised space, no sigmoid). Stage 'levels': the expected quality
    // Σ_k softmax_k · levelToTarget(k), so stage-2 runs can be scored by SRCC as well.
    predict: (x, training = false) =>
      tf.tidy(() => {
        const out = forward(x, training);
        if (cfg.stage === 'score') return out.reshape([-1]) as tf.Tensor1D;
        return tf.softmax(out).mul(tf.tensor1d(levelTargets)).sum(1) as tf.Tensor1D;
      }),
    attention: (x) => {
      if (!sda) throw new AppError('unsupported', 'SFTnet: attention is off (no SDA block)');
      return tf.tidy(() => {
        checkInput(x);
        const features = vgg.features(x, false);
        const { output, weights } = sda.forward(features);
        return { weights, features, attended: output };
      });
    },
    l2: () => tf.tidy(() => tf.addN(stores.map((s) => s.l2())) as tf.Scalar),
    weights: () => new Map([...params].map(([name, p]) => [name, p.variable])),
    // One group at the base LR: the paper gives no per-layer multipliers [U].
    parameterGroups: () => [{ name: 'sftnet', lrMultiplier: 1, variables: stores.flatMap((s) => s.trainable()) }],
    dispose: () => stores.forEach((s) => s.dispose()),
  };
}

/** Loads the user's torchvision VGG-16 (.pth or .safetensors) into the backbone (conv and fc6/fc7; not classifier.6). */
export async function loadSftnetBackbone(model: SftnetModel, file: string): Promise<void> {
  const { widthDivisor, hidden } = model.sizes;
  if (widthDivisor !== 1 || hidden !== 4096) {
    throw new AppError(
      'validation',
      `backboneWeights (torchvision VGG-16) need scale 'paper' with hidden 4096; this SFTnet is scale '${model.config.scale}' with hidden ${hidden}`,
    );
  }
  loadTorchvisionVgg16(model.vgg, await readWeights(file), { includeLast: false });
}

export const sftnetSpec: ModelSpec<SftnetConfig> = {
  id: 'sftnet',
  label: 'SFTnet (TTL-IQA §V)',
  citation: 'Yang, Li & Liu, "TTL-IQA: Transitive Transfer Learning based No-reference Image Quality Assessment", IEEE TMM 2021, §V and §VI-A.3',
  configSchema: SftnetConfig as unknown as z.ZodType<SftnetConfig>,
  input: (c) => {
    const { inputSize } = resolveSftnetSizes(c);
    // Stage 2: random inputSize² crops for training; 5 grid crops averaged at test time [U]. Stage 3: the whole image
    // resized to inputSize² ("We use the images instead of image patches"), one pass at test time [U].
    return c.stage === 'levels'
      ? { patch: inputSize, testCrops: 5, trainCrops: 1, flip: false, imagenet: true }
      : { patch: inputSize, resize: { width: inputSize, height: inputSize }, testCrops: 1, trainCrops: 1, flip: false, imagenet: true };
  },
  create: createSftnet,
  trainLoop: (opts) => trainSftnet(opts),
  // Caffe solver of §VI-A.3: mini-batch 30, LR 1e-6, weight decay 5e-4 (momentum 0.9 is the config's). The paper's
  // "×0.1 every 10K iterations, 50K in total" is the config's iterations / lrDecayEvery / lrDecayFactor; without
  // iterations the run lasts `epochs` and decays every fifth of it.
  defaultHyper: { batchImages: 30, lr: 1e-6, weightDecay: 5e-4, epochs: 50, lrDecay: { every: 0, factor: 1 } },
  resolveHyper: (config, hyper, trainImages) => ({ ...hyper, epochs: sftnetEpochs(config, hyper, trainImages) }),
  prepare: async (model, config) => {
    if (config.backboneWeights) await loadSftnetBackbone(model as SftnetModel, config.backboneWeights);
  },
  kind: 'scorer',
  initFrom: 'partial',
};

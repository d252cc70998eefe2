// Hallucinated-IQA (Lin & Wang, CVPR 2018, §3 eq. 1-12, supp. Algorithm 1; methods.md §1): G, R, D, R_pre, the model spec and one training iteration.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { AppError } from '../../../../src-shared/api/errors';
import type { Optimizers } from '../../train/trainer';
import { readWeights } from '../../weights/read-weights';
import type { IqaModel, ModelSpec } from '../model';
import { createDiscriminator, discriminatorTargets, resolveEpsilon, type Discriminator } from './discriminator';
import { createGenerator, type Generator } from './generator';
import type { ForwardOptions, Param, ParamStore } from './layers';
import {
  HiqaLossConfig,
  adversarialLoss,
  discriminatorLoss,
  featureDistance,
  generatorLoss,
  pixelLoss,
  psnr,
  regressionLoss,
} from './losses';
import { createRegressor, type Regressor, type RegressorInput } from './regressor';
import { loadVgg19, type Vgg19Features } from './vgg19';
import { trainHiqa } from './hiqa.train';

/**
 * Network sizes per scale. 'paper' follows methods.md §1.2 (256² patches, hourglass C = 128, ResNet-18 R, SRGAN-style
 * D) [U where the paper is silent]; 'small' and 'tiny' are our CPU-sized choices [U].
 */
export const HIQA_SCALES = {
  paper: {
    patch: 256,
    generator: { stacks: 2, width: 128, stemWidth: 64, depth: 5, fusionStack: 2 },
    regressor: { depth: 18 as 10 | 18, width: 64, hidden: 512, dropout: 0 },
    discriminator: { width: 64, hidden: 1024 },
  },
  small: {
    patch: 128,
    generator: { stacks: 2, width: 32, stemWidth: 16, depth: 5, fusionStack: 2 },
    regressor: { depth: 10 as 10 | 18, width: 16, hidden: 64, dropout: 0 },
    discriminator: { width: 16, hidden: 128 },
  },
  tiny: {
    patch: 64,
    generator: { stacks: 2, width: 8, stemWidth: 8, depth: 5, fusionStack: 2 },
    regressor: { depth: 10 as 10 | 18, width: 8, hidden: 32, dropout: 0 },
    discriminator: { width: 8, hidden: 32 },
  },
} as const;
export type HiqaScale = keyof typeof HIQA_SCALES;

const GeneratorSize = z
  .object({
    stacks: z.number().int().min(2).max(8),
    width: z.number().int().min(2).max(512).multipleOf(2),
    stemWidth: z.number().int().min(1).max(256),
    depth: z.number().int().min(1).max(7),
    fusionStack: z.number().int().min(1).max(8),
  })
  .partial()
  .strict();
const RegressorSize = z
  .object({
    depth: z.union([z.literal(10), z.literal(18)]),
    width: z.number().int().min(1).max(256),
    hidden: z.number().int().min(1).max(4096),
    dropout: z.number().min(0).max(0.9),
  })
  .partial()
  .strict();
const DiscriminatorSize = z.object({ width: z.number().int().min(1).max(256), hidden: z.number().int().min(1).max(4096) }).partial().strict();

export const HiqaConfig = z
  .object({
    /** Network sizes: 'paper' (256² patches), 'small' (128²) or 'tiny' (64², for tests and quick CPU runs) [U]. */
    scale: z.enum(['paper', 'small', 'tiny']).default('paper'),
    /** Training/test patch side; null = the scale's (256 in the paper [P §3.6]). Must be a multiple of 2^generator depth. */
    patch: z.number().int().min(32).max(1024).nullable().default(null),
    /** Overrides of the scale's network sizes. */
    sizes: z
      .object({ generator: GeneratorSize.prefault({}), regressor: RegressorSize.prefault({}), discriminator: DiscriminatorSize.prefault({}) })
      .strict()
      .prefault({}),
    /**
     * G's output [U]: 'image' (the paper's G makes the image itself; sigmoid head) or 'residual' (I_sh = I_d + a
     * learned correction, clipped to [0,1]): G starts as the identity, so the hallucination starts as close to I_r
     * as I_d is and the discrepancy map starts near 0 instead of |I_d − 0.5|. Much faster to train on a CPU budget.
     */
    generatorOutput: z.enum(['image', 'residual']).default('image'),
    /** BatchNorm in G ('batch', Newell's hourglass) or no normalisation ('none', as in EDSR) [U]; see generator.ts. */
    generatorNorm: z.enum(['batch', 'none']).default('batch'),
    /** R sees I_d ⊕ |I_d − I_sh| (on, the paper's "HCM") or I_d only (off, "BL") [P §4.2]. */
    discrepancy: z.boolean().default(true),
    /** High-level semantic fusion f(H_{5,2}) ⊗ R1 before R's FC layers [P eq. 11-12]; off = the ablation without it. */
    fusion: z.boolean().default(true),
    /** 'iqa': the IQA-discriminator with d_fake from eq. 7; 'plain': a real/fake discriminator; 'none': no D, no L_adv [P §3.2, Fig. 4]. */
    discriminator: z.enum(['iqa', 'plain', 'none']).default('iqa'),
    /** The quality-aware term l_q from the frozen, pre-trained R_pre (eq. 3, 5); off drops l_q and R_pre ("QPL" ablation). */
    qualityAwareLoss: z.boolean().default(true),
    /** "Ours+Oracle" [P §4.1]: R gets the true reference instead of the hallucination (datasets with references only; an upper bound). */
    oracle: z.boolean().default(false),
    /** ε of eq. 7, in the normalised 0..1 score space: 0.05 = 5% of the label range [U]. */
    epsilon: z.number().positive().max(1).default(0.05),
    /** 'fixed' uses `epsilon`; 'batchMedian' uses the batch median of |R − s| (balanced labels) [U]. */
    epsilonMode: z.enum(['fixed', 'batchMedian']).default('fixed'),
    losses: HiqaLossConfig.prefault({}),
    /**
     * A torchvision VGG-19 state dict as .safetensors (ImageNet weights you provide; nothing is downloaded). Without
     * it the VGG term l_v of eq. 3-4 is OFF and L_s = λ₂·l_q only.
     */
    vggWeights: z.string().min(1).nullable().default(null),
    /**
     * Optimisation [U]: the paper uses SGD (momentum 0.9, weight decay 5e-4, LR 1e-5 for G and 1e-2 for R, ×0.1 every
     * 20K iterations [P §3.6]); we use one Adam per network (β₁ = 0.5 for G and D, 0.9 for R and R_pre).
     */
    optim: z
      .object({
        lrG: z.number().positive().default(1e-4),
        lrD: z.number().positive().default(1e-4),
        lrR: z.number().positive().default(1e-4),
        lrRPre: z.number().positive().default(1e-4),
        ganBeta1: z.number().min(0).max(0.999).default(0.5),
        /** L2 weight decay (added to each network's loss as wd/2·Σw²) on conv/FC weights; the paper's SGD uses 5e-4 [P]. */
        weightDecay: z.number().min(0).default(0),
        /** Multiply every LR by `lrDecayFactor` every `lrDecayEvery` iterations (0 = never) [P §3.6: 0.1 per 20K]. */
        lrDecayEvery: z.number().int().min(0).default(20_000),
        lrDecayFactor: z.number().positive().max(1).default(0.1),
        /** Algorithm 1 step 7: a separate G update with μ₃·L_adv before step 9's L_G (which contains μ₃·L_adv again). */
        separateAdversarialStep: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /**
     * Epochs of the runs service's schedule [U]: R_pre first (when qualityAwareLoss), then G alone with μ₁L_p + μ₂L_s
     * (the optional warm-up of methods.md §1.4 step 0), D/G/R jointly, and R alone last.
     */
    schedule: z
      .object({
        rpreEpochs: z.number().int().min(0).default(1),
        warmupEpochs: z.number().int().min(0).default(0),
        regressorEpochs: z.number().int().min(0).default(1),
      })
      .strict()
      .prefault({}),
    /** Random crops per image and epoch (8 × 4 images = the paper's mini-batch of 32 [P §3.6]). */
    trainCrops: z.number().int().min(1).max(256).default(8),
    /** Deterministic crops per test image, scores averaged [P §3.6: overlapping patches at a fixed stride]. */
    testCrops: z.number().int().min(1).max(256).default(9),
    flip: z.boolean().default(true),
    resize: z.object({ width: z.number().int().min(32), height: z.number().int().min(32) }).nullable().default(null),
  })
  .strict();
export type HiqaConfig = z.infer<typeof HiqaConfig>;

export interface HiqaSizes {
  patch: number;
  generator: { stacks: number; width: number; stemWidth: number; depth: number; fusionStack: number };
  regressor: { depth: 10 | 18; width: number; hidden: number; dropout: number };
  discriminator: { width: number; hidden: number };
}

/** The scale's sizes with the overrides applied; validates patch vs the hourglass depth. */
export function resolveHiqaSizes(config: HiqaConfig): HiqaSizes {
  const base = HIQA_SCALES[config.scale];
  const sizes: HiqaSizes = {
    patch: config.patch ?? base.patch,
    generator: { ...base.generator, ...config.sizes.generator },
    regressor: { ...base.regressor, ...config.sizes.regressor },
    discriminator: { ...base.discriminator, ...config.sizes.discriminator },
  };
  const m = 2 ** sizes.generator.depth;
  if (sizes.patch % m !== 0) throw new AppError('validation', `HIQA: patch ${sizes.patch} must be a multiple of ${m} (2^generator depth)`);
  if (sizes.generator.fusionStack > sizes.generator.stacks) {
    throw new AppError('validation', `HIQA: fusion stack ${sizes.generator.fusionStack} > ${sizes.generator.stacks} stacks`);
  }
  return sizes;
}

export interface HiqaNetworks {
  G: Generator;
  R: Regressor;
  /** Absent when `discriminator` is 'none'. */
  D: Discriminator | null;
  /** The fixed BL regressor for l_q (eq. 5); absent when `qualityAwareLoss` is off. Trained by the 'rpre' phase. */
  rPre: Regressor | null;
  /** φ_j (eq. 4): only with user-provided VGG-19 weights. */
  vgg: Vgg19Features | null;
}

/** Which terms of L_G are active, in words (for run logs and the UI). */
export interface HiqaLossReport {
  pixel: string;
  vgg: string;
  quality: string;
  adversarial: string;
  /** True when the VGG-19 perceptual term is active. */
  perceptualOn: boolean;
}

export interface HiqaModel extends IqaModel {
  readonly config: HiqaConfig;
  readonly sizes: HiqaSizes;
  readonly networks: HiqaNetworks;
  /** G(x) (eval mode) and the discrepancy map |x − G(x)| for the viewers; the caller disposes both. */
  hallucinate(x: tf.Tensor4D): { reference: tf.Tensor4D; discrepancy: tf.Tensor4D };
  /** R's scores with the true reference in place of the hallucination ("Ours+Oracle"). */
  predictWithReference(x: tf.Tensor4D, reference: tf.Tensor4D, training?: boolean): tf.Tensor1D;
  /** Named activations for the probe view: `G.output`, `G.discrepancy`, `G.H{m},{n}`, `R.layer1..4` (eval mode); the caller disposes them. */
  probe(x: tf.Tensor4D): Map<string, tf.Tensor4D>;
  /** Uses VGG-19 features for l_v from now on (replaces and disposes a previous one). */
  attachVgg19(vgg: Vgg19Features | null): void;
  /** What L_G contains with this configuration and the attached networks. */
  lossReport(): HiqaLossReport;
}

const PREFIX = { G: 'G.', R: 'R.', D: 'D.', rPre: 'Rpre.' } as const;

/** R's input for a reference (hallucinated or true) and G's fusion feature, per the switches. */
function regressorInput(config: HiqaConfig, distorted: tf.Tensor4D, reference: tf.Tensor4D | null, fusion: tf.Tensor4D | null): RegressorInput {
  return {
    distorted,
    ...(config.discrepancy && reference ? { discrepancy: distorted.sub(reference).abs() as tf.Tensor4D } : {}),
    ...(config.fusion && fusion ? { fusion } : {}),
  };
}

export function createHiqa(config: HiqaConfig, seed: number): HiqaModel {
  const cfg = HiqaConfig.parse(config);
  const sizes = resolveHiqaSizes(cfg);
  const G = createGenerator({ ...sizes.generator, output: cfg.generatorOutput, norm: cfg.generatorNorm, seed: seed * 10 + 1 });
  const R = createRegressor({
    ...sizes.regressor,
    discrepancy: cfg.discrepancy,
    fusionChannels: cfg.fusion ? G.fusionChannels : null,
    seed: seed * 10 + 2,
  });
  const D = cfg.discriminator === 'none' ? null : createDiscriminator({ ...sizes.discriminator, seed: seed * 10 + 3 });
  // R_pre = the BL network: I_d only, no fusion [P supp. note under Alg. 1; methods.md §1.2.3].
  const rPre = cfg.qualityAwareLoss
    ? createRegressor({ ...sizes.regressor, dropout: 0, discrepancy: false, fusionChannels: null, seed: seed * 10 + 4 })
    : null;
  const networks: HiqaNetworks = { G, R, D, rPre, vgg: null };

  const all = new Map<string, Param>();
  const addAll = (prefix: string, params: Map<string, Param>) => {
    for (const [name, p] of params) all.set(prefix + name, p);
  };
  addAll(PREFIX.G, G.params);
  addAll(PREFIX.R, R.params);
  if (D) addAll(PREFIX.D, D.params);
  if (rPre) addAll(PREFIX.rPre, rPre.params);

  const needG = cfg.discrepancy || cfg.fusion;
  const score = (x: tf.Tensor4D, reference: tf.Tensor4D | null, training: boolean): tf.Tensor1D =>
    tf.tidy(() => {
      const g = needG ? G.forward(x, { training: false }) : null;
      const ref = reference ?? g?.image ?? null;
      return R.forward(regressorInput(cfg, x, ref, g?.fusion ?? null), { training, updateStats: training }).score;
    });

  const lossReport = (): HiqaLossReport => {
    const vggOn = networks.vgg !== null && cfg.losses.lambda1 > 0 && cfg.losses.mu2 > 0;
    return {
      pixel: `on: μ₁ = ${cfg.losses.mu1}, ${cfg.losses.pixel === 'l2' ? 'MSE' : 'L1'}`,
      vgg: networks.vgg
        ? `on: μ₂·λ₁ = ${cfg.losses.mu2 * cfg.losses.lambda1}, VGG-19 ${networks.vgg.tap}`
        : cfg.vggWeights
          ? 'off: VGG-19 weights are configured but not loaded yet (call prepare / loadHiqaVgg19)'
          : 'off: no VGG-19 weights provided (vggWeights is null); l_v of eq. 3-4 is not computed',
      quality: rPre ? `on: μ₂·λ₂ = ${cfg.losses.mu2 * cfg.losses.lambda2}, frozen R_pre ${cfg.losses.rPreLayer} (train it first: phase 'rpre')` : 'off: qualityAwareLoss is false',
      adversarial: D ? `on: μ₃ = ${cfg.losses.mu3}, ${cfg.discriminator === 'iqa' ? 'IQA-discriminator (eq. 6-7)' : 'plain discriminator'}, ${cfg.losses.adversarial}` : "off: discriminator is 'none'",
      perceptualOn: vggOn,
    };
  };

  return {
    id: 'hiqa',
    config: cfg,
    sizes,
    mapMultiple: 2 ** sizes.generator.depth,
    networks,
    predict(x, training = false) {
      if (cfg.oracle) throw new AppError('unsupported', 'HIQA in oracle mode scores with the true reference: use predictWithReference(x, reference)');
      return score(x, null, training);
    },
    predictWithReference: (x, reference, training = false) => score(x, reference, training),
    hallucinate: (x) =>
      tf.tidy(() => {
        const reference = G.forward(x, { training: false }).image;
        return { reference, discrepancy: x.sub(reference).abs() as tf.Tensor4D };
      }),
    probe: (x) => {
      const out = tf.tidy(() => {
        const g = G.forward(x, { training: false });
        const named: Record<string, tf.Tensor4D> = { 'G.output': g.image, 'G.discrepancy': x.sub(g.image).abs() as tf.Tensor4D };
        g.encoder.forEach((levels, n) => levels.forEach((h, m) => (named[`G.H${m + 1},${n + 1}`] = h)));
        const r = R.forward(regressorInput(cfg, x, cfg.oracle ? null : g.image, g.fusion), { training: false });
        Object.assign(named, { 'R.layer1': r.layer1, 'R.layer2': r.layer2, 'R.layer3': r.layer3, 'R.layer4': r.layer4 });
        return named;
      });
      return new Map(Object.entries(out));
    },
    attachVgg19(vgg) {
      if (networks.vgg && networks.vgg !== vgg) networks.vgg.dispose();
      networks.vgg = vgg;
    },
    lossReport,
    weights: () => new Map([...all].map(([name, p]) => [name, p.variable])),
    // The generic trainer (L1 on predict) trains R with G frozen = Algorithm 1's final R-only loop; the joint
    // G/D/R loop is trainStepHiqa with createHiqaOptimizers.
    parameterGroups: () => [{ name: 'R', lrMultiplier: 1, variables: R.store.trainable() }],
    dispose() {
      G.dispose();
      R.dispose();
      D?.dispose();
      rPre?.dispose();
      networks.vgg?.dispose();
      networks.vgg = null;
    },
  };
}

/** Loads the user's VGG-19 .safetensors (torchvision names) into the model for l_v. */
export async function loadHiqaVgg19(model: HiqaModel, file: string): Promise<void> {
  model.attachVgg19(loadVgg19(await readWeights(file), model.config.losses.vggLayer));
}

/** Per-network Adam optimizers as trainer `Optimizers` groups 'G', 'D', 'R', 'Rpre' (checkpointable with saveCheckpoint). */
export function createHiqaOptimizers(model: HiqaModel, config: HiqaConfig = model.config): Optimizers {
  const { G, R, D, rPre } = model.networks;
  const o = config.optim;
  const groups: Optimizers['groups'] = [
    { name: 'G', variables: G.store.trainable(), lrMultiplier: 1, optimizer: tf.train.adam(o.lrG, o.ganBeta1) },
    { name: 'R', variables: R.store.trainable(), lrMultiplier: 1, optimizer: tf.train.adam(o.lrR) },
  ];
  if (D) groups.push({ name: 'D', variables: D.store.trainable(), lrMultiplier: 1, optimizer: tf.train.adam(o.lrD, o.ganBeta1) });
  if (rPre) groups.push({ name: 'Rpre', variables: rPre.store.trainable(), lrMultiplier: 1, optimizer: tf.train.adam(o.lrRPre) });
  return { groups };
}

/** The LR of a network at an iteration (0-based): base × factor^floor(iteration / every). */
export function hiqaLearningRate(config: HiqaConfig, network: 'G' | 'D' | 'R' | 'Rpre', iteration: number): number {
  const o = config.optim;
  const base = { G: o.lrG, D: o.lrD, R: o.lrR, Rpre: o.lrRPre }[network];
  const decays = o.lrDecayEvery > 0 ? Math.floor(iteration / o.lrDecayEvery) : 0;
  return base * o.lrDecayFactor ** decays;
}

/**
 * 'rpre': train R_pre (BL, L1) before the joint loop [I, methods.md §1.4 step 0]; 'warmup': G with μ₁L_p + μ₂L_s only
 * (optional [U]); 'joint': one iteration of Algorithm 1's first loop (steps 4-9); 'regressor': the second loop, R
 * only with G frozen (eval mode).
 */
export type HiqaPhase = 'rpre' | 'warmup' | 'joint' | 'regressor';

export interface HiqaBatch {
  /** I_d patches, NHWC in [0,1]. */
  distorted: tf.Tensor4D;
  /** I_r patches (same crops and flips as I_d); needed by 'warmup' and 'joint', and by 'regressor' in oracle mode. */
  reference?: tf.Tensor4D;
  /** Scores in the normalised 0..1 space (1 = best). */
  target: tf.Tensor1D;
}

export interface HiqaStepResult {
  phase: HiqaPhase;
  /** BCE(D(I_r), 1) + BCE(D(I_sh), d_fake) (steps 5-6). */
  lossD: number | null;
  /** L_G of step 9 (eq. 9), without weight decay. */
  lossG: number | null;
  /** L_R of step 8 (eq. 12). */
  lossR: number | null;
  /** R_pre's L1 ('rpre' phase). */
  lossRPre: number | null;
  /** Unweighted terms of step 9: L_p, l_v, l_q, L_adv (null = off in this step). */
  terms: { pixel: number | null; vgg: number | null; quality: number | null; adversarial: number | null };
  /** Fraction of hallucinations labelled "real" by eq. 7, and the ε used. */
  dFakeRate: number | null;
  epsilon: number | null;
  /** PSNR (dB) of G(I_d) against I_r before step 9's update (null without a reference). */
  psnr: number | null;
  seconds: number;
}

/** Gradients of `f` for `vars` only, applied by `optimizer`; returns the kept report scalars as numbers. */
function minimize(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  stores: ParamStore[],
  weightDecay: number,
  f: () => { loss: tf.Scalar; report?: Record<string, tf.Scalar | undefined> },
): Record<string, number> {
  const kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const { loss, report } = f();
    for (const [k, t] of Object.entries(report ?? {})) if (t) kept[k] = tf.keep(t);
    kept.loss = tf.keep(loss);
    if (weightDecay <= 0) return loss;
    return loss.add(tf.addN(stores.map((s) => s.l2())).mul(weightDecay / 2)) as tf.Scalar;
  }, vars);
  optimizer.applyGradients(grads);
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(kept)) out[k] = t.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), ...Object.values(kept)]);
  return out;
}

function group(optimizers: Optimizers, name: string): Optimizers['groups'][number] {
  const g = optimizers.groups.find((x) => x.name === name);
  if (!g) throw new AppError('validation', `HIQA: no optimizer group "${name}" (use createHiqaOptimizers)`);
  return g;
}

/**
 * One iteration of HIQA training (supp. Algorithm 1) for the given phase. Architecture switches come from the model;
 * `config` supplies the loss weights, ε, D mode and optimisation settings (normally `model.config`). Each update
 * touches only its network's variables (explicit var lists); G's outputs reach R and D detached. BN running statistics
 * are updated only in a network's own update. With `iteration`, learning rates follow the step schedule first.
 *
 * joint: (4) d_fake by eq. 7 with the current G and R → (5-6) D on I_r (real) and detached I_sh (vs d_fake) → (7) G
 * with μ₃·L_adv (optional) → (8) R with L1 on (I_d, |I_d − G(I_d)|, H_{5,2}) → (9) G with L_G (eq. 9).
 */
export function trainStepHiqa(
  models: HiqaModel,
  optimizers: Optimizers,
  batch: HiqaBatch,
  config: HiqaConfig = models.config,
  options: { phase?: HiqaPhase; iteration?: number } = {},
): HiqaStepResult {
  const t0 = performance.now();
  const phase = options.phase ?? 'joint';
  const { G, R, D, rPre, vgg } = models.networks;
  const L = config.losses;
  const wd = config.optim.weightDecay;
  const { distorted: xd, reference: xr, target: y } = batch;
  if (options.iteration !== undefined) {
    for (const g of optimizers.groups) {
      (g.optimizer as unknown as { learningRate: number }).learningRate = hiqaLearningRate(config, g.name as 'G', options.iteration);
    }
  }
  if (xd.shape[0] !== y.shape[0]) throw new AppError('bad_input', `HIQA: ${xd.shape[0]} patches but ${y.shape[0]} targets`);
  const needsRef = phase === 'joint' || phase === 'warmup' || (phase === 'regressor' && models.config.oracle);
  if (needsRef && !xr) throw new AppError('bad_input', `HIQA: the '${phase}' phase needs reference patches (batch.reference)`);
  if (xr && xr.shape.join('x') !== xd.shape.join('x')) {
    throw new AppError('bad_input', `HIQA: reference ${xr.shape.join('x')} and distorted ${xd.shape.join('x')} patches differ`);
  }
  const mode = config.discriminator;
  if (phase === 'joint' && mode !== 'none' && !D) throw new AppError('validation', `HIQA: discriminator '${mode}' requested but the model has none`);

  const result: HiqaStepResult = {
    phase,
    lossD: null,
    lossG: null,
    lossR: null,
    lossRPre: null,
    terms: { pixel: null, vgg: null, quality: null, adversarial: null },
    dFakeRate: null,
    epsilon: null,
    psnr: null,
    seconds: 0,
  };
  const batchStats: ForwardOptions = { training: true };
  const updateStats: ForwardOptions = { training: true, updateStats: true };

  if (phase === 'rpre') {
    if (!rPre) throw new AppError('validation', "HIQA: the 'rpre' phase needs qualityAwareLoss (there is no R_pre)");
    const g = group(optimizers, 'Rpre');
    result.lossRPre = minimize(g.optimizer, g.variables, [rPre.store], wd, () => ({ loss: regressionLoss(rPre.forward({ distorted: xd }, updateStats).score, y) })).loss!;
    result.seconds = (performance.now() - t0) / 1000;
    return result;
  }

  /** Step 8 / the R-only loop: R's L1 with G's outputs computed outside R's tape. */
  const regressorStep = (gMode: ForwardOptions) => {
    const g = tf.tidy(() => {
      const out = G.forward(xd, gMode);
      return { image: out.image, fusion: out.fusion };
    });
    try {
      if (xr) result.psnr = psnr(g.image, xr);
      const ref = models.config.oracle ? xr! : g.image;
      const opt = group(optimizers, 'R');
      result.lossR = minimize(opt.optimizer, opt.variables, [R.store], wd, () => ({
        loss: regressionLoss(R.forward(regressorInput(models.config, xd, ref, g.fusion), updateStats).score, y),
      })).loss!;
    } finally {
      tf.dispose([g.image, g.fusion]);
    }
  };

  if (phase === 'regressor') {
    regressorStep({ training: false });
    result.seconds = (performance.now() - t0) / 1000;
    return result;
  }

  const reference = xr!;
  const optG = group(optimizers, 'G');
  const adversarialOn = phase === 'joint' && mode !== 'none' && D !== null;

  if (adversarialOn) {
    // Steps 1-2 and 4: I_sh with the current G, d_fake by eq. 7 with the current R (no gradient).
    const { ish, errors } = tf.tidy(() => {
      const g = G.forward(xd, batchStats);
      const s = R.forward(regressorInput(models.config, xd, g.image, g.fusion), batchStats).score;
      return { ish: g.image, errors: s.sub(y).abs() as tf.Tensor1D };
    });
    const eps = resolveEpsilon(errors.dataSync(), config.epsilonMode, config.epsilon);
    // |R − s| < ε (eq. 7) from the errors themselves (target 0).
    const labels = tf.tidy(() => discriminatorTargets(mode, errors, tf.zerosLike(errors) as tf.Tensor1D, eps));
    try {
      result.epsilon = mode === 'iqa' ? eps : null;
      result.dFakeRate = tf.tidy(() => labels.mean().dataSync()[0]!);
      // Steps 5-6: D on real references and detached hallucinations (eq. 6).
      const optD = group(optimizers, 'D');
      result.lossD = minimize(optD.optimizer, optD.variables, [D.store], wd, () => ({
        loss: discriminatorLoss(D.forward(reference, updateStats), D.forward(ish, updateStats), labels),
      })).loss!;
    } finally {
      tf.dispose([ish, errors, labels]);
    }
    // Step 7: G against D with the adversarial loss (eq. 8), weighted by μ₃ as in L_G [U].
    if (config.optim.separateAdversarialStep && L.mu3 > 0) {
      minimize(optG.optimizer, optG.variables, [G.store], wd, () => ({
        loss: adversarialLoss(D.forward(G.forward(xd, batchStats).image, batchStats), L.adversarial).mul(L.mu3) as tf.Scalar,
      }));
    }
  }

  // Step 8: R on the hallucination of the (just updated) G.
  if (phase === 'joint') regressorStep(batchStats);

  // Step 9: G with L_G = μ₁L_p + μ₂(λ₁l_v + λ₂l_q) + μ₃L_adv (eq. 9). Targets' features are computed once, outside the tape.
  const useVgg = vgg !== null && L.lambda1 > 0 && L.mu2 > 0;
  const useQuality = rPre !== null && L.lambda2 > 0 && L.mu2 > 0;
  const rPreOpts: ForwardOptions = { training: false };
  const targetFeats = {
    vgg: useVgg ? tf.tidy(() => vgg.forward(reference)) : null,
    quality: useQuality ? tf.tidy(() => rPre.forward({ distorted: reference }, rPreOpts)[L.rPreLayer]) : null,
  };
  try {
    const r = minimize(optG.optimizer, optG.variables, [G.store], wd, () => {
      const g = G.forward(xd, updateStats);
      let pixel = pixelLoss(g.image, reference, L.pixel);
      const pixelLast = pixel;
      if (L.intermediateSupervision) {
        for (const img of g.stackImages.slice(0, -1)) pixel = pixel.add(pixelLoss(img, reference, L.pixel)) as tf.Scalar;
      }
      const vggTerm = targetFeats.vgg ? featureDistance(vgg!.forward(g.image), targetFeats.vgg, L.featureNorm) : undefined;
      const quality = targetFeats.quality ? featureDistance(rPre!.forward({ distorted: g.image }, rPreOpts)[L.rPreLayer], targetFeats.quality, L.featureNorm) : undefined;
      const adversarial = adversarialOn ? adversarialLoss(D!.forward(g.image, batchStats), L.adversarial) : undefined;
      return {
        loss: generatorLoss({ pixel, vgg: vggTerm, quality, adversarial }, L),
        report: { pixel: pixelLast, vgg: vggTerm, quality, adversarial },
      };
    });
    result.lossG = r.loss!;
    result.terms = { pixel: r.pixel ?? null, vgg: r.vgg ?? null, quality: r.quality ?? null, adversarial: r.adversarial ?? null };
  } finally {
    tf.dispose([targetFeats.vgg, targetFeats.quality].filter((t): t is tf.Tensor4D => t !== null));
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

export const hiqaSpec: ModelSpec<HiqaConfig> = {
  id: 'hiqa',
  label: 'Hallucinated-IQA (hourglass G + ResNet R + IQA-discriminator)',
  citation: 'Lin & Wang, "Hallucinated-IQA", CVPR 2018, §3 eq. 1-12 and supp. Algorithm 1',
  configSchema: HiqaConfig as unknown as z.ZodType<HiqaConfig>,
  input: (c) => ({
    patch: resolveHiqaSizes(c).patch,
    ...(c.resize ? { resize: c.resize } : {}),
    testCrops: c.testCrops,
    trainCrops: c.trainCrops,
    flip: c.flip,
    // G's sigmoid output and the discrepancy map live in [0,1]; no ImageNet normalisation (VGG-19 normalises inside).
    imagenet: false,
  }),
  create: createHiqa,
  trainLoop: (opts) => trainHiqa(opts),
  // 4 images × 8 crops = the paper's mini-batch of 32 [P §3.6]; lr = R's Adam LR for the generic (R-only) trainer [U].
  defaultHyper: { batchImages: 4, lr: 1e-4 },
  prepare: async (model, config) => {
    if (config.vggWeights) await loadHiqaVgg19(model as HiqaModel, config.vggWeights);
  },
};

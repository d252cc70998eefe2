// TTL-IQA's DT-GAN (Yang, Li & Liu, TMM 2021, §IV eq. 8-14, Tables II-III; methods.md §3.2, §9.3): one D-Gnet/D-Dnet/H-Gnet/H-Dnet set per quality level, the model spec, and one training iteration (§IV-D).
import * as tf from '@tensorflow/tfjs';
import { adam as fusedAdam } from '../../train/fused-adam';
import { z } from 'zod';
import { AppError } from '../../../../src-shared/api/errors';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../../imaging/patches';
import type { Optimizers } from '../../train/trainer';
import { readWeights } from '../../weights/read-weights';
import type { Param } from '../../layers/torch-params';
import { adversarialLoss, bceWithLogits, psnr } from '../../layers/gan-losses';
import type { IqaModel } from '../model';
import { createPatchDiscriminator, createTranslatorGenerator, type PatchDiscriminator, type TranslatorGenerator } from './dtgan.nets';
import { createVgg16, loadTorchvisionVgg16 } from '../../backbones/vgg16';

/**
 * Sizes per scale. 'paper' is Table II (256² crops [P §IV-D], w = 64 for both nets, 3 RBs as the text says); 'small'
 * and 'tiny' are our CPU-sized choices [U].
 */
export const DTGAN_SCALES = {
  paper: { patch: 256, genWidth: 64, discWidth: 64, residualBlocks: 3 },
  small: { patch: 128, genWidth: 16, discWidth: 16, residualBlocks: 3 },
  tiny: { patch: 64, genWidth: 8, discWidth: 8, residualBlocks: 2 },
} as const;
export type DtganScale = keyof typeof DTGAN_SCALES;

export const DtganConfig = z
  .object({
    /** Network sizes and crop side: 'paper' (256², w = 64), 'small' (128², w = 16) or 'tiny' (64², w = 8; tests, quick CPU runs) [U]. */
    scale: z.enum(['paper', 'small', 'tiny']).default('paper'),
    /** Training crop side; null = the scale's. A multiple of 4 (two stride-2 convs), at least 32. */
    patch: z.number().int().min(32).max(1024).multipleOf(4).nullable().default(null),
    /** Overrides of the scale's widths (w of Table II) and residual-block count. */
    sizes: z
      .object({
        genWidth: z.number().int().min(1).max(256),
        discWidth: z.number().int().min(1).max(256),
        residualBlocks: z.number().int().min(0).max(16),
      })
      .partial()
      .strict()
      .prefault({}),
    /** K quality levels, one DT-GAN each (3 = High/Medium/Low, eq. 5-7; Table X varies it). */
    levels: z.number().int().min(2).max(5).default(3),
    /**
     * Divide the levels within each distortion type (Sample.group), as Table III does for LIVE and LIVE MD. The images
     * of level k of every type then form one real set for one DT-GAN per level [U]: the paper's per-type DT-GANs are
     * runs on one type's samples each (methods.md §9.3 item 6).
     */
    perDistortionType: z.boolean().default(false),
    /** λ of eq. 14: weight of L_cyc against the adversarial terms; not in the paper [U], CycleGAN's 10. */
    lambda: z.number().min(0).default(10),
    /** Generators' adversarial loss: 'nonSaturating' = −log D(fake) [U, the usual practice]; 'saturating' = log(1 − D(fake)) as eq. 9-10 read. */
    ganLoss: z.enum(['nonSaturating', 'saturating']).default('nonSaturating'),
    /** Let λ·L_cyc flow into D-Gnet through H-Gnet (CycleGAN does) [U]; false = only H-Gnet minimises L_cyc, as §IV-D words it. */
    cycleIntoDGnet: z.boolean().default(true),
    /** Adam learning rate of all four networks (0.0002 [P §VI-A.3]). */
    lr: z.number().positive().default(2e-4),
    /** Adam β₁, β₂: not in the paper [U]; CycleGAN's (0.5, 0.999). */
    beta1: z.number().min(0).max(0.999).default(0.5),
    beta2: z.number().min(0).max(0.9999).default(0.999),
    /**
     * The LR is constant, then decays linearly over the last `decayEpochs` epochs (the paper: 100 constant + 100
     * decaying). null = half of the run's epochs. CycleGAN's rule factor = 1 − max(0, e − (E − decay)) / (decay + 1) [U].
     */
    decayEpochs: z.number().int().min(0).nullable().default(null),
    /**
     * A folder of pristine images (searched recursively; the paper uses the 4744 Waterloo Exploration images). null =
     * the train split's reference images (the unique Sample.reference values) [U].
     */
    pristineFolder: z.string().min(1).nullable().default(null),
    /**
     * A torchvision VGG-16 state dict, .pth or .safetensors (ImageNet weights you provide; nothing is downloaded), for the
     * semantic loss L_s (eq. 13, fc8 outputs). null = L_s is OFF and L_cyc = L_p (eq. 12) only.
     */
    vggWeights: z.string().min(1).nullable().default(null),
  })
  .strict();
export type DtganConfig = z.infer<typeof DtganConfig>;

export interface DtganSizes {
  patch: number;
  genWidth: number;
  discWidth: number;
  residualBlocks: number;
}

export function resolveDtganSizes(config: DtganConfig): DtganSizes {
  const base = DTGAN_SCALES[config.scale];
  return { ...base, ...config.sizes, patch: config.patch ?? base.patch };
}

/** One DT-GAN (the paper trains one per level): I_hq → D-Gnet → I'_d → H-Gnet → I'_hq. */
export interface DtganLevelNets {
  /** D-Gnet: I_hq → I'_d. */
  dg: TranslatorGenerator;
  /** D-Dnet: real I_d of this level vs I'_d. */
  dd: PatchDiscriminator;
  /** H-Gnet: I'_d → I'_hq. */
  hg: TranslatorGenerator;
  /** H-Dnet: real I_hq vs I'_hq. */
  hd: PatchDiscriminator;
}

export const DTGAN_NETS = ['dg', 'dd', 'hg', 'hd'] as const;
export type DtganNet = (typeof DTGAN_NETS)[number];

/** The fixed classifier φ of eq. 13: class logits (fc8) for ImageNet-normalised NHWC input. */
export interface SemanticNet {
  logits(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  dispose(): void;
}

export interface DtganModel extends IqaModel {
  readonly config: DtganConfig;
  readonly sizes: DtganSizes;
  /** K: levels 1..K, 1 = best (High). */
  readonly levels: number;
  /** networks[k − 1] is level k's DT-GAN. */
  readonly networks: readonly DtganLevelNets[];
  /** φ for L_s (eq. 13), frozen; null = L_s off. Not part of weights() or parameterGroups(). */
  readonly semantic: SemanticNet | null;
  /**
   * D-Gnet of `level` on an NHWC batch in [0,1] of any size with sides ≥ 8 (fully convolutional; §3.2.5 runs it on
   * whole images): reflection-padded at the bottom/right to multiples of 4, translated, cropped back. Caller disposes.
   */
  translate(x: tf.Tensor4D, level: number): tf.Tensor4D;
  /** H-Gnet of `level` (I'_d → I'_hq), same size handling as translate. */
  restore(x: tf.Tensor4D, level: number): tf.Tensor4D;
  /** Uses φ for L_s from now on (replaces and disposes a previous one); null turns L_s off. */
  attachSemanticNet(net: SemanticNet | null): void;
}

/** Checkpoint name of a level's network parameter: `level1/dg/sc1.weight`. */
export function dtganWeightName(level: number, net: DtganNet, param: string): string {
  return `level${level}/${net}/${param}`;
}

/**
 * Optimizer / parameter group of a level's network: `level1.dg`. No '/': checkpoints store optimizer state as
 * `optimizer/<group>/<weight>` and split the group name off at the first '/'.
 */
export function dtganGroupName(level: number, net: DtganNet): string {
  return `level${level}.${net}`;
}

/** Runs a generator on any size: reflection pad to multiples of `multiple` (bottom/right), forward, crop back. */
function anySize(g: TranslatorGenerator, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const m = g.multiple;
    if (h < 8 || w < 8) throw new AppError('bad_input', `DT-GAN: images must be at least 8×8, got ${w}×${h}`);
    const ph = (m - (h % m)) % m;
    const pw = (m - (w % m)) % m;
    const padded = ph || pw ? tf.mirrorPad(x, [[0, 0], [0, ph], [0, pw], [0, 0]], 'reflect') : x;
    const y = g.forward(padded);
    return ph || pw ? y.slice([0, 0, 0, 0], [-1, h, w, -1]) : y;
  });
}

export function createDtgan(config: DtganConfig, seed: number): DtganModel {
  const cfg = DtganConfig.parse(config);
  const sizes = resolveDtganSizes(cfg);
  const networks: DtganLevelNets[] = [];
  for (let k = 1; k <= cfg.levels; k++) {
    const s = seed * 100 + k * 10;
    const gen = (j: number) => createTranslatorGenerator({ width: sizes.genWidth, residualBlocks: sizes.residualBlocks, seed: s + j });
    const disc = (j: number) => createPatchDiscriminator({ width: sizes.discWidth, seed: s + j });
    networks.push({ dg: gen(1), dd: disc(2), hg: gen(3), hd: disc(4) });
  }
  const all = new Map<string, Param>();
  networks.forEach((nets, i) => {
    for (const net of DTGAN_NETS) for (const [name, p] of nets[net].params) all.set(dtganWeightName(i + 1, net, name), p);
  });
  let semantic: SemanticNet | null = null;
  const levelNets = (level: number): DtganLevelNets => {
    const n = networks[level - 1];
    if (!Number.isInteger(level) || !n) throw new AppError('validation', `DT-GAN: level ${level} does not exist (levels 1..${cfg.levels})`);
    return n;
  };

  return {
    id: 'dtgan',
    config: cfg,
    sizes,
    levels: cfg.levels,
    networks,
    get semantic() {
      return semantic;
    },
    predict() {
      throw new AppError('validation', 'DT-GAN translates images into distorted ones; it does not score them');
    },
    translate: (x, level) => anySize(levelNets(level).dg, x),
    restore: (x, level) => anySize(levelNets(level).hg, x),
    attachSemanticNet(net) {
      if (semantic && semantic !== net) semantic.dispose();
      semantic = net;
    },
    weights: () => new Map([...all].map(([name, p]) => [name, p.variable])),
    parameterGroups: () =>
      networks.flatMap((nets, i) => DTGAN_NETS.map((net) => ({ name: dtganGroupName(i + 1, net), lrMultiplier: 1, variables: nets[net].store.trainable() }))),
    dispose() {
      for (const nets of networks) for (const net of DTGAN_NETS) nets[net].dispose();
      semantic?.dispose();
      semantic = null;
    },
  };
}

/** Loads the user's torchvision VGG-16 (.pth or .safetensors, fc8 included) as the frozen φ of L_s (eq. 13). */
export async function loadDtganVgg16(model: DtganModel, file: string, seed = 0): Promise<void> {
  const tensors = await readWeights(file);
  const net = createVgg16({ widthDivisor: 1, hidden: 4096, seed, outputs: 1000 });
  try {
    loadTorchvisionVgg16(net, tensors, { includeLast: true });
  } catch (err) {
    net.dispose();
    throw err;
  }
  model.attachSemanticNet(net);
}

/** LR of epoch `epoch` (1-based) of `epochs`: constant, then linear decay over the last `decayEpochs` (CycleGAN's rule). */
export function dtganLearningRate(config: DtganConfig, epoch: number, epochs: number): number {
  const decay = Math.min(epochs, config.decayEpochs ?? Math.floor(epochs / 2));
  const constant = epochs - decay;
  return config.lr * Math.max(0, 1 - Math.max(0, epoch - constant) / (decay + 1));
}

/** One Adam per network and level, named like parameterGroups() (`level1.dg`, ...), so checkpoints restore them. */
export function createDtganOptimizers(model: DtganModel, lr = model.config.lr): Optimizers {
  const { beta1, beta2 } = model.config;
  return {
    groups: model.parameterGroups().map((g) => ({ ...g, optimizer: fusedAdam(lr, beta1, beta2) })),
  };
}

export function setDtganLearningRate(optimizers: Optimizers, lr: number): void {
  // Adam reads its (protected) learning rate on every step.
  for (const g of optimizers.groups) (g.optimizer as unknown as { learningRate: number }).learningRate = lr * g.lrMultiplier;
}

/** The side φ sees: VGG-16's 224² (the training crops are resized to it [U], methods.md §3.2.4). */
export const SEMANTIC_SIZE = 224;

/**
 * φ(x) of eq. 13 for NHWC images in [0,1]: bilinear resize to 224² (align-corners off, no half-pixel centres, whose
 * gradient every backend implements) [U], ImageNet normalisation, fc8 logits (eval mode, no dropout).
 */
export function semanticFeatures(net: SemanticNet, x: tf.Tensor4D, size = SEMANTIC_SIZE): tf.Tensor2D {
  return tf.tidy(() => {
    const resized = x.shape[1] === size && x.shape[2] === size ? x : tf.image.resizeBilinear(x, [size, size]);
    const normalised = resized.sub(tf.tensor1d([...IMAGENET_MEAN])).div(tf.tensor1d([...IMAGENET_STD])) as tf.Tensor4D;
    return net.logits(normalised, false);
  });
}

/** One level's batch: pristine crops I_hq and real distorted crops I_d of that level, NHWC in [0,1]. */
export interface DtganBatch {
  pristine: tf.Tensor4D;
  distorted: tf.Tensor4D;
}

export interface DtganStepResult {
  /** (1) D-Dnet: ½[BCE(D(I_d), 1) + BCE(D(I'_d), 0)]. */
  lossDD: number;
  /** (2) D-Gnet: adversarial on D-Dnet (+ λ·L_cyc when cycleIntoDGnet). */
  lossDG: number;
  /** (3) H-Dnet: ½[BCE(D(I_hq), 1) + BCE(D(I'_hq), 0)]. */
  lossHD: number;
  /** (4) H-Gnet: adversarial on H-Dnet + λ·L_cyc. */
  lossHG: number;
  /** L_p (eq. 12) and L_s (eq. 13, null when off) of step (4), unweighted. */
  pixel: number;
  semantic: number | null;
  /** PSNR (dB) of H-Gnet(D-Gnet(I_hq)) against I_hq, before this step's generator updates. */
  cyclePsnr: number;
}

/** Gradients of `f` for `vars` only, applied by `optimizer`; returns the loss and the kept report scalars. */
function minimize(optimizer: tf.Optimizer, vars: tf.Variable[], f: () => { loss: tf.Scalar; report?: Record<string, tf.Scalar | null> }): Record<string, number> {
  const kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const { loss, report } = f();
    for (const [k, t] of Object.entries(report ?? {})) if (t) kept[k] = tf.keep(t);
    return loss;
  }, vars);
  optimizer.applyGradients(grads);
  const out: Record<string, number> = { loss: value.dataSync()[0]! };
  for (const [k, t] of Object.entries(kept)) out[k] = t.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), ...Object.values(kept)]);
  return out;
}

function group(optimizers: Optimizers, level: number, net: DtganNet): Optimizers['groups'][number] {
  const name = dtganGroupName(level, net);
  const g = optimizers.groups.find((x) => x.name === name);
  if (!g) throw new AppError('validation', `DT-GAN: no optimizer group "${name}" (use createDtganOptimizers)`);
  return g;
}

/** ½ BCE(real, 1) + ½ BCE(fake, 0) on logit maps (the ½ slows D as in CycleGAN [U]). */
function discriminatorLoss(real: tf.Tensor4D, fake: tf.Tensor4D): tf.Scalar {
  return bceWithLogits(real.reshape([-1]), 1).add(bceWithLogits(fake.reshape([-1]), 0)).mul(0.5) as tf.Scalar;
}

/**
 * One iteration of §IV-D for level `level`, in the paper's order: (1) D-Dnet on real I_d vs I'_d = D-Gnet(I_hq)
 * (detached); (2) D-Gnet against D-Dnet (+ λ·L_cyc through H-Gnet when cycleIntoDGnet); (3) H-Dnet on I_hq vs
 * I'_hq = H-Gnet(I'_d) (detached); (4) H-Gnet against H-Dnet + λ·L_cyc, L_cyc = L_p + L_s (eq. 11-14). Each update
 * touches only its network's variables. Steps (3)-(4) use the I'_d of step (1), i.e. D-Gnet before its update (as
 * CycleGAN reuses one forward pass) [U]. The LR is whatever the optimizers hold (see setDtganLearningRate).
 */
export function trainStepDtgan(model: DtganModel, optimizers: Optimizers, level: number, batch: DtganBatch): DtganStepResult {
  const cfg = model.config;
  const nets = model.networks[level - 1];
  if (!nets) throw new AppError('validation', `DT-GAN: level ${level} does not exist (levels 1..${model.levels})`);
  const { dg, dd, hg, hd } = nets;
  const { pristine: hq, distorted: real } = batch;
  const phi = model.semantic;
  const lambda = cfg.lambda;
  const adv = (logits: tf.Tensor4D) => adversarialLoss(logits.reshape([-1]), cfg.ganLoss);
  const targetFeatures = phi ? tf.tidy(() => semanticFeatures(phi, hq)) : null;
  /** L_cyc = L_p + L_s of a reconstruction I'_hq. */
  const cycle = (rec: tf.Tensor4D) => {
    const pixel = tf.squaredDifference(rec, hq).mean() as tf.Scalar;
    const semantic = targetFeatures ? (tf.squaredDifference(semanticFeatures(phi!, rec), targetFeatures).mean() as tf.Scalar) : null;
    return { pixel, semantic, total: semantic ? (pixel.add(semantic) as tf.Scalar) : pixel };
  };

  const fake = tf.tidy(() => dg.forward(hq));
  let fakeHq: tf.Tensor4D | null = null;
  try {
    const g1 = group(optimizers, level, 'dd');
    const lossDD = minimize(g1.optimizer, g1.variables, () => ({ loss: discriminatorLoss(dd.forward(real), dd.forward(fake)) })).loss!;

    const g2 = group(optimizers, level, 'dg');
    const lossDG = minimize(g2.optimizer, g2.variables, () => {
      const out = dg.forward(hq);
      const a = adv(dd.forward(out));
      return { loss: cfg.cycleIntoDGnet && lambda > 0 ? (a.add(cycle(hg.forward(out)).total.mul(lambda)) as tf.Scalar) : a };
    }).loss!;

    fakeHq = tf.tidy(() => hg.forward(fake));
    const cyclePsnr = psnr(fakeHq, hq);
    const g3 = group(optimizers, level, 'hd');
    const lossHD = minimize(g3.optimizer, g3.variables, () => ({ loss: discriminatorLoss(hd.forward(hq), hd.forward(fakeHq!)) })).loss!;

    const g4 = group(optimizers, level, 'hg');
    const r4 = minimize(g4.optimizer, g4.variables, () => {
      const rec = hg.forward(fake);
      const c = cycle(rec);
      return { loss: adv(hd.forward(rec)).add(c.total.mul(lambda)) as tf.Scalar, report: { pixel: c.pixel, semantic: c.semantic } };
    });
    return { lossDD, lossDG, lossHD, lossHG: r4.loss!, pixel: r4.pixel!, semantic: r4.semantic ?? null, cyclePsnr };
  } finally {
    tf.dispose([fake, ...(fakeHq ? [fakeHq] : []), ...(targetFeatures ? [targetFeatures] : [])]);
  }
}

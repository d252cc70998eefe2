// Hallucinated-IQA configuration (Lin & Wang, CVPR 2018, §3.6; methods.md §1.2): scales, size overrides, switches and the resolved network sizes.
import { z } from 'zod';
import { AppError } from '../../../../src-shared/api/errors';
import { HiqaLossConfig } from './losses';

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
     * Optimisation [P §3.6]: SGD with momentum 0.9, weight decay 5e-4, LR 1e-5 for G and 1e-2 for R, ×0.1 every 20K
     * iterations (the default); or one Adam per network (β₁ = `ganBeta1` for G and D, 0.9 for R and R_pre) [U],
     * which moves the small CPU runs further in few iterations.
     */
    optim: z
      .object({
        /** 'sgd': SGD with momentum, the paper's [P §3.6]; 'adam': Adam per network [U]. */
        optimizer: z.enum(['sgd', 'adam']).default('sgd'),
        lrG: z.number().positive().default(1e-5),
        /** D's and R_pre's LRs are not given [U]: D follows G's, R_pre R's. */
        lrD: z.number().positive().default(1e-5),
        lrR: z.number().positive().default(1e-2),
        lrRPre: z.number().positive().default(1e-2),
        /** SGD momentum (PyTorch's form: v ← m·v + g, w ← w − lr·v) [P §3.6: 0.9]. */
        momentum: z.number().min(0).max(0.999).default(0.9),
        /** Adam β₁ of G and D (Adam only) [U]. */
        ganBeta1: z.number().min(0).max(0.999).default(0.5),
        /** L2 weight decay (added to each network's loss as wd/2·Σw², i.e. wd·w on the gradient) on conv/FC weights [P §3.6: 5e-4]. */
        weightDecay: z.number().min(0).default(5e-4),
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
    /** Random rotation of each training crop (I_d and I_r alike) by up to ± this many degrees; 0 = off [P §3.6: ±20°]. */
    rotation: z.number().min(0).max(45).default(20),
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

// HIQA losses (Lin & Wang, CVPR 2018, §3.1-3.3 eq. 1-12; methods.md §1.3): pixel, perceptual (VGG l_v + quality-aware l_q), adversarial, L_G, L_D and L_R.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { bceWithLogits } from '../../layers/gan-losses';

/**
 * Loss weights and forms. μ₁..μ₃, λ₁, λ₂, the layers and the norms are not in the paper [U]: the defaults are
 * methods.md §1.3's (μ₁ = 1, μ₂ = 0.01, μ₃ = 0.001, λ₁ = λ₂ = 1, squared norms, VGG relu5_4, R_pre stage 2).
 */
export const HiqaLossConfig = z
  .object({
    /** μ₁: weight of the pixel loss L_p (eq. 9). */
    mu1: z.number().min(0).default(1),
    /** μ₂: weight of the perceptual loss L_s = λ₁·l_v + λ₂·l_q (eq. 3, 9). */
    mu2: z.number().min(0).default(0.01),
    /** μ₃: weight of the adversarial loss L_adv (eq. 8, 9). */
    mu3: z.number().min(0).default(0.001),
    /** λ₁: weight of the VGG-19 term l_v (eq. 3); the term is off without VGG-19 weights. */
    lambda1: z.number().min(0).default(1),
    /** λ₂: weight of the quality-aware term l_q from the frozen R_pre (eq. 3). */
    lambda2: z.number().min(0).default(1),
    /** L_p: 'l2' = MSE (the paper's example, "such as MSE" [P §3.1]); 'l1' our alternative [U]. */
    pixel: z.enum(['l2', 'l1']).default('l2'),
    /** Feature distance of eq. 4-5: 'squared' = Σ_c mean_xy Δ² (default [U]); 'l2' = Σ_c mean_xy |Δ| read as an unsquared norm. */
    featureNorm: z.enum(['squared', 'l2']).default('squared'),
    /** VGG-19 layer j for φ_j (eq. 4) [U]. */
    vggLayer: z.enum(['relu1_2', 'relu2_2', 'relu3_4', 'relu4_4', 'relu5_4']).default('relu5_4'),
    /** R_pre stage k for π_k (eq. 5) [U]: the output of ResNet stage k (2 = the "second residual block"). */
    rPreLayer: z.enum(['layer1', 'layer2', 'layer3', 'layer4']).default('layer2'),
    /** L_adv form: 'saturating' = E[log(1 − D(G(I_d)))] as eq. 8; 'nonSaturating' = E[−log D(G(I_d))] (common substitute [U]). */
    adversarial: z.enum(['saturating', 'nonSaturating']).default('saturating'),
    /** Apply L_p to every stack's Î_n, not only the last (intermediate supervision, optional [U]). */
    intermediateSupervision: z.boolean().default(false),
  })
  .strict();
export type HiqaLossConfig = z.infer<typeof HiqaLossConfig>;

/** L_p: mean over batch, pixels and channels of (a − b)² ('l2', MSE) or |a − b| ('l1'). */
export function pixelLoss(a: tf.Tensor4D, b: tf.Tensor4D, kind: HiqaLossConfig['pixel'] = 'l2'): tf.Scalar {
  return tf.tidy(() => (kind === 'l2' ? tf.squaredDifference(a, b).mean() : a.sub(b).abs().mean()) as tf.Scalar);
}

/**
 * The feature distance of eq. 4 (φ_j, VGG) and eq. 5 (π_k, R_pre): Σ_{c=1..C} (1/(W·H)) Σ_{x,y} Δ_c(x,y)², averaged
 * over the batch ('squared'; = C·MSE), or with |Δ| instead of Δ² ('l2', the unsquared reading).
 */
export function featureDistance(fa: tf.Tensor4D, fb: tf.Tensor4D, norm: HiqaLossConfig['featureNorm'] = 'squared'): tf.Scalar {
  return tf.tidy(() => {
    const d = norm === 'squared' ? tf.squaredDifference(fa, fb) : fa.sub(fb).abs();
    // mean over x,y per channel, summed over channels, mean over the batch.
    return d.mean([1, 2]).sum(1).mean() as tf.Scalar;
  });
}

/**
 * D's loss to minimise (eq. 6, negated): −E[log D(I_r)] − E[log(1 − |D(G(I_d)) − d_fake|)]. For d ∈ {0,1},
 * log(1 − |D − d|) = d·log D + (1 − d)·log(1 − D), so this is BCE(D(I_r), 1) + BCE(D(I_sh), d_fake).
 */
export function discriminatorLoss(realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D, dFake: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => bceWithLogits(realLogits, 1).add(bceWithLogits(fakeLogits, dFake)) as tf.Scalar);
}

/** L_R of eq. 12 (and R_pre's loss): mean absolute error between predicted and true scores. */
export function regressionLoss(predicted: tf.Tensor1D, target: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => predicted.sub(target).abs().mean() as tf.Scalar);
}

/** The terms of L_G for one batch; absent terms are off. */
export interface GeneratorLossTerms {
  pixel: tf.Scalar;
  /** λ₁·l_v (VGG-19), only with user-provided VGG-19 weights. */
  vgg?: tf.Scalar;
  /** λ₂·l_q (frozen R_pre), only when the quality-aware loss is on. */
  quality?: tf.Scalar;
  adversarial?: tf.Scalar;
}

/** L_G = μ₁·L_p + μ₂·(λ₁·l_v + λ₂·l_q) + μ₃·L_adv (eq. 3 and 9); missing terms count as 0. */
export function generatorLoss(t: GeneratorLossTerms, c: Pick<HiqaLossConfig, 'mu1' | 'mu2' | 'mu3' | 'lambda1' | 'lambda2'>): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Tensor = t.pixel.mul(c.mu1);
    if (t.vgg) total = total.add(t.vgg.mul(c.mu2 * c.lambda1));
    if (t.quality) total = total.add(t.quality.mul(c.mu2 * c.lambda2));
    if (t.adversarial) total = total.add(t.adversarial.mul(c.mu3));
    return total as tf.Scalar;
  });
}

// GAN losses and PSNR that HIQA (Lin & Wang, CVPR 2018, §3.2 eq. 6-8) and TTL-IQA's DT-GAN share.
import * as tf from '@tensorflow/tfjs';

/** 'saturating' = E[log(1 − D(G(x)))] as HIQA's eq. 8 prints it; 'nonSaturating' = E[−log D(G(x))]. */
export type AdversarialForm = 'saturating' | 'nonSaturating';

/** log(1 − sigmoid(z)) = −softplus(z), stable for any logit. */
function logOneMinusSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.softplus(z).neg();
}

/** Binary cross-entropy on logits with (per-sample) targets y ∈ [0,1]: mean(softplus(z) − y·z). */
export function bceWithLogits(logits: tf.Tensor1D, targets: tf.Tensor1D | number): tf.Scalar {
  return tf.tidy(() => tf.softplus(logits).sub(tf.mul(logits, targets)).mean() as tf.Scalar);
}

/**
 * L_adv of eq. 8, minimised by G: E[log(1 − D(G(I_d)))] ('saturating', as printed; in (−∞, 0]), or
 * E[−log D(G(I_d))] ('nonSaturating').
 */
export function adversarialLoss(fakeLogits: tf.Tensor1D, form: AdversarialForm = 'saturating'): tf.Scalar {
  return tf.tidy(() => (form === 'saturating' ? logOneMinusSigmoid(fakeLogits).mean() : tf.softplus(fakeLogits.neg()).mean()) as tf.Scalar);
}

/** PSNR in dB of images in [0,1] (mean over the batch of per-image PSNR), for monitoring the hallucination. */
export function psnr(a: tf.Tensor4D, b: tf.Tensor4D): number {
  return tf.tidy(() => {
    const mse = tf.squaredDifference(a, b).mean([1, 2, 3]).maximum(1e-10);
    return mse.log().mul(-10 / Math.LN10).mean().dataSync()[0]!;
  });
}

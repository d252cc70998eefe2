// HIQA IQA-discriminator D and its influence label d_fake (Lin & Wang, CVPR 2018, §3.2 eq. 6-7; methods.md §1.2.5, §1.3).
import * as tf from '@tensorflow/tfjs';
import { ParamStore } from '../../layers/param-store';
import type { ForwardOptions, Param } from '../../layers/torch-params';

/**
 * 'iqa': the paper's IQA-discriminator, a hallucination counts as real (d_fake = 1) when R's error with it is below ε
 * (eq. 7); 'plain': a standard GAN discriminator (every hallucination is fake, d_fake = 0); 'none': no D and no
 * adversarial loss.
 */
export type DiscriminatorMode = 'iqa' | 'plain' | 'none';

/** 'fixed': ε is a number in the normalised score space; 'batchMedian': ε = the median of |R − s| over the batch (labels ~balanced) [U]. */
export type EpsilonMode = 'fixed' | 'batchMedian';

export interface DiscriminatorOptions {
  /** Width of the first conv (64 in the SRGAN-style default [U]); doubles every two convs up to 8×. */
  width: number;
  /** Units of the hidden FC layer (1024 [U]). */
  hidden: number;
  seed: number;
}

export interface Discriminator {
  readonly options: DiscriminatorOptions;
  /** `conv0.*`, `conv{1..7}.weight` + `bn{1..7}.*`, `fc1.*`, `fc2.*`. */
  readonly params: Map<string, Param>;
  readonly store: ParamStore;
  /** Logits z (D = sigmoid(z)) for an NHWC batch of images in [0,1]. */
  forward(x: tf.Tensor4D, o?: ForwardOptions): tf.Tensor1D;
  dispose(): void;
}

/** The strided conv ladder after conv0: (channel multiple of `width`, stride) [U, SRGAN]. */
const LADDER: readonly [number, number][] = [[1, 2], [2, 1], [2, 2], [4, 1], [4, 2], [8, 1], [8, 2]];

/**
 * D [U] (the paper gives no architecture): Conv3×3(w) + LReLU(0.2) → 7× [Conv3×3 + BN + LReLU(0.2)] with the
 * channels/strides of LADDER → global average pool → FC(hidden) + LReLU(0.2) → FC(1) = logit. Unconditional: it sees
 * the image only (I_r as real, G(I_d) as fake, eq. 6).
 */
export function createDiscriminator(opts: DiscriminatorOptions): Discriminator {
  const s = new ParamStore(opts.seed);
  const w = opts.width;
  s.conv('conv0', 3, 3, w, true);
  let cin = w;
  LADDER.forEach(([mult], i) => {
    s.conv(`conv${i + 1}`, 3, cin, mult * w);
    s.bn(`bn${i + 1}`, mult * w);
    cin = mult * w;
  });
  s.linear('fc1', cin, opts.hidden);
  s.linear('fc2', opts.hidden, 1, Math.sqrt(1 / opts.hidden));
  const forward = (x: tf.Tensor4D, o: ForwardOptions = {}): tf.Tensor1D => {
    // [0,1] → [-1,1] [U].
    let h = tf.leakyRelu(s.conv2d(x.mul(2).sub(1), 'conv0'), 0.2);
    LADDER.forEach(([, stride], i) => {
      h = s.batchNorm(s.conv2d(h, `conv${i + 1}`, stride), `bn${i + 1}`, o, { leaky: 0.2 });
    });
    const z = tf.leakyRelu(s.dense(h.mean([1, 2]) as tf.Tensor2D, 'fc1'), 0.2);
    return s.dense(z, 'fc2').reshape([-1]) as tf.Tensor1D;
  };
  return { options: opts, params: s.params, store: s, forward, dispose: () => s.dispose() };
}

/**
 * ε for eq. 7: `epsilon` itself ('fixed'), or the median of the absolute errors ('batchMedian', the lower median for
 * an even count).
 */
export function resolveEpsilon(absErrors: ArrayLike<number>, mode: EpsilonMode, epsilon: number): number {
  if (mode === 'fixed') return epsilon;
  const sorted = Array.from(absErrors).sort((a, b) => a - b);
  if (!sorted.length) return epsilon;
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * The influence label of eq. 7: d_fake^i = 1 if ‖R(I_d^i, I_sh^i) − s^i‖ < ε, else 0 (for a scalar score the
 * Frobenius norm is the absolute error). `predicted` and `target` are [B]; returns a float32 [B] tensor of 0/1.
 */
export function dFakeLabels(predicted: tf.Tensor1D, target: tf.Tensor1D, epsilon: number): tf.Tensor1D {
  return tf.tidy(() => predicted.sub(target).abs().less(epsilon).cast('float32') as tf.Tensor1D);
}

/** d_fake for a mode: eq. 7 for 'iqa', all zeros ("fake") for 'plain'. */
export function discriminatorTargets(mode: Exclude<DiscriminatorMode, 'none'>, predicted: tf.Tensor1D, target: tf.Tensor1D, epsilon: number): tf.Tensor1D {
  return mode === 'iqa' ? dFakeLabels(predicted, target, epsilon) : tf.zerosLike(target);
}

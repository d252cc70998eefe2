// SFTnet's semantic discrimination adaptation (SDA) attention block (Yang, Li & Liu, TMM 2021, §V-A eq. 15-19; methods.md §3.3.1).
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { ParamStore } from '../../layers/param-store';
import { biasAdd, type Param } from '../../layers/torch-params';

/**
 * 'paper': s = σ(δ(W'·u')) with one Dense C→C, as eq. 18 is written (so s ∈ [0.5, 1)); 'se': Dense C→C/r, ReLU,
 * Dense C/r→C, sigmoid, the squeeze-and-excitation reading (s ∈ (0, 1)) [U].
 */
export type SdaForm = 'paper' | 'se';

export interface SdaOptions {
  channels: number;
  form: SdaForm;
  seed: number;
  /** Parameter name prefix (default 'sda.'). */
  prefix?: string;
  /** SE reduction ratio r (default 16, as SENet) [U]. */
  reduction?: number;
}

export interface SdaOutput {
  /** X = V · s (eq. 19), same shape as V. */
  output: tf.Tensor4D;
  /** s_c per sample and channel (eq. 18), [B, C]. */
  weights: tf.Tensor2D;
}

export interface SdaBlock {
  readonly options: Required<SdaOptions>;
  readonly store: ParamStore;
  /**
   * `<prefix>dwc1.*`, `<prefix>dwc2.*` (depthwise 3×3, weight [3,3,1,C] = PyTorch's [C,1,3,3] for groups = C),
   * `<prefix>sc.*` (1×1, C→C), and `<prefix>fc.*` ('paper') or `<prefix>fc1.*`, `<prefix>fc2.*` ('se').
   */
  readonly params: Map<string, Param>;
  forward(v: tf.Tensor4D): SdaOutput;
  dispose(): void;
}

/**
 * Depthwise k×k convolution, stride 1, same (symmetric) zero padding, depth multiplier 1, written as a sum of k²
 * shifted slices scaled per channel. tfjs's wasm backend has the DepthwiseConv2dNative forward kernel but none of its
 * backprop kernels; pad, slice, mul and addN all differentiate on every backend. `w` is [k, k, 1, C] or [k, k, C, 1].
 */
export function depthwiseConvSame(x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D {
  const [b, h, wd, c] = x.shape;
  const k = w.shape[0]!;
  if (k % 2 !== 1 || w.shape[1] !== k || w.size !== k * k * c) {
    throw new AppError('bad_input', `depthwise conv: weight ${w.shape.join('×')} does not fit ${c} channels with an odd square kernel`);
  }
  return tf.tidy(() => {
    const pad = (k - 1) / 2;
    const xp = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
    const taps = w.reshape([k * k, c]);
    const terms: tf.Tensor4D[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        terms.push(xp.slice([0, i, j, 0], [b, h, wd, c]).mul(taps.slice([i * k + j, 0], [1, c]).reshape([c])));
      }
    }
    return (terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Tensor4D;
  });
}

/**
 * SDA on V [B,H,W,C]: DWC 3×3 → ReLU [U] → DWC 3×3 (eq. 15; "⊗" there is a per-channel spatial convolution) → SC 1×1
 * C→C (eq. 16) → global max pool (eq. 17; one scalar per channel is what eq. 18 needs [U]) → channel weights s
 * (eq. 18) → X = V·s (eq. 19). Random init (never pretrained [P §V-B]): convs and dense layers Kaiming normal fan-in,
 * biases 0 [U].
 */
export function createSda(opts: SdaOptions): SdaBlock {
  const o: Required<SdaOptions> = { prefix: 'sda.', reduction: 16, ...opts };
  const c = o.channels;
  if (!Number.isInteger(c) || c < 1) throw new AppError('validation', `SDA: channels must be a positive integer, got ${c}`);
  const p = o.prefix;
  const s = new ParamStore(o.seed);
  s.conv(`${p}dwc1`, 3, 1, c, true);
  s.conv(`${p}dwc2`, 3, 1, c, true);
  s.conv(`${p}sc`, 1, c, c, true);
  if (o.form === 'paper') s.linear(`${p}fc`, c, c);
  else {
    const r = Math.max(1, Math.floor(c / o.reduction));
    s.linear(`${p}fc1`, c, r);
    s.linear(`${p}fc2`, r, c);
  }
  const dwc = (x: tf.Tensor4D, name: string) => biasAdd(depthwiseConvSame(x, s.v(`${name}.weight`)), s.v(`${name}.bias`));

  const forward = (v: tf.Tensor4D): SdaOutput =>
    tf.tidy(() => {
      if (v.shape[3] !== c) throw new AppError('bad_input', `SDA expects ${c} channels, got ${v.shape[3]}`);
      const f = dwc(tf.relu(dwc(v, `${p}dwc1`)), `${p}dwc2`);
      const u = s.conv2d(f, `${p}sc`);
      const pooled = u.max([1, 2]) as tf.Tensor2D;
      const z = o.form === 'paper' ? tf.relu(s.dense(pooled, `${p}fc`)) : s.dense(tf.relu(s.dense(pooled, `${p}fc1`)), `${p}fc2`);
      const weights = tf.sigmoid(z) as tf.Tensor2D;
      const output = v.mul(weights.reshape([v.shape[0], 1, 1, c])) as tf.Tensor4D;
      return { output, weights };
    });

  return { options: o, store: s, params: s.params, forward, dispose: () => s.dispose() };
}

// HIQA generator G (Lin & Wang, CVPR 2018, §3.1 and §3.3; methods.md §1.2.1): a full-resolution stacked hourglass (Newell et al., ECCV 2016) I_d → I_sh, exposing H_{m,n}.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { ParamStore, upsample2 } from '../../layers/param-store';
import type { ForwardOptions, Param } from '../../layers/torch-params';

export interface GeneratorOptions {
  /** Hourglass stacks (the paper fuses H_{5,2}, so at least 2 [I]). */
  stacks: number;
  /** Hourglass width C (methods.md default 128; Newell uses 256) [U]. */
  width: number;
  /** Channels of the 7×7 stem conv (64) [U]. */
  stemWidth: number;
  /** Encoder residual blocks (= down-samplings) per hourglass: 5, so H_{5,n} is the last one [P §3.3, I]. */
  depth: number;
  /** The stack whose last encoder feature is fused into R: 2 → H_{5,2} [P §3.3, §4.2]. */
  fusionStack: number;
  /**
   * How a stack head makes its image [U]: 'image' = sigmoid(Conv1×1) (methods.md §1.2.1); 'residual' =
   * clip(I_d + tanh(Conv1×1), 0, 1), so G starts near the identity and learns the correction (the distortion).
   */
  output: 'image' | 'residual';
  /**
   * Normalisation in the residual units, stem and heads [U]: 'batch' (Newell's hourglass) or 'none' (as EDSR, Lim et
   * al. 2017, dropped BN from restoration networks: small batches' statistics differ from the running ones that
   * inference uses, which costs more than the identity's PSNR when G is a near-identity map).
   */
  norm: 'batch' | 'none';
  seed: number;
}

export interface GeneratorOutput {
  /** I_sh = Î of the last stack, in the input's [0,1] range (sigmoid, or the clipped residual on I_d) [U]. */
  image: tf.Tensor4D;
  /** Î_n of every stack (Î_last = image), for optional intermediate supervision. */
  stackImages: tf.Tensor4D[];
  /** encoder[n-1][m-1] = H_{m,n}: the feature map after the m-th encoder residual block of stack n. */
  encoder: tf.Tensor4D[][];
  /** H_{depth, fusionStack}, i.e. H_{5,2} with the defaults: the high-level feature fused into R (eq. 11). */
  fusion: tf.Tensor4D;
}

export interface Generator {
  readonly options: GeneratorOptions;
  /** Every parameter by name: `stem.conv.weight`, `hg.0.enc.4.conv2.weight`, `head.1.out.bias`, `merge.0.feat.weight`, ... */
  readonly params: Map<string, Param>;
  /** Channels and down-sampling factor of the fusion feature H_{depth,fusionStack}. */
  readonly fusionChannels: number;
  readonly fusionStride: number;
  /** Runs G on an NHWC batch in [0,1]; H and W must be multiples of 2^depth. Call inside tf.tidy (or dispose the outputs). */
  forward(x: tf.Tensor4D, o?: ForwardOptions): GeneratorOutput;
  readonly store: ParamStore;
  dispose(): void;
}

/**
 * Builds G (layout of methods.md §1.2.1 [U], the paper only says "stacked hourglass"):
 * stem Conv7×7(stemWidth)+BN+ReLU → ResidualUnit(stemWidth→C); per stack an hourglass of `depth` levels
 * (encoder: MaxPool 2×2 → ResidualUnit, output H_{i,n}; skip: ResidualUnit at the pre-pool resolution; bottleneck
 * ResidualUnit; decoder: ResidualUnit → NN ×2 → entrywise sum with the skip), a head (ResidualUnit → Conv1×1+BN+ReLU →
 * Conv1×1(3) → sigmoid = Î_n, or I_d + tanh clipped to [0,1] with output 'residual') and Newell's re-injection x_{n+1} = x_n + Conv1×1(features_n) + Conv1×1(Î_n).
 * ResidualUnit = pre-activation bottleneck BN-ReLU-Conv1×1(C/2) → BN-ReLU-Conv3×3(C/2) → BN-ReLU-Conv1×1(C), identity
 * skip or Conv1×1 when the width changes.
 */
export function createGenerator(opts: GeneratorOptions): Generator {
  const { stacks, width: C, stemWidth, depth, fusionStack, output, norm } = opts;
  if (stacks < 1 || depth < 1) throw new AppError('validation', 'generator: stacks and depth must be at least 1');
  if (fusionStack < 1 || fusionStack > stacks) {
    throw new AppError('validation', `generator: fusion stack ${fusionStack} does not exist (stacks: ${stacks})`);
  }
  if (C % 2 !== 0) throw new AppError('validation', 'generator: width must be even');
  const s = new ParamStore(opts.seed);
  const bnParams = (name: string, c: number) => norm === 'batch' && s.bn(name, c);
  /** BN (when on) then ReLU, fused on wasm. */
  const bnRelu = (x: tf.Tensor4D, name: string, o: ForwardOptions): tf.Tensor4D => (norm === 'batch' ? s.batchNorm(x, name, o, 'relu') : tf.relu(x));

  const residualParams = (name: string, cin: number, cout: number) => {
    const mid = cout / 2;
    bnParams(`${name}.bn1`, cin);
    s.conv(`${name}.conv1`, 1, cin, mid, true);
    bnParams(`${name}.bn2`, mid);
    s.conv(`${name}.conv2`, 3, mid, mid, true);
    bnParams(`${name}.bn3`, mid);
    s.conv(`${name}.conv3`, 1, mid, cout, true);
    if (cin !== cout) s.conv(`${name}.skip`, 1, cin, cout, true);
  };
  const residual = (x: tf.Tensor4D, name: string, o: ForwardOptions): tf.Tensor4D => {
    let h = s.conv2d(bnRelu(x, `${name}.bn1`, o), `${name}.conv1`);
    h = s.conv2d(bnRelu(h, `${name}.bn2`, o), `${name}.conv2`);
    h = s.conv2d(bnRelu(h, `${name}.bn3`, o), `${name}.conv3`);
    const skip = s.has(`${name}.skip.weight`) ? s.conv2d(x, `${name}.skip`) : x;
    return tf.add(h, skip);
  };

  s.conv('stem.conv', 7, 3, stemWidth, true);
  bnParams('stem.bn', stemWidth);
  residualParams('stem.res', stemWidth, C);
  for (let n = 0; n < stacks; n++) {
    for (let i = 0; i < depth; i++) {
      residualParams(`hg.${n}.skip.${i}`, C, C);
      residualParams(`hg.${n}.enc.${i}`, C, C);
      residualParams(`hg.${n}.dec.${i}`, C, C);
    }
    residualParams(`hg.${n}.bottleneck`, C, C);
    residualParams(`head.${n}.res`, C, C);
    s.conv(`head.${n}.conv`, 1, C, C, true);
    bnParams(`head.${n}.bn`, C);
    // Gain 1: the image logits start small, so Î starts near 0.5 rather than saturated. Gain 0 for the residual:
    // Î starts exactly at I_d (the untrained BN statistics would otherwise saturate tanh).
    s.conv(`head.${n}.out`, 1, C, 3, true, output === 'residual' ? 0 : 1);
    if (n < stacks - 1) {
      s.conv(`merge.${n}.feat`, 1, C, C, true, 1);
      s.conv(`merge.${n}.pred`, 1, 3, C, true, 1);
    }
  }

  const forward = (x: tf.Tensor4D, o: ForwardOptions = {}): GeneratorOutput => {
    const m = 2 ** depth;
    if (x.shape[1] % m !== 0 || x.shape[2] % m !== 0 || x.shape[3] !== 3) {
      throw new AppError('bad_input', `generator: input ${x.shape.slice(1).join('x')} must be RGB with sides that are multiples of ${m}`);
    }
    let h = bnRelu(s.conv2d(x, 'stem.conv'), 'stem.bn', o);
    h = residual(h, 'stem.res', o);
    const stackImages: tf.Tensor4D[] = [];
    const encoder: tf.Tensor4D[][] = [];
    for (let n = 0; n < stacks; n++) {
      const skips: tf.Tensor4D[] = [];
      const enc: tf.Tensor4D[] = [];
      let g = h;
      for (let i = 0; i < depth; i++) {
        skips.push(residual(g, `hg.${n}.skip.${i}`, o));
        g = residual(tf.maxPool(g, 2, 2, 'valid'), `hg.${n}.enc.${i}`, o);
        enc.push(g);
      }
      g = residual(g, `hg.${n}.bottleneck`, o);
      for (let i = depth - 1; i >= 0; i--) g = tf.add(upsample2(residual(g, `hg.${n}.dec.${i}`, o)), skips[i]!);
      const feat = bnRelu(s.conv2d(residual(g, `head.${n}.res`, o), `head.${n}.conv`), `head.${n}.bn`, o);
      const logits = s.conv2d(feat, `head.${n}.out`);
      const img = (output === 'residual' ? tf.clipByValue(tf.add(x, tf.tanh(logits)), 0, 1) : tf.sigmoid(logits)) as tf.Tensor4D;
      stackImages.push(img);
      encoder.push(enc);
      if (n < stacks - 1) h = tf.addN([h, s.conv2d(feat, `merge.${n}.feat`), s.conv2d(img, `merge.${n}.pred`)]);
    }
    return { image: stackImages[stacks - 1]!, stackImages, encoder, fusion: encoder[fusionStack - 1]![depth - 1]! };
  };

  return {
    options: opts,
    params: s.params,
    fusionChannels: C,
    fusionStride: 2 ** depth,
    forward,
    store: s,
    dispose: () => s.dispose(),
  };
}

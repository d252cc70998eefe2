// HIQA regressor R (Lin & Wang, CVPR 2018, §3.3 eq. 10-12; methods.md §1.2.2): ResNet on concat(I_d, |I_d − I_sh|), fused with f(H_{5,2}) before FC.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { ParamStore } from '../../layers/param-store';
import type { ForwardOptions, Param } from '../../layers/torch-params';

export interface RegressorOptions {
  /** 18: ResNet-18 ("modified Res-18" [P §4.2]); 10: one basic block per stage (our CPU-sized choice [U]). */
  depth: 10 | 18;
  /** Stem width (64 in ResNet-18); stage s has width·2^s channels. */
  width: number;
  /** Feed the discrepancy map I_map = |I_d − I_sh| next to I_d (6 input channels); off = the paper's "BL" (3 channels). */
  discrepancy: boolean;
  /** Channels of G's fusion feature H_{5,2}; null turns the high-level semantic fusion off (R2 sees R1 only). */
  fusionChannels: number | null;
  /** Hidden units of R2's first FC layer (512 [U]). */
  hidden: number;
  /** Dropout before R2's last FC while training (0 = off; 0.5 optional [U]). */
  dropout: number;
  seed: number;
}

export interface RegressorInput {
  distorted: tf.Tensor4D;
  /** I_map (required when `discrepancy` is on). */
  discrepancy?: tf.Tensor4D;
  /** H_{5,2}(I_d) (required when fusion is on). */
  fusion?: tf.Tensor4D;
}

export interface RegressorOutput {
  /** ŝ: one score per patch (normalised space, 0 worst .. 1 best). */
  score: tf.Tensor1D;
  /** Stage outputs; layer4 = R1(I_d, I_map). layer2 is the "second residual block" of supp. Fig. 2 and π_k of R_pre [U]. */
  layer1: tf.Tensor4D;
  layer2: tf.Tensor4D;
  layer3: tf.Tensor4D;
  layer4: tf.Tensor4D;
}

export interface Regressor {
  readonly options: RegressorOptions;
  /** 3 (BL) or 6 (I_d ⊕ I_map). */
  readonly inChannels: number;
  /** torchvision names (`conv1.weight`, `layer2.0.downsample.1.running_var`, ...) plus `fuse.*` (f) and `fc1.*`, `fc2.*` (R2). */
  readonly params: Map<string, Param>;
  readonly store: ParamStore;
  forward(input: RegressorInput, o?: ForwardOptions): RegressorOutput;
  dispose(): void;
}

export function createRegressor(opts: RegressorOptions): Regressor {
  const s = new ParamStore(opts.seed);
  const inChannels = opts.discrepancy ? 6 : 3;
  const w = opts.width;
  const layers = opts.depth === 18 ? [2, 2, 2, 2] : [1, 1, 1, 1];
  // Kaiming normal fan-out for convs as torchvision (gain √2 over fan-out, i.e. std √(2/(k²·cout))).
  const convOut = (name: string, k: number, cin: number, cout: number) => s.conv(name, k, cin, cout, false, Math.SQRT2 * Math.sqrt(cin / cout));
  convOut('conv1', 7, inChannels, w);
  s.bn('bn1', w);
  interface Block { name: string; stride: number; downsample: boolean }
  const blocks: Block[][] = [];
  let inplanes = w;
  layers.forEach((count, st) => {
    const planes = w * 2 ** st;
    const stage: Block[] = [];
    for (let b = 0; b < count; b++) {
      const name = `layer${st + 1}.${b}`;
      const stride = b === 0 && st > 0 ? 2 : 1;
      const downsample = b === 0 && (stride !== 1 || inplanes !== planes);
      convOut(`${name}.conv1`, 3, inplanes, planes);
      s.bn(`${name}.bn1`, planes);
      convOut(`${name}.conv2`, 3, planes, planes);
      s.bn(`${name}.bn2`, planes);
      if (downsample) {
        convOut(`${name}.downsample.0`, 1, inplanes, planes);
        s.bn(`${name}.downsample.1`, planes);
      }
      stage.push({ name, stride, downsample });
      inplanes = planes;
    }
    blocks.push(stage);
  });
  const c4 = inplanes;
  // f: a linear projection (1×1 conv with bias, no activation) C_H → C_R1 so that "the dimensions of H and R1 are equal" [P eq. 11].
  if (opts.fusionChannels !== null) s.conv('fuse', 1, opts.fusionChannels, c4, true, 1);
  const fcIn = opts.fusionChannels !== null ? 2 * c4 : c4;
  s.linear('fc1', fcIn, opts.hidden);
  // Small output weights and bias 0.5: training starts from mid-scale predictions (as CNNIQA here) [U].
  s.linear('fc2', opts.hidden, 1, 0.01, 0.5);

  let dropoutSeed = opts.seed * 7919;
  const forward = (input: RegressorInput, o: ForwardOptions = {}): RegressorOutput => {
    const { distorted, discrepancy, fusion } = input;
    if (opts.discrepancy && !discrepancy) throw new AppError('bad_input', 'regressor: the discrepancy map is on but none was given');
    if (opts.fusionChannels !== null && !fusion) throw new AppError('bad_input', 'regressor: fusion is on but no H_{5,2} was given');
    let h = opts.discrepancy ? (tf.concat([distorted, discrepancy!], 3) as tf.Tensor4D) : distorted;
    h = s.batchNorm(s.conv2d(h, 'conv1', 2), 'bn1', o, 'relu');
    h = tf.maxPool(tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]], -Infinity), 3, 2, 'valid');
    const feats: tf.Tensor4D[] = [];
    for (const stage of blocks) {
      for (const blk of stage) {
        const n = blk.name;
        let out = s.batchNorm(s.conv2d(h, `${n}.conv1`, blk.stride), `${n}.bn1`, o, 'relu');
        out = s.batchNorm(s.conv2d(out, `${n}.conv2`), `${n}.bn2`, o);
        const res = blk.downsample ? s.batchNorm(s.conv2d(h, `${n}.downsample.0`, blk.stride), `${n}.downsample.1`, o) : h;
        h = tf.relu(tf.add(out, res) as tf.Tensor4D);
      }
      feats.push(h);
    }
    const r1 = feats[3]!;
    let fused: tf.Tensor4D = r1;
    if (opts.fusionChannels !== null) {
      let hf = s.conv2d(fusion!, 'fuse');
      // Bilinear resize when H_{5,2} and R1 differ in size (methods.md §1.2.2 [U]).
      if (hf.shape[1] !== r1.shape[1] || hf.shape[2] !== r1.shape[2]) hf = tf.image.resizeBilinear(hf, [r1.shape[1], r1.shape[2]]);
      // F = f(H_{5,2}(I_d)) ⊗ R1(I_d, I_map), ⊗ = channel concatenation [P eq. 11].
      fused = tf.concat([hf, r1], 3) as tf.Tensor4D;
    }
    // R2: GAP → FC + ReLU (→ dropout) → FC (linear).
    let z = s.dense(fused.mean([1, 2]) as tf.Tensor2D, 'fc1', true);
    if (o.training && opts.dropout > 0) z = tf.dropout(z, opts.dropout, undefined, dropoutSeed++) as tf.Tensor2D;
    const score = s.dense(z, 'fc2').reshape([-1]) as tf.Tensor1D;
    return { score, layer1: feats[0]!, layer2: feats[1]!, layer3: feats[2]!, layer4: r1 };
  };

  return { options: opts, inChannels, params: s.params, store: s, forward, dispose: () => s.dispose() };
}

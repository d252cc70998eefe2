// VGG-19 loss network φ_j for HIQA's l_v (Lin & Wang, CVPR 2018, §3.1 eq. 4; methods.md §1.2.4), built ONLY from user-provided torchvision weights.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../imaging/patches';
import type { SafeTensor } from '../weights/safetensors';
import { conv, fromTorch } from '../layers/torch-params';

/** Taps after a ReLU, named as in the perceptual-loss literature; relu5_4 is SRGAN's "VGG54" (our default [U]). */
export const VGG19_TAPS = ['relu1_2', 'relu2_2', 'relu3_4', 'relu4_4', 'relu5_4'] as const;
export type Vgg19Tap = (typeof VGG19_TAPS)[number];

/** torchvision `vgg19().features`: channels of each conv, 'M' = MaxPool 2×2. Conv i has index `features.<k>`. */
const CFG: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'];
/** Index into `features` of the last conv before each tap (its ReLU follows). */
const TAP_CONV: Record<Vgg19Tap, number> = { relu1_2: 2, relu2_2: 7, relu3_4: 16, relu4_4: 25, relu5_4: 34 };

export interface Vgg19Features {
  readonly tap: Vgg19Tap;
  /** φ_j(x) for NHWC images in [0,1] (ImageNet-normalised inside). Call inside tf.tidy. */
  forward(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/**
 * Builds the fixed VGG-19 feature extractor up to `tap` from a torchvision `vgg19` state dict (`features.<k>.weight`
 * OIHW and `.bias`; `classifier.*` and convs past the tap are ignored). Missing or mis-shaped tensors are a
 * `bad_input` error. The weights are plain tensors (never trained).
 */
export function loadVgg19(tensors: Map<string, SafeTensor>, tap: Vgg19Tap = 'relu5_4', prefix = 'features.'): Vgg19Features {
  const last = TAP_CONV[tap];
  const ops: ({ kind: 'conv'; w: tf.Tensor4D; b: tf.Tensor1D } | { kind: 'pool' })[] = [];
  let index = 0;
  let cin = 3;
  try {
    for (const item of CFG) {
      if (index > last) break;
      if (item === 'M') {
        ops.push({ kind: 'pool' });
        index += 1;
        continue;
      }
      const wName = `${prefix}${index}.weight`;
      const bName = `${prefix}${index}.bias`;
      const w = tensors.get(wName);
      const b = tensors.get(bName);
      if (!w || !b) throw new AppError('bad_input', `VGG-19 weights: tensor "${!w ? wName : bName}" is missing`);
      const want = [item, cin, 3, 3];
      if (!(w.data instanceof Float32Array) || w.shape.join(',') !== want.join(',')) {
        throw new AppError('bad_input', `VGG-19 weights: "${wName}" has shape [${w.shape.join(', ')}], expected [${want.join(', ')}]`);
      }
      if (!(b.data instanceof Float32Array) || b.shape.join(',') !== String(item)) {
        throw new AppError('bad_input', `VGG-19 weights: "${bName}" has shape [${b.shape.join(', ')}], expected [${item}]`);
      }
      ops.push({ kind: 'conv', w: fromTorch(w.data, w.shape, 'conv') as tf.Tensor4D, b: tf.tensor1d(b.data) });
      cin = item;
      index += 2; // conv + ReLU
    }
  } catch (err) {
    for (const op of ops) if (op.kind === 'conv') tf.dispose([op.w, op.b]);
    throw err;
  }
  const mean = tf.tensor1d([...IMAGENET_MEAN]);
  const std = tf.tensor1d([...IMAGENET_STD]);
  return {
    tap,
    forward(x) {
      let h = x.sub(mean).div(std) as tf.Tensor4D;
      for (const op of ops) h = op.kind === 'pool' ? tf.maxPool(h, 2, 2, 'valid') : conv(h, op.w, 1, 1).add(op.b).relu();
      return h;
    },
    dispose() {
      for (const op of ops) if (op.kind === 'conv') tf.dispose([op.w, op.b]);
      tf.dispose([mean, std]);
    },
  };
}

// HIQA training batches (Lin & Wang, CVPR 2018, §3.6; methods.md §1.4 "Data and augmentation"): the same random crops and flips of I_d and its I_r, each labelled with the image's score.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { cutPatches, decodeForModel, randomCrops, type RgbBuffer } from '../../../imaging/patches';
import type { InputProtocol } from '../model';
import type { HiqaBatch } from './hiqa.step';

export interface PairedSample {
  /** Distorted image (path or encoded bytes). */
  distorted: string | Buffer;
  /** Its pristine reference; null for datasets without references (then only the 'rpre' and 'regressor' phases can train). */
  reference: string | Buffer | null;
  /** Score in the normalised 0..1 space (1 = best). */
  target: number;
}

export interface PairedPatchBatch {
  distorted: Float32Array;
  /** Null when any sample lacks a reference. */
  reference: Float32Array | null;
  target: Float32Array;
  count: number;
  patch: number;
}

/**
 * `protocol.trainCrops` random crops (and flips, when `protocol.flip`) per sample, cut at the SAME positions from I_d
 * and I_r so that pixel-aligned losses make sense. The ±20° rotation of §3.6 is not applied [U]. Images are decoded
 * with the protocol's resize; a reference whose size differs from its distorted image is an error.
 */
export async function pairedTrainBatch(samples: readonly PairedSample[], protocol: InputProtocol, random: () => number): Promise<PairedPatchBatch> {
  const { patch, trainCrops, flip } = protocol;
  if (protocol.imagenet) throw new AppError('validation', 'HIQA patches are in [0,1]; the protocol must not ImageNet-normalise');
  const count = samples.length * trainCrops;
  const size = patch * patch * 3;
  const distorted = new Float32Array(count * size);
  const withRefs = samples.every((s) => s.reference !== null);
  const reference = withRefs ? new Float32Array(count * size) : null;
  const target = new Float32Array(count);
  for (const [i, s] of samples.entries()) {
    const d = await decodeForModel(s.distorted, protocol.resize);
    let r: RgbBuffer | null = null;
    if (reference && s.reference !== null) {
      r = await decodeForModel(s.reference, protocol.resize);
      if (r.width !== d.width || r.height !== d.height) {
        throw new AppError('bad_input', `reference is ${r.width}x${r.height} but the distorted image is ${d.width}x${d.height}`);
      }
    }
    const positions = randomCrops(d.width, d.height, patch, trainCrops, random);
    const flips = positions.map(() => flip && random() < 0.5);
    cutPatches(d, positions, patch, { flip: (k) => flips[k]! }, distorted, i * trainCrops);
    if (r && reference) cutPatches(r, positions, patch, { flip: (k) => flips[k]! }, reference, i * trainCrops);
    target.fill(s.target, i * trainCrops, (i + 1) * trainCrops);
  }
  return { distorted, reference, target, count, patch };
}

/** Tensors for trainStepHiqa; the caller disposes them (tf.dispose(Object.values(batch))). */
export function toHiqaBatch(b: PairedPatchBatch): HiqaBatch {
  const shape: [number, number, number, number] = [b.count, b.patch, b.patch, 3];
  return {
    distorted: tf.tensor4d(b.distorted, shape),
    ...(b.reference ? { reference: tf.tensor4d(b.reference, shape) } : {}),
    target: tf.tensor1d(b.target),
  };
}

// HIQA training batches (Lin & Wang, CVPR 2018, §3.6; methods.md §1.4 "Data and augmentation"): the same random crops, flips and ±20° rotations of I_d and its I_r, each labelled with the image's score.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { cutPatches, decodeForModel, randomCrops, type RgbBuffer } from '../../../imaging/patches';
import { randomRotatedCrops, writeRotatedPatch } from '../../../imaging/rotated-patches';
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
 * and I_r so that pixel-aligned losses make sense. With `rotationDegrees` > 0 each crop is also turned by a random
 * angle within ± that many degrees [P §3.6: ±20°], the same for I_d and I_r, sampled bilinearly from inside the image
 * (a small image lowers the angle to what fits, so no border is ever sampled) [U]. Images are decoded with the
 * protocol's resize; a reference whose size differs from its distorted image is an error. Every crop keeps its
 * image's label.
 */
export async function pairedTrainBatch(samples: readonly PairedSample[], protocol: InputProtocol, random: () => number, rotationDegrees = 0): Promise<PairedPatchBatch> {
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
    if (rotationDegrees > 0) {
      if (patch > d.width || patch > d.height) throw new AppError('bad_input', `a ${patch}x${patch} patch does not fit a ${d.width}x${d.height} image`);
      randomRotatedCrops(d.width, d.height, patch, trainCrops, rotationDegrees, flip, random).forEach((c, k) => {
        const at = (i * trainCrops + k) * size;
        writeRotatedPatch(distorted, at, d, c.cx, c.cy, patch, c.radians, c.flip);
        if (r && reference) writeRotatedPatch(reference, at, r, c.cx, c.cy, patch, c.radians, c.flip);
      });
    } else {
      const positions = randomCrops(d.width, d.height, patch, trainCrops, random);
      const flips = positions.map(() => flip && random() < 0.5);
      cutPatches(d, positions, patch, { flip: (k) => flips[k]! }, distorted, i * trainCrops);
      if (r && reference) cutPatches(r, positions, patch, { flip: (k) => flips[k]! }, reference, i * trainCrops);
    }
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

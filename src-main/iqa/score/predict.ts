// Whole-image scores from per-crop predictions, in bounded chunks (no registry imports: the trainer uses it too).
import * as tf from '@tensorflow/tfjs';
import type { IqaModel } from '../models/model';

/** Crops per forward pass: 25 ResNet-50 crops at once overflow the wasm backend's 32-bit heap. */
export const SCORE_CHUNK = 8;

/** The mean of the model's per-crop scores, run in chunks so memory stays bounded. */
export function meanPrediction(model: IqaModel, data: Float32Array, count: number, patch: number): number {
  const size = patch * patch * 3;
  let sum = 0;
  for (let start = 0; start < count; start += SCORE_CHUNK) {
    const n = Math.min(SCORE_CHUNK, count - start);
    sum += tf.tidy(() => model.predict(tf.tensor4d(data.subarray(start * size, (start + n) * size), [n, patch, patch, 3])).sum().dataSync()[0]!);
  }
  return sum / count;
}

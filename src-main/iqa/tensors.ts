// Conversions between patch batches and tfjs tensors (NHWC float32).
import * as tf from '@tensorflow/tfjs';
import type { PatchBatch } from '../imaging/patches';

export function patchesToTensor(batch: PatchBatch): tf.Tensor4D {
  return tf.tensor4d(batch.data, [batch.count, batch.patch, batch.patch, 3], 'float32');
}

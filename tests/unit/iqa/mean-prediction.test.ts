// The tfjs scoring path (meanPrediction, used where ONNX Runtime does not run and by training's evaluation): the mean of the per-crop predictions over several forward chunks.
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import type { IqaModel } from '../../../src-main/iqa/models/model';
import { meanPrediction, SCORE_CHUNK } from '../../../src-main/iqa/score/predict';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('meanPrediction', () => {
  it('averages the crops of every chunk, dividing by the crop count', () => {
    const patch = 4;
    const count = 2 * SCORE_CHUNK + 3;
    const size = patch * patch * 3;
    // Crop k is filled with the value k + 1, and the model predicts each crop's mean pixel: scores 1..count.
    const data = new Float32Array(count * size);
    for (let k = 0; k < count; k++) data.fill(k + 1, k * size, (k + 1) * size);
    const calls: number[] = [];
    const model = {
      predict: (x: tf.Tensor4D) => {
        calls.push(x.shape[0]);
        return x.mean([1, 2, 3]) as tf.Tensor1D;
      },
    } as unknown as IqaModel;
    expect(meanPrediction(model, data, count, patch)).toBeCloseTo((count + 1) / 2, 5);
    expect(calls).toEqual([SCORE_CHUNK, SCORE_CHUNK, 3]);
  });
});

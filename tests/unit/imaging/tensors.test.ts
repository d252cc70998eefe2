// Patch batches become NHWC tensors with the same values, and nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { extractPatches, uniformGrid } from '../../../src-main/imaging/patches';
import { patchesToTensor } from '../../../src-main/iqa/tensors';
import { REPO_ROOT } from '../../helpers/serve-process';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('patchesToTensor', () => {
  it('builds an n×p×p×3 tensor from a real photo, values preserved, no leaked tensors', async () => {
    const batch = await extractPatches(`${REPO_ROOT}/resources/demo/bee.jpg`, {
      patch: 32,
      imagenet: true,
      resize: { width: 128, height: 96 },
      positions: (w, h) => uniformGrid(w, h, 32, 6),
    });
    const before = tf.memory().numTensors;
    const t = patchesToTensor(batch);
    expect(t.shape).toEqual([6, 32, 32, 3]);
    expect(t.dtype).toBe('float32');
    const mean = tf.tidy(() => t.mean().dataSync()[0]!);
    expect(mean).toBeCloseTo(batch.data.reduce((s, v) => s + v, 0) / batch.data.length, 4);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

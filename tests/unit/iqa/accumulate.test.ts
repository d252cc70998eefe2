// Micro-batch gradient accumulation on wasm: the same gradient as one full-batch pass (a model without batch norm), and a heap plan.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { CnniqaConfig, createCnniqa } from '../../../src-main/iqa/models/cnniqa.arch';
import { createHyperIqa } from '../../../src-main/iqa/models/hyperiqa.arch';
import { accumulateGradients, planMicroBatch } from '../../../src-main/iqa/train/accumulate';

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('micro-batch accumulation', () => {
  it('sums micro-batch gradients to the full-batch gradient (no batch norm, no dropout; tolerance 1e-5 relative)', () => {
    const model = createCnniqa(CnniqaConfig.parse({ patch: 32, kernels: 8, hidden: 16, dropout: 0 }), 3);
    const vars = model.parameterGroups().flatMap((g) => g.variables);
    const x = tf.randomUniform([6, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.randomUniform([6], 0, 1, 'float32', 2) as tf.Tensor1D;
    const full = accumulateGradients(model, vars, x, y, 6, 1e-3);
    const before = tf.memory().numTensors;
    const parts = accumulateGradients(model, vars, x, y, 4, 1e-3); // micro-batches of 4 and 2
    expect(tf.memory().numTensors - before).toBe(Object.keys(parts.grads).length);
    expect(parts.loss).toBeCloseTo(full.loss, 5);
    expect(Object.keys(parts.grads).sort()).toEqual(Object.keys(full.grads).sort());
    for (const [name, g] of Object.entries(full.grads)) {
      const a = g.dataSync();
      const b = parts.grads[name]!.dataSync();
      const scale = Math.max(1e-8, ...a.map(Math.abs));
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / scale).toBeLessThan(1e-5);
    }
    tf.dispose([x, y, ...Object.values(full.grads), ...Object.values(parts.grads)]);
    model.dispose();
  });

  it('plans at most as many crops per pass on a smaller heap, and leaves batch-norm running statistics untouched', () => {
    const small = createHyperIqa({ backbone: 'small', testCrops: 1, trainCrops: 1, flip: false, resize: null, backboneWeights: null }, 1);
    const stats = [...small.weights().values()].filter((v) => !v.trainable);
    const snapshot = stats.map((v) => v.dataSync().slice());
    const microSmall = planMicroBatch(small, 224, 64);
    stats.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(snapshot[i]!)));
    expect(microSmall).toBeGreaterThanOrEqual(1);
    expect(microSmall).toBeLessThanOrEqual(64);
    // A heap of 1/8 the size plans at most as many crops.
    expect(planMicroBatch(small, 224, 64, 2 ** 28)).toBeLessThanOrEqual(microSmall);
    small.dispose();
  });
});

// Data-parallel steps on wasm: a gradient replica thread plus this one give the same update as one thread over the same micro-batches.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { createHyperIqa, HyperIqaConfig } from '../../../src-main/iqa/models/hyperiqa.arch';
import { accumulateStep } from '../../../src-main/iqa/train/accumulate';
import { GradientReplica } from '../../../src-main/iqa/train/replica';
import type { Optimizers } from '../../../src-main/iqa/train/trainer';

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

const CONFIG: HyperIqaConfig = HyperIqaConfig.parse({ backbone: 'small', testCrops: 1, trainCrops: 1, flip: false, resize: null, backboneWeights: null });

/** SGD with rate 1, so a step's weight change is minus the summed gradient. */
function sgd(vars: tf.Variable[]): Optimizers {
  return { groups: [{ name: 'all', variables: vars, lrMultiplier: 1, optimizer: tf.train.sgd(1) as unknown as tf.AdamOptimizer }] }; // only applyGradients is called
}

describe('gradient replica (two threads)', () => {
  it('matches one thread over the same micro-batches: loss and every trained weight (tolerance 1e-4 relative)', async () => {
    const x = tf.randomUniform([4, 224, 224, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = tf.randomUniform([4], 0, 1, 'float32', 6) as tf.Tensor1D;
    const single = createHyperIqa(CONFIG, 7);
    const parallel = createHyperIqa(CONFIG, 7);
    const trainable = (m: typeof single) => [...m.weights().values()].filter((v) => v.trainable);
    const optA = sgd(trainable(single));
    const optB = sgd(trainable(parallel));
    // Micro-batches of 2: crops 0-1 and 2-3 either way, so batch norm sees the same statistics.
    const lossA = accumulateStep(single, optA, x, y, 2, 1e-3);
    const replica = await GradientReplica.start(parallel, 'hyperiqa', CONFIG, 99, optB.groups[0]!.variables);
    try {
      const lossB = await replica.accumulateStep(parallel, optB, x, y, 2, 1e-3);
      expect(lossB).toBeCloseTo(lossA, 5);
      const b = parallel.weights();
      let compared = 0;
      // Running statistics differ by design: only this thread's micro-batches update them (docs/training-speed.md).
      for (const [name, va] of [...single.weights()].filter(([, v]) => v.trainable)) {
        const p = va.dataSync();
        const q = b.get(name)!.dataSync();
        let scale = 1e-6;
        let err = 0;
        for (let i = 0; i < p.length; i++) {
          scale = Math.max(scale, Math.abs(p[i]!));
          err = Math.max(err, Math.abs(p[i]! - q[i]!));
        }
        expect(err / scale, name).toBeLessThan(1e-4);
        compared++;
      }
      expect(compared).toBeGreaterThan(10);
      // A second step reuses the same replica (weights broadcast again).
      const lossA2 = accumulateStep(single, optA, x, y, 2, 1e-3);
      const lossB2 = await replica.accumulateStep(parallel, optB, x, y, 2, 1e-3);
      expect(lossB2).toBeCloseTo(lossA2, 4);
    } finally {
      await replica.close();
      tf.dispose([x, y]);
      single.dispose();
      parallel.dispose();
    }
  }, 180_000);
});

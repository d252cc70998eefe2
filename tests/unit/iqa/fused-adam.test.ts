// The fused Adam (one IqaAdam heap kernel per step on wasm) against tf.train.adam on the cpu backend: weights, moments and checkpoint state over 3 steps.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { randomArray } from '../../helpers/kernel-compare';
import { adam } from '../../../src-main/iqa/train/fused-adam';

const SHAPES = [[3, 3, 4, 5], [5], [7, 2], [1]];


const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Run { weights: Float32Array[]; state: { name: string; data: Float32Array }[]; kernels: string[] }

/**
 * Three Adam steps on fixed variables with fixed gradients (step 2 with tiny gradients, where ε matters; step 3 at another
 * learning rate), with `make` building the optimizer; returns the weights, getWeights() and the last step's kernels.
 */
async function threeSteps(make: () => tf.Optimizer): Promise<Run> {
  const vars = SHAPES.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(randomArray(size(s), 10 + i), s), true, `adam_test_${tf.getBackend()}_${i}_${Math.random()}`)));
  const opt = make();
  let kernels: string[] = [];
  for (let step = 0; step < 3; step++) {
    const scale = step === 1 ? 1e-6 : 1 + step;
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (grads[v.name] = tf.tensor(randomArray(size(SHAPES[i]!), 100 * step + i, scale), SHAPES[i]!)));
    if (step === 2) (opt as unknown as { learningRate: number }).learningRate = 0.05;
    const info = await tf.profile(() => opt.applyGradients(grads));
    kernels = info.kernelNames;
    tf.dispose(Object.values(grads));
  }
  const weights = vars.map((v) => v.dataSync() as Float32Array);
  const saved = await opt.getWeights();
  const state = saved.map((w) => ({ name: w.name, data: w.tensor.dataSync() as Float32Array }));
  saved[0]!.tensor.dispose(); // the iteration count, made by getWeights
  opt.dispose();
  tf.dispose(vars);
  return { weights, state, kernels };
}

const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

let reference: Run;

beforeAll(async () => {
  await initBackend('cpu');
  reference = await threeSteps(() => tf.train.adam(0.01, 0.5, 0.999));
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('fused Adam', () => {
  it('runs one IqaAdam kernel per step on wasm instead of per-variable ops', async () => {
    const run = await threeSteps(() => adam(0.01, 0.5, 0.999));
    expect(run.kernels.filter((k) => k === 'IqaAdam')).toHaveLength(1);
    expect(run.kernels).not.toContain('Sqrt');
  });

  it('equals tf.train.adam on the cpu backend over 3 steps (weights, moments, iterations) within 1e-6', async () => {
    const before = tf.memory().numTensors;
    const run = await threeSteps(() => adam(0.01, 0.5, 0.999));
    expect(tf.memory().numTensors).toBe(before);
    run.weights.forEach((w, i) => expect(maxDiff(w, reference.weights[i]!)).toBeLessThan(1e-6));
    // The weights moved: a no-op update would fail the comparison above by ~0.03.
    expect(maxDiff(run.weights[0]!, randomArray(size(SHAPES[0]!), 10))).toBeGreaterThan(0.01);
    expect(run.state.map((s) => s.name.replace(/adam_test_\w+?_(\d)_.*\//, '$1/'))).toEqual(reference.state.map((s) => s.name.replace(/adam_test_\w+?_(\d)_.*\//, '$1/')));
    expect(run.state[0]!.data[0]).toBe(3);
    run.state.forEach((s, i) => expect(maxDiff(s.data, reference.state[i]!.data)).toBeLessThan(1e-6));
  });

  it('steps a restored optimizer (setWeights) as tf.train.adam does', async () => {
    const restored = async (make: () => tf.Optimizer) => {
      const v = tf.tidy(() => tf.variable(tf.tensor([0.5, -1, 2]), true, `adam_restore_${Math.random()}`));
      const opt = make();
      await opt.setWeights([
        { name: 'iter', tensor: tf.scalar(4, 'int32') },
        { name: `${v.name}/m`, tensor: tf.tensor([0.1, -0.2, 0.3]) },
        { name: `${v.name}/v`, tensor: tf.tensor([0.01, 0.04, 0.09]) },
      ]);
      const g = tf.tensor([1, 2, -3]);
      opt.applyGradients({ [v.name]: g });
      const out = v.dataSync() as Float32Array;
      tf.dispose([v, g]);
      opt.dispose();
      return out;
    };
    const fused = await restored(() => adam(0.1));
    const plain = await restored(() => tf.train.adam(0.1));
    expect(maxDiff(fused, plain)).toBeLessThan(1e-6);
    expect(maxDiff(fused, new Float32Array([0.5, -1, 2]))).toBeGreaterThan(0.02);
  });
});

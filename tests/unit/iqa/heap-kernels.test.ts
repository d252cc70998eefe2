// The wasm heap kernels against autodiff on tfjs's cpu backend: instance norm, batch norm + ReLU, instance norm + ReLU, running statistics from the forward kernel, bias add.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { randomArray, relErr } from '../../helpers/kernel-compare';
import { affineNormOp, batchNorm2d, batchNormTrain, instanceNormActOp } from '../../../src-main/iqa/layers/norm';
import { biasAdd, biasAddRelu } from '../../../src-main/iqa/layers/torch-params';
import { hasFastHeapKernels } from '../../../src-main/iqa/wasm-kernels';
import { reflectPad } from '../../../src-main/iqa/models/ttl/dtgan.nets';

type Shape = [number, number, number, number];
const SHAPES: Shape[] = [[2, 5, 4, 3], [3, 6, 6, 8], [1, 7, 5, 16]];



type Norm = (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor4D;

/** Output and the gradients for x, γ, β under a non-uniform upstream gradient; β shifted so ReLU cuts about half. */
function normCase(shape: Shape, f: Norm): Float32Array[] {
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor4d(randomArray(size, 5), shape).mul(3).add(1) as tf.Tensor4D;
    const g = tf.tensor1d(randomArray(shape[3], 6)).add(1.2) as tf.Tensor1D;
    const b = tf.tensor1d(randomArray(shape[3], 7)).mul(0.5) as tf.Tensor1D;
    const w = tf.tensor4d(randomArray(size, 8), shape);
    const y = f(x, g, b);
    const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => f(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D).mul(w).sum())([x, g, b]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** Autodiff references on cpu: tf.moments over `axes`, then the affine map (and ReLU). */
const reference = (axes: number[], act: 'none' | 'relu' | 'leaky'): Norm => (x, g, b) => {
  const { mean, variance } = tf.moments(x, axes, true);
  const y = x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b) as tf.Tensor4D;
  return act === 'relu' ? tf.relu(y) : act === 'leaky' ? tf.leakyRelu(y, 0.2) : y;
};

const CASES: { name: string; ref: Norm; fast: () => Norm }[] = [
  { name: 'instance norm', ref: reference([1, 2], 'none'), fast: () => affineNormOp([1, 2], 1e-5) },
  { name: 'instance norm + ReLU', ref: reference([1, 2], 'relu'), fast: () => instanceNormActOp(1e-5, 'relu') },
  { name: 'instance norm + LeakyReLU(0.2)', ref: reference([1, 2], 'leaky'), fast: () => instanceNormActOp(1e-5, { leaky: 0.2 }) },
  { name: 'batch norm + ReLU', ref: reference([0, 1, 2], 'relu'), fast: () => (x, g, b) => batchNormTrain(x, g, b, 'relu') },
  { name: 'batch norm + LeakyReLU(0.2)', ref: reference([0, 1, 2], 'leaky'), fast: () => (x, g, b) => batchNormTrain(x, g, b, { leaky: 0.2 }) },
];

const BIAS_SHAPES = [[2, 5, 4, 3], [6, 7], [1, 3, 3, 16]];

/** x + b and the gradients for x and b (b [C] over the last axis) under a non-uniform upstream gradient. */
function biasCase(shape: number[], add: (x: tf.Tensor, b: tf.Tensor) => tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(randomArray(size, 12), shape);
    const b = tf.tensor1d(randomArray(shape[shape.length - 1]!, 13));
    const w = tf.tensor(randomArray(size, 14), shape);
    const grads = tf.grads((xx: tf.Tensor, bb: tf.Tensor) => add(xx, bb).mul(w).sum())([x, b]);
    return [add(x, b), ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const PADS: { shape: Shape; p: number }[] = [
  { shape: [2, 5, 6, 3], p: 1 },
  { shape: [1, 8, 7, 4], p: 3 },
];

/** Reflection padding and its gradient (the cpu backend runs the slice/reverse/concat version). */
function padCase(c: { shape: Shape; p: number }): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(c.shape.reduce((a, b) => a * b, 1), 15), c.shape);
    const y = reflectPad(x, c.p);
    const w = tf.tensor(randomArray(y.size, 16), y.shape);
    const [dx] = tf.grads((xx: tf.Tensor) => reflectPad(xx as tf.Tensor4D, c.p).mul(w).sum())([x]);
    return [y, dx!].map((t) => t.dataSync() as Float32Array);
  });
}

let cpu: Float32Array[][][] = [];
let cpuPad: Float32Array[][] = [];
let cpuBias: Float32Array[][] = [];
let cpuBiasRelu: Float32Array[][] = [];

beforeAll(async () => {
  await initBackend('cpu');
  cpu = CASES.map((c) => SHAPES.map((s) => normCase(s, c.ref)));
  cpuPad = PADS.map(padCase);
  cpuBias = BIAS_SHAPES.map((s) => biasCase(s, (x, b) => tf.add(x, b)));
  cpuBiasRelu = BIAS_SHAPES.map((s) => biasCase(s, (x, b) => tf.relu(tf.add(x, b))));
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('wasm heap kernels vs autodiff on cpu', () => {
  const table = CASES.flatMap((c, i) => SHAPES.map((s, j) => [`${c.name} ${s.join('x')}`, i, j] as const));
  it.each(table)('%s: output, dx, dγ, dβ', (_n, i, j) => {
    expect(hasFastHeapKernels()).toBe(true);
    const before = tf.memory().numTensors;
    const got = normCase(SHAPES[j]!, CASES[i]!.fast());
    expect(tf.memory().numTensors).toBe(before);
    // 1e-4: the hand-written backward sums in another order than autodiff's chain.
    got.forEach((g, k) => expect(relErr(g, cpu[i]![j]![k]!)).toBeLessThan(1e-4));
  });

  it('ReLU fused into the norm runs one kernel each way (no Relu, no Step)', async () => {
    const x = tf.randomNormal([2, 4, 4, 3]) as tf.Tensor4D;
    const [g, b] = [tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D];
    const op = instanceNormActOp(1e-5, 'relu');
    const info = await tf.profile(() => tf.tidy(() => tf.grads((xx: tf.Tensor) => op(xx as tf.Tensor4D, g, b).sum())([x])));
    expect(info.kernelNames).toContain('IqaBatchNormGrad');
    expect(info.kernelNames).not.toContain('Relu');
    expect(info.kernelNames).not.toContain('Step');
    tf.dispose([x, g, b]);
  });

  it('running statistics taken from the forward kernel equal tf.moments (unbiased variance, momentum 0.1)', () => {
    const x = tf.tensor4d(randomArray(2 * 5 * 4 * 3, 11), [2, 5, 4, 3]).mul(2).add(5) as tf.Tensor4D;
    const vars = new Map<string, tf.Variable>([
      ['bn.weight', tf.variable(tf.ones([3]))],
      ['bn.bias', tf.variable(tf.zeros([3]))],
      ['bn.running_mean', tf.variable(tf.tensor1d([1, 2, 3]))],
      ['bn.running_var', tf.variable(tf.tensor1d([1, 1, 2]))],
    ]);
    tf.tidy(() => batchNorm2d(x, (n) => vars.get(n)!, 'bn', { training: true, updateStats: true }, 'relu'));
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = 2 * 5 * 4;
    const m = mean.mul(0.1).add(tf.tensor1d([1, 2, 3]).mul(0.9));
    const v = variance.mul((0.1 * n) / (n - 1)).add(tf.tensor1d([1, 1, 2]).mul(0.9));
    expect(relErr(vars.get('bn.running_mean')!.dataSync() as Float32Array, m.dataSync() as Float32Array)).toBeLessThan(1e-6);
    expect(relErr(vars.get('bn.running_var')!.dataSync() as Float32Array, v.dataSync() as Float32Array)).toBeLessThan(1e-6);
    tf.dispose([x, mean, variance, m, v, ...vars.values()]);
  });

  it.each(BIAS_SHAPES.map((s, i) => [s.join('x'), i] as const))('bias add: output, dx, db (one IqaChannelSum): %s', async (_n, i) => {
    const before = tf.memory().numTensors;
    const got = biasCase(BIAS_SHAPES[i]!, biasAdd);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, k) => expect(relErr(g, cpuBias[i]![k]!)).toBeLessThan(1e-6));
    const info = await tf.profile(() => biasCase(BIAS_SHAPES[i]!, biasAdd));
    expect(info.kernelNames).toContain('IqaChannelSum');
    // One Sum: the test's loss; the bias gradient adds none.
    expect(info.kernelNames.filter((k) => k === 'Sum')).toHaveLength(1);
  });

  it.each(BIAS_SHAPES.map((s, i) => [s.join('x'), i] as const))('bias add + ReLU: output, dx, db (one IqaBiasReluGrad): %s', async (_n, i) => {
    const before = tf.memory().numTensors;
    const got = biasCase(BIAS_SHAPES[i]!, biasAddRelu);
    expect(tf.memory().numTensors).toBe(before);
    // About half the outputs are cut by the ReLU, so a missing mask fails.
    expect(got[0]!.filter((v) => v === 0).length).toBeGreaterThan(got[0]!.length / 4);
    got.forEach((g, k) => expect(relErr(g, cpuBiasRelu[i]![k]!)).toBeLessThan(1e-6));
    const info = await tf.profile(() => biasCase(BIAS_SHAPES[i]!, biasAddRelu));
    expect(info.kernelNames).toContain('IqaBiasReluGrad');
    expect(info.kernelNames).not.toContain('Step');
  });

  it.each(PADS.map((c, i) => [`${c.shape.join('x')} by ${c.p}`, i] as const))('reflection padding and its gradient (IqaReflectPad): %s', async (_n, i) => {
    const before = tf.memory().numTensors;
    const got = padCase(PADS[i]!);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, k) => expect(relErr(g, cpuPad[i]![k]!)).toBeLessThan(1e-6));
    const info = await tf.profile(() => padCase(PADS[i]!));
    expect(info.kernelNames).toContain('IqaReflectPadGrad');
    expect(info.kernelNames).not.toContain('Reverse');
  });
});

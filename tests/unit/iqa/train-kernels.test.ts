// Training gradients on wasm against tfjs's cpu backend: transposed matmuls, batch norm's hand-written backward, micro-batch accumulation.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { seededRandom } from '../../../src-main/util/random';
import { batchMoments, batchNormTrainOp } from '../../../src-main/iqa/layers/norm';
import { hasFastBatchNorm } from '../../../src-main/iqa/wasm-kernels';

function randomArray(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** Max |a − b| relative to max |b| (tolerance 1e-5 unless stated: float32 sums in a different order). */
function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1e-12, ...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / scale;
}

const weights = (shape: number[]) => tf.linspace(0.5, 1.5, shape.reduce((a, b) => a * b, 1)).reshape(shape);

interface MatCase { a: number[]; b: number[]; ta: boolean; tb: boolean }
const MATMULS: MatCase[] = [
  { a: [7, 5], b: [7, 3], ta: true, tb: false },
  { a: [5, 7], b: [3, 7], ta: false, tb: true },
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [2, 6, 4], b: [2, 6, 3], ta: true, tb: false },
];

/** Forward and both input gradients of a·b under a non-uniform upstream gradient. */
function matmulCase(c: MatCase): Float32Array[] {
  return tf.tidy(() => {
    const a = tf.tensor(randomArray(c.a.reduce((x, y) => x * y, 1), 3), c.a);
    const b = tf.tensor(randomArray(c.b.reduce((x, y) => x * y, 1), 4), c.b);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, c.ta, c.tb);
    const y = f(a, b);
    const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => f(x, z).mul(weights(y.shape)).sum())([a, b]);
    return [y, da!, db!].map((t) => t.dataSync() as Float32Array);
  });
}

const BN_SHAPES: [number, number, number, number][] = [[2, 5, 4, 3], [1, 7, 7, 8], [4, 2, 3, 16]];

/** Reference: autodiff through tf.moments + tf.batchNorm4d (what ResNet training used before). */
function bnReference(shape: [number, number, number, number]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(shape.reduce((a, b) => a * b, 1), 5), shape).mul(3).add(1) as tf.Tensor4D;
    const g = tf.tensor1d(randomArray(shape[3], 6)).add(1) as tf.Tensor1D;
    const b = tf.tensor1d(randomArray(shape[3], 7));
    const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.batchNorm4d(xx as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, bb as tf.Tensor1D, gg as tf.Tensor1D, 1e-5);
    };
    const y = f(x, g, b);
    const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => f(xx, gg, bb).mul(weights(shape)).sum())([x, g, b]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function bnFast(shape: [number, number, number, number]): Float32Array[] {
  const op = batchNormTrainOp(1e-5);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(shape.reduce((a, b) => a * b, 1), 5), shape).mul(3).add(1) as tf.Tensor4D;
    const g = tf.tensor1d(randomArray(shape[3], 6)).add(1) as tf.Tensor1D;
    const b = tf.tensor1d(randomArray(shape[3], 7));
    const y = op(x, g, b);
    const grads = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => op(xx as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D).mul(weights(shape)).sum())([x, g, b]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

interface PoolCase { x: [number, number, number, number]; k: number; stride: number; pad: 'same' | 'valid' | number; relu: boolean }
const POOLS: PoolCase[] = [
  { x: [2, 8, 8, 3], k: 3, stride: 2, pad: 1, relu: false },
  { x: [2, 9, 9, 4], k: 3, stride: 2, pad: 1, relu: true },
  { x: [1, 8, 6, 5], k: 2, stride: 2, pad: 'valid', relu: true },
  { x: [2, 7, 7, 2], k: 3, stride: 1, pad: 'same', relu: false },
];

/** Max-pool output and its input gradient; `relu` makes ties (zeros) so the routing to the first maximum is checked. */
function poolCase(c: PoolCase): Float32Array[] {
  return tf.tidy(() => {
    let x = tf.tensor4d(randomArray(c.x.reduce((a, b) => a * b, 1), 8), c.x);
    if (c.relu) x = x.relu();
    const f = (xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, c.k, c.stride, c.pad);
    const y = f(x);
    const [dx] = tf.grads((xx: tf.Tensor) => f(xx).mul(weights(y.shape)).sum())([x]);
    return [y, dx!].map((t) => t.dataSync() as Float32Array);
  });
}

/** Batch statistics of a batch-norm input: the mean and biased variance over batch and pixels. */
function momentsCase(shape: [number, number, number, number]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(shape.reduce((a, b) => a * b, 1), 9), shape).mul(2).add(5) as tf.Tensor4D;
    const { mean, variance } = batchMoments(x);
    return [mean, variance].map((t) => t.dataSync() as Float32Array);
  });
}

let cpuMat: Float32Array[][] = [];
let cpuBn: Float32Array[][] = [];
let cpuPool: Float32Array[][] = [];
let cpuMoments: Float32Array[][] = [];

beforeAll(async () => {
  await initBackend('cpu');
  cpuMat = MATMULS.map(matmulCase);
  cpuBn = BN_SHAPES.map(bnReference);
  cpuPool = POOLS.map(poolCase);
  cpuMoments = BN_SHAPES.map(momentsCase);
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('wasm training kernels vs the cpu backend', () => {
  it.each(MATMULS.map((c, i) => [`${c.a.join('x')}${c.ta ? 'ᵀ' : ''} · ${c.b.join('x')}${c.tb ? 'ᵀ' : ''}`, i] as const))('BatchMatMul and its gradients: %s', (_n, i) => {
    const before = tf.memory().numTensors;
    const got = matmulCase(MATMULS[i]!);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, k) => expect(relErr(g, cpuMat[i]![k]!)).toBeLessThan(1e-5));
  });

  it.each(BN_SHAPES.map((s, i) => [s.join('x'), i] as const))('batch norm (training) output, dx, dγ, dβ match autodiff on cpu: %s', (_n, i) => {
    const before = tf.memory().numTensors;
    const got = bnFast(BN_SHAPES[i]!);
    expect(tf.memory().numTensors).toBe(before);
    // 1e-4: the hand-written backward sums in another order than autodiff's chain.
    got.forEach((g, k) => expect(relErr(g, cpuBn[i]![k]!)).toBeLessThan(1e-4));
  });

  it.each(POOLS.map((c, i) => [`${c.k}x${c.k} stride ${c.stride} pad ${c.pad}${c.relu ? ' (ties)' : ''} on ${c.x.join('x')}`, i] as const))('MaxPoolGrad: %s', (_n, i) => {
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBeDefined();
    const before = tf.memory().numTensors;
    const got = poolCase(POOLS[i]!);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, k) => expect(relErr(g, cpuPool[i]![k]!)).toBeLessThan(1e-6));
  });

  it.each(BN_SHAPES.map((s, i) => [s.join('x'), i] as const))('batch moments (running-statistics input) match tf.moments on cpu: %s', (_n, i) => {
    expect(hasFastBatchNorm()).toBe(true);
    const got = momentsCase(BN_SHAPES[i]!);
    got.forEach((g, k) => expect(relErr(g, cpuMoments[i]![k]!)).toBeLessThan(1e-5));
  });
});

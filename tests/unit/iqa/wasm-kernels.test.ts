// The wasm Conv2DBackpropFilter kernel against the cpu backend's gradient, over strides, paddings and kernel sizes.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { seededRandom } from '../../../src-main/util/random';

function randomArray(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

type Pad = 'same' | 'valid' | number;
interface Case { x: [number, number, number, number]; k: number; co: number; stride: number; pad: Pad }

const CASES: Case[] = [
  { x: [2, 9, 9, 3], k: 3, co: 4, stride: 1, pad: 'same' },
  { x: [2, 9, 9, 3], k: 3, co: 4, stride: 2, pad: 'same' },
  { x: [2, 10, 8, 3], k: 3, co: 5, stride: 2, pad: 'same' },
  { x: [1, 11, 11, 2], k: 3, co: 3, stride: 2, pad: 'valid' },
  { x: [3, 8, 8, 4], k: 1, co: 6, stride: 1, pad: 'valid' },
  { x: [3, 8, 8, 4], k: 1, co: 6, stride: 2, pad: 'valid' },
  { x: [1, 16, 16, 3], k: 7, co: 4, stride: 2, pad: 3 },
  { x: [2, 12, 12, 4], k: 5, co: 2, stride: 1, pad: 2 },
  { x: [2, 8, 8, 5], k: 3, co: 3, stride: 2, pad: 1 },
  { x: [1, 9, 7, 2], k: 3, co: 2, stride: 3, pad: 'same' },
];

function filterGrad(c: Case): { dw: Float32Array; dx: Float32Array } {
  const [b, h, w, ci] = c.x;
  const x = tf.tensor4d(randomArray(b * h * w * ci, 1), c.x);
  const f = tf.tensor4d(randomArray(c.k * c.k * ci * c.co, 2), [c.k, c.k, ci, c.co]);
  const loss = (xx: tf.Tensor4D, ff: tf.Tensor4D) => {
    const y = tf.conv2d(xx, ff, c.stride, c.pad as 'same');
    // A non-uniform upstream gradient, so every dy element matters.
    return y.mul(tf.linspace(0.5, 1.5, y.size).reshape(y.shape)).sum();
  };
  const [dx, dw] = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => loss(xx as tf.Tensor4D, ff as tf.Tensor4D))([x, f]);
  const out = { dw: dw!.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array };
  tf.dispose([x, f, dx, dw]);
  return out;
}

let cpu: { dw: Float32Array; dx: Float32Array }[] = [];

beforeAll(async () => {
  await initBackend('cpu');
  cpu = CASES.map(filterGrad);
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('wasm Conv2DBackpropFilter', () => {
  it('is registered on the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it.each(CASES.map((c, i) => [`${c.k}x${c.k} stride ${c.stride} pad ${c.pad} on ${c.x.join('x')}`, i] as const))(
    'matches the cpu gradient: %s',
    (_name, i) => {
      const before = tf.memory().numTensors;
      const wasm = filterGrad(CASES[i]!);
      expect(tf.memory().numTensors).toBe(before);
      const ref = cpu[i]!;
      expect(wasm.dw.length).toBe(ref.dw.length);
      const scale = Math.max(...ref.dw.map(Math.abs));
      const maxErr = Math.max(...wasm.dw.map((v, j) => Math.abs(v - ref.dw[j]!)));
      expect(maxErr / scale).toBeLessThan(1e-5);
      const dxErr = Math.max(...wasm.dx.map((v, j) => Math.abs(v - ref.dx[j]!)));
      expect(dxErr / Math.max(...ref.dx.map(Math.abs))).toBeLessThan(1e-5);
    },
  );

  it('lets a small conv net train on wasm (loss goes down)', () => {
    const r = seededRandom(11);
    const x = tf.tensor4d(Float32Array.from({ length: 8 * 16 * 16 * 3 }, r), [8, 16, 16, 3]);
    const y = tf.tensor2d(Float32Array.from({ length: 8 }, (_, i) => i / 8), [8, 1]);
    const w1 = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.2, 'float32', 1));
    const w2 = tf.variable(tf.randomNormal([8, 1], 0, 0.2, 'float32', 2));
    const opt = tf.train.adam(0.01);
    const step = () =>
      opt.minimize(() => tf.losses.meanSquaredError(y, tf.conv2d(x, w1 as unknown as tf.Tensor4D, 2, 'same').relu().mean([1, 2]).matMul(w2)), true)!.dataSync()[0]!;
    const first = step();
    let last = first;
    for (let i = 0; i < 40; i++) last = step();
    expect(last).toBeLessThan(first * 0.5);
    tf.dispose([x, y, w1, w2]);
    opt.dispose();
  });
});

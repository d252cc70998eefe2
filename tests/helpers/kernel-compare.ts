// Helpers the kernel gradient tests share: seeded inputs in [−1, 1) and the relative error of two float32 results.
import { expect } from 'vitest';
import { seededRandom } from '../../src-main/util/random';

/** n seeded values uniform in [−scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** Max |a − b| relative to max |b| (and the lengths must agree). */
export function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1e-12, ...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!))) / scale;
}

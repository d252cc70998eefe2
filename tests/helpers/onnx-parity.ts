// Runs a model's ONNX graph on ONNX Runtime and its tfjs forward on the same input, for parity tests.
import * as tf from '@tensorflow/tfjs';
import type { IqaModel, ModelSpec } from '../../src-main/iqa/models/model';
import { buildGraph, type GraphKind } from '../../src-main/iqa/onnx/build-graph';
import { createSession, floatTensor } from '../../src-main/iqa/onnx/engine';

/** A seeded NHWC batch in [lo, hi). */
export function randomBatch(shape: [number, number, number, number], seed: number, lo = -1, hi = 1): Float32Array {
  return tf.tidy(() => tf.randomUniform(shape, lo, hi, 'float32', seed).dataSync() as Float32Array);
}

/** The graph `kind` of `model` run once on `feeds`; outputs by name. */
export async function runGraph(spec: ModelSpec, model: IqaModel, config: Record<string, unknown>, kind: GraphKind, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, Float32Array>> {
  const session = await createSession(buildGraph(spec, model, kind, config));
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, floatTensor(v.data, v.dims)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data)]));
  } finally {
    await session.release();
  }
}

/**
 * |a − b| over max(1, |b|): the absolute difference for outputs in the scores' 0..1 range, relative beyond it. Float32
 * cannot do better for the large outputs of random untrained networks (its spacing at 100 is 7.6e-6).
 */
export function parityError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}

/** Per-crop scores of the scoring graph and of tfjs predict (eval mode) on the same NHWC crops. */
export async function scoresBothWays(spec: ModelSpec, model: IqaModel, config: Record<string, unknown>, data: Float32Array, shape: [number, number, number, number]) {
  const ort = (await runGraph(spec, model, config, 'scores', { patches: { data, dims: shape } })).scores!;
  const tfjs = tf.tidy(() => Float32Array.from(model.predict(tf.tensor4d(data, shape)).dataSync()));
  return { ort, tfjs, maxDiff: parityError(ort, tfjs) };
}

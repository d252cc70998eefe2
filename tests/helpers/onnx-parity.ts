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
export async function runGraph(spec: ModelSpec, model: IqaModel, kind: GraphKind, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, Float32Array>> {
  const session = await createSession(buildGraph(spec, model, kind, { layout: 'nhwc' }, {}));
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, floatTensor(v.data, v.dims)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data)]));
  } finally {
    await session.release();
  }
}

/** Per-crop scores of the scoring graph and of tfjs predict (eval mode) on the same NHWC crops. */
export async function scoresBothWays(spec: ModelSpec, model: IqaModel, data: Float32Array, shape: [number, number, number, number]) {
  const ort = (await runGraph(spec, model, 'scores', { patches: { data, dims: shape } })).scores!;
  const tfjs = tf.tidy(() => Float32Array.from(model.predict(tf.tensor4d(data, shape)).dataSync()));
  return { ort, tfjs, maxDiff: Math.max(...Array.from(ort, (v, i) => Math.abs(v - tfjs[i]!))) };
}

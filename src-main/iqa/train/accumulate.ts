// One optimiser step over a batch split into micro-batches: gradients summed across micro-batches, then applied once.
import * as tf from '@tensorflow/tfjs';
import type { IqaModel } from '../models/model';
import type { Optimizers } from './trainer';

/** Applies per-group gradients (by variable name) with each group's optimizer. */
export function applyGroupGradients(optimizers: Optimizers, grads: Record<string, tf.Tensor>): void {
  for (const g of optimizers.groups) {
    const subset: Record<string, tf.Variable> = {};
    // applyGradients is typed for variables but only reads the gradient values.
    for (const v of g.variables) if (grads[v.name]) subset[v.name] = grads[v.name] as tf.Variable;
    g.optimizer.applyGradients(subset);
  }
}

/**
 * L1 loss (HyperIQA §3.4) over `x` (N crops) with targets `y`, plus optional L2 decay, in ⌈N / micro⌉ forward/backward
 * passes of at most `micro` crops. Each micro-batch's loss is weighted by its share of N, so the summed gradient is the
 * gradient of the full-batch mean loss, except that batch norm normalises with each micro-batch's own statistics
 * (as data-parallel PyTorch without SyncBatchNorm does). Returns the full-batch loss.
 */
export function accumulateStep(model: IqaModel, optimizers: Optimizers, x: tf.Tensor4D, y: tf.Tensor1D, micro: number, weightDecay = 0): number {
  const { loss, grads } = accumulateGradients(model, optimizers.groups.flatMap((g) => g.variables), x, y, micro, weightDecay);
  applyGroupGradients(optimizers, grads);
  tf.dispose(Object.values(grads));
  return loss;
}

/**
 * The summed gradients (by variable name) and full-batch loss of accumulateStep, without applying them. `total` is the
 * crops of the whole step when `x` is one replica's share of it (the L1 sum is divided by it).
 */
export function accumulateGradients(model: IqaModel, all: tf.Variable[], x: tf.Tensor4D, y: tf.Tensor1D, micro: number, weightDecay = 0, total = x.shape[0]): { loss: number; grads: Record<string, tf.Tensor> } {
  const n = x.shape[0];
  const size = Math.max(1, Math.min(micro, n));
  let sum: Record<string, tf.Tensor> = {};
  let loss = 0;
  for (let start = 0; start < n; start += size) {
    const count = Math.min(size, n - start);
    const first = start === 0;
    const { value, grads } = tf.tidy(() => {
      const xs = count === n ? x : x.slice([start, 0, 0, 0], [count, -1, -1, -1]);
      const ys = count === n ? y : y.slice([start], [count]);
      return tf.variableGrads(() => {
        const l1 = model.predict(xs, true).sub(ys).abs().sum().div(total) as tf.Scalar;
        if (!weightDecay || !first) return l1;
        return l1.add(tf.addN(all.filter((v) => v.shape.length > 1).map((v) => v.square().sum())).mul(weightDecay / 2)) as tf.Scalar;
      }, all);
    });
    loss += value.dataSync()[0]!;
    value.dispose();
    if (first) sum = grads;
    else {
      const next: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(grads)) next[k] = sum[k] ? tf.add(sum[k]!, g) : g;
      tf.dispose(Object.entries(sum).filter(([k]) => next[k] !== sum[k]).map(([, t]) => t));
      tf.dispose(Object.entries(grads).filter(([k]) => next[k] !== grads[k]).map(([, t]) => t));
      sum = next;
    }
  }
  return { loss, grads: sum };
}

/** The wasm build's memory ceiling (tfjs-backend-wasm grows its heap up to 2 GiB here). */
export const WASM_HEAP_BYTES = 2 * 2 ** 30;

/**
 * Crops per micro-batch that fit the heap: one training-mode forward of a single crop is measured (every activation it
 * keeps), and a step is assumed to need 3× that per crop (activations kept for backward, their gradients, scratch);
 * what the heap holds already (weights, optimiser moments) and a 25 % margin are left out. Other backends: the whole batch.
 */
export function planMicroBatch(model: IqaModel, patch: number, batch: number, heapBytes = WASM_HEAP_BYTES): number {
  if (tf.getBackend() !== 'wasm') return batch;
  // A training forward updates batch-norm running statistics: they are put back afterwards.
  const stats = [...model.weights().values()].filter((v) => !v.trainable).map((v) => [v, v.clone()] as const);
  const before = tf.memory().numBytes;
  const activations = tf.tidy(() => {
    const x = tf.zeros([1, patch, patch, 3]) as tf.Tensor4D;
    model.predict(x, true);
    return tf.memory().numBytes - before;
  });
  for (const [v, saved] of stats) {
    v.assign(saved);
    saved.dispose();
  }
  const free = heapBytes * 0.75 - before;
  return Math.max(1, Math.min(batch, Math.floor(free / (3 * Math.max(1, activations)))));
}

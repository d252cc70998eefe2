// Data-parallel training steps: a replica thread (own wasm backend and model copy) takes part of each step's crops; gradients are summed here.
import * as tf from '@tensorflow/tfjs';
import type { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../backend';
import type { IqaModel } from '../models/model';
import { accumulateGradients, accumulateStep, applyGroupGradients } from './accumulate';
import { spawnWorker } from './spawn-worker';
import type { Optimizers } from './trainer';

export type ToReplica =
  | {
      type: 'init';
      backend: BackendChoice;
      modelId: string;
      config: unknown;
      seed: number;
      /** Every weight (running statistics too), in the order they sit in weightBuf. */
      weightNames: string[];
      /** The optimised weights, in the order their gradients sit in gradBuf. */
      trainableNames: string[];
      weightBuf: SharedArrayBuffer;
      gradBuf: SharedArrayBuffer;
    }
  | { type: 'step'; x: Float32Array; shape: [number, number, number, number]; y: Float32Array; micro: number; total: number }
  | { type: 'close' };

export type FromReplica = { type: 'ready' } | { type: 'done'; loss: number } | { type: 'error'; message: string };

const bufferOf = (vars: tf.Variable[]) => new SharedArrayBuffer(4 * vars.reduce((a, v) => a + v.size, 0));

/**
 * A second thread computing gradients: each step the main side writes the current weights to shared memory, sends
 * the replica the last ⌊N/2⌋ crops, computes the first ⌈N/2⌉ itself at the same time, then adds the replica's
 * gradients (also in shared memory) and steps the optimisers once. Batch norm sees each thread's micro-batches (as
 * PyTorch DDP without SyncBatchNorm); running statistics are the main side's, broadcast with the weights.
 */
export class GradientReplica {
  private pending: { resolve: (m: FromReplica) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly weights: tf.Variable[],
    private readonly trainable: tf.Variable[],
    private readonly weightBuf: Float32Array,
    private readonly gradBuf: Float32Array,
  ) {
    worker.on('message', (m: FromReplica) => this.settle(m));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`gradient replica exited (code ${code})`)));
  }

  /** Starts a replica of `model` (built from the registry as modelId/config/seed) for the variables in `trainable`. */
  static async start(model: IqaModel, modelId: string, config: unknown, seed: number, trainable: tf.Variable[], backend: BackendChoice = 'wasm'): Promise<GradientReplica> {
    const named = [...model.weights().entries()];
    const nameOf = new Map(named.map(([n, v]) => [v, n] as const));
    const trainableNames = trainable.map((v) => {
      const n = nameOf.get(v);
      if (!n) throw new Error(`replica: variable ${v.name} is not one of the model's weights`);
      return n;
    });
    const weights = named.map(([, v]) => v);
    const weightBuf = bufferOf(weights);
    const gradBuf = bufferOf(trainable);
    const worker = spawnWorker('src-main/iqa/train/replica.worker.ts', 'replica-worker.js');
    const replica = new GradientReplica(worker, weights, trainable, new Float32Array(weightBuf), new Float32Array(gradBuf));
    try {
      await replica.request({ type: 'init', backend, modelId, config, seed, weightNames: named.map(([n]) => n), trainableNames, weightBuf, gradBuf });
    } catch (err) {
      await worker.terminate();
      throw err;
    }
    return replica;
  }

  private settle(m: FromReplica) {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    if (m.type === 'error') p.reject(new Error(`gradient replica: ${m.message}`));
    else p.resolve(m);
  }

  private fail(e: Error) {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  private request(msg: ToReplica): Promise<FromReplica> {
    if (this.pending) return Promise.reject(new Error('gradient replica is busy'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  /** accumulateStep over both threads: returns the full-batch loss. */
  async accumulateStep(model: IqaModel, optimizers: Optimizers, x: tf.Tensor4D, y: tf.Tensor1D, micro: number, weightDecay = 0): Promise<number> {
    const n = x.shape[0];
    const theirs = Math.floor(n / 2);
    if (theirs === 0) return accumulateStep(model, optimizers, x, y, micro, weightDecay);
    const mine = n - theirs;
    let off = 0;
    for (const v of this.weights) {
      this.weightBuf.set(v.dataSync() as Float32Array, off);
      off += v.size;
    }
    const [xr, yr] = tf.tidy(() => [x.slice([mine, 0, 0, 0], [theirs, -1, -1, -1]).dataSync() as Float32Array, y.slice([mine], [theirs]).dataSync() as Float32Array]);
    const shape: [number, number, number, number] = [theirs, x.shape[1], x.shape[2], x.shape[3]];
    const done = this.request({ type: 'step', x: xr, shape, y: yr, micro, total: n });
    const xm = x.slice([0, 0, 0, 0], [mine, -1, -1, -1]);
    const ym = y.slice([0], [mine]);
    let own: ReturnType<typeof accumulateGradients>;
    try {
      own = accumulateGradients(model, this.trainable, xm, ym, micro, weightDecay, n);
    } catch (err) {
      await done.catch(() => undefined);
      throw err;
    } finally {
      tf.dispose([xm, ym]);
    }
    const reply = await done;
    const grads = own.grads;
    off = 0;
    for (const v of this.trainable) {
      const theirGrad = tf.tensor(this.gradBuf.subarray(off, off + v.size), v.shape);
      off += v.size;
      const ownGrad = grads[v.name];
      grads[v.name] = ownGrad ? tf.add(ownGrad, theirGrad) : theirGrad;
      if (ownGrad) tf.dispose([ownGrad, theirGrad]);
    }
    applyGroupGradients(optimizers, grads);
    tf.dispose(Object.values(grads));
    return own.loss + (reply.type === 'done' ? reply.loss : 0);
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' } satisfies ToReplica);
    await this.worker.terminate();
  }
}

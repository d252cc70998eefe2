// The training loop every model shares: seeded epochs of random crops, per-group Adam, L1 loss, evaluation, checkpoints, cancel.
import * as tf from '@tensorflow/tfjs';
import { adam as fusedAdam } from './fused-adam';
import { seededRandom, shuffle } from '../../util/random';
import { meanPrediction } from '../score/predict';
import { PatchSource, type Sample } from '../data/patch-source';
import type { IqaModel, InputProtocol } from '../models/model';
import { accumulateStep, planMicroBatch } from './accumulate';
import { GradientReplica } from './replica';

export interface TrainHyper {
  epochs: number;
  /** Images per step (each contributes `trainCrops` patches). */
  batchImages: number;
  lr: number;
  weightDecay: number;
  /** Multiply every learning rate by `factor` every `every` epochs (0 = never). */
  lrDecay: { every: number; factor: number };
  seed: number;
}

export interface StepInfo {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  secondsPerStep: number;
}

export interface EpochResult {
  epoch: number;
  trainLoss: number;
  /** Mean predicted score per test image (normalised space), in the order of the test samples. */
  predictions: { imageId: number; score: number }[];
  metrics: Record<string, number>;
  seconds: number;
}

export interface Optimizers {
  groups: { name: string; variables: tf.Variable[]; optimizer: tf.AdamOptimizer; lrMultiplier: number }[];
}

export interface TrainOptions {
  model: IqaModel;
  protocol: InputProtocol;
  hyper: TrainHyper;
  train: Sample[];
  test: Sample[];
  /** First epoch to run (1-based); later than 1 when resuming. */
  startEpoch?: number;
  /** Metrics of a finished epoch from predictions and targets (e.g. SRCC), when the caller wants them here. */
  score?: (predicted: number[], target: number[], groups: (string | null)[]) => Record<string, number>;
  onStep?: (info: StepInfo) => void;
  onEpoch?: (result: EpochResult, model: IqaModel, optimizers: Optimizers) => Promise<void> | void;
  signal?: AbortSignal;
  /** Restores optimizer state after the optimizers exist (resume). */
  restoreOptimizers?: (optimizers: Optimizers) => Promise<void> | void;
  /** Data-parallel steps on wasm: a gradient replica thread of this registry model takes half of each step's crops. */
  replica?: { modelId: string; config: unknown };
}

export class TrainingCancelled extends Error {
  constructor(readonly epoch: number) {
    super(`training cancelled during epoch ${epoch}`);
  }
}

export function lrAt(hyper: TrainHyper, epoch: number): number {
  const decays = hyper.lrDecay.every > 0 ? Math.floor((epoch - 1) / hyper.lrDecay.every) : 0;
  return hyper.lr * hyper.lrDecay.factor ** decays;
}

export function createOptimizers(model: IqaModel, hyper: TrainHyper, epoch: number): Optimizers {
  return {
    groups: model.parameterGroups().map((g) => ({
      name: g.name,
      variables: g.variables,
      lrMultiplier: g.lrMultiplier,
      optimizer: fusedAdam(lrAt(hyper, epoch) * g.lrMultiplier),
    })),
  };
}

/** Predicts each test image as the mean of its deterministic crops. */
export async function predictImages(model: IqaModel, source: PatchSource, protocol: InputProtocol, samples: readonly Sample[], signal?: AbortSignal) {
  const out: { imageId: number; score: number }[] = [];
  for (const s of samples) {
    if (signal?.aborted) throw new TrainingCancelled(0);
    const { x, count } = await source.testPatches(s.path);
    const score = meanPrediction(model, x, count, protocol.patch);
    out.push({ imageId: s.imageId, score });
  }
  return out;
}

/** An epoch's result: the test images' predictions and metrics, with the mean training loss and the time since `t0`. */
export async function evaluateEpoch(opts: TrainOptions, source: PatchSource, epoch: number, trainLoss: number, t0: number): Promise<EpochResult> {
  const predictions = await predictImages(opts.model, source, opts.protocol, opts.test, opts.signal);
  const metrics = opts.test.length && opts.score
    ? opts.score(predictions.map((p) => p.score), opts.test.map((s) => s.target), opts.test.map((s) => s.group ?? null))
    : {};
  return { epoch, trainLoss, predictions, metrics, seconds: (performance.now() - t0) / 1000 };
}

export async function train(opts: TrainOptions): Promise<EpochResult[]> {
  const { model, protocol, hyper } = opts;
  const source = new PatchSource(protocol);
  const startEpoch = opts.startEpoch ?? 1;
  const optimizers = createOptimizers(model, hyper, startEpoch);
  await opts.restoreOptimizers?.(optimizers);
  const stepsPerEpoch = Math.ceil(opts.train.length / hyper.batchImages);
  // Crops per forward/backward pass from the heap; the optimiser still steps once per batch (docs/training-speed.md).
  const micro = planMicroBatch(model, protocol.patch, hyper.batchImages * protocol.trainCrops);
  const replica = opts.replica && tf.getBackend() === 'wasm'
    ? await GradientReplica.start(model, opts.replica.modelId, opts.replica.config, hyper.seed, optimizers.groups.flatMap((g) => g.variables))
    : null;
  const results: EpochResult[] = [];
  try {
    for (let epoch = startEpoch; epoch <= hyper.epochs; epoch++) {
      const t0 = performance.now();
      // Adam reads its (protected) learning rate on every step, so a schedule can change it between epochs.
      for (const g of optimizers.groups) (g.optimizer as unknown as { learningRate: number }).learningRate = lrAt(hyper, epoch) * g.lrMultiplier;
      // Seeded per epoch, so a resumed run sees the same crops as an uninterrupted one.
      const random = seededRandom(hyper.seed * 1009 + epoch);
      const order = shuffle(opts.train, random);
      let lossSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (opts.signal?.aborted) throw new TrainingCancelled(epoch);
        const ts = performance.now();
        const batch = await source.trainBatch(order.slice(step * hyper.batchImages, (step + 1) * hyper.batchImages), random);
        const loss = await trainStep(model, optimizers, batch, protocol.patch, hyper.weightDecay, micro, replica);
        lossSum += loss;
        opts.onStep?.({ epoch, step: step + 1, stepsPerEpoch, loss, secondsPerStep: (performance.now() - ts) / 1000 });
      }
      const result = await evaluateEpoch(opts, source, epoch, lossSum / stepsPerEpoch, t0);
      results.push(result);
      await opts.onEpoch?.(result, model, optimizers);
    }
    return results;
  } finally {
    await replica?.close();
    for (const g of optimizers.groups) g.optimizer.dispose();
  }
}

/** One optimisation step: L1 loss (HyperIQA §3.4; CNNIQA's ε-insensitive loss with ε = 0) plus optional L2 decay, in micro-batches. */
async function trainStep(
  model: IqaModel,
  optimizers: Optimizers,
  batch: { x: Float32Array; y: Float32Array; count: number },
  patch: number,
  weightDecay: number,
  micro: number,
  replica: GradientReplica | null,
): Promise<number> {
  const x = tf.tensor4d(batch.x, [batch.count, patch, patch, 3]);
  const y = tf.tensor1d(batch.y);
  try {
    return replica ? await replica.accumulateStep(model, optimizers, x, y, micro, weightDecay) : accumulateStep(model, optimizers, x, y, micro, weightDecay);
  } finally {
    tf.dispose([x, y]);
  }
}

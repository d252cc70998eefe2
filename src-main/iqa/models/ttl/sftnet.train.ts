// SFTnet's two training stages (Yang, Li & Liu, TMM 2021, §V-B, §VI-A.3): quality levels by softmax cross-entropy, then scores by Euclidean loss.
import * as tf from '@tensorflow/tfjs';
import { adam as fusedAdam } from '../../train/fused-adam';
import { AppError } from '../../../../src-shared/api/errors';
import { seededRandom, shuffle } from '../../../util/random';
import { PatchSource, type Sample } from '../../data/patch-source';
import { SCORE_CHUNK } from '../../score/predict';
import { lrAt, predictImages, TrainingCancelled, type EpochResult, type Optimizers, type TrainHyper, type TrainOptions } from '../../train/trainer';
import { targetToLevel } from './levels';
import type { SftnetConfig, SftnetModel } from './sftnet.arch';

/**
 * One optimizer per parameter group at the epoch's LR: SGD with momentum (the paper's Caffe solver) or Adam [U], per
 * the model config. tfjs accumulates a ← m·a + g, w ← w − lr·a; Caffe v ← m·v + lr·g, w ← w − v: the same steps
 * while the LR is constant.
 */
export function createSftnetOptimizers(model: SftnetModel, hyper: TrainHyper, epoch: number): Optimizers {
  return {
    groups: model.parameterGroups().map((g) => {
      const lr = lrAt(hyper, epoch) * g.lrMultiplier;
      const optimizer = model.config.optimizer === 'sgd' ? tf.train.momentum(lr, model.config.momentum) : fusedAdam(lr);
      // `Optimizers` is typed for Adam; the runs service only calls getWeights/setWeights/applyGradients/dispose.
      return { name: g.name, variables: g.variables, lrMultiplier: g.lrMultiplier, optimizer: optimizer as unknown as tf.AdamOptimizer };
    }),
  };
}

/** Optimiser steps per epoch: one per `batchImages` training images. */
function stepsPerEpochOf(hyper: Pick<TrainHyper, 'batchImages'>, trainImages: number): number {
  return Math.max(1, Math.ceil(trainImages / hyper.batchImages));
}

/** The run's length in iterations (config.iterations, else epochs × steps per epoch) and its decay period (0 = none). */
export function sftnetSchedule(config: Pick<SftnetConfig, 'iterations' | 'lrDecayEvery'>, hyper: Pick<TrainHyper, 'epochs' | 'batchImages'>, trainImages: number) {
  const stepsPerEpoch = stepsPerEpochOf(hyper, trainImages);
  const iterations = config.iterations ?? hyper.epochs * stepsPerEpoch;
  // null: the paper's proportion (×0.1 every 10K of 50K, a fifth of the run) at this run's length [P §VI-A.3].
  const decayEvery = config.lrDecayEvery ?? Math.max(1, Math.round(iterations / 5));
  return { iterations, decayEvery, stepsPerEpoch };
}

/** Epochs a run needs: ⌈iterations / steps per epoch⌉ when the config gives a length in iterations, else hyper.epochs. */
export function sftnetEpochs(config: Pick<SftnetConfig, 'iterations'>, hyper: Pick<TrainHyper, 'epochs' | 'batchImages'>, trainImages: number): number {
  return config.iterations === null ? hyper.epochs : Math.ceil(config.iterations / stepsPerEpochOf(hyper, trainImages));
}

/**
 * The LR at a 0-based iteration: the run's LR (with its per-epoch lrDecay, if any) × lrDecayFactor^⌊iteration /
 * decayEvery⌋, Caffe's "step" policy [P §VI-A.3: base 1e-6, ×0.1 every 10K iterations].
 */
export function sftnetLearningRate(config: Pick<SftnetConfig, 'lrDecayFactor'>, hyper: TrainHyper, schedule: { decayEvery: number; stepsPerEpoch: number }, iteration: number): number {
  const epoch = Math.floor(iteration / schedule.stepsPerEpoch) + 1;
  const steps = schedule.decayEvery > 0 ? Math.floor(iteration / schedule.decayEvery) : 0;
  return lrAt(hyper, epoch) * config.lrDecayFactor ** steps;
}

/** Adam reads `learningRate` on every step; SGD/momentum caches −lr in a scalar that setLearningRate replaces. */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** MomentumOptimizer.dispose() forgets SGD's cached −lr scalar; dispose it too. */
function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
}

export interface SftnetStepResult {
  /** Cross-entropy (levels) or (1/2N)Σ(ŝ − s)² (score), without weight decay. */
  loss: number;
  /** Patches whose argmax level equals targetToLevel(target) (stage 'levels'; null for 'score'). */
  correct: number | null;
  count: number;
}

/**
 * One optimisation step on NHWC input x (already normalised) with normalised targets (1 = best). Stage 'levels':
 * softmax cross-entropy against class targetToLevel(target, K) − 1 [P §V-B]; stage 'score': Caffe's EuclideanLoss
 * (1/2N)Σ(ŝ − s)² [P §V-B]. Plus (wd/2)·Σw² over conv and FC weights (Caffe's L2 weight decay).
 */
export function trainStepSftnet(model: SftnetModel, optimizers: Optimizers, x: tf.Tensor4D, targets: ArrayLike<number>, weightDecay: number): SftnetStepResult {
  const n = x.shape[0];
  if (targets.length !== n) throw new AppError('bad_input', `SFTnet: ${n} inputs but ${targets.length} targets`);
  const stage = model.config.stage;
  const K = model.config.levels;
  const classes = Array.from(targets, (t) => targetToLevel(t, K) - 1);
  const vars = optimizers.groups.flatMap((g) => g.variables);
  let predicted: tf.Tensor1D | null = null;
  let data: tf.Scalar | null = null;
  const { value, grads } = tf.tidy(() => {
    const onehot = stage === 'levels' ? tf.oneHot(tf.tensor1d(classes, 'int32'), K).toFloat() : null;
    const y = tf.tensor1d(Float32Array.from(targets));
    return tf.variableGrads(() => {
      const out = model.forward(x, true);
      let loss: tf.Scalar;
      if (onehot) {
        loss = tf.losses.softmaxCrossEntropy(onehot, out) as tf.Scalar;
        predicted = tf.keep(out.argMax(1) as tf.Tensor1D);
      } else loss = out.reshape([-1]).sub(y).square().sum().div(2 * n) as tf.Scalar;
      data = tf.keep(loss);
      return weightDecay > 0 ? (loss.add(model.l2().mul(weightDecay / 2)) as tf.Scalar) : loss;
    }, vars);
  });
  for (const g of optimizers.groups) {
    const subset: Record<string, tf.Variable> = {};
    // applyGradients is typed for variables but only reads the gradient values.
    for (const v of g.variables) if (grads[v.name]) subset[v.name] = grads[v.name] as tf.Variable;
    g.optimizer.applyGradients(subset);
  }
  const loss = (data as tf.Scalar | null)!.dataSync()[0]!;
  let correct: number | null = null;
  if (predicted) {
    const p = (predicted as tf.Tensor1D).dataSync();
    correct = classes.reduce((acc, c, i) => acc + (p[i] === c ? 1 : 0), 0);
  }
  tf.dispose([value, data!, ...(predicted ? [predicted] : []), ...Object.values(grads)]);
  return { loss, correct, count: n };
}

/** Share of test images whose argmax of the crop-averaged softmax equals targetToLevel(target) (stage 'levels'). */
export async function levelAccuracy(model: SftnetModel, source: PatchSource, patch: number, samples: readonly Sample[], signal?: AbortSignal): Promise<number> {
  const K = model.config.levels;
  let hits = 0;
  for (const s of samples) {
    if (signal?.aborted) throw new TrainingCancelled(0);
    const { x, count } = await source.testPatches(s.path);
    const size = patch * patch * 3;
    const probs = new Float64Array(K);
    for (let start = 0; start < count; start += SCORE_CHUNK) {
      const m = Math.min(SCORE_CHUNK, count - start);
      const sums = tf.tidy(() => tf.softmax(model.levelLogits(tf.tensor4d(x.subarray(start * size, (start + m) * size), [m, patch, patch, 3]))).sum(0).dataSync());
      for (let k = 0; k < K; k++) probs[k]! += sums[k]!;
    }
    let best = 0;
    for (let k = 1; k < K; k++) if (probs[k]! > probs[best]!) best = k;
    if (best + 1 === targetToLevel(s.target, K)) hits++;
  }
  return samples.length ? hits / samples.length : NaN;
}

/**
 * The runs service's loop for SFTnet: per epoch, seeded shuffles of `batchImages` images (each `trainCrops` crops),
 * one step each, then test predictions with the engine's predictImages (mean of test crops). Metrics: train_loss,
 * opts.score's (e.g. SRCC), lr (at the epoch's last step), iterations (so far), and in stage 'levels' train_accuracy
 * (from the training passes, dropout on) and test_accuracy (argmax of the crop-averaged softmax). The LR follows
 * sftnetLearningRate per iteration, and a run given in iterations stops after exactly that many.
 */
export async function trainSftnet(opts: TrainOptions): Promise<EpochResult[]> {
  const model = opts.model as SftnetModel;
  if (model.id !== 'sftnet') throw new AppError('validation', `trainSftnet trains SFTnet models, got ${model.id}`);
  const { protocol, hyper } = opts;
  if (!opts.train.length) throw new AppError('validation', 'SFTnet: no training images');
  const startEpoch = opts.startEpoch ?? 1;
  const optimizers = createSftnetOptimizers(model, hyper, startEpoch);
  await opts.restoreOptimizers?.(optimizers);
  const source = new PatchSource(protocol);
  const levels = model.config.stage === 'levels';
  const schedule = sftnetSchedule(model.config, hyper, opts.train.length);
  const { stepsPerEpoch } = schedule;
  const lastEpoch = Math.min(hyper.epochs, Math.ceil(schedule.iterations / stepsPerEpoch));
  const p = protocol.patch;
  const results: EpochResult[] = [];
  let currentLr = NaN;
  try {
    for (let epoch = startEpoch; epoch <= lastEpoch; epoch++) {
      const t0 = performance.now();
      // Seeded per epoch, so a resumed run sees the same order and crops as an uninterrupted one.
      const random = seededRandom(hyper.seed * 1009 + epoch);
      const order = shuffle(opts.train, random);
      const first = (epoch - 1) * stepsPerEpoch;
      // The last epoch of a run measured in iterations may stop part-way.
      const steps = Math.min(stepsPerEpoch, schedule.iterations - first);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let step = 0; step < steps; step++) {
        if (opts.signal?.aborted) throw new TrainingCancelled(epoch);
        const ts = performance.now();
        const lr = sftnetLearningRate(model.config, hyper, schedule, first + step);
        if (lr !== currentLr) {
          for (const g of optimizers.groups) setLearningRate(g.optimizer, lr * g.lrMultiplier);
          currentLr = lr;
        }
        const batch = await source.trainBatch(order.slice(step * hyper.batchImages, (step + 1) * hyper.batchImages), random);
        const x = tf.tensor4d(batch.x, [batch.count, p, p, 3]);
        let r: SftnetStepResult;
        try {
          r = trainStepSftnet(model, optimizers, x, batch.y, hyper.weightDecay);
        } finally {
          x.dispose();
        }
        lossSum += r.loss;
        correct += r.correct ?? 0;
        seen += r.count;
        opts.onStep?.({ epoch, step: step + 1, stepsPerEpoch: steps, loss: r.loss, secondsPerStep: (performance.now() - ts) / 1000 });
      }
      const predictions = await predictImages(model, source, protocol, opts.test, opts.signal);
      const trainLoss = lossSum / steps;
      const metrics: Record<string, number> = {
        ...(opts.test.length && opts.score
          ? opts.score(predictions.map((q) => q.score), opts.test.map((s) => s.target), opts.test.map((s) => s.group ?? null))
          : {}),
        train_loss: trainLoss,
        lr: currentLr,
        iterations: first + steps,
      };
      if (levels) {
        metrics.train_accuracy = correct / seen;
        if (opts.test.length) metrics.test_accuracy = await levelAccuracy(model, source, p, opts.test, opts.signal);
      }
      const result: EpochResult = { epoch, trainLoss, predictions, metrics, seconds: (performance.now() - t0) / 1000 };
      results.push(result);
      await opts.onEpoch?.(result, model, optimizers);
    }
    return results;
  } finally {
    for (const g of optimizers.groups) disposeOptimizer(g.optimizer);
  }
}

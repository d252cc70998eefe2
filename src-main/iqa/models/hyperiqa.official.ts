// HyperIQA trained as the official code does (SSL92/hyperIQA HyerIQASolver.py, data_loader.py): crop-level batches, PyTorch Adam with coupled weight decay, the code's per-epoch group learning rates.
import * as tf from '@tensorflow/tfjs';
import { adam as fusedAdam } from '../train/fused-adam';
import { seededRandom, shuffle } from '../../util/random';
import { PatchSource, type CropEntry, type Sample } from '../data/patch-source';
import { accumulateGradients, applyGroupGradients, planMicroBatch } from '../train/accumulate';
import { evaluateEpoch, TrainingCancelled, type EpochResult, type Optimizers, type TrainOptions } from '../train/trainer';
import type { IqaModel } from './model';

/** What the official-code mode reads from the model config (the rest comes from the run's hyper-parameters). */
export interface OfficialRecipe {
  /** Crops per optimiser step (`--batch_size`, 96 in the code). */
  batchCrops: number;
  /** The hyper network's learning rate as a multiple of the backbone's (`--lr_ratio`, 10). */
  lrRatio: number;
  /**
   * After epoch 1 the released code rebuilds Adam from `self.hypernet_params`, a `filter` iterator the first Adam
   * already used up, so from epoch 2 on only the backbone (`res`) trains (SSL92/hyperIQA issue #32). 'as-released'
   * reproduces that; 'as-intended' trains the hyper network at the learning rates the code computes.
   */
  hyperNet: 'as-released' | 'as-intended';
}

/** PyTorch's Adam defaults (torch.optim.Adam: betas 0.9, 0.999; eps 1e-8; tfjs would use 1e-7). */
export const TORCH_ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/**
 * The learning rate of each group in a 1-based epoch. Epoch 1: hyper network lr x lrRatio, backbone lr. After epoch
 * t (0-based) the code sets the hyper network to lr / 10^floor(t / 6) x (t > 8 ? 1 : lrRatio) and the backbone back to
 * lr; `hyper` is null where the released code trains no hyper network at all.
 */
export function officialGroupLrs(epoch: number, lr: number, recipe: Pick<OfficialRecipe, 'lrRatio' | 'hyperNet'>): { backbone: number; hyper: number | null } {
  if (epoch <= 1) return { backbone: lr, hyper: lr * recipe.lrRatio };
  if (recipe.hyperNet === 'as-released') return { backbone: lr, hyper: null };
  const t = epoch - 2;
  return { backbone: lr, hyper: (lr / 10 ** Math.floor(t / 6)) * (t > 8 ? 1 : recipe.lrRatio) };
}

/** A fresh Adam per group, as the code builds a new torch.optim.Adam every epoch (moments start from zero again). */
export function createOfficialOptimizers(model: IqaModel, lrs: { backbone: number; hyper: number | null }): Optimizers {
  const groups = model.parameterGroups();
  const pick = (name: string) => groups.find((g) => g.name === name)?.variables ?? [];
  const adam = (lr: number) => fusedAdam(lr, TORCH_ADAM.beta1, TORCH_ADAM.beta2, TORCH_ADAM.epsilon);
  const out: Optimizers['groups'] = [];
  if (lrs.hyper !== null) out.push({ name: 'hyper', variables: pick('hyper'), lrMultiplier: lrs.hyper / lrs.backbone, optimizer: adam(lrs.hyper) });
  out.push({ name: 'backbone', variables: pick('backbone'), lrMultiplier: 1, optimizer: adam(lrs.backbone) });
  return { groups: out };
}

/**
 * One step of the official loop: L1Loss (the batch mean) of the raw output against the labels, backward, then
 * torch.optim.Adam with `weight_decay`, which adds weightDecay x w to the gradient of every parameter it holds (biases
 * and batch-norm scales included), before the moments. Returns the batch loss.
 */
export function officialStep(model: IqaModel, optimizers: Optimizers, x: tf.Tensor4D, y: tf.Tensor1D, weightDecay: number, micro = x.shape[0]): number {
  const variables = optimizers.groups.flatMap((g) => g.variables);
  const { loss, grads } = accumulateGradients(model, variables, x, y, micro, 0);
  if (weightDecay) {
    for (const v of variables) {
      const g = grads[v.name];
      if (!g) continue;
      grads[v.name] = tf.tidy(() => g.add(v.mul(weightDecay)));
      g.dispose();
    }
  }
  applyGroupGradients(optimizers, grads);
  tf.dispose(Object.values(grads));
  return loss;
}

/**
 * The official sampling for one epoch: every image `cropsPerImage` times, each entry mirrored with probability 0.5
 * and cropped at a uniform position, then all entries shuffled together (the DataLoader's shuffle=True).
 */
export function officialCropPlan(samples: readonly Sample[], sizes: ReadonlyMap<string, { width: number; height: number }>, patch: number, cropsPerImage: number, flip: boolean, random: () => number): CropEntry[] {
  const entries: CropEntry[] = [];
  for (const sample of samples) {
    const size = sizes.get(sample.path);
    if (!size) throw new Error(`no size for ${sample.path}`);
    for (let k = 0; k < cropsPerImage; k++) {
      const mirrored = flip && random() < 0.5;
      entries.push({ sample, flip: mirrored, x: Math.floor(random() * (size.width - patch + 1)), y: Math.floor(random() * (size.height - patch + 1)) });
    }
  }
  return shuffle(entries, random);
}

/** The official training loop: per epoch a fresh Adam at the code's group learning rates, crop-level batches, raw targets. */
export async function trainOfficial(opts: TrainOptions, recipe: OfficialRecipe): Promise<EpochResult[]> {
  const { model, protocol, hyper } = opts;
  const source = new PatchSource(protocol);
  const sizes = new Map<string, { width: number; height: number }>();
  for (const s of opts.train) {
    if (opts.signal?.aborted) throw new TrainingCancelled(opts.startEpoch ?? 1);
    if (!sizes.has(s.path)) sizes.set(s.path, protocol.resize ?? (await source.imageSize(s.path)));
  }
  const crops = opts.train.length * protocol.trainCrops;
  const stepsPerEpoch = Math.ceil(crops / recipe.batchCrops);
  const micro = planMicroBatch(model, protocol.patch, recipe.batchCrops);
  const results: EpochResult[] = [];
  for (let epoch = opts.startEpoch ?? 1; epoch <= hyper.epochs; epoch++) {
    const t0 = performance.now();
    const optimizers = createOfficialOptimizers(model, officialGroupLrs(epoch, hyper.lr, recipe));
    try {
      const random = seededRandom(hyper.seed * 1009 + epoch);
      const plan = officialCropPlan(opts.train, sizes, protocol.patch, protocol.trainCrops, protocol.flip, random);
      let lossSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (opts.signal?.aborted) throw new TrainingCancelled(epoch);
        const ts = performance.now();
        const batch = await source.cropBatch(plan.slice(step * recipe.batchCrops, (step + 1) * recipe.batchCrops));
        const x = tf.tensor4d(batch.x, [batch.count, protocol.patch, protocol.patch, 3]);
        const y = tf.tensor1d(batch.y);
        try {
          const loss = officialStep(model, optimizers, x, y, hyper.weightDecay, micro);
          lossSum += loss;
          opts.onStep?.({ epoch, step: step + 1, stepsPerEpoch, loss, secondsPerStep: (performance.now() - ts) / 1000 });
        } finally {
          tf.dispose([x, y]);
        }
      }
      const result = await evaluateEpoch(opts, source, epoch, lossSum / stepsPerEpoch, t0);
      results.push(result);
      await opts.onEpoch?.(result, model, optimizers);
    } finally {
      for (const g of optimizers.groups) g.optimizer.dispose();
    }
  }
  return results;
}

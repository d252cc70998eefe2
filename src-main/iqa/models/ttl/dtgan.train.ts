// DT-GAN's training loop for the runs service (Yang, Li & Liu, TMM 2021, §IV-B, §IV-D, §VI-A.3; methods.md §3.2.3, §3.2.5): quality levels, pristine epochs, the four alternating updates per level.
import * as tf from '@tensorflow/tfjs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { AppError } from '../../../../src-shared/api/errors';
import { seededRandom, shuffle } from '../../../util/random';
import { orientedSize } from '../../../imaging/open-image';
import { PatchSource, type Sample } from '../../data/patch-source';
import { TrainingCancelled, type EpochResult, type TrainOptions } from '../../train/trainer';
import type { InputProtocol } from '../model';
import { psnr } from '../../layers/gan-losses';
import { createDtganOptimizers, dtganLearningRate, setDtganLearningRate, trainStepDtgan, type DtganConfig, type DtganModel } from './dtgan.arch';
import { assignLevels, levelName } from './levels';

export const PRISTINE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp'] as const;

/** Image files under `folder` (recursively, by extension, case-insensitive), sorted by path. */
export async function listPristineFolder(folder: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(folder, { recursive: true });
  } catch (err) {
    throw new AppError('bad_input', `DT-GAN: cannot read the pristine folder ${folder}: ${(err as Error).message}`);
  }
  const exts = new Set<string>(PRISTINE_EXTENSIONS);
  return entries
    .filter((e) => exts.has(extname(e).toLowerCase()))
    .map((e) => join(folder, e))
    .sort();
}

/** Unique references of the samples, sorted by path (the train split's pristine images when no folder is given). */
export function uniqueReferences(samples: readonly Sample[]): string[] {
  return [...new Set(samples.map((s) => s.reference).filter((r): r is string => !!r))].sort();
}

/** The pristine images D-Gnet learns from, and how many were too small for the patch. */
export async function collectPristine(config: Pick<DtganConfig, 'pristineFolder'>, train: readonly Sample[], patch: number): Promise<{ paths: string[]; skipped: number }> {
  const candidates = config.pristineFolder ? await listPristineFolder(config.pristineFolder) : uniqueReferences(train);
  const paths: string[] = [];
  let skipped = 0;
  for (const path of candidates) {
    let size: { width: number; height: number };
    try {
      size = await orientedSize(path);
    } catch (err) {
      throw new AppError('bad_input', `DT-GAN: cannot read pristine image ${path}: ${(err as Error).message}`);
    }
    if (size.width < patch || size.height < patch) skipped++;
    else paths.push(path);
  }
  return { paths, skipped };
}

/** Each level's real set for D-Dnet: level k = the k-th equal-count group of the train scores (eq. 5-7, Table III). */
export function levelSets(train: readonly Sample[], levels: number, perDistortionType: boolean): Sample[][] {
  const of = assignLevels(train.map((s) => s.target), levels, perDistortionType ? train.map((s) => s.group ?? null) : null);
  const sets = Array.from({ length: levels }, () => [] as Sample[]);
  train.forEach((s, i) => sets[of[i]! - 1]!.push(s));
  sets.forEach((set, i) => {
    if (!set.length) throw new AppError('bad_input', `DT-GAN: quality level ${i + 1} (${levelName(i + 1, levels)}) has no training images`);
  });
  return sets;
}

const asSample = (path: string, i: number): Sample => ({ imageId: -1 - i, path, target: 1 });

/** Deterministic centre crops of up to 8 test references (else up to 4 train pristine images) for translated_psnr. */
async function evaluationCrops(test: readonly Sample[], pristine: readonly string[], protocol: InputProtocol): Promise<tf.Tensor4D | null> {
  const p = protocol.patch;
  let paths: string[] = [];
  for (const path of uniqueReferences(test)) {
    if (paths.length >= 8) break;
    const size = await orientedSize(path).catch(() => null);
    if (size && size.width >= p && size.height >= p) paths.push(path);
  }
  if (!paths.length) paths = pristine.slice(0, 4);
  if (!paths.length) return null;
  const source = new PatchSource({ ...protocol, testCrops: 1, imagenet: false }, 64 * 2 ** 20);
  const data = new Float32Array(paths.length * p * p * 3);
  for (const [i, path] of paths.entries()) data.set((await source.testPatches(path)).x, i * p * p * 3);
  return tf.tensor4d(data, [paths.length, p, p, 3]);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, x) => a + x, 0) / xs.length;
}

/**
 * Trains the K DT-GANs (one per quality level) for `hyper.epochs` epochs. An epoch is one pass over the pristine images
 * in a seeded order (batch `hyper.batchImages`); every step feeds the same pristine crops I_hq to each level's DT-GAN
 * together with random real crops I_d of that level (drawn with replacement, randomly flipped) [U], and runs
 * trainStepDtgan's four updates. The LR is config.lr, constant, then linearly decayed (dtganLearningRate). Reported
 * step loss: H-Gnet's total loss averaged over levels. Epoch metrics (per level k): loss_dd_l{k}, loss_dg_l{k},
 * loss_hd_l{k}, loss_hg_l{k}, loss_cyc_l{k}, cycle_psnr_l{k}, translated_psnr_l{k}; plus lr, levels,
 * pristine_images, pristine_skipped and semantic_loss_off. predictions are empty: the DT-GAN does not score.
 */
export async function trainDtgan(opts: TrainOptions): Promise<EpochResult[]> {
  const model = opts.model as DtganModel;
  const cfg = model.config;
  const { protocol, hyper } = opts;
  const K = model.levels;
  const real = levelSets(opts.train, K, cfg.perDistortionType);
  const pristine = await collectPristine(cfg, opts.train, protocol.patch);
  if (!pristine.paths.length) {
    throw new AppError(
      'bad_input',
      cfg.pristineFolder
        ? `DT-GAN: no usable pristine image (at least ${protocol.patch}px a side) in ${cfg.pristineFolder}`
        : `DT-GAN: the training samples have no usable reference images (at least ${protocol.patch}px a side); set pristineFolder`,
    );
  }
  const evalX = await evaluationCrops(opts.test, pristine.paths, protocol);
  const pristineSource = new PatchSource({ ...protocol, flip: false, imagenet: false }, 384 * 2 ** 20);
  const realSource = new PatchSource({ ...protocol, imagenet: false }, 384 * 2 ** 20);
  const optimizers = createDtganOptimizers(model);
  const results: EpochResult[] = [];
  try {
    await opts.restoreOptimizers?.(optimizers);
    const stepsPerEpoch = Math.ceil(pristine.paths.length / hyper.batchImages);
    for (let epoch = opts.startEpoch ?? 1; epoch <= hyper.epochs; epoch++) {
      const t0 = performance.now();
      const lr = dtganLearningRate(cfg, epoch, hyper.epochs);
      setDtganLearningRate(optimizers, lr);
      // Seeded per epoch, so a resumed run sees the same crops as an uninterrupted one.
      const random = seededRandom(hyper.seed * 1009 + epoch);
      const order = shuffle(pristine.paths, random);
      const sums: Record<string, number[]> = {};
      const add = (key: string, v: number | null) => {
        if (v !== null) (sums[key] ??= []).push(v);
      };
      const stepLosses: number[] = [];
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (opts.signal?.aborted) throw new TrainingCancelled(epoch);
        const ts = performance.now();
        const chunk = order.slice(step * hyper.batchImages, (step + 1) * hyper.batchImages);
        const hqBatch = await pristineSource.trainBatch(chunk.map(asSample), random);
        const hq = tf.tensor4d(hqBatch.x, [hqBatch.count, protocol.patch, protocol.patch, 3]);
        const hgLosses: number[] = [];
        try {
          for (let k = 1; k <= K; k++) {
            const set = real[k - 1]!;
            const picks = chunk.map(() => set[Math.floor(random() * set.length)]!);
            const dBatch = await realSource.trainBatch(picks, random);
            const distorted = tf.tensor4d(dBatch.x, [dBatch.count, protocol.patch, protocol.patch, 3]);
            try {
              const r = trainStepDtgan(model, optimizers, k, { pristine: hq, distorted });
              add(`loss_dd_l${k}`, r.lossDD);
              add(`loss_dg_l${k}`, r.lossDG);
              add(`loss_hd_l${k}`, r.lossHD);
              add(`loss_hg_l${k}`, r.lossHG);
              add(`loss_cyc_l${k}`, r.pixel + (r.semantic ?? 0));
              add(`cycle_psnr_l${k}`, r.cyclePsnr);
              hgLosses.push(r.lossHG);
            } finally {
              distorted.dispose();
            }
          }
        } finally {
          hq.dispose();
        }
        const loss = mean(hgLosses);
        stepLosses.push(loss);
        opts.onStep?.({ epoch, step: step + 1, stepsPerEpoch, loss, secondsPerStep: (performance.now() - ts) / 1000 });
      }
      const metrics: Record<string, number> = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, mean(v)]));
      if (evalX) {
        for (let k = 1; k <= K; k++) {
          const y = model.translate(evalX, k);
          metrics[`translated_psnr_l${k}`] = psnr(y, evalX);
          y.dispose();
        }
      }
      Object.assign(metrics, {
        lr,
        levels: K,
        pristine_images: pristine.paths.length,
        pristine_skipped: pristine.skipped,
        semantic_loss_off: model.semantic ? 0 : 1,
      });
      const result: EpochResult = { epoch, trainLoss: mean(stepLosses), predictions: [], metrics, seconds: (performance.now() - t0) / 1000 };
      results.push(result);
      await opts.onEpoch?.(result, model, optimizers);
    }
    return results;
  } finally {
    evalX?.dispose();
    for (const g of optimizers.groups) g.optimizer.dispose();
  }
}

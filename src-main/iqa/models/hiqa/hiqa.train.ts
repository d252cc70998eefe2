// HIQA's training loop for the runs service (supp. Algorithm 1 by epochs): R_pre first, then D/G/R jointly, then R alone.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../src-shared/api/errors';
import { seededRandom, shuffle } from '../../../util/random';
import { PatchSource, type Sample } from '../../data/patch-source';
import { predictImages, TrainingCancelled, type EpochResult, type TrainOptions } from '../../train/trainer';
import type { HiqaModel } from './hiqa.arch';
import { createHiqaOptimizers, disposeHiqaOptimizers, trainStepHiqa, type HiqaPhase } from './hiqa.step';
import { psnr } from '../../layers/gan-losses';
import { pairedTrainBatch, toHiqaBatch } from './paired-patches';

/**
 * Which phase an epoch runs [supp. Algorithm 1]: the first `rpreEpochs` train the fixed R_pre of the quality-aware
 * loss (eq. 5; skipped when that loss is off), the next `warmupEpochs` train G alone, the last `regressorEpochs` train
 * R alone, the rest alternate D, G, R. Without references G cannot learn, so those epochs train R alone (the model
 * still hallucinates with its init).
 */
export function hiqaPhaseFor(epoch: number, epochs: number, model: HiqaModel, withReferences: boolean): HiqaPhase {
  const { rpreEpochs, warmupEpochs, regressorEpochs } = model.config.schedule;
  const rpre = model.config.qualityAwareLoss ? rpreEpochs : 0;
  if (epoch <= rpre) return 'rpre';
  if (epoch > epochs - regressorEpochs || !withReferences) return 'regressor';
  if (epoch <= rpre + warmupEpochs) return 'warmup';
  return 'joint';
}

/** Test images (with references) and crops per image that the hallucination PSNR is measured on. */
const PSNR_PROBE = { images: 16, crops: 2, seed: 4242 };

/** The probe's crops of I_d and I_r, cut once, and I_d's own PSNR on them. */
interface PsnrProbe {
  distorted: tf.Tensor4D;
  reference: tf.Tensor4D;
  distortedPsnr: number;
}

/**
 * Seeded crops of the first test images that have references, decoded and cut once: every epoch measures on the same
 * crops, so the values form a curve (and the one before training is its start). Null without references.
 */
async function psnrProbe(samples: readonly Sample[], opts: TrainOptions): Promise<PsnrProbe | null> {
  const paired = samples.filter((s) => s.reference).slice(0, PSNR_PROBE.images);
  if (!paired.length) return null;
  const protocol = { ...opts.protocol, trainCrops: PSNR_PROBE.crops, flip: false };
  const b = await pairedTrainBatch(paired.map((s) => ({ distorted: s.path, reference: s.reference!, target: s.target })), protocol, seededRandom(PSNR_PROBE.seed));
  const { distorted, reference, target } = toHiqaBatch(b);
  target.dispose();
  return { distorted, reference: reference!, distortedPsnr: psnr(distorted, reference!) };
}

/** PSNR of the hallucination and of the distorted input against the true reference on the probe's crops. */
function hallucinationPsnr(model: HiqaModel, probe: PsnrProbe | null): Record<string, number> {
  if (!probe) return {};
  const { reference } = model.hallucinate(probe.distorted);
  try {
    return { hallucination_psnr: psnr(reference, probe.reference), distorted_psnr: probe.distortedPsnr };
  } finally {
    reference.dispose();
  }
}

/**
 * Oracle mode's test scores ("Ours+Oracle", P §4.1): R on I_d and the TRUE reference, `testCrops` seeded paired crops
 * per image (the same for every epoch), averaged. The grid crops of normal scoring have no paired variant [U].
 */
async function predictWithReferences(model: HiqaModel, samples: readonly Sample[], opts: TrainOptions, epoch: number): Promise<{ imageId: number; score: number }[]> {
  const out: { imageId: number; score: number }[] = [];
  for (const s of samples) {
    if (opts.signal?.aborted) throw new TrainingCancelled(epoch);
    const protocol = { ...opts.protocol, trainCrops: opts.protocol.testCrops, flip: false };
    const batch = toHiqaBatch(await pairedTrainBatch([{ distorted: s.path, reference: s.reference!, target: s.target }], protocol, seededRandom(7919 + s.imageId)));
    try {
      out.push({ imageId: s.imageId, score: tf.tidy(() => model.predictWithReference(batch.distorted, batch.reference!).mean().dataSync()[0]!) });
    } finally {
      tf.dispose([batch.distorted, batch.target, batch.reference!]);
    }
  }
  return out;
}

export async function trainHiqa(opts: TrainOptions): Promise<EpochResult[]> {
  const model = opts.model as HiqaModel;
  const { protocol, hyper } = opts;
  const source = new PatchSource(protocol);
  const withReferences = opts.train.length > 0 && opts.train.every((s) => s.reference);
  const oracle = model.config.oracle;
  if (oracle && !(withReferences && opts.test.every((s) => s.reference))) {
    throw new AppError('validation', 'HIQA oracle mode reads the true reference of every training and test image; this dataset has images without one');
  }
  const optimizers = createHiqaOptimizers(model);
  await opts.restoreOptimizers?.(optimizers);
  const stepsPerEpoch = Math.ceil(opts.train.length / hyper.batchImages);
  const startEpoch = opts.startEpoch ?? 1;
  let iteration = (startEpoch - 1) * stepsPerEpoch;
  const results: EpochResult[] = [];
  let probe: PsnrProbe | null = null;
  try {
    probe = await psnrProbe(opts.test, opts);
    // G as initialised, on the probe crops: where "how far the hallucination moved toward I_r" starts.
    const initial = startEpoch === 1 ? hallucinationPsnr(model, probe) : {};
    for (let epoch = startEpoch; epoch <= hyper.epochs; epoch++) {
      const t0 = performance.now();
      const phase = hiqaPhaseFor(epoch, hyper.epochs, model, withReferences);
      const random = seededRandom(hyper.seed * 1009 + epoch);
      const order = shuffle(opts.train, random);
      let lossSum = 0;
      const extra: Record<string, number[]> = {};
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (opts.signal?.aborted) throw new TrainingCancelled(epoch);
        const ts = performance.now();
        const chunk = order.slice(step * hyper.batchImages, (step + 1) * hyper.batchImages);
        const needsReference = phase === 'joint' || phase === 'warmup' || (phase === 'regressor' && oracle);
        const b = await pairedTrainBatch(chunk.map((s) => ({ distorted: s.path, reference: needsReference ? s.reference! : null, target: s.target })), protocol, random, model.config.rotation);
        const batch = toHiqaBatch(b);
        let r;
        try {
          r = trainStepHiqa(model, optimizers, batch, model.config, { phase, iteration: iteration++ });
        } finally {
          tf.dispose([batch.distorted, batch.target, ...(batch.reference ? [batch.reference] : [])]);
        }
        // The loss reported per step is R's (or R_pre's, or G's in the warm-up, where R does not train).
        const loss = (phase === 'rpre' ? r.lossRPre : phase === 'warmup' ? r.lossG : r.lossR) ?? 0;
        lossSum += loss;
        for (const [k, v] of Object.entries({ loss_g: r.lossG, loss_d: r.lossD, train_hallucination_psnr: r.psnr })) {
          if (v !== null && Number.isFinite(v)) (extra[k] ??= []).push(v);
        }
        opts.onStep?.({ epoch, step: step + 1, stepsPerEpoch, loss, secondsPerStep: (performance.now() - ts) / 1000 });
      }
      // R scores the test images only once it has trained (joint or regressor phase): in the R_pre and warm-up epochs it
      // still has its random weights, whose outputs far outside 0..1 gave an epoch-1 RMSE of ~20 on a 1–5 MOS.
      const rTrained = Array.from({ length: epoch }, (_, i) => hiqaPhaseFor(i + 1, hyper.epochs, model, withReferences)).some((p) => p === 'joint' || p === 'regressor');
      const predictions = !rTrained ? [] : oracle ? await predictWithReferences(model, opts.test, opts, epoch) : await predictImages(model, source, protocol, opts.test, opts.signal);
      const metrics: Record<string, number> = {
        phase: ['rpre', 'warmup', 'joint', 'regressor'].indexOf(phase),
        ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.reduce((a, x) => a + x, 0) / v.length])),
        ...hallucinationPsnr(model, probe),
        ...(epoch === 1 && initial.hallucination_psnr !== undefined ? { hallucination_psnr_init: initial.hallucination_psnr } : {}),
      };
      const result: EpochResult = { epoch, trainLoss: lossSum / stepsPerEpoch, predictions, metrics, seconds: (performance.now() - t0) / 1000 };
      results.push(result);
      await opts.onEpoch?.(result, model, optimizers);
    }
    return results;
  } finally {
    disposeHiqaOptimizers(optimizers);
    if (probe) tf.dispose([probe.distorted, probe.reference]);
  }
}

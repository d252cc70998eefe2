// Hallucinated-IQA figures per scale on the wasm backend: scoring (G + R) crops/s and photo/s, and one joint training step (D, G, R).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { resourcesDir } from '../src-main/app/paths';
import { initBackend } from '../src-main/iqa/backend';
import { extractPatches, uniformGrid } from '../src-main/imaging/patches';
import { createHiqa, hiqaSpec } from '../src-main/iqa/models/hiqa/hiqa.arch';
import { HiqaConfig, resolveHiqaSizes } from '../src-main/iqa/models/hiqa/hiqa.config';
import { createHiqaOptimizers, disposeHiqaOptimizers, trainStepHiqa } from '../src-main/iqa/models/hiqa/hiqa.step';
import { pairedTrainBatch } from '../src-main/iqa/models/hiqa/paired-patches';
import { seededRandom } from '../src-main/util/random';
import { meanPrediction } from '../src-main/iqa/score/predict';
import { measure, type BenchRow } from './types';

const PHOTO = join(resourcesDir(), 'demo', 'cheetah.jpg');

async function hiqaRows(scale: 'tiny' | 'small', quick: boolean): Promise<BenchRow[]> {
  const config = HiqaConfig.parse({ scale });
  const model = createHiqa(config, 1);
  const { patch } = resolveHiqaSizes(config);
  const protocol = hiqaSpec.input(config);
  const tag = `hiqa ${scale} (${patch}²) [wasm]`;
  // Small-scale training at 8 crops overflows the wasm heap; 2 fits.
  const batch = scale === 'tiny' ? 8 : 2;
  const x = tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D;
  const optimizers = createHiqaOptimizers(model);
  try {
    tf.tidy(() => model.predict(x).dataSync());
    const reps = quick ? 1 : 3;
    const s = await measure(async () => {
      for (let i = 0; i < reps; i++) tf.tidy(() => model.predict(x).dataSync());
    });
    const images = quick ? 1 : 2;
    const img = await measure(async () => {
      for (let i = 0; i < images; i++) {
        const b = await extractPatches(PHOTO, { patch, imagenet: protocol.imagenet, positions: (w, h) => uniformGrid(w, h, patch, protocol.testCrops) });
        meanPrediction(model, b.data, b.count, patch);
      }
    });
    const train = { distorted: x, reference: tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D, target: tf.randomUniform([batch]) as tf.Tensor1D };
    trainStepHiqa(model, optimizers, train);
    const steps = quick ? 1 : 3;
    const t = await measure(async () => {
      for (let i = 0; i < steps; i++) trainStepHiqa(model, optimizers, train);
    });
    // The same step with the Adam option instead of the paper's SGD (the default), in the same run.
    const adam = createHiqaOptimizers(model, HiqaConfig.parse({ scale, optim: { optimizer: 'adam' } }));
    trainStepHiqa(model, adam, train);
    const ta = await measure(async () => {
      for (let i = 0; i < steps; i++) trainStepHiqa(model, adam, train);
    });
    disposeHiqaOptimizers(adam);
    tf.dispose([train.reference, train.target]);
    // Cutting a training batch (4 demo photos × trainCrops, I_d and I_r alike) upright and with the ±20° rotation.
    const samples = ['cheetah.jpg', 'alpaca.jpg', 'bee.jpg', 'calf.jpg'].map((f) => join(resourcesDir(), 'demo', f)).map((f) => ({ distorted: f, reference: f, target: 0.5 }));
    const cut = async (rotation: number) =>
      measure(async () => {
        for (let i = 0; i < reps; i++) await pairedTrainBatch(samples, protocol, seededRandom(i), rotation);
      });
    await pairedTrainBatch(samples, protocol, seededRandom(99), 20); // decoder and JIT warm-up
    const upright = await cut(0);
    const turned = await cut(20);
    return [
      { name: `${tag} joint train step, Adam option (${batch} crops)`, n: steps, rate: ta.seconds / steps, unit: 's/step', seconds: ta.seconds, peakRssMb: ta.peakRssMb },
      { name: `${tag} paired batch, 4 images × ${protocol.trainCrops} crops, upright`, n: reps, rate: upright.seconds / reps, unit: 's/batch', seconds: upright.seconds, peakRssMb: upright.peakRssMb },
      { name: `${tag} paired batch, 4 images × ${protocol.trainCrops} crops, ±20° rotation`, n: reps, rate: turned.seconds / reps, unit: 's/batch', seconds: turned.seconds, peakRssMb: turned.peakRssMb },
      { name: `${tag} score`, n: reps * batch, rate: (reps * batch) / s.seconds, unit: 'crops/s', seconds: s.seconds, peakRssMb: s.peakRssMb },
      { name: `${tag} score photo (${protocol.testCrops} crops)`, n: images, rate: images / img.seconds, unit: 'images/s', seconds: img.seconds, peakRssMb: img.peakRssMb },
      { name: `${tag} joint train step, SGD (${batch} crops)`, n: steps, rate: t.seconds / steps, unit: 's/step', seconds: t.seconds, peakRssMb: t.peakRssMb },
    ];
  } finally {
    x.dispose();
    disposeHiqaOptimizers(optimizers);
    model.dispose();
  }
}

export async function hiqaBench(quick: boolean): Promise<BenchRow[]> {
  await initBackend('wasm');
  const rows: BenchRow[] = [];
  // The paper-size generator (two 128-wide hourglasses on 256² crops) does not fit a wasm training step.
  for (const scale of ['tiny', 'small'] as const) {
    const got = await hiqaRows(scale, quick);
    for (const r of got) process.stderr.write(`    ${r.name}: ${r.rate.toFixed(3)} ${r.unit}\n`);
    rows.push(...got);
  }
  return rows;
}

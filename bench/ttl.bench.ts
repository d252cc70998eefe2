// TTL-IQA figures per scale on the wasm backend: DT-GAN training step and translation rate, SFTnet scoring and training step.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src-main/iqa/backend';
import { createDtgan, createDtganOptimizers, DtganConfig, resolveDtganSizes, trainStepDtgan, type DtganScale } from '../src-main/iqa/models/ttl/dtgan.arch';
import { createSftnet, resolveSftnetSizes, SftnetConfig, type SftnetScale } from '../src-main/iqa/models/ttl/sftnet.arch';
import { createSftnetOptimizers, trainStepSftnet } from '../src-main/iqa/models/ttl/sftnet.train';
import { measure, type BenchRow } from './types';

const HYPER = { epochs: 1, batchImages: 16, lr: 3e-4, weightDecay: 5e-4, lrDecay: { every: 0, factor: 1 }, seed: 1 };

async function dtganRows(scale: DtganScale, quick: boolean): Promise<BenchRow[]> {
  const model = createDtgan(DtganConfig.parse({ scale, levels: 2 }), 1);
  const { patch } = resolveDtganSizes(model.config);
  const optimizers = createDtganOptimizers(model);
  const batch = { pristine: tf.randomUniform([1, patch, patch, 3]) as tf.Tensor4D, distorted: tf.randomUniform([1, patch, patch, 3]) as tf.Tensor4D };
  const tag = `ttl dt-gan ${scale} (${patch}²) [wasm]`;
  const steps = quick ? 1 : 3;
  try {
    trainStepDtgan(model, optimizers, 1, batch); // warm-up
    const t = await measure(async () => {
      for (let i = 0; i < steps; i++) trainStepDtgan(model, optimizers, 1, batch);
    });
    // The chain translates each pristine photo to every level at up to 512 px per side.
    const photo = tf.randomUniform([1, 384, 512, 3]) as tf.Tensor4D;
    const dg = model.networks[0]!.dg;
    tf.tidy(() => dg.forward(photo).dataSync());
    const n = quick ? 1 : 2;
    const tr = await measure(async () => {
      for (let i = 0; i < n; i++) tf.tidy(() => dg.forward(photo).dataSync());
    });
    photo.dispose();
    return [
      { name: `${tag} train step (1 level, batch 1)`, n: steps, rate: t.seconds / steps, unit: 's/step', seconds: t.seconds, peakRssMb: t.peakRssMb },
      { name: `${tag} translate 512×384 photo`, n, rate: n / tr.seconds, unit: 'images/s', seconds: tr.seconds, peakRssMb: tr.peakRssMb },
    ];
  } finally {
    tf.dispose([batch.pristine, batch.distorted]);
    optimizers.groups.forEach((g) => g.optimizer.dispose());
    model.dispose();
  }
}

async function sftnetRows(scale: SftnetScale, quick: boolean, train = true): Promise<BenchRow[]> {
  const model = createSftnet(SftnetConfig.parse({ scale, stage: 'score', optimizer: 'adam' }), 1);
  const { inputSize } = resolveSftnetSizes(model.config);
  const tag = `ttl sftnet ${scale} (${inputSize}²) [wasm]`;
  const batch = scale === 'paper' ? 4 : 16;
  const x = tf.randomNormal([batch, inputSize, inputSize, 3]) as tf.Tensor4D;
  const targets = Float32Array.from({ length: batch }, (_, i) => i / batch);
  const optimizers = createSftnetOptimizers(model, { ...HYPER, batchImages: batch }, 0);
  try {
    tf.tidy(() => model.predict(x).dataSync());
    const reps = quick ? 1 : 3;
    const s = await measure(async () => {
      for (let i = 0; i < reps; i++) tf.tidy(() => model.predict(x).dataSync());
    });
    const scored: BenchRow = { name: `${tag} score`, n: reps * batch, rate: (reps * batch) / s.seconds, unit: 'images/s', seconds: s.seconds, peakRssMb: s.peakRssMb };
    if (!train) return [scored];
    trainStepSftnet(model, optimizers, x, targets, HYPER.weightDecay);
    const steps = quick ? 1 : 3;
    const t = await measure(async () => {
      for (let i = 0; i < steps; i++) trainStepSftnet(model, optimizers, x, targets, HYPER.weightDecay);
    });
    return [
      scored,
      { name: `${tag} train step (${batch} images)`, n: steps, rate: t.seconds / steps, unit: 's/step', seconds: t.seconds, peakRssMb: t.peakRssMb },
    ];
  } finally {
    x.dispose();
    optimizers.groups.forEach((g) => g.optimizer.dispose());
    model.dispose();
  }
}

export async function ttlBench(quick: boolean): Promise<BenchRow[]> {
  await initBackend('wasm');
  const rows: BenchRow[] = [];
  const report = (got: BenchRow[]) => {
    for (const r of got) process.stderr.write(`    ${r.name}: ${r.rate.toFixed(3)} ${r.unit}\n`);
    rows.push(...got);
  };
  for (const scale of ['tiny', 'small'] as const) {
    report(await dtganRows(scale, quick));
    report(await sftnetRows(scale, quick));
  }
  // The paper-size DT-GAN (256², w = 64) and VGG-16 training overflow the wasm heap; VGG-16 scoring fits.
  report(await sftnetRows('paper', quick, false));
  return rows;
}

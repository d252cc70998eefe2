// HyperIQA throughput per tensor backend: crops/s of the network, images/s end to end (decode + 25 crops), train step time.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { resourcesDir } from '../src-main/app/paths';
import { initBackend, type BackendChoice } from '../src-main/iqa/backend';
import { extractPatches, uniformGrid } from '../src-main/imaging/patches';
import { createHyperIqa, type HyperIqaConfigInput } from '../src-main/iqa/models/hyperiqa.arch';
import { meanPrediction } from '../src-main/iqa/score/predict';
import { createOptimizers } from '../src-main/iqa/train/trainer';
import { measure, type BenchRow } from './types';

const PHOTO = join(resourcesDir(), 'demo', 'cheetah.jpg');
type Backbone = NonNullable<HyperIqaConfigInput['backbone']>;

/** How much work each case gets: ResNet-50 on the pure-JS cpu backend is minutes per step, so it is measured lightly. */
function plan(backend: string, backbone: Backbone, quick: boolean) {
  const slow = backend === 'cpu' ? (backbone === 'small' ? 2 : 8) : backbone === 'resnet50' ? 2 : 1;
  return {
    scoreBatches: quick ? 1 : Math.max(1, Math.round(4 / slow)),
    // ResNet-50 training at 2 crops per step already aborts in wasm (its heap tops out near 2 GB); 1 fits.
    batch: backbone === 'resnet50' ? 4 : 8,
    images: quick || slow > 2 ? 1 : 2,
    trainSteps: quick ? 1 : Math.max(1, Math.round(3 / slow)),
    trainBatch: backbone === 'small' ? 16 : backbone === 'resnet50' ? 1 : 4,
    // A cpu-backend training step takes many minutes even for the small backbone: scoring only there.
    train: backend !== 'cpu',
  };
}

async function benchModel(backend: string, backbone: Backbone, quick: boolean): Promise<BenchRow[]> {
  const p = plan(backend, backbone, quick);
  const cfg: HyperIqaConfigInput = { backbone, testCrops: 25, trainCrops: 25, flip: true, resize: null, backboneWeights: null };
  const model = createHyperIqa(cfg, 1);
  const rows: BenchRow[] = [];
  const tag = `hyperiqa ${backbone} [${backend}]`;
  try {
    const x = tf.randomNormal([p.batch, 224, 224, 3]) as tf.Tensor4D;
    tf.tidy(() => model.predict(x).dataSync()); // warm-up: kernels compiled, memory allocated
    const s = await measure(async () => {
      for (let i = 0; i < p.scoreBatches; i++) tf.tidy(() => model.predict(x).dataSync());
    });
    x.dispose();
    const crops = p.scoreBatches * p.batch;
    rows.push({ name: `${tag} score`, n: crops, rate: crops / s.seconds, unit: 'crops/s', seconds: s.seconds, peakRssMb: s.peakRssMb });

    const img = await measure(async () => {
      for (let i = 0; i < p.images; i++) {
        const batch = await extractPatches(PHOTO, { patch: 224, imagenet: true, positions: (w, h) => uniformGrid(w, h, 224, 25) });
        meanPrediction(model, batch.data, batch.count, 224);
      }
    });
    rows.push({ name: `${tag} score photo (25 crops)`, n: p.images, rate: p.images / img.seconds, unit: 'images/s', seconds: img.seconds, peakRssMb: img.peakRssMb });

    if (p.train) {
      const opt = createOptimizers(model, { epochs: 1, batchImages: p.trainBatch, lr: 1e-4, weightDecay: 0, lrDecay: { every: 0, factor: 1 }, seed: 1 }, 1);
      const all = opt.groups.flatMap((g) => g.variables);
      const xb = tf.randomNormal([p.trainBatch, 224, 224, 3]) as tf.Tensor4D;
      const yb = tf.randomUniform([p.trainBatch]);
      const step = () => {
        const { value, grads } = tf.variableGrads(() => model.predict(xb, true).sub(yb).abs().mean() as tf.Scalar, all);
        for (const g of opt.groups) {
          const sub: Record<string, tf.Tensor> = {};
          for (const v of g.variables) if (grads[v.name]) sub[v.name] = grads[v.name]!;
          g.optimizer.applyGradients(sub as Record<string, tf.Variable>);
        }
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const t = await measure(async () => {
        for (let i = 0; i < p.trainSteps; i++) step();
      });
      tf.dispose([xb, yb]);
      opt.groups.forEach((g) => g.optimizer.dispose());
      rows.push({ name: `${tag} train step (${p.trainBatch} crops)`, n: p.trainSteps, rate: t.seconds / p.trainSteps, unit: 's/step', seconds: t.seconds, peakRssMb: t.peakRssMb });
    }
  } finally {
    model.dispose();
  }
  return rows;
}

export async function hyperiqaBench(quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const candidates: BackendChoice[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
  for (const backend of candidates) {
    try {
      await initBackend(backend);
    } catch {
      process.stderr.write(`  ${backend}: not available, skipped\n`);
      continue;
    }
    // The pure-JS cpu backend needs minutes per ResNet crop: only the small backbone is measured there.
    const backbones: Backbone[] = backend === 'cpu' ? ['small'] : ['resnet50', 'resnet18', 'small'];
    for (const backbone of backbones) {
      process.stderr.write(`  hyperiqa ${backbone} on ${backend}…\n`);
      const got = await benchModel(backend, backbone, quick);
      for (const r of got) process.stderr.write(`    ${r.name}: ${r.rate.toFixed(3)} ${r.unit}\n`);
      rows.push(...got);
    }
  }
  return rows;
}

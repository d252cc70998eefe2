// Training-step parity: three optimiser steps of our official-code HyperIQA mode against the official PyTorch recipe
// (fixture: tests/fixtures/hyperiqa-steps, made by its make.py with Debian's PyTorch) from the same weights and crops.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { PatchSource, type CropEntry, type Sample } from '../../../src-main/iqa/data/patch-source';
import { createHyperIqa, hyperiqaSpec, loadOfficialWeights, type HyperIqaModel } from '../../../src-main/iqa/models/hyperiqa.arch';
import { createOfficialOptimizers, officialCropPlan, officialGroupLrs, officialStep } from '../../../src-main/iqa/models/hyperiqa.official';
import { toTorch } from '../../../src-main/iqa/layers/torch-params';
import { readWeightsFile } from '../../../src-main/iqa/weights/read-weights';
import { seededRandom } from '../../../src-main/util/random';
import { REPO_ROOT } from '../../helpers/serve-process';

const DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'hyperiqa-steps');

interface StepsFixture {
  weights: string;
  images: string[];
  labels: number[];
  patch: number;
  patchNum: number;
  batch: number;
  lr: number;
  lrRatio: number;
  weightDecay: number;
  crops: { image: number; flip: boolean; top: number; left: number }[];
  steps: { loss: number; tensors: Record<string, { deltaNorm: number; at: number[]; values: number[] }> }[];
}

const fixture = JSON.parse(readFileSync(path.join(DIR, 'steps.json'), 'utf8')) as StepsFixture;

/** A parameter in PyTorch's layout, flattened (what the fixture indexes). */
function torchValues(model: HyperIqaModel, name: string): Float32Array {
  const p = model.params.get(name)!;
  const t = toTorch(p.variable, p.layout);
  const out = t.dataSync() as Float32Array;
  t.dispose();
  return out;
}

describe('HyperIQA official-code training steps match the official PyTorch recipe', () => {
  let model: HyperIqaModel;
  const start = new Map<string, Float32Array>();

  beforeAll(async () => {
    await initBackend('wasm');
    model = createHyperIqa(hyperiqaSpec.configSchema.parse({ backbone: 'small' }), 1);
    loadOfficialWeights(model, (await readWeightsFile(path.join(DIR, fixture.weights))).tensors);
    for (const name of Object.keys(fixture.steps[0]!.tensors)) start.set(name, torchValues(model, name));
  }, 60_000);
  afterAll(async () => {
    model?.dispose();
    await initBackend('cpu');
  });

  it('3 Adam steps on the same crops give the same losses and weights', async () => {
    const protocol = { patch: fixture.patch, testCrops: 1, trainCrops: fixture.patchNum, flip: true, imagenet: true };
    const source = new PatchSource(protocol);
    const samples: Sample[] = fixture.images.map((f, i) => ({ imageId: i, path: path.join(DIR, f), target: fixture.labels[i]! }));
    // torchvision mirrors the whole image, then crops at (top, left): the region [W - patch - left, W - left) mirrored.
    const crops: CropEntry[] = [];
    for (const c of fixture.crops) {
      const { width } = await source.imageSize(samples[c.image]!.path);
      crops.push({ sample: samples[c.image]!, flip: c.flip, y: c.top, x: c.flip ? width - fixture.patch - c.left : c.left });
    }
    const optimizers = createOfficialOptimizers(model, officialGroupLrs(1, fixture.lr, { lrRatio: fixture.lrRatio, hyperNet: 'as-released' }));
    try {
      for (const [s, want] of fixture.steps.entries()) {
        const batch = await source.cropBatch(crops.slice(s * fixture.batch, (s + 1) * fixture.batch));
        const x = tf.tensor4d(batch.x, [batch.count, fixture.patch, fixture.patch, 3]);
        const y = tf.tensor1d(batch.y);
        const loss = officialStep(model, optimizers, x, y, fixture.weightDecay);
        tf.dispose([x, y]);
        // Loss: the same forward on the same crops (steps 2-3: after our own updates); float32 noise is ~5e-7 relative.
        expect(Math.abs(loss - want.loss), `step ${s + 1}: loss ${loss}, PyTorch ${want.loss}`).toBeLessThanOrEqual(1e-5 * want.loss);
        const relErrors: number[] = [];
        let sampled = 0;
        const far: string[] = [];
        for (const [name, t] of Object.entries(want.tensors)) {
          const now = torchValues(model, name);
          if (name.includes('running_')) {
            // Batch-norm running statistics (momentum 0.1, unbiased variance): batch moments in float32.
            t.at.forEach((k, j) => expect(Math.abs(now[k]! - t.values[j]!), `${name}[${k}] step ${s + 1}`).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(t.values[j]!), 0.01)));
            continue;
          }
          const lr = name.startsWith('res.') ? fixture.lr : fixture.lr * fixture.lrRatio;
          t.at.forEach((k, j) => {
            const diff = Math.abs(now[k]! - t.values[j]!);
            sampled++;
            if (diff > 0.1 * lr) far.push(`${name}[${k}] ${(diff / lr).toFixed(2)} lr`);
            expect(diff, `${name}[${k}] step ${s + 1}`).toBeLessThanOrEqual(4 * lr);
          });
          const first = start.get(name)!;
          let sq = 0;
          for (let i = 0; i < now.length; i++) sq += (now[i]! - first[i]!) ** 2;
          const rel = Math.abs(Math.sqrt(sq) - t.deltaNorm) / t.deltaNorm;
          relErrors.push(rel);
          expect(rel, `${name}: |change| ${Math.sqrt(sq)} vs ${t.deltaNorm} after step ${s + 1}`).toBeLessThanOrEqual(0.1);
        }
        // Adam divides each gradient element by its own magnitude, so an element whose gradient is within float32
        // rounding of zero (first batch-norm layers: sums over 400k activations that cancel) can step the other way,
        // 2 lr apart; all others agree within 0.1 lr (observed: 2, 8 and 17 of 1141 sampled values beyond it).
        expect(far.length, far.join('; ')).toBeLessThanOrEqual(0.03 * sampled);
        relErrors.sort((a, b) => a - b);
        expect(relErrors[Math.floor(relErrors.length / 2)]!).toBeLessThanOrEqual(1e-3);
      }
    } finally {
      for (const g of optimizers.groups) g.optimizer.dispose();
    }
  }, 900_000);
});

describe('HyperIQA official-code recipe pieces', () => {
  it("the code's per-epoch group learning rates, as released and as intended", () => {
    const lrs = (hyperNet: 'as-released' | 'as-intended') => Array.from({ length: 16 }, (_, e) => officialGroupLrs(e + 1, 2e-5, { lrRatio: 10, hyperNet }));
    const released = lrs('as-released');
    expect(released[0]).toEqual({ backbone: 2e-5, hyper: 2e-4 });
    // From epoch 2 the released code's Adam holds no hyper-network parameter (SSL92/hyperIQA issue #32).
    expect(released.slice(1).every((l) => l.backbone === 2e-5 && l.hyper === null)).toBe(true);
    const intended = lrs('as-intended').map((l) => l.hyper!);
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v, `epoch ${i + 1}`).toBeCloseTo(b[i]!, 12));
    // lr / 10^floor(t / 6) x (t > 8 ? 1 : 10) after epoch t + 1 (0-based t); the backbone stays at lr throughout.
    close(intended, [2e-4, 2e-4, 2e-4, 2e-4, 2e-4, 2e-4, 2e-4, 2e-5, 2e-5, 2e-5, 2e-6, 2e-6, 2e-6, 2e-7, 2e-7, 2e-7]);
    expect(lrs('as-intended').every((l) => l.backbone === 2e-5)).toBe(true);
  });

  it('the crop plan: every image 25 times, positions inside the image, all crops shuffled together, repeatable', () => {
    const samples: Sample[] = [0, 1, 2, 3].map((i) => ({ imageId: i, path: `img${i}`, target: i }));
    const sizes = new Map(samples.map((s, i) => [s.path, { width: 300 + 10 * i, height: 250 }]));
    const plan = officialCropPlan(samples, sizes, 224, 25, true, seededRandom(7));
    expect(plan).toHaveLength(100);
    for (const s of samples) expect(plan.filter((c) => c.sample === s)).toHaveLength(25);
    for (const c of plan) {
      const { width, height } = sizes.get(c.sample.path)!;
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.x + 224).toBeLessThanOrEqual(width);
      expect(c.y + 224).toBeLessThanOrEqual(height);
    }
    // A batch of 32 mixes images (the paper mode's batches hold 25 crops of one image in a row).
    expect(new Set(plan.slice(0, 32).map((c) => c.sample.imageId)).size).toBe(4);
    const flips = plan.filter((c) => c.flip).length;
    expect(flips).toBeGreaterThan(25);
    expect(flips).toBeLessThan(75);
    expect(officialCropPlan(samples, sizes, 224, 25, true, seededRandom(7))).toEqual(plan);
    expect(officialCropPlan(samples, sizes, 224, 25, false, seededRandom(7)).some((c) => c.flip)).toBe(false);
  });
});

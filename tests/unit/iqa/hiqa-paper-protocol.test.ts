// HIQA's training protocol as the paper gives it (§3.6): SGD with momentum 0.9, weight decay 5e-4, LR 1e-5 (G) / 1e-2 (R), ×0.1 per 20K iterations, and the ±20° rotation.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { configFields } from '../../../src-main/iqa/config-fields';
import { createHiqa, hiqaSpec } from '../../../src-main/iqa/models/hiqa/hiqa.arch';
import { HiqaConfig } from '../../../src-main/iqa/models/hiqa/hiqa.config';
import { createHiqaOptimizers, disposeHiqaOptimizers, trainStepHiqa } from '../../../src-main/iqa/models/hiqa/hiqa.step';
import { regressionLoss } from '../../../src-main/iqa/models/hiqa/losses';
import { pairedTrainBatch } from '../../../src-main/iqa/models/hiqa/paired-patches';
import { cutPatches } from '../../../src-main/imaging/patches';
import { maxFittingAngle, rotatedExtent, writeRotatedPatch } from '../../../src-main/imaging/rotated-patches';
import { seededRandom } from '../../../src-main/util/random';

/**
 * torch.optim.SGD's step (PyTorch 2.x, weight_decay folded into the gradient, momentum buffer = the first gradient):
 * g ← g + wd·w; v ← g on the first step, else m·v + g; w ← w − lr·v.
 */
function sgdStep(w: Float64Array, g: ArrayLike<number>, v: Float64Array | null, lr: number, momentum: number, wd: number): { w: Float64Array; v: Float64Array } {
  const buf = new Float64Array(w.length);
  const next = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]! + wd * w[i]!;
    buf[i] = v ? momentum * v[i]! + gi : gi;
    next[i] = w[i]! - lr * buf[i]!;
  }
  return { w: next, v: buf };
}

describe("HIQA's optimiser defaults", () => {
  it('are the paper\'s SGD: momentum 0.9, weight decay 5e-4, LR 1e-5 for G and 1e-2 for R, ×0.1 every 20K iterations, ±20° rotation', () => {
    const c = HiqaConfig.parse({});
    expect(c.optim).toMatchObject({ optimizer: 'sgd', momentum: 0.9, weightDecay: 5e-4, lrG: 1e-5, lrR: 1e-2, lrDecayEvery: 20_000, lrDecayFactor: 0.1 });
    expect(c.rotation).toBe(20);
    // Adam stays a labelled choice of the typed form, with the paper's value in the help.
    const fields = new Map(configFields(hiqaSpec).map((f) => [f.key, f]));
    expect(fields.get('optim.optimizer')).toMatchObject({ kind: 'enum', options: ['sgd', 'adam'], default: 'sgd', group: 'optim' });
    expect(fields.get('optim.optimizer')!.help?.text).toMatch(/adam: one Adam per network/);
    expect(fields.get('optim.optimizer')!.help?.paper).toMatch(/sgd \[P §3\.6\]/);
    expect(fields.get('optim.optimizer')!.help?.options).toEqual({ sgd: 'SGD + momentum (paper)', adam: "Adam (ours, not the paper's)" });
    expect(fields.get('optim.momentum')).toMatchObject({ kind: 'number', default: 0.9 });
    expect(fields.get('rotation')).toMatchObject({ kind: 'number', default: 20, min: 0, max: 45 });
    expect(fields.get('rotation')!.help).toMatchObject({ paper: '±20° [P §3.6]', unit: 'degrees' });
    // The optimizer objects follow the choice.
    const sgd = createHiqa(HiqaConfig.parse({ scale: 'tiny' }), 1);
    const adam = createHiqa(HiqaConfig.parse({ scale: 'tiny', optim: { optimizer: 'adam' } }), 1);
    const a = createHiqaOptimizers(sgd);
    const b = createHiqaOptimizers(adam);
    expect(a.groups.map((g) => [g.name, g.optimizer.getClassName()])).toEqual([['G', 'Momentum'], ['R', 'Momentum'], ['D', 'Momentum'], ['Rpre', 'Momentum']]);
    expect(b.groups.map((g) => g.optimizer.getClassName())).toEqual(['Adam', 'Adam', 'Adam', 'Adam']);
    disposeHiqaOptimizers(a);
    disposeHiqaOptimizers(b);
    sgd.dispose();
    adam.dispose();
  });

  it('the reference SGD rule reproduces torch.optim.SGD (momentum 0.9, weight decay 5e-4, the LR halved after step 1)', () => {
    // tests/fixtures/hiqa-sgd/make.py: one weight vector, loss = ½·Σ(a ⊙ w − t)², torch.optim.SGD(lr 0.1, momentum 0.9,
    // weight_decay 5e-4), 3 steps, the LR halved by hand after the first.
    const a = [1.5, -0.5, 2.0];
    const t = [0.3, 0.8, -1.2];
    let w: Float64Array = Float64Array.from([0.2, -0.4, 0.7]);
    let v: Float64Array | null = null;
    for (const lr of [0.1, 0.05, 0.05]) {
      const g = w.map((wi, i) => a[i]! * (a[i]! * wi - t[i]!));
      ({ w, v } = sgdStep(w, g, v, lr, 0.9, 5e-4));
    }
    const torch = TORCH_SGD_WEIGHTS;
    for (let i = 0; i < 3; i++) expect(w[i]).toBeCloseTo(torch[i]!, 6);
  });

  it('one HIQA step with SGD equals the hand computation: momentum, weight decay on conv/FC weights only, and the LR schedule', () => {
    // R_pre's phase at LR 0.05, halved every iteration: step 0 at 0.05, step 1 at 0.025 (SGD caches its LR; the step must renew it).
    const config = HiqaConfig.parse({ scale: 'tiny', optim: { lrRPre: 0.05, lrDecayEvery: 1, lrDecayFactor: 0.5 } });
    const model = createHiqa(config, 3);
    const rPre = model.networks.rPre!;
    const optimizers = createHiqaOptimizers(model);
    const x = tf.randomUniform([4, 64, 64, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = tf.tensor1d([0.9, 0.6, 0.3, 0.1]);
    const params = [...rPre.store.params.values()].filter((p) => p.trainable);
    const vars = params.map((p) => p.variable);
    const decays = params.map((p) => p.layout !== 'vector');
    const values = () => vars.map((v) => Float64Array.from(v.dataSync()));
    /** Gradients of R_pre's L1 loss without weight decay, at the current weights (batch statistics, nothing updated). */
    const gradients = () => {
      const { value, grads } = tf.variableGrads(() => regressionLoss(rPre.forward({ distorted: x }, { training: true }).score, y), vars);
      const out = vars.map((v) => Float64Array.from(grads[v.name]!.dataSync()));
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const w0 = values();
    const g0 = gradients();
    trainStepHiqa(model, optimizers, { distorted: x, target: y }, model.config, { phase: 'rpre', iteration: 0 });
    const w1 = values();
    const g1 = gradients();
    trainStepHiqa(model, optimizers, { distorted: x, target: y }, model.config, { phase: 'rpre', iteration: 1 });
    const w2 = values();
    let worst = 0;
    let moved = 0;
    let decayed = 0;
    vars.forEach((_, k) => {
      const wd = decays[k] ? 5e-4 : 0;
      const s1 = sgdStep(w0[k]!, g0[k]!, null, 0.05, 0.9, wd);
      const s2 = sgdStep(w1[k]!, g1[k]!, s1.v, 0.025, 0.9, wd);
      for (let i = 0; i < w0[k]!.length; i++) {
        worst = Math.max(worst, Math.abs(w1[k]![i]! - s1.w[i]!), Math.abs(w2[k]![i]! - s2.w[i]!));
        moved = Math.max(moved, Math.abs(w2[k]![i]! - w0[k]![i]!));
        if (wd) decayed = Math.max(decayed, Math.abs(0.025 * wd * w1[k]![i]!));
      }
    });
    expect(moved).toBeGreaterThan(1e-3);
    // Float32 weights and gradients; the decay term alone is larger than the tolerance, so a missing decay fails.
    expect(worst).toBeLessThan(2e-6);
    expect(decayed).toBeGreaterThan(5 * 2e-6);
    tf.dispose([x, y]);
    disposeHiqaOptimizers(optimizers);
    model.dispose();
  });
});

/** A width×height image whose red byte is x, green byte y, blue 128: any sampled value tells where it came from. */
function coordinateImage(width: number, height: number): { data: Buffer; width: number; height: number } {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x, y, 128], (y * width + x) * 3);
  }
  return { data, width, height };
}

/** A patch's rotation from the red channel's steps along its rows and columns (red = source x). */
function angleOf(patch: Float32Array, offset: number, p: number): { cos: number; sin: number } {
  const red = (i: number, j: number) => patch[offset + (j * p + i) * 3]! * 255;
  const j = p >> 1;
  return { cos: red(p - 1, j) - red(p - 2, j), sin: -(red(j, p - 1) - red(j, p - 2)) };
}

describe('the ±20° rotation', () => {
  it('samples the turned square exactly (bilinear on a linear image), and copies pixels at 0°', () => {
    const img = coordinateImage(200, 180);
    const p = 32;
    const theta = (15 * Math.PI) / 180;
    const out = new Float32Array(p * p * 3);
    writeRotatedPatch(out, 0, img, 100, 90, p, theta, false);
    let worst = 0;
    for (let j = 0; j < p; j++) {
      for (let i = 0; i < p; i++) {
        const du = i + 0.5 - p / 2;
        const dv = j + 0.5 - p / 2;
        const sx = 100 + Math.cos(theta) * du - Math.sin(theta) * dv - 0.5;
        const sy = 90 + Math.sin(theta) * du + Math.cos(theta) * dv - 0.5;
        const o = (j * p + i) * 3;
        worst = Math.max(worst, Math.abs(out[o]! * 255 - sx), Math.abs(out[o + 1]! * 255 - sy), Math.abs(out[o + 2]! * 255 - 128));
      }
    }
    expect(worst).toBeLessThan(1e-3);
    const upright = new Float32Array(p * p * 3);
    writeRotatedPatch(upright, 0, img, 40 + p / 2, 30 + p / 2, p, 0, true);
    expect(Array.from(upright)).toEqual(Array.from(cutPatches(img, [{ x: 40, y: 30 }], p, { flip: () => true })));
  });

  it('lowers the angle to what fits a small image, so no crop leaves it', () => {
    expect(maxFittingAngle(64, 200, 200, (20 * Math.PI) / 180)).toBeCloseTo((20 * Math.PI) / 180, 12);
    const a = maxFittingAngle(64, 80, 72, (20 * Math.PI) / 180);
    expect(rotatedExtent(64, a)).toBeCloseTo(72, 9);
    expect(maxFittingAngle(64, 64, 90, 0.3)).toBe(0);
  });

  it('turns I_d and I_r by the same random angle within ±20°, keeps every crop\'s label, and is seeded', async () => {
    const img = coordinateImage(160, 150);
    const png = (b: Buffer) => sharp(b, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
    const [ref, dist] = await Promise.all([png(img.data), png(Buffer.from(img.data.map((v) => 255 - v)))]);
    const protocol = { ...hiqaSpec.input(HiqaConfig.parse({ scale: 'tiny', trainCrops: 12 })), flip: false };
    const samples = [{ distorted: dist, reference: ref, target: 0.25 }, { distorted: ref, reference: ref, target: 0.75 }];
    const b = await pairedTrainBatch(samples, protocol, seededRandom(21), 20);
    expect(b.count).toBe(24);
    expect(Array.from(b.target)).toEqual([...Array(12).fill(Math.fround(0.25)), ...Array(12).fill(Math.fround(0.75))]);
    const p = b.patch;
    const size = p * p * 3;
    // I_d is I_r inverted: every crop of it is the inverted crop of I_r, so both were turned and placed alike.
    let pairError = 0;
    for (let i = 0; i < 12 * size; i++) pairError = Math.max(pairError, Math.abs(b.distorted[i]! + b.reference![i]! - 1));
    expect(pairError).toBeLessThan(1e-5);
    const degrees: number[] = [];
    for (let k = 0; k < 24; k++) {
      const { cos, sin } = angleOf(b.reference!, k * size, p);
      // A rotation, not a scale or a shear: unit steps.
      expect(Math.hypot(cos, sin)).toBeCloseTo(1, 3);
      degrees.push((Math.atan2(sin, cos) * 180) / Math.PI);
    }
    expect(Math.max(...degrees.map(Math.abs))).toBeLessThanOrEqual(20 + 1e-6);
    expect(Math.max(...degrees) - Math.min(...degrees)).toBeGreaterThan(15);
    // Same seed, same crops; rotation 0 gives upright crops (integer steps of 1 along rows).
    const again = await pairedTrainBatch(samples, protocol, seededRandom(21), 20);
    expect(again.reference).toEqual(b.reference);
    const upright = await pairedTrainBatch(samples, protocol, seededRandom(21), 0);
    for (let k = 0; k < 24; k++) {
      const { cos, sin } = angleOf(upright.reference!, k * size, p);
      expect([cos, sin].map((v) => Math.round(v * 1e4) / 1e4 + 0)).toEqual([1, 0]);
    }
  });
});

/** torch.optim.SGD's weights after the three steps above (tests/fixtures/hiqa-sgd/make.py, PyTorch on Debian). */
const TORCH_SGD_WEIGHTS = [0.19997115559374373, -0.49764293005623755, -0.639045272306272];

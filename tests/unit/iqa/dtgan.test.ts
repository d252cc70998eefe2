// TTL-IQA's DT-GAN (Yang, Li & Liu, TMM 2021, §IV, Table II, eq. 8-14): layer helpers, Table II shapes, the 70×70 PatchGAN footprint, any-size translation, config/spec, and a tiny trainDtgan run on PNG files.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/util/random';
import { initBackend } from '../../../src-main/iqa/backend';
import type { Sample } from '../../../src-main/iqa/data/patch-source';
import {
  DtganConfig,
  createDtgan,
  createDtganOptimizers,
  dtganLearningRate,
  resolveDtganSizes,
  semanticFeatures,
  trainStepDtgan,
  type DtganModel,
} from '../../../src-main/iqa/models/ttl/dtgan.arch';
import {
  PATCHGAN_RECEPTIVE_FIELD,
  createPatchDiscriminator,
  createTranslatorGenerator,
  instanceNorm,
  patchGanFootprint,
  patchGanOutputSize,
  reflectPad,
  upsampleNearest2,
} from '../../../src-main/iqa/models/ttl/dtgan.nets';
import { dtganSpec } from '../../../src-main/iqa/models/ttl/dtgan.spec';
import { collectPristine, levelSets, listPristineFolder, trainDtgan } from '../../../src-main/iqa/models/ttl/dtgan.train';
import { createVgg16 } from '../../../src-main/iqa/backbones/vgg16';
import { assignWeights, loadCheckpoint, saveCheckpoint } from '../../../src-main/iqa/train/checkpoint';
import { TrainingCancelled, type EpochResult, type TrainHyper } from '../../../src-main/iqa/train/trainer';

const num = (t: tf.Tensor) => Array.from(t.dataSync());
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
const tiny = (extra: Record<string, unknown> = {}) => DtganConfig.parse({ scale: 'tiny', ...extra });

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('DT-GAN layers', () => {
  it('reflection padding matches PyTorch ReflectionPad2d and its gradient folds the mirrored cells back', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = reflectPad(x, 2);
    expect(y.shape).toEqual([1, 7, 7, 1]);
    expect(y.reshape([7, 7]).arraySync()).toEqual([
      [9, 8, 7, 8, 9, 8, 7],
      [6, 5, 4, 5, 6, 5, 4],
      [3, 2, 1, 2, 3, 2, 1],
      [6, 5, 4, 5, 6, 5, 4],
      [9, 8, 7, 8, 9, 8, 7],
      [6, 5, 4, 5, 6, 5, 4],
      [3, 2, 1, 2, 3, 2, 1],
    ]);
    const mirror = tf.mirrorPad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], 'reflect');
    expect(maxAbs(y, mirror)).toBe(0);
    // d/dx Σ w·pad(x): each input cell collects the weights of every padded cell that copies it.
    const w = tf.range(0, 49).reshape([1, 7, 7, 1]);
    const g = tf.grad((t: tf.Tensor) => reflectPad(t as tf.Tensor4D, 2).mul(w).sum())(tf.zeros([1, 3, 3, 1]));
    const reflect = (i: number) => {
      const j = i - 2;
      return j < 0 ? -j : j > 2 ? 4 - j : j;
    };
    const expected = new Array<number>(9).fill(0);
    for (let r = 0; r < 7; r++) for (let c = 0; c < 7; c++) expected[reflect(r) * 3 + reflect(c)]! += r * 7 + c;
    expect(num(g)).toEqual(expected);
    expect(() => reflectPad(x, 3)).toThrow(/at least 4/);
    tf.dispose([x, y, mirror, w, g]);
  });

  it('instance norm gives zero mean and unit variance per sample and channel; its gradient matches autodiff', () => {
    const x = tf.randomNormal([2, 6, 5, 3], 2, 3, 'float32', 1).mul(tf.tensor1d([1, 5, 0.2])) as tf.Tensor4D;
    const y = instanceNorm(x, tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D);
    const { mean, variance } = tf.moments(y, [1, 2]);
    for (const m of num(mean)) expect(Math.abs(m)).toBeLessThan(1e-5);
    for (const v of num(variance)) expect(v).toBeCloseTo(1, 3);
    const gamma = tf.tensor1d([0.5, 2, -1]);
    const beta = tf.tensor1d([0.1, 0, 0.3]);
    const r = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 2);
    const reference = (a: tf.Tensor, gm: tf.Tensor, bt: tf.Tensor) => {
      const m = tf.moments(a, [1, 2], true);
      return a.sub(m.mean).div(m.variance.add(1e-5).sqrt()).mul(gm).add(bt).mul(r).sum();
    };
    const ours = tf.grads((a: tf.Tensor, gm: tf.Tensor, bt: tf.Tensor) => instanceNorm(a as tf.Tensor4D, gm as tf.Tensor1D, bt as tf.Tensor1D).mul(r).sum())([x, gamma, beta]);
    const auto = tf.grads(reference)([x, gamma, beta]);
    ours.forEach((g, i) => expect(maxAbs(g, auto[i]!)).toBeLessThan(1e-3));
    tf.dispose([x, y, mean, variance, gamma, beta, r, ...ours, ...auto]);
  });

  it('NN ×2 upsampling equals resizeNearestNeighbor; its gradient sums each 2×2 block (batch > 1)', () => {
    const x = tf.randomNormal([2, 3, 4, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
    expect(maxAbs(upsampleNearest2(x), tf.image.resizeNearestNeighbor(x, [6, 8]))).toBe(0);
    const w = tf.randomNormal([2, 6, 8, 2], 0, 1, 'float32', 4);
    const g = tf.grad((t: tf.Tensor) => upsampleNearest2(t as tf.Tensor4D).mul(w).sum())(x);
    const blocks = w.reshape([2, 3, 2, 4, 2, 2]).sum([2, 4]);
    expect(maxAbs(g, blocks)).toBeLessThan(1e-5);
    tf.dispose([x, w, g, blocks]);
  });
});

describe('DT-GAN networks (Table II)', () => {
  it('paper generator maps 1×256×256×3 to 1×256×256×3 in [0,1] with the Table II layer sizes', () => {
    const g = createTranslatorGenerator({ width: 64, residualBlocks: 3, seed: 1 });
    const shape = (n: string) => g.params.get(n)!.variable.shape;
    expect(shape('sc1.weight')).toEqual([7, 7, 3, 64]);
    expect(shape('sc2.weight')).toEqual([3, 3, 64, 128]);
    expect(shape('sc3.weight')).toEqual([3, 3, 128, 256]);
    expect(shape('rb3.conv2.weight')).toEqual([3, 3, 256, 256]);
    expect(shape('rc1.weight')).toEqual([3, 3, 256, 128]);
    expect(shape('rc2.weight')).toEqual([3, 3, 128, 64]); // the printed 256→128 fixed
    expect(shape('sc4.weight')).toEqual([7, 7, 64, 3]);
    expect(g.params.has('rb4.conv1.weight')).toBe(false);
    const x = tf.randomUniform([1, 256, 256, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.tidy(() => g.forward(x));
    expect(y.shape).toEqual([1, 256, 256, 3]);
    expect(tf.tidy(() => y.min().dataSync()[0])).toBeGreaterThanOrEqual(0);
    expect(tf.tidy(() => y.max().dataSync()[0])).toBeLessThanOrEqual(1);
    expect(() => tf.tidy(() => g.forward(tf.zeros([1, 30, 32, 3]) as tf.Tensor4D))).toThrow(/multiples of 4/);
    tf.dispose([x, y]);
    g.dispose();
  });

  it('paper PatchGAN gives a 30×30 logit map for a 256×256 input', () => {
    const d = createPatchDiscriminator({ width: 64, seed: 1 });
    expect(d.params.get('sc_m4.weight')!.variable.shape).toEqual([4, 4, 256, 512]);
    expect(d.params.get('sc_m5.weight')!.variable.shape).toEqual([4, 4, 512, 1]);
    const z = tf.tidy(() => d.forward(tf.randomUniform([1, 256, 256, 3], 0, 1, 'float32', 3) as tf.Tensor4D));
    expect(z.shape).toEqual([1, 30, 30, 1]);
    expect(patchGanOutputSize(256)).toBe(30);
    expect(PATCHGAN_RECEPTIVE_FIELD).toBe(70);
    z.dispose();
    d.dispose();
  });

  it('a logit sees exactly its 70×70 footprint', () => {
    const d = createPatchDiscriminator({ width: 2, seed: 7 });
    // Unit-scale weights, so that far-reaching changes are well above float noise.
    for (const p of d.params.values()) {
      if (p.layout === 'conv') {
        const [k, , cin] = p.variable.shape as number[];
        p.variable.assign(tf.tidy(() => tf.randomNormal(p.variable.shape, 0, Math.sqrt(2 / (k! * k! * cin!)), 'float32', 11)));
      }
    }
    const N = 128;
    const x = tf.randomUniform([1, N, N, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const [r, c] = [60, 75];
    const buf = x.bufferSync();
    buf.set(buf.get(0, r, c, 1) > 0.5 ? 0 : 1, 0, r, c, 1);
    const x2 = buf.toTensor() as tf.Tensor4D;
    const changes = (instanceNorm: boolean) => {
      const diff = tf.tidy(() => d.forward(x, { instanceNorm }).sub(d.forward(x2, { instanceNorm })).abs()) as tf.Tensor4D;
      const [, oh, ow] = diff.shape;
      const v = num(diff);
      diff.dispose();
      let inside = Infinity;
      let insideMax = 0;
      let outside = 0;
      let count = 0;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const [r0, r1] = patchGanFootprint(i);
          const [c0, c1] = patchGanFootprint(j);
          expect(r1 - r0 + 1).toBe(70);
          if (r >= r0 && r <= r1 && c >= c0 && c <= c1) {
            inside = Math.min(inside, v[i * ow + j]!);
            insideMax = Math.max(insideMax, v[i * ow + j]!);
            count++;
          } else outside = Math.max(outside, v[i * ow + j]!);
        }
      }
      return { inside, insideMax, outside, count };
    };
    // Convolutions only: every logit whose footprint holds the pixel changes, no other does.
    const plain = changes(false);
    expect(plain.count).toBeGreaterThan(40);
    expect(plain.inside).toBeGreaterThan(0);
    expect(plain.outside).toBe(0);
    // With instance norm a single pixel also nudges the channel statistics, far less than the footprint effect.
    const normed = changes(true);
    expect(normed.outside).toBeGreaterThan(0);
    expect(normed.outside).toBeLessThan(0.1 * normed.insideMax);
    tf.dispose([x, x2]);
    d.dispose();
  });
});

describe('DT-GAN model and spec', () => {
  let model: DtganModel;
  beforeAll(() => {
    model = createDtgan(tiny(), 1);
  });
  afterAll(() => model.dispose());

  it('defaults are the paper values; scales and overrides resolve', () => {
    const c = DtganConfig.parse({});
    expect(c).toMatchObject({ scale: 'paper', levels: 3, perDistortionType: false, lambda: 10, ganLoss: 'nonSaturating', cycleIntoDGnet: true, lr: 2e-4, beta1: 0.5, beta2: 0.999, decayEpochs: null, pristineFolder: null, vggWeights: null });
    expect(resolveDtganSizes(c)).toEqual({ patch: 256, genWidth: 64, discWidth: 64, residualBlocks: 3 });
    expect(resolveDtganSizes(tiny({ patch: 96, sizes: { genWidth: 4 } }))).toEqual({ patch: 96, genWidth: 4, discWidth: 8, residualBlocks: 2 });
    expect(() => DtganConfig.parse({ levels: 6 })).toThrow();
    expect(() => DtganConfig.parse({ patch: 66 })).toThrow();
    expect(() => DtganConfig.parse({ bogus: 1 })).toThrow();
    expect(dtganSpec.kind).toBe('translator');
    expect(dtganSpec.input(c)).toEqual({ patch: 256, trainCrops: 1, testCrops: 1, flip: true, imagenet: false });
    expect(dtganSpec.defaultHyper).toMatchObject({ epochs: 200, batchImages: 1, lr: 2e-4 });
  });

  it('LR: constant, then linear decay towards 0 (100 + 100 epochs by default for 200)', () => {
    const c = DtganConfig.parse({});
    expect(dtganLearningRate(c, 1, 200)).toBe(2e-4);
    expect(dtganLearningRate(c, 100, 200)).toBe(2e-4);
    expect(dtganLearningRate(c, 101, 200)).toBeCloseTo(2e-4 * (1 - 1 / 101), 12);
    expect(dtganLearningRate(c, 200, 200)).toBeCloseTo(2e-4 / 101, 12);
    expect(dtganLearningRate({ ...c, decayEpochs: 0 }, 200, 200)).toBe(2e-4);
    expect(dtganLearningRate({ ...c, decayEpochs: 10 }, 195, 200)).toBeCloseTo(2e-4 * (1 - 5 / 11), 12);
  });

  it('one network set per level, weights named level{k}/{net}/..., groups level{k}.{net}; predict refuses', () => {
    const names = [...model.weights().keys()];
    expect(names).toContain('level1/dg/sc1.weight');
    expect(names).toContain('level3/hd/sc_m5.bias');
    expect(names).toContain('level2/hg/rb2.norm2.weight');
    expect(names.some((n) => n.startsWith('level4/'))).toBe(false);
    expect(model.parameterGroups().map((g) => g.name)).toEqual(['level1.dg', 'level1.dd', 'level1.hg', 'level1.hd', 'level2.dg', 'level2.dd', 'level2.hg', 'level2.hd', 'level3.dg', 'level3.dd', 'level3.hg', 'level3.hd']);
    const total = model.parameterGroups().reduce((n, g) => n + g.variables.length, 0);
    expect(total).toBe(names.length);
    // Independent initialisations per level and network.
    expect(maxAbs(model.weights().get('level1/dg/sc1.weight')!, model.weights().get('level2/dg/sc1.weight')!)).toBeGreaterThan(0);
    expect(maxAbs(model.weights().get('level1/dg/sc1.weight')!, model.weights().get('level1/hg/sc1.weight')!)).toBeGreaterThan(0);
    expect(() => model.predict(tf.zeros([1, 64, 64, 3]) as tf.Tensor4D)).toThrow(/does not score/);
  });

  it('translate keeps any size (70×90), stays in [0,1], and equals the plain forward on multiples of 4', () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, 70, 90, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = model.translate(x, 2);
    expect(y.shape).toEqual([2, 70, 90, 3]);
    expect(tf.tidy(() => y.min().dataSync()[0])).toBeGreaterThanOrEqual(0);
    expect(tf.tidy(() => y.max().dataSync()[0])).toBeLessThanOrEqual(1);
    const r = model.restore(y, 2);
    expect(r.shape).toEqual([2, 70, 90, 3]);
    const x4 = tf.randomUniform([1, 64, 48, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const a = model.translate(x4, 1);
    const b = tf.tidy(() => model.networks[0]!.dg.forward(x4));
    expect(maxAbs(a, b)).toBe(0);
    expect(() => model.translate(x, 4)).toThrow(/level 4 does not exist/);
    tf.dispose([x, y, r, x4, a, b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('one step with a frozen φ for L_s (eq. 13) reports the semantic term, moves only that level\'s networks and never φ', () => {
    const m = createDtgan(tiny({ levels: 2 }), 3);
    const phi = createVgg16({ widthDivisor: 64, hidden: 8, seed: 1, outputs: 10 });
    m.attachSemanticNet(phi);
    const phiBefore = phi.params.get('classifier.6.weight')!.variable.clone();
    const watched = ['level1/dg/sc4.weight', 'level1/dd/sc_m1.weight', 'level1/hg/sc4.weight', 'level1/hd/sc_m1.weight', 'level2/dg/sc4.weight', 'level2/hd/sc_m1.weight'];
    const before = watched.map((n) => m.weights().get(n)!.clone());
    const optimizers = createDtganOptimizers(m);
    const hq = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const real = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const f = tf.tidy(() => semanticFeatures(phi, hq));
    expect(f.shape).toEqual([1, 10]);
    const r = trainStepDtgan(m, optimizers, 1, { pristine: hq, distorted: real });
    expect(r.semantic).not.toBeNull();
    expect(r.semantic!).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(r.lossHG)).toBe(true);
    expect(maxAbs(phiBefore, phi.params.get('classifier.6.weight')!.variable)).toBe(0);
    // All four networks of level 1 moved; level 2's did not.
    expect(watched.map((n, i) => maxAbs(before[i]!, m.weights().get(n)!) > 0)).toEqual([true, true, true, true, false, false]);
    tf.dispose(before);
    expect([...m.weights().keys()].some((n) => n.includes('classifier'))).toBe(false);
    tf.dispose([phiBefore, hq, real, f]);
    optimizers.groups.forEach((g) => g.optimizer.dispose());
    m.dispose(); // disposes φ too
  });
});

describe('DT-GAN training on image files', () => {
  const W = 80;
  const H = 72;
  let dir: string;
  const train: Sample[] = [];
  const test: Sample[] = [];
  const hyper = (epochs: number): TrainHyper => ({ epochs, batchImages: 1, lr: 2e-4, weightDecay: 0, lrDecay: { every: 0, factor: 1 }, seed: 3 });

  /** Smooth colour waves: the "pristine" images. */
  function pristine(i: number): Buffer {
    const buf = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < 3; c++) {
          const v = 0.5 + 0.35 * Math.sin((x / W) * (3 + i) + c * 1.7 + i) * Math.cos((y / H) * (2 + (i % 3)) - c);
          buf[(y * W + x) * 3 + c] = Math.round(v * 255);
        }
      }
    }
    return buf;
  }
  const png = (b: Buffer, w = W, h = H) => sharp(b, { raw: { width: w, height: h, channels: 3 } }).png();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dtgan-test-'));
    const rnd = seededRandom(5);
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    // Three noise strengths with scores far apart, so the tertiles are exactly the strengths.
    const sigmas = [0.03, 0.1, 0.25];
    let id = 0;
    for (let i = 0; i < 8; i++) {
      const ref = join(dir, `ref${i}.png`);
      const p = pristine(i);
      await png(p).toFile(ref);
      for (const [s, sigma] of sigmas.entries()) {
        const d = Buffer.from(p.map((v) => Math.max(0, Math.min(255, Math.round(v + 255 * sigma * gauss())))));
        const path = join(dir, `d${i}_${s}.png`);
        await png(d).toFile(path);
        const sample: Sample = { imageId: id++, path, target: [0.85, 0.5, 0.15][s]! + 0.02 * (rnd() - 0.5), reference: ref, group: 'noise' };
        if (i < 6) train.push(sample);
        else if (s === 1) test.push(sample);
      }
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('divides the train samples into K equal-count levels (per type when asked) and finds the pristine images', async () => {
    const sets = levelSets(train, 3, false);
    expect(sets.map((s) => s.length)).toEqual([6, 6, 6]);
    expect(sets.map((s) => new Set(s.map((x) => x.path.slice(-5, -4))))).toEqual([new Set(['0']), new Set(['1']), new Set(['2'])]);
    const typed = train.map((s, i) => ({ ...s, group: i % 2 ? 'a' : 'b' }));
    expect(levelSets(typed, 3, true).map((s) => s.length)).toEqual([6, 6, 6]);
    expect(() => levelSets(train.slice(0, 2), 3, false)).toThrow(/level 3 \(Low\) has no training images/);

    const fromRefs = await collectPristine({ pristineFolder: null }, train, 64);
    expect(fromRefs).toEqual({ paths: [0, 1, 2, 3, 4, 5].map((i) => join(dir, `ref${i}.png`)), skipped: 0 });
    const folder = join(dir, 'waterloo');
    await mkdir(join(folder, 'sub'), { recursive: true });
    await png(pristine(1)).toFile(join(folder, 'b.png'));
    await png(pristine(2)).jpeg().toFile(join(folder, 'sub', 'a.JPG'));
    await png(Buffer.alloc(40 * 40 * 3, 128), 40, 40).toFile(join(folder, 'small.png'));
    await writeFile(join(folder, 'notes.txt'), 'not an image');
    expect(await listPristineFolder(folder)).toEqual([join(folder, 'b.png'), join(folder, 'small.png'), join(folder, 'sub', 'a.JPG')]);
    expect(await collectPristine({ pristineFolder: folder }, train, 64)).toEqual({ paths: [join(folder, 'b.png'), join(folder, 'sub', 'a.JPG')], skipped: 1 });
    await expect(collectPristine({ pristineFolder: join(dir, 'missing') }, train, 64)).rejects.toThrow(/cannot read the pristine folder/);
  });

  it('trains 3 epochs: finite metrics, cycle PSNR up, checkpoints per epoch, no tensor leak; resumes exactly; cancels; needs pristine images', async () => {
    const config = tiny({ lr: 2e-3 });
    const model = createDtgan(config, 1);
    const counts: number[] = [];
    const epochs: { result: EpochResult; groups: string[] }[] = [];
    let checkpoint = '';
    const t0 = performance.now();
    const results = await trainDtgan({
      model,
      protocol: dtganSpec.input(config),
      hyper: hyper(3),
      train,
      test,
      onStep: () => counts.push(tf.memory().numTensors),
      onEpoch: async (result, m, optimizers) => {
        expect(m).toBe(model);
        epochs.push({ result, groups: optimizers.groups.map((g) => g.name) });
        if (result.epoch === 2) checkpoint = (await saveCheckpoint(join(dir, 'ckpt'), { modelId: 'dtgan', modelConfig: config, epoch: 2, metrics: result.metrics }, m, optimizers)).path;
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const first = results[0]!.metrics;
    const last = results[2]!.metrics;
    const hg = (m: Record<string, number>) => [1, 2, 3].reduce((a, k) => a + m[`loss_hg_l${k}`]!, 0);
    const cyc = (m: Record<string, number>) => [1, 2, 3].reduce((a, k) => a + m[`cycle_psnr_l${k}`]!, 0) / 3;
    console.log(`DT-GAN tiny: 3 epochs × 6 steps × 3 levels in ${seconds.toFixed(1)} s; cycle PSNR ${cyc(first).toFixed(2)} → ${cyc(last).toFixed(2)} dB; ` +
      `H-Gnet loss ${hg(first).toFixed(3)} → ${hg(last).toFixed(3)}; translated PSNR ${[1, 2, 3].map((k) => last[`translated_psnr_l${k}`]!.toFixed(1)).join('/')} dB`);

    expect(results).toHaveLength(3);
    expect(epochs.map((e) => e.result.epoch)).toEqual([1, 2, 3]);
    expect(epochs[0]!.groups).toEqual(model.parameterGroups().map((g) => g.name));
    for (const r of results) {
      expect(r.predictions).toEqual([]);
      expect(Number.isFinite(r.trainLoss)).toBe(true);
      for (const k of [1, 2, 3]) {
        for (const key of ['loss_dd', 'loss_dg', 'loss_hd', 'loss_hg', 'loss_cyc', 'cycle_psnr', 'translated_psnr']) {
          expect(Number.isFinite(r.metrics[`${key}_l${k}`])).toBe(true);
        }
      }
      expect(r.metrics).toMatchObject({ levels: 3, pristine_images: 6, pristine_skipped: 0, semantic_loss_off: 1 });
    }
    expect(last.lr).toBeCloseTo(2e-3 * (1 - 1 / 2), 12); // decayEpochs null → 1 of 3 epochs
    expect(cyc(last) > cyc(first) || hg(last) < hg(first)).toBe(true);
    // Adam creates its moments on the first step; afterwards the tensor count is flat across steps and epochs.
    expect(counts).toHaveLength(18);
    expect(new Set(counts).size).toBe(1);

    // Resume from the epoch-2 checkpoint (weights and Adam state, as the train worker does): epoch 3 is reproduced exactly.
    const ckpt = await loadCheckpoint(checkpoint);
    expect([...ckpt.optimizer.keys()].sort()).toEqual(model.parameterGroups().map((g) => g.name).sort());
    const resumed = createDtgan(config, 99);
    assignWeights(resumed, ckpt.weights);
    const again = await trainDtgan({
      model: resumed,
      protocol: dtganSpec.input(config),
      hyper: hyper(3),
      train,
      test,
      startEpoch: 3,
      restoreOptimizers: async (optimizers) => {
        for (const g of optimizers.groups) await g.optimizer.setWeights(ckpt.optimizer.get(g.name)!);
      },
    });
    expect(again.map((r) => r.epoch)).toEqual([3]);
    expect(again[0]!.metrics).toEqual(last);
    tf.dispose([...Object.values(ckpt.weights), ...[...ckpt.optimizer.values()].flat().map((w) => w.tensor)]);
    resumed.dispose();

    // Cancel: aborted after the first step of epoch 2 (a resumed run).
    const controller = new AbortController();
    let steps = 0;
    const before = tf.memory().numTensors;
    await expect(
      trainDtgan({
        model,
        protocol: dtganSpec.input(config),
        hyper: hyper(3),
        train,
        test,
        startEpoch: 2,
        onStep: () => {
          steps++;
          controller.abort();
        },
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(TrainingCancelled);
    expect(steps).toBe(1);
    expect(tf.memory().numTensors).toBe(before);

    // No references and no folder: nothing to translate from.
    const noRefs = train.map(({ reference: _, ...s }) => s);
    await expect(trainDtgan({ model, protocol: dtganSpec.input(config), hyper: hyper(1), train: noRefs, test })).rejects.toThrow(/no usable reference images/);
    model.dispose();
  }, 180_000);
});

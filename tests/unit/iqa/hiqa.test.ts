// HIQA at tiny size: shapes, H_{5,2}, ablation switches, eq. 6-7 labels, hand-checked losses, and a few Algorithm 1 iterations on a synthetic restoration task.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { dFakeLabels, discriminatorTargets, resolveEpsilon } from '../../../src-main/iqa/models/hiqa/discriminator';
import { createGenerator } from '../../../src-main/iqa/models/hiqa/generator';
import { createHiqa, hiqaSpec } from '../../../src-main/iqa/models/hiqa/hiqa.arch';
import { HiqaConfig } from '../../../src-main/iqa/models/hiqa/hiqa.config';
import { createHiqaOptimizers, hiqaLearningRate, trainStepHiqa } from '../../../src-main/iqa/models/hiqa/hiqa.step';
import type { HiqaModel } from '../../../src-main/iqa/models/hiqa/hiqa.arch';
import type { HiqaStepResult } from '../../../src-main/iqa/models/hiqa/hiqa.step';
import { batchNormTrain } from '../../../src-main/iqa/layers/norm';
import { discriminatorLoss, featureDistance, generatorLoss, pixelLoss, regressionLoss } from '../../../src-main/iqa/models/hiqa/losses';
import { adversarialLoss, bceWithLogits, psnr } from '../../../src-main/iqa/layers/gan-losses';
import { pairedTrainBatch, toHiqaBatch } from '../../../src-main/iqa/models/hiqa/paired-patches';
import { hiqaPhaseFor } from '../../../src-main/iqa/models/hiqa/hiqa.train';
import { loadVgg19 } from '../../../src-main/iqa/backbones/vgg19';
import { seededRandom } from '../../../src-main/util/random';
import sharp from 'sharp';
import type { SafeTensor } from '../../../src-main/iqa/weights/safetensors';

const B = 4;
const P = 64;
// Algorithm 1's mechanics on a few steps: Adam at 1e-3 moves the tiny networks visibly (the paper's SGD is tested in hiqa-paper-protocol.test.ts).
const LR = { optimizer: 'adam', weightDecay: 0, lrG: 1e-3, lrD: 1e-3, lrR: 1e-3, lrRPre: 1e-3 };
const tiny = (extra: Record<string, unknown> = {}) => HiqaConfig.parse({ scale: 'tiny', optim: LR, ...extra });
const num = (t: tf.Tensor) => Array.from(t.dataSync());

/** Clean references (smooth colour waves) and distorted versions (3×3 box blur + Gaussian noise of growing strength). */
function syntheticBatch(): { distorted: tf.Tensor4D; reference: tf.Tensor4D; target: tf.Tensor1D } {
  return tf.tidy(() => {
    const yy = tf.linspace(0, 1, P).reshape([1, P, 1, 1]);
    const xx = tf.linspace(0, 1, P).reshape([1, 1, P, 1]);
    const ph = tf.tensor1d([0, 1, 2, 3]).reshape([B, 1, 1, 1]);
    const chans = [xx.mul(6).add(ph).sin(), yy.mul(9).sub(ph).cos(), xx.add(yy).mul(4).add(ph).sin()];
    const reference = tf.concat(chans.map((c) => c.broadcastTo([B, P, P, 1])), 3).mul(0.4).add(0.5) as tf.Tensor4D;
    const box = tf.ones([3, 3, 3, 1]).div(9) as tf.Tensor4D;
    const blurred = tf.depthwiseConv2d(reference, box, 1, 'same');
    const level = tf.tensor1d([0.02, 0.08, 0.15, 0.25]).reshape([B, 1, 1, 1]);
    const distorted = blurred.add(tf.randomNormal([B, P, P, 3], 0, 1, 'float32', 7).mul(level)).clipByValue(0, 1) as tf.Tensor4D;
    return { distorted, reference, target: tf.tensor1d([0.9, 0.7, 0.45, 0.2]) };
  });
}

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('HIQA networks', () => {
  let model: HiqaModel;
  let x: tf.Tensor4D;
  beforeAll(() => {
    model = createHiqa(tiny(), 1);
    x = tf.randomUniform([B, P, P, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('has the tiny sizes and the spec input protocol', () => {
    expect(model.sizes.patch).toBe(64);
    expect(hiqaSpec.input(tiny())).toMatchObject({ patch: 64, imagenet: false });
    expect(hiqaSpec.input(HiqaConfig.parse({})).patch).toBe(256);
    expect(() => createHiqa(tiny({ patch: 48 }), 1)).toThrow(/multiple of 32/);
  });

  it('G gives I_sh in [0,1] and exposes H_{m,n} for every stack, H_{5,2} as the fusion feature', () => {
    const g = model.networks.G;
    tf.tidy(() => {
      const out = g.forward(x);
      expect(out.image.shape).toEqual([B, P, P, 3]);
      expect(out.stackImages).toHaveLength(2);
      expect(out.encoder).toHaveLength(2);
      expect(out.encoder.map((levels) => levels.map((h) => h.shape[1]))).toEqual([[32, 16, 8, 4, 2], [32, 16, 8, 4, 2]]);
      expect(out.fusion).toBe(out.encoder[1]![4]);
      expect(out.fusion.shape).toEqual([B, 2, 2, g.fusionChannels]);
      expect(out.image.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
      expect(out.image.max().dataSync()[0]).toBeLessThanOrEqual(1);
    });
    const g3 = createGenerator({ stacks: 3, width: 4, stemWidth: 4, depth: 3, fusionStack: 3, output: 'image', norm: 'batch', seed: 1 });
    tf.tidy(() => {
      const out = g3.forward(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D);
      expect(out.fusion.shape).toEqual([1, 2, 2, 4]);
      expect(out.fusion).toBe(out.encoder[2]![2]);
    });
    g3.dispose();
  });

  it('R, D, predict, hallucinate and probe have the expected shapes; no tensors leak', () => {
    const before = tf.memory().numTensors;
    const s = model.predict(x);
    expect(s.shape).toEqual([B]);
    const h = model.hallucinate(x);
    expect(h.reference.shape).toEqual([B, P, P, 3]);
    expect(h.discrepancy.shape).toEqual([B, P, P, 3]);
    const expected = tf.tidy(() => x.sub(h.reference).abs());
    expect(tf.tidy(() => expected.sub(h.discrepancy).abs().max().dataSync()[0])).toBeLessThan(1e-6);
    const logits = tf.tidy(() => model.networks.D!.forward(x));
    expect(logits.shape).toEqual([B]);
    const probe = model.probe(x);
    expect([...probe.keys()]).toEqual(expect.arrayContaining(['G.output', 'G.discrepancy', 'G.H5,2', 'G.H1,1', 'R.layer2', 'R.layer4']));
    expect(probe.get('R.layer4')!.shape).toEqual([B, 2, 2, 64]);
    tf.dispose([s, h.reference, h.discrepancy, expected, logits, ...probe.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ablation switches change R input channels and the parameter set', () => {
    const names = (m: HiqaModel) => [...m.weights().keys()];
    const shape = (m: HiqaModel, n: string) => m.weights().get(n)!.shape;
    expect(shape(model, 'R.conv1.weight')).toEqual([7, 7, 6, 8]);
    expect(shape(model, 'R.fuse.weight')).toEqual([1, 1, 8, 64]);
    expect(shape(model, 'R.fc1.weight')).toEqual([128, 32]);
    expect(shape(model, 'Rpre.conv1.weight')).toEqual([7, 7, 3, 8]);
    expect(names(model).some((n) => n.startsWith('Rpre.fuse'))).toBe(false);
    expect(names(model).some((n) => n.startsWith('D.'))).toBe(true);
    expect(model.parameterGroups().map((g) => g.name)).toEqual(['R']);

    const bl = createHiqa(tiny({ discrepancy: false, fusion: false, discriminator: 'none', qualityAwareLoss: false }), 1);
    expect(shape(bl, 'R.conv1.weight')).toEqual([7, 7, 3, 8]);
    expect(shape(bl, 'R.fc1.weight')).toEqual([64, 32]);
    expect(names(bl).filter((n) => n.startsWith('R.fuse') || n.startsWith('D.') || n.startsWith('Rpre.'))).toEqual([]);
    expect(bl.networks.D).toBeNull();
    expect(bl.networks.rPre).toBeNull();
    const s = bl.predict(x);
    expect(s.shape).toEqual([B]);
    s.dispose();
    bl.dispose();

    const noFusion = createHiqa(tiny({ fusion: false }), 1);
    expect(shape(noFusion, 'R.conv1.weight')).toEqual([7, 7, 6, 8]);
    expect(noFusion.weights().has('R.fuse.weight')).toBe(false);
    noFusion.dispose();

    const plain = createHiqa(tiny({ discriminator: 'plain' }), 1);
    expect(plain.networks.D).not.toBeNull();
    plain.dispose();

    const oracle = createHiqa(tiny({ oracle: true }), 1);
    expect(() => oracle.predict(x)).toThrow(/predictWithReference/);
    const so = oracle.predictWithReference(x, x);
    expect(so.shape).toEqual([B]);
    so.dispose();
    oracle.dispose();
  });
});

describe('HIQA d_fake (eq. 6-7) and losses', () => {
  it('labels a hallucination real when |R − s| < ε', () => {
    tf.tidy(() => {
      const pred = tf.tensor1d([0.5, 0.8, 0.1, 0.3]);
      const target = tf.tensor1d([0.52, 0.7, 0.1, 0.6]);
      expect(num(dFakeLabels(pred, target, 0.05))).toEqual([1, 0, 1, 0]);
      expect(num(dFakeLabels(pred, target, 0.2))).toEqual([1, 1, 1, 0]);
      expect(num(discriminatorTargets('plain', pred, target, 0.2))).toEqual([0, 0, 0, 0]);
    });
    expect(resolveEpsilon([0.02, 0.1, 0, 0.3], 'fixed', 0.05)).toBe(0.05);
    expect(resolveEpsilon([0.3, 0.02, 0.1, 0], 'batchMedian', 0.05)).toBe(0.02);
    expect(resolveEpsilon([0.3, 0.02, 0.1], 'batchMedian', 0.05)).toBe(0.1);
  });

  it('pixel, feature, adversarial, D, G and R losses on hand-checkable tensors', () => {
    tf.tidy(() => {
      const zeros = tf.zeros([2, 2, 2, 3]) as tf.Tensor4D;
      const half = tf.fill([2, 2, 2, 3], 0.5) as tf.Tensor4D;
      expect(pixelLoss(zeros, half).dataSync()[0]).toBeCloseTo(0.25, 6);
      expect(pixelLoss(zeros, half, 'l1').dataSync()[0]).toBeCloseTo(0.5, 6);
      // One image 1×2 with 2 channels: Δ = [[1, 2], [3, 4]] → Σ_c mean_xy Δ² = (1+9)/2 + (4+16)/2 = 15.
      const fa = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
      const fb = tf.zeros([1, 1, 2, 2]) as tf.Tensor4D;
      expect(featureDistance(fa, fb).dataSync()[0]).toBeCloseTo(15, 5);
      expect(featureDistance(fa, fb, 'l2').dataSync()[0]).toBeCloseTo(5, 5);
      // D(G(I_d)) = 0.5 → log(1 − 0.5); D = sigmoid(ln 3) = 0.75 → log 0.25.
      expect(adversarialLoss(tf.tensor1d([0, 0]), 'saturating').dataSync()[0]).toBeCloseTo(Math.log(0.5), 5);
      expect(adversarialLoss(tf.tensor1d([Math.log(3)]), 'saturating').dataSync()[0]).toBeCloseTo(Math.log(0.25), 5);
      expect(adversarialLoss(tf.tensor1d([Math.log(3)]), 'nonSaturating').dataSync()[0]).toBeCloseTo(-Math.log(0.75), 5);
      expect(bceWithLogits(tf.tensor1d([0]), 1).dataSync()[0]).toBeCloseTo(Math.log(2), 5);
      // Real D = 0.75 (−log 0.75); fakes: D = 0.75 with d_fake = 1 (−log 0.75) and with d_fake = 0 (−log 0.25).
      const real = tf.tensor1d([Math.log(3), Math.log(3)]);
      const fake = tf.tensor1d([Math.log(3), Math.log(3)]);
      const expectedD = -Math.log(0.75) + (-Math.log(0.75) - Math.log(0.25)) / 2;
      expect(discriminatorLoss(real, fake, tf.tensor1d([1, 0])).dataSync()[0]).toBeCloseTo(expectedD, 5);
      // eq. 6 directly: −log D(I_r) − log(1 − |D(I_sh) − d_fake|).
      const eq6 = -Math.log(0.75) - (Math.log(1 - Math.abs(0.75 - 1)) + Math.log(1 - Math.abs(0.75 - 0))) / 2;
      expect(expectedD).toBeCloseTo(eq6, 10);
      const w = { mu1: 1, mu2: 0.01, mu3: 0.001, lambda1: 2, lambda2: 3 };
      const lg = generatorLoss({ pixel: tf.scalar(0.5), vgg: tf.scalar(10), quality: tf.scalar(20), adversarial: tf.scalar(-0.7) }, w);
      expect(lg.dataSync()[0]).toBeCloseTo(0.5 + 0.01 * (2 * 10 + 3 * 20) - 0.0007, 6);
      expect(generatorLoss({ pixel: tf.scalar(0.5) }, w).dataSync()[0]).toBeCloseTo(0.5, 6);
      expect(regressionLoss(tf.tensor1d([0.5, 0.2]), tf.tensor1d([0.3, 0.6])).dataSync()[0]).toBeCloseTo(0.3, 6);
      expect(psnr(zeros, tf.fill([2, 2, 2, 3], 0.1) as tf.Tensor4D)).toBeCloseTo(20, 4);
    });
  });

  it('the hand-written batch-norm gradient matches autodiff through tf.moments', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 3, 4], 1, 2, 'float32', 5) as tf.Tensor4D;
      const gamma = tf.tensor1d([1, 0.5, 2, -1]);
      const beta = tf.tensor1d([0, 0.1, -0.2, 0.3]);
      const wts = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 6);
      const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.batchNorm4d(a as tf.Tensor4D, mean as tf.Tensor1D, variance as tf.Tensor1D, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5).mul(wts).sum();
      };
      const custom = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D).mul(wts).sum();
      const ga = tf.grads(reference)([x, gamma, beta]);
      const gb = tf.grads(custom)([x, gamma, beta]);
      expect(Math.abs(reference(x, gamma, beta).dataSync()[0]! - custom(x, gamma, beta).dataSync()[0]!)).toBeLessThan(1e-3);
      ga.forEach((g, i) => expect(g.sub(gb[i]!).abs().max().dataSync()[0]).toBeLessThan(1e-3));
    });
  });

  it('builds VGG-19 features only from given torchvision weights, and reports the term off without them', () => {
    const t = (shape: number[], seed: number): SafeTensor => ({ dtype: 'F32', shape, data: tf.tidy(() => tf.randomNormal(shape, 0, 0.1, 'float32', seed).dataSync() as Float32Array) });
    const tensors = new Map<string, SafeTensor>([
      ['features.0.weight', t([64, 3, 3, 3], 1)],
      ['features.0.bias', t([64], 2)],
      ['features.2.weight', t([64, 64, 3, 3], 3)],
      ['features.2.bias', t([64], 4)],
    ]);
    const vgg = loadVgg19(tensors, 'relu1_2');
    tf.tidy(() => {
      expect(vgg.forward(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D).shape).toEqual([1, 8, 8, 64]);
    });
    expect(() => loadVgg19(tensors, 'relu2_2')).toThrow(/features\.5\.weight" is missing/);

    const model = createHiqa(tiny(), 1);
    const report = model.lossReport();
    expect(report.perceptualOn).toBe(false);
    expect(report.vgg).toMatch(/^off: no VGG-19 weights/);
    expect(report.quality).toMatch(/^on/);
    model.attachVgg19(vgg);
    expect(model.lossReport().perceptualOn).toBe(true);
    model.dispose(); // disposes the attached VGG too
    expect(hiqaLearningRate(tiny(), 'G', 40_000)).toBeCloseTo(1e-5, 12);
  });
});

describe('HIQA training (Algorithm 1) on a synthetic blur + noise task', () => {
  const data = () => syntheticBatch();
  let batch: ReturnType<typeof syntheticBatch>;
  beforeAll(() => {
    batch = data();
  });
  afterAll(() => tf.dispose([batch.distorted, batch.reference, batch.target]));

  /** 2 R_pre steps, then `joint` Algorithm 1 iterations, from a fresh seeded model. */
  function run(joint: number, check?: (step: number) => void): { rpre: number[]; joint: HiqaStepResult[]; model: HiqaModel; dispose: () => void } {
    const model = createHiqa(tiny(), 11);
    const optimizers = createHiqaOptimizers(model);
    const rpre = [0, 1].map(() => trainStepHiqa(model, optimizers, batch, model.config, { phase: 'rpre' }).lossRPre!);
    const results: HiqaStepResult[] = [];
    for (let i = 0; i < joint; i++) {
      results.push(trainStepHiqa(model, optimizers, batch));
      check?.(i);
    }
    return { rpre, joint: results, model, dispose: () => { optimizers.groups.forEach((g) => g.optimizer.dispose()); model.dispose(); } };
  }

  it('raises the hallucination PSNR, lowers G pixel loss and R loss, leaks nothing, and is deterministic', () => {
    const counts: number[] = [];
    const t0 = performance.now();
    const a = run(6, () => counts.push(tf.memory().numTensors));
    const seconds = (performance.now() - t0) / 1000;
    const first = a.joint[0]!;
    const last = a.joint[a.joint.length - 1]!;
    console.log(`HIQA tiny: 2 rpre + 6 joint steps in ${seconds.toFixed(1)} s; PSNR ${first.psnr!.toFixed(2)} → ${last.psnr!.toFixed(2)} dB; ` +
      `L_p ${first.terms.pixel!.toFixed(4)} → ${last.terms.pixel!.toFixed(4)}; L_R ${first.lossR!.toFixed(4)} → ${last.lossR!.toFixed(4)}; ` +
      `L_D ${first.lossD!.toFixed(3)} → ${last.lossD!.toFixed(3)}`);
    expect(a.rpre[1]).toBeLessThan(a.rpre[0]!);
    expect(last.psnr!).toBeGreaterThan(first.psnr! + 0.3);
    expect(last.terms.pixel!).toBeLessThan(first.terms.pixel!);
    expect(last.lossR!).toBeLessThan(first.lossR!);
    for (const r of a.joint) {
      expect(r.terms.vgg).toBeNull(); // no VGG-19 weights: the perceptual term is off
      expect(r.terms.quality).not.toBeNull();
      expect(r.terms.adversarial).not.toBeNull();
      expect(r.lossD).not.toBeNull();
      expect(r.epsilon).toBe(0.05);
      expect(r.dFakeRate).toBeGreaterThanOrEqual(0);
    }
    // Adam creates its moments on the first step; afterwards the tensor count is flat.
    expect(new Set(counts.slice(1)).size).toBe(1);

    // Same seed, same data → same numbers.
    const b = run(2);
    expect(b.rpre).toEqual(a.rpre);
    expect(b.joint[0]!.lossG).toBe(a.joint[0]!.lossG);
    expect(b.joint[1]!.lossR).toBe(a.joint[1]!.lossR);
    expect(b.joint[1]!.lossD).toBe(a.joint[1]!.lossD);
    b.dispose();

    // R-only phase (G frozen): G's weights do not move, R's do; no reference needed.
    const gBefore = a.model.weights().get('G.head.1.out.weight')!.clone();
    const rBefore = a.model.weights().get('R.fc2.weight')!.clone();
    const optimizers = createHiqaOptimizers(a.model);
    const r = trainStepHiqa(a.model, optimizers, { distorted: batch.distorted, target: batch.target }, a.model.config, { phase: 'regressor' });
    expect(r.lossR).toBeGreaterThan(0);
    expect(r.lossG).toBeNull();
    expect(tf.tidy(() => gBefore.sub(a.model.weights().get('G.head.1.out.weight')!).abs().max().dataSync()[0])).toBe(0);
    expect(tf.tidy(() => rBefore.sub(a.model.weights().get('R.fc2.weight')!).abs().max().dataSync()[0])).toBeGreaterThan(0);
    expect(() => trainStepHiqa(a.model, optimizers, { distorted: batch.distorted, target: batch.target })).toThrow(/needs reference/);
    tf.dispose([gBefore, rBefore]);
    optimizers.groups.forEach((g) => g.optimizer.dispose());
    a.dispose();
  }, 180_000);

  it('a residual G starts as the identity and its warm-up moves G toward I_r, R untouched', () => {
    // Without l_q: an untrained R_pre's features pull G anywhere (the runs train R_pre first).
    const model = createHiqa(tiny({ generatorOutput: 'residual', qualityAwareLoss: false }), 5);
    const optimizers = createHiqaOptimizers(model);
    // With batch statistics: a few steps cannot settle BN's running statistics that inference uses.
    const psnrNow = () => tf.tidy(() => psnr(model.networks.G.forward(batch.distorted, { training: true }).image, batch.reference));
    const identity = tf.tidy(() => psnr(model.hallucinate(batch.distorted).reference, batch.distorted));
    const inputPsnr = tf.tidy(() => psnr(batch.distorted, batch.reference));
    // The head starts at zero, so G(I_d) = I_d: nothing like the ~6 dB of a sigmoid head at 0.5.
    expect(identity).toBeGreaterThan(60);
    const before = psnrNow();
    expect(before).toBeCloseTo(inputPsnr, 3);
    const rBefore = model.weights().get('R.fc2.weight')!.clone();
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) losses.push(trainStepHiqa(model, optimizers, batch, model.config, { phase: 'warmup' }).lossG!);
    expect(losses[7]!).toBeLessThan(losses[0]!);
    expect(psnrNow()).toBeGreaterThan(before);
    expect(tf.tidy(() => rBefore.sub(model.weights().get('R.fc2.weight')!).abs().max().dataSync()[0])).toBe(0);
    rBefore.dispose();
    optimizers.groups.forEach((g) => g.optimizer.dispose());
    model.dispose();
  });

  it('a G without normalisation has no BN parameters and the same identity start', () => {
    const plain = createHiqa(tiny({ generatorOutput: 'residual', generatorNorm: 'none' }), 5);
    const withBn = createHiqa(tiny({ generatorOutput: 'residual' }), 5);
    const gNames = (m: HiqaModel) => [...m.weights().keys()].filter((k) => k.startsWith('G.'));
    expect(gNames(plain).some((k) => k.includes('.bn'))).toBe(false);
    expect(gNames(withBn).filter((k) => k.includes('.bn')).length).toBeGreaterThan(0);
    expect(gNames(plain).filter((k) => k.includes('conv')).sort()).toEqual(gNames(withBn).filter((k) => k.includes('conv')).sort());
    expect(tf.tidy(() => psnr(plain.hallucinate(batch.distorted).reference, batch.distorted))).toBeGreaterThan(60);
    plain.dispose();
    withBn.dispose();
  });

  it('schedules R_pre, the G warm-up, the joint loop and R alone by epoch', () => {
    const phases = (extra: Record<string, unknown>, epochs: number, refs = true) => {
      const model = { config: tiny(extra) } as HiqaModel;
      return Array.from({ length: epochs }, (_, i) => hiqaPhaseFor(i + 1, epochs, model, refs));
    };
    expect(phases({ schedule: { rpreEpochs: 1, warmupEpochs: 2, regressorEpochs: 1 } }, 6)).toEqual(['rpre', 'warmup', 'warmup', 'joint', 'joint', 'regressor']);
    expect(phases({ qualityAwareLoss: false, schedule: { warmupEpochs: 1 } }, 3)).toEqual(['warmup', 'joint', 'regressor']);
    expect(phases({ schedule: { warmupEpochs: 1 } }, 3, false)).toEqual(['rpre', 'regressor', 'regressor']);
  });

  it('runs the ablations: plain D, no D with intermediate supervision, oracle, and a G warm-up', () => {
    for (const extra of [{ discriminator: 'plain' }, { discriminator: 'none', qualityAwareLoss: false, losses: { intermediateSupervision: true } }, { oracle: true, fusion: false }]) {
      const model = createHiqa(tiny(extra), 2);
      const optimizers = createHiqaOptimizers(model);
      const before = tf.memory().numTensors;
      const warm = trainStepHiqa(model, optimizers, batch, model.config, { phase: 'warmup' });
      expect(warm.terms.adversarial).toBeNull();
      const r = trainStepHiqa(model, optimizers, batch);
      const cfg = model.config;
      if (cfg.discriminator === 'plain') {
        expect(r.dFakeRate).toBe(0);
        expect(r.epsilon).toBeNull();
      }
      if (cfg.discriminator === 'none') {
        expect(r.lossD).toBeNull();
        expect(r.terms.adversarial).toBeNull();
        expect(r.terms.quality).toBeNull();
      }
      expect(Number.isFinite(r.lossG!) && Number.isFinite(r.lossR!)).toBe(true);
      expect(tf.memory().numTensors).toBeGreaterThanOrEqual(before); // optimizer state only
      optimizers.groups.forEach((g) => g.optimizer.dispose());
      model.dispose();
    }
  });
});

describe('HIQA paired patches', () => {
  it('cuts I_d and I_r at the same positions and flips', async () => {
    const w = 80;
    const h = 72;
    const raw = Buffer.alloc(w * h * 3);
    const r = seededRandom(4);
    for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(r() * 256);
    const inverted = Buffer.from(raw.map((v) => 255 - v));
    const png = (b: Buffer) => sharp(b, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    const [ref, dist] = await Promise.all([png(raw), png(inverted)]);
    const protocol = hiqaSpec.input(tiny({ trainCrops: 3 }));
    const b = await pairedTrainBatch([{ distorted: dist, reference: ref, target: 0.3 }, { distorted: ref, reference: ref, target: 0.8 }], protocol, seededRandom(9));
    expect(b.count).toBe(6);
    expect(Array.from(b.target)).toEqual([0.3, 0.3, 0.3, 0.8, 0.8, 0.8].map((v) => Math.fround(v)));
    const half = 3 * P * P * 3;
    for (let i = 0; i < half; i++) expect(Math.abs(b.distorted[i]! + b.reference![i]! - 1)).toBeLessThan(1e-6);
    for (let i = half; i < 2 * half; i++) expect(b.distorted[i]).toBe(b.reference![i]);
    const t = toHiqaBatch(b);
    expect(t.distorted.shape).toEqual([6, P, P, 3]);
    expect(t.reference!.shape).toEqual([6, P, P, 3]);
    tf.dispose([t.distorted, t.reference!, t.target]);
    const noRef = await pairedTrainBatch([{ distorted: dist, reference: null, target: 0.3 }], protocol, seededRandom(9));
    expect(noRef.reference).toBeNull();
  });
});

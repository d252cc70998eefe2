// HyperIQA port vs the official PyTorch forward (fixture scores), plus a small ResNet-18 build/backward/BN-stats check.
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { createHyperIqa, exportOfficialWeights, hyperiqaSpec, loadBackboneWeights, loadOfficialWeights } from '../../../src-main/iqa/models/hyperiqa.arch';
import type { HyperIqaModel } from '../../../src-main/iqa/models/hyperiqa.arch';
import { createResNet } from '../../../src-main/iqa/backbones/resnet';
import { conv, toTorch } from '../../../src-main/iqa/layers/torch-params';
import { cutPatches, decodeForModel } from '../../../src-main/imaging/patches';
import { readSafetensors } from '../../../src-main/iqa/weights/safetensors';
import type { SafeTensor } from '../../../src-main/iqa/weights/safetensors';
import { HYPERIQA_PARITY_DIR as FIXTURE, parityExpected, writeParityWeights } from '../../helpers/hyperiqa-fixture';
import { tempDir } from '../../helpers/temp';

const IMAGES = ['img_0.png', 'img_1.png', 'img_2.png', 'img_3.png'];

async function loadImage(name: string): Promise<Float32Array> {
  const rgb = await decodeForModel(path.join(FIXTURE, name));
  expect([rgb.width, rgb.height]).toEqual([224, 224]);
  return cutPatches(rgb, [{ x: 0, y: 0 }], 224, { imagenet: true });
}

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('HyperIQA parity with the official PyTorch code', () => {
  let model: HyperIqaModel;
  let tensors: Map<string, SafeTensor>;
  let weightsSha256: string;
  const expected = parityExpected();

  beforeAll(async () => {
    // The fixture's weights are regenerated from its recipe (tests/fixtures/hyperiqa-parity/make.py made the scores).
    const written = await writeParityWeights(tempDir('hyperiqa-parity-'));
    weightsSha256 = written.sha256;
    tensors = await readSafetensors(written.path);
    model = createHyperIqa(hyperiqaSpec.configSchema.parse({}), 1);
  }, 120_000);
  afterAll(() => model?.dispose());

  it('regenerates the same weights as make.py (SHA-256 of the F16 data)', () => {
    expect(weightsSha256).toBe(expected.weightsSha256);
  });

  it('loads the official state dict by name', () => {
    loadOfficialWeights(model, tensors);
    // 320 ResNet-50 tensors + 11 LDA + 6 hyper convs + 18 generators; num_batches_tracked ignored.
    expect(model.params.size).toBe([...tensors.keys()].filter((n) => !n.endsWith('num_batches_tracked')).length);
  });

  it('matches the official scores within 2e-4 (eval mode, wasm backend)', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const want = expected.scores;
    const pixels = await Promise.all(IMAGES.map(loadImage));
    const batch = new Float32Array(IMAGES.length * 224 * 224 * 3);
    pixels.forEach((p, i) => batch.set(p, i * p.length));
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(batch, [IMAGES.length, 224, 224, 3]);
    const y = model.forwardRaw(x);
    const scores = Array.from(await y.data());
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    IMAGES.forEach((name, i) => {
      expect(Math.abs(scores[i]! - want[name]!), `${name}: got ${scores[i]}, expected ${want[name]}`).toBeLessThanOrEqual(2e-4);
    });
    // predict() in eval mode is the same raw output, per image as in a batch.
    const one = tf.tensor4d(pixels[2]!, [1, 224, 224, 3]);
    const p = model.predict(one);
    expect(Math.abs(p.dataSync()[0]! - want['img_2.png']!)).toBeLessThanOrEqual(2e-4);
    tf.dispose([one, p]);
  }, 180_000);

  it('refuses a state dict with a missing or mis-shaped tensor, naming it', () => {
    const missing = new Map(tensors);
    missing.delete('fc3w_conv.weight');
    expect(() => loadOfficialWeights(model, missing)).toThrow(/"fc3w_conv\.weight" is missing/);
    const wrong = new Map(tensors);
    wrong.set('res.lda1_fc.weight', { dtype: 'F32', shape: [1024, 16], data: new Float32Array(1024 * 16) });
    expect(() => loadOfficialWeights(model, wrong)).toThrow(/"res\.lda1_fc\.weight" has shape \[1024, 16\], expected \[16, 1024\]/);
    const extra = new Map(tensors);
    extra.set('res.fc.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    expect(() => loadOfficialWeights(model, extra)).toThrow(/"res\.fc\.weight"/);
  });

  it('exports back to the official layout exactly', () => {
    const exported = exportOfficialWeights(model);
    for (const name of ['res.conv1.weight', 'res.layer2.0.downsample.1.running_var', 'fc1w_conv.weight', 'res.lda4_fc.weight']) {
      const src = tensors.get(name)!;
      expect(exported[name]!.shape).toEqual(src.shape);
      expect(Array.from(exported[name]!.data as Float32Array)).toEqual(Array.from(src.data as Float32Array));
    }
  });
});

describe('HyperIQA with a ResNet-18 backbone', () => {
  let model: HyperIqaModel;
  beforeAll(() => {
    model = createHyperIqa(hyperiqaSpec.configSchema.parse({ backbone: 'resnet18' }), 3);
  });
  afterAll(() => model?.dispose());

  const input = () => tf.randomNormal([2, 224, 224, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const stat = (name: string) => Array.from(model.weights().get(name)!.dataSync());

  it('builds, runs forward and backward (variableGrads) on wasm', () => {
    const groups = model.parameterGroups();
    expect(groups.map((g) => [g.name, g.lrMultiplier])).toEqual([['backbone', 1], ['hyper', 10]]);
    const trainable = groups.flatMap((g) => g.variables);
    expect(trainable.every((v) => v.trainable)).toBe(true);
    const x = input();
    const y = model.predict(x);
    expect(y.shape).toEqual([2]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      // predict(x, true) is what a training step calls: batch statistics, running stats updated inside the tape.
      () => model.predict(x, true).sub(tf.tensor1d([0.2, 0.8])).abs().mean() as tf.Scalar,
      trainable,
    );
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expect(Object.keys(grads).length).toBe(trainable.length);
    for (const name of ['res.conv1.weight', 'res.layer3.0.downsample.1.weight', 'res.lda1_pool.0.weight', 'conv1.0.weight', 'fc1w_conv.weight', 'fc5b_fc.bias']) {
      const g = grads[model.weights().get(name)!.name]!;
      expect(g.shape).toEqual(model.weights().get(name)!.shape);
      const norm = tf.tidy(() => g.abs().sum().dataSync()[0]!);
      expect(norm, name).toBeGreaterThan(0);
      expect(Number.isFinite(norm), name).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  }, 120_000);

  it('updates batch-norm running stats only in training mode when asked', () => {
    const x = input();
    const names = ['res.bn1.running_mean', 'res.layer4.1.bn2.running_var'];
    const initial = names.map(stat);
    tf.dispose(model.forwardRaw(x));
    tf.dispose(model.forwardRaw(x, { training: true }));
    expect(names.map(stat)).toEqual(initial);
    tf.dispose(model.forwardRaw(x, { training: true, updateStats: true }));
    const after = names.map(stat);
    after.forEach((a, i) => expect(a).not.toEqual(initial[i]));
    // predict(x, true) is a training step: batch statistics, running stats updated.
    tf.dispose(model.predict(x, true));
    expect(names.map(stat)[0]).not.toEqual(after[0]);
    tf.dispose(x);
  }, 120_000);

  it('is reproducible from its seed', () => {
    const cfg = hyperiqaSpec.configSchema.parse({ backbone: 'resnet18' });
    const before = tf.memory();
    const [a, b, c] = [3, 3, 4].map((seed) => createHyperIqa(cfg, seed)) as [HyperIqaModel, HyperIqaModel, HyperIqaModel];
    for (const name of ['res.layer1.0.conv1.weight', 'fc2w_conv.weight', 'res.lda2_fc.bias']) {
      const values = (m: HyperIqaModel) => Array.from(m.weights().get(name)!.dataSync());
      expect(values(a), name).toEqual(values(b));
      expect(values(a), name).not.toEqual(values(c));
    }
    [a, b, c].forEach((m) => m.dispose());
    // Creating and disposing models leaves nothing behind (initial tensors are not kept alive by the variables).
    expect([tf.memory().numTensors, tf.memory().numBytes]).toEqual([before.numTensors, before.numBytes]);
  });
});

describe('ResNet batch norm in training mode', () => {
  it('updates running stats like PyTorch (momentum 0.1, unbiased variance) and keeps them non-trainable', () => {
    const net = createResNet({ depth: 18, seed: 9 });
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    const c = conv(x, net.params.get('conv1.weight')!.variable, 2, 3);
    const { mean, variance } = tf.moments(c, [0, 1, 2]);
    const n = c.shape[0] * c.shape[1] * c.shape[2];
    const feats = tf.tidy(() => Object.values(net.forward(x, { training: true, updateStats: true })).map((t) => t.shape));
    expect(feats).toEqual([[2, 8, 8, 64], [2, 4, 4, 128], [2, 2, 2, 256], [2, 1, 1, 512]]);
    const rm = net.params.get('bn1.running_mean')!.variable.dataSync();
    const rv = net.params.get('bn1.running_var')!.variable.dataSync();
    const m = mean.dataSync();
    const v = variance.dataSync();
    for (let i = 0; i < 64; i++) {
      expect(rm[i]!).toBeCloseTo(0.1 * m[i]!, 6);
      expect(rv[i]!).toBeCloseTo(0.9 + 0.1 * v[i]! * (n / (n - 1)), 5);
    }
    expect([...net.params.values()].filter((p) => !p.trainable).every((p) => !p.variable.trainable)).toBe(true);
    tf.dispose([x, c, mean, variance]);
    net.dispose();
  });

  it('loads torchvision ImageNet-style weights into a backbone (fc.* and num_batches_tracked ignored)', () => {
    const src = createResNet({ depth: 18, seed: 1 });
    const dst = createHyperIqa(hyperiqaSpec.configSchema.parse({ backbone: 'resnet18' }), 2);
    const file = new Map<string, SafeTensor>();
    for (const [name, p] of src.params) {
      const t = toTorch(p.variable, p.layout);
      file.set(name, { dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array });
      t.dispose();
    }
    file.set('fc.weight', { dtype: 'F32', shape: [1000, 512], data: new Float32Array(512_000) });
    file.set('fc.bias', { dtype: 'F32', shape: [1000], data: new Float32Array(1000) });
    file.set('bn1.num_batches_tracked', { dtype: 'I64', shape: [], data: BigInt64Array.from([1n]) });
    loadBackboneWeights(dst, file);
    for (const name of ['conv1.weight', 'layer2.0.downsample.0.weight', 'layer4.1.bn2.running_var']) {
      expect(Array.from(dst.weights().get(`res.${name}`)!.dataSync()), name).toEqual(Array.from(src.params.get(name)!.variable.dataSync()));
    }
    file.delete('layer3.1.conv2.weight');
    expect(() => loadBackboneWeights(dst, file)).toThrow(/"layer3\.1\.conv2\.weight" is missing/);
    src.dispose();
    dst.dispose();
  });
});

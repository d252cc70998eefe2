// TTL-IQA's SFTnet (Yang, Li & Liu, TMM 2021, §V eq. 15-19): VGG-16 shapes, pooling, flatten order and loader; the SDA block; both training stages at tiny size.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/util/random';
import { initBackend } from '../../../src-main/iqa/backend';
import type { Sample } from '../../../src-main/iqa/data/patch-source';
import { levelToTarget } from '../../../src-main/iqa/models/ttl/levels';
import { createSda, depthwiseConvSame, type SdaBlock } from '../../../src-main/iqa/models/ttl/sda';
import { SftnetConfig, createSftnet, sftnetSpec, type SftnetModel } from '../../../src-main/iqa/models/ttl/sftnet.arch';
import { sftnetEpochs, sftnetLearningRate, sftnetSchedule, trainSftnet } from '../../../src-main/iqa/models/ttl/sftnet.train';
import {
  VGG16_CONV_INDICES,
  adaptiveAvgPool2d,
  assignVgg16Tensors,
  createVgg16,
  flattenNchw,
  loadTorchvisionVgg16,
  type Vgg16,
} from '../../../src-main/iqa/backbones/vgg16';
import { assignMatchingWeights, assignWeights, loadCheckpoint, saveCheckpoint } from '../../../src-main/iqa/train/checkpoint';
import { TrainingCancelled, type TrainHyper, type TrainOptions } from '../../../src-main/iqa/train/trainer';
import type { SafeTensor } from '../../../src-main/iqa/weights/safetensors';
import { tempDir } from '../../helpers/temp';

const num = (t: tf.Tensor) => Array.from(t.dataSync());
const tiny = (extra: Record<string, unknown> = {}) => SftnetConfig.parse({ scale: 'tiny', ...extra });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

function randomArray(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

/** PyTorch's AdaptiveAvgPool2d on one H×W plane, written out loop by loop. */
function adaptivePoolRef(plane: number[][], oh: number, ow: number): number[][] {
  const h = plane.length;
  const w = plane[0]!.length;
  return Array.from({ length: oh }, (_, i) =>
    Array.from({ length: ow }, (_, j) => {
      const [r0, r1] = [Math.floor((i * h) / oh), Math.ceil(((i + 1) * h) / oh)];
      const [c0, c1] = [Math.floor((j * w) / ow), Math.ceil(((j + 1) * w) / ow)];
      let sum = 0;
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) sum += plane[r]![c]!;
      return sum / ((r1 - r0) * (c1 - c0));
    }),
  );
}

/** Depthwise 3×3 gradients (dx, dw) from tfjs's own op, with a non-uniform upstream gradient. */
function depthwiseGrads(conv: (x: tf.Tensor4D, w: tf.Tensor) => tf.Tensor4D): { y: number[]; dx: number[]; dw: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(2 * 6 * 5 * 4, 1), [2, 6, 5, 4]);
    const w = tf.tensor4d(randomArray(9 * 4, 2), [3, 3, 4, 1]);
    const f = (xx: tf.Tensor, ww: tf.Tensor) => {
      const y = conv(xx as tf.Tensor4D, ww);
      return y.mul(tf.linspace(0.5, 1.5, y.size).reshape(y.shape)).sum();
    };
    const [dx, dw] = tf.grads(f)([x, w]);
    return { y: num(conv(x, w)), dx: num(dx!), dw: num(dw!) };
  });
}

let cpuDepthwise: ReturnType<typeof depthwiseGrads>;

beforeAll(async () => {
  await initBackend('cpu');
  cpuDepthwise = depthwiseGrads((x, w) => tf.depthwiseConv2d(x, w as tf.Tensor4D, 1, 'same'));
  await initBackend('wasm');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('VGG-16 at paper size', () => {
  let net: Vgg16;
  beforeAll(() => {
    net = createVgg16({ widthDivisor: 1, hidden: 4096, seed: 1, outputs: 1000 });
  });
  afterAll(() => net.dispose());

  it('has the torchvision names and shapes; 224² → conv5_3 14×14×512 → 1000 logits', () => {
    expect(VGG16_CONV_INDICES).toEqual([0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]);
    expect(net.params.size).toBe(13 * 2 + 3 * 2);
    expect(net.params.get('features.0.weight')!.variable.shape).toEqual([3, 3, 3, 64]);
    expect(net.params.get('features.28.weight')!.variable.shape).toEqual([3, 3, 512, 512]);
    expect(net.params.get('classifier.0.weight')!.variable.shape).toEqual([25088, 4096]);
    expect(net.params.get('classifier.6.weight')!.variable.shape).toEqual([4096, 1000]);
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const f = net.features(x, false);
    expect(f.shape).toEqual([1, 14, 14, 512]);
    expect(tf.tidy(() => f.min().dataSync()[0])).toBeGreaterThanOrEqual(0); // after ReLU
    const logits = net.head(f, false);
    expect(logits.shape).toEqual([1, 1000]);
    expect(num(logits).every(Number.isFinite)).toBe(true);
    tf.dispose([x, f, logits]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the torchvision loader names the missing or mis-shaped tensor and refuses reduced nets', () => {
    // A real 528 MB state dict is too big for a unit test: the error paths run on this net, the name/shape mapping on a tiny one below.
    expect(() => loadTorchvisionVgg16(net, new Map(), { includeLast: true })).toThrow(/tensor "features\.0\.weight" is missing/);
    const bad = new Map<string, SafeTensor>([['features.0.weight', { dtype: 'F32', shape: [64, 3, 5, 5], data: new Float32Array(64 * 75) }]]);
    expect(() => loadTorchvisionVgg16(net, bad, { includeLast: true })).toThrow(/"features\.0\.weight" has shape \[64, 3, 5, 5\], expected \[64, 3, 3, 3\]/);
    const small = createVgg16({ widthDivisor: 8, hidden: 16, seed: 1, outputs: 0 });
    expect(() => loadTorchvisionVgg16(small, new Map(), { includeLast: false })).toThrow(/widthDivisor 1, hidden 4096/);
    small.dispose();
  });
});

describe('VGG-16 pooling, flatten order and weight mapping', () => {
  it('adaptive average pooling is the identity at 7×7 and follows PyTorch bins otherwise', () => {
    const x7 = tf.randomUniform([2, 7, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    expect(adaptiveAvgPool2d(x7, [7, 7])).toBe(x7);
    x7.dispose();
    // 3×3 → 2×2: bins [0,2) and [1,3) overlap in the middle row and column (by hand).
    const x3 = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    expect(num(adaptiveAvgPool2d(x3, [2, 2]))).toEqual([3, 4, 6, 7]);
    for (const [h, w] of [[10, 10], [3, 3], [9, 12]] as const) {
      const data = randomArray(2 * h * w * 2, h * w);
      const x = tf.tensor4d(data, [2, h, w, 2]);
      const y = adaptiveAvgPool2d(x, [7, 7]);
      expect(y.shape).toEqual([2, 7, 7, 2]);
      const got = y.arraySync() as number[][][][];
      for (let b = 0; b < 2; b++) {
        for (let c = 0; c < 2; c++) {
          const plane = Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, q) => data[((b * h + r) * w + q) * 2 + c]!));
          const ref = adaptivePoolRef(plane, 7, 7);
          for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) expect(got[b]![i]![j]![c]).toBeCloseTo(ref[i]![j]!, 5);
        }
      }
      tf.dispose([x, y]);
    }
    x3.dispose();
  });

  it('flattens in PyTorch NCHW order', () => {
    // value = 100·c + 10·h + w
    const x = tf.tensor4d(Array.from({ length: 12 }, (_, i) => 100 * (i % 3) + 10 * Math.floor(i / 6) + (Math.floor(i / 3) % 2)), [1, 2, 2, 3]);
    expect(num(flattenNchw(x))).toEqual([0, 1, 10, 11, 100, 101, 110, 111, 200, 201, 210, 211]);
    x.dispose();
  });

  it('maps a torchvision state dict onto a reduced net (names, OIHW/[out,in] layouts, NCHW flatten into classifier.0)', () => {
    const net = createVgg16({ widthDivisor: 8, hidden: 6, seed: 2, outputs: 5, prefix: 'vgg.' });
    const dict = new Map<string, SafeTensor>();
    let seed = 100;
    const torch: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [name, p] of net.params) {
      const key = name.slice('vgg.'.length);
      const s = p.variable.shape;
      const shape = p.layout === 'conv' ? [s[3]!, s[2]!, s[0]!, s[1]!] : p.layout === 'linear' ? [s[1]!, s[0]!] : [...s];
      const data = randomArray(p.variable.size, seed++);
      torch[key] = { shape, data };
      dict.set(key, { dtype: 'F32', shape, data });
    }
    // Nothing is assigned when a tensor is missing.
    const partial = new Map(dict);
    partial.delete('classifier.3.bias');
    const w0 = num(net.params.get('vgg.features.0.weight')!.variable);
    expect(() => assignVgg16Tensors(net, partial, { includeLast: true })).toThrow(/"classifier\.3\.bias" is missing/);
    expect(num(net.params.get('vgg.features.0.weight')!.variable)).toEqual(w0);

    assignVgg16Tensors(net, dict, { includeLast: true });
    // conv: HWIO[kh][kw][ci][co] = OIHW[co][ci][kh][kw]
    const conv = net.params.get('vgg.features.2.weight')!.variable.arraySync() as number[][][][];
    const t = torch['features.2.weight']!;
    const [co, ci] = [t.shape[0]!, t.shape[1]!];
    for (const [kh, kw, i, o] of [[0, 0, 0, 0], [1, 2, 3, 5], [2, 1, ci - 1, co - 1]] as const) {
      expect(conv[kh]![kw]![i]![o]).toBe(t.data[((o * ci + i) * 3 + kh) * 3 + kw]);
    }
    // head on a 14×14 map (pool5 → 7×7, no adaptive resampling) against a PyTorch-semantics reference.
    const C = net.channels;
    const fData = Float32Array.from(randomArray(14 * 14 * C, 7), Math.abs);
    const f = tf.tensor4d(fData, [1, 14, 14, C]);
    const got = num(tf.tidy(() => net.head(f, false)));
    const flat: number[] = [];
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < 7; i++) {
        for (let j = 0; j < 7; j++) {
          let m = -Infinity;
          for (let di = 0; di < 2; di++) for (let dj = 0; dj < 2; dj++) m = Math.max(m, fData[((2 * i + di) * 14 + 2 * j + dj) * C + c]!);
          flat.push(m);
        }
      }
    }
    const linear = (name: string, v: number[], relu: boolean) => {
      const { shape, data } = torch[`${name}.weight`]!;
      const bias = torch[`${name}.bias`]!.data;
      return Array.from({ length: shape[0]! }, (_, o) => {
        let s = bias[o]!;
        for (let i = 0; i < shape[1]!; i++) s += data[o * shape[1]! + i]! * v[i]!;
        return relu ? Math.max(0, s) : s;
      });
    };
    const ref = linear('classifier.6', linear('classifier.3', linear('classifier.0', flat, true), true), false);
    expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
    f.dispose();

    // includeLast: false leaves classifier.6 alone.
    const last = num(net.params.get('vgg.classifier.6.weight')!.variable);
    const other = new Map([...dict].map(([k, v]) => [k, k.startsWith('classifier.6') ? v : { ...v, data: (v.data as Float32Array).map((x) => -x) }]));
    other.delete('classifier.6.weight');
    assignVgg16Tensors(net, other, { includeLast: false });
    expect(num(net.params.get('vgg.classifier.6.weight')!.variable)).toEqual(last);
    expect(net.params.get('vgg.features.0.bias')!.variable.dataSync()[0]).toBe(-torch['features.0.bias']!.data[0]!);
    net.dispose();
  });
});

describe('SDA block', () => {
  /** Sets every SDA parameter from a seeded list and returns the values by name (tfjs layouts). */
  function fill(sda: SdaBlock, seed: number): Map<string, number[]> {
    const out = new Map<string, number[]>();
    let k = seed;
    for (const [name, p] of sda.params) {
      const v = Array.from(randomArray(p.variable.size, k++));
      p.variable.assign(tf.tensor(v, p.variable.shape));
      out.set(name, v);
    }
    return out;
  }

  /** eq. 15-19 by loops: DWC → ReLU → DWC → 1×1 → global max → s → V·s (one image, NHWC [H][W][C]). */
  function sdaRef(v: number[][][], p: Map<string, number[]>, form: 'paper' | 'se'): { x: number[][][]; s: number[] } {
    const H = v.length;
    const W = v[0]!.length;
    const C = v[0]![0]!.length;
    const g = (name: string) => p.get(`sda.${name}`)!;
    const dwc = (inp: number[][][], name: string, relu: boolean) =>
      inp.map((row, h) =>
        row.map((_, w) =>
          Array.from({ length: C }, (_, c) => {
            let sum = g(`${name}.bias`)[c]!;
            for (let i = 0; i < 3; i++) {
              for (let j = 0; j < 3; j++) {
                const hh = h + i - 1;
                const ww = w + j - 1;
                if (hh >= 0 && hh < H && ww >= 0 && ww < W) sum += inp[hh]![ww]![c]! * g(`${name}.weight`)[(i * 3 + j) * C + c]!;
              }
            }
            return relu ? Math.max(0, sum) : sum;
          }),
        ),
      );
    const f = dwc(dwc(v, 'dwc1', true), 'dwc2', false);
    const u = f.map((row) => row.map((px) => Array.from({ length: C }, (_, o) => px.reduce((acc, val, i) => acc + val * g('sc.weight')[i * C + o]!, g('sc.bias')[o]!))));
    const pooled = Array.from({ length: C }, (_, c) => Math.max(...u.flatMap((row) => row.map((px) => px[c]!))));
    const dense = (x: number[], name: string) => {
      const b = g(`${name}.bias`);
      return b.map((bias, o) => x.reduce((acc, val, i) => acc + val * g(`${name}.weight`)[i * b.length + o]!, bias));
    };
    const relu = (x: number[]) => x.map((a) => Math.max(0, a));
    const z = form === 'paper' ? relu(dense(pooled, 'fc')) : dense(relu(dense(pooled, 'fc1')), 'fc2');
    const s = z.map((a) => 1 / (1 + Math.exp(-a)));
    return { x: v.map((row) => row.map((px) => px.map((val, c) => val * s[c]!))), s };
  }

  it.each([
    ['paper', 3],
    ['se', 32],
  ] as const)('matches eq. 15-19 computed by hand (%s form, C = %i)', (form, C) => {
    const sda = createSda({ channels: C, form, seed: 3 });
    expect([...sda.params.keys()]).toEqual([
      'sda.dwc1.weight', 'sda.dwc1.bias', 'sda.dwc2.weight', 'sda.dwc2.bias', 'sda.sc.weight', 'sda.sc.bias',
      ...(form === 'paper' ? ['sda.fc.weight', 'sda.fc.bias'] : ['sda.fc1.weight', 'sda.fc1.bias', 'sda.fc2.weight', 'sda.fc2.bias']),
    ]);
    expect(sda.params.get('sda.dwc1.weight')!.variable.shape).toEqual([3, 3, 1, C]);
    if (form === 'se') expect(sda.params.get('sda.fc1.weight')!.variable.shape).toEqual([32, 2]);
    const values = fill(sda, 11);
    const data = randomArray(2 * 4 * 3 * C, 5);
    const v = tf.tensor4d(data, [2, 4, 3, C]);
    const before = tf.memory().numTensors;
    const out = sda.forward(v);
    const x = out.output.arraySync() as number[][][][];
    const s = out.weights.arraySync() as number[][];
    tf.dispose([out.output, out.weights]);
    expect(tf.memory().numTensors).toBe(before);
    for (let b = 0; b < 2; b++) {
      const img = (v.arraySync() as number[][][][])[b]!;
      const ref = sdaRef(img, values, form);
      expect(maxAbsDiff(s[b]!, ref.s)).toBeLessThan(1e-5);
      expect(maxAbsDiff(x[b]!.flat(2), ref.x.flat(2))).toBeLessThan(1e-5);
    }
    tf.dispose(v);
    sda.dispose();
  });

  it("'paper' weights lie in [0.5, 1); gradients reach every SDA parameter", () => {
    const sda = createSda({ channels: 16, form: 'paper', seed: 4 });
    const v = tf.randomUniform([3, 5, 5, 16], 0, 2, 'float32', 8) as tf.Tensor4D;
    const s = tf.tidy(() => sda.forward(v).weights);
    const vals = num(s);
    expect(Math.min(...vals)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...vals)).toBeLessThan(1);
    expect(vals.some((a) => a > 0.5)).toBe(true);
    const target = tf.randomNormal([3, 5, 5, 16], 0, 1, 'float32', 9);
    const { value, grads } = tf.variableGrads(() => sda.forward(v).output.sub(target).square().mean() as tf.Scalar, sda.store.trainable());
    expect(Object.keys(grads)).toHaveLength(sda.params.size);
    for (const g of Object.values(grads)) {
      const a = num(g);
      expect(a.every(Number.isFinite)).toBe(true);
      expect(a.some((x) => x !== 0)).toBe(true);
    }
    tf.dispose([v, s, target, value, ...Object.values(grads)]);
    sda.dispose();
  });

  it('the depthwise conv and its gradients on wasm equal tf.depthwiseConv2d on cpu', () => {
    expect(tf.getBackend()).toBe('wasm');
    const wasm = depthwiseGrads(depthwiseConvSame);
    const rel = (a: number[], b: number[]) => maxAbsDiff(a, b) / Math.max(...b.map(Math.abs));
    expect(rel(wasm.y, cpuDepthwise.y)).toBeLessThan(1e-5);
    expect(rel(wasm.dx, cpuDepthwise.dx)).toBeLessThan(1e-5);
    expect(rel(wasm.dw, cpuDepthwise.dw)).toBeLessThan(1e-5);
    // And the same forward as the wasm backend's own op with [3,3,1,C] weights.
    tf.tidy(() => {
      const x = tf.randomNormal([1, 5, 5, 6], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 1, 6], 0, 1, 'float32', 2);
      expect(maxAbsDiff(num(depthwiseConvSame(x, w)), num(tf.depthwiseConv2d(x, w.reshape([3, 3, 6, 1]) as tf.Tensor4D, 1, 'same')))).toBeLessThan(1e-5);
    });
  });
});

describe('SFTnet model and spec', () => {
  it('has paper defaults, strict config, stage-specific input protocols and training defaults', () => {
    const d = SftnetConfig.parse({});
    expect(d).toMatchObject({ scale: 'paper', stage: 'score', levels: 3, attention: true, sdaForm: 'paper', dropout: 0.5, optimizer: 'sgd', momentum: 0.9, backboneWeights: null });
    expect(() => SftnetConfig.parse({ lr: 1 })).toThrow();
    expect(sftnetSpec.input(d)).toEqual({ patch: 224, resize: { width: 224, height: 224 }, testCrops: 1, trainCrops: 1, flip: false, imagenet: true });
    expect(sftnetSpec.input(SftnetConfig.parse({ stage: 'levels' }))).toEqual({ patch: 224, testCrops: 5, trainCrops: 1, flip: false, imagenet: true });
    expect(sftnetSpec.input(tiny({ inputSize: 48 })).patch).toBe(48);
    expect(sftnetSpec).toMatchObject({ id: 'sftnet', kind: 'scorer', initFrom: 'partial' });
    expect(sftnetSpec.defaultHyper).toEqual({ batchImages: 30, lr: 1e-6, weightDecay: 5e-4, epochs: 50, lrDecay: { every: 0, factor: 1 } });
    expect(d).toMatchObject({ iterations: null, lrDecayEvery: null, lrDecayFactor: 0.1 });
  });

  it("the paper's schedule in iterations: 50K mini-batches of 30, ×0.1 every 10K (Caffe's step policy)", () => {
    const hyper: TrainHyper = { epochs: 50, batchImages: 30, lr: 1e-6, weightDecay: 5e-4, lrDecay: { every: 0, factor: 1 }, seed: 1 };
    const paper = SftnetConfig.parse({ iterations: 50_000, lrDecayEvery: 10_000 });
    // 3,000 training images: 100 iterations per epoch, so 500 epochs; a partial last epoch rounds up.
    expect(sftnetEpochs(paper, hyper, 3000)).toBe(500);
    expect(sftnetEpochs(paper, hyper, 2999)).toBe(500);
    expect(sftnetEpochs({ iterations: 50_001 }, hyper, 3000)).toBe(501);
    expect(sftnetSpec.resolveHyper!(paper, hyper, 3000)).toEqual({ ...hyper, epochs: 500 });
    // Without iterations the run keeps its epochs.
    expect(sftnetSpec.resolveHyper!(SftnetConfig.parse({}), hyper, 3000).epochs).toBe(50);
    const schedule = sftnetSchedule(paper, hyper, 3000);
    expect(schedule).toEqual({ iterations: 50_000, decayEvery: 10_000, stepsPerEpoch: 100 });
    const lr = (i: number) => sftnetLearningRate(paper, hyper, schedule, i);
    expect([lr(0), lr(9_999), lr(10_000), lr(19_999), lr(20_000), lr(49_999)].map((v) => Number(v.toExponential(6)))).toEqual([1e-6, 1e-6, 1e-7, 1e-7, 1e-8, 1e-10]);
    // Default: a fifth of the run (here 50 epochs × 100 iterations), the paper's proportion; 0 = never.
    expect(sftnetSchedule(SftnetConfig.parse({}), hyper, 3000)).toEqual({ iterations: 5000, decayEvery: 1000, stepsPerEpoch: 100 });
    const never = SftnetConfig.parse({ lrDecayEvery: 0 });
    expect(sftnetLearningRate(never, hyper, sftnetSchedule(never, hyper, 3000), 4999)).toBe(1e-6);
    // A per-epoch lrDecay of the run still applies on top.
    const both = { ...hyper, lrDecay: { every: 1, factor: 0.5 } };
    expect(sftnetLearningRate(never, both, sftnetSchedule(never, both, 3000), 100)).toBe(5e-7);
  });

  it('refuses backbone weights below paper scale', async () => {
    const m = createSftnet(tiny(), 1);
    await expect(sftnetSpec.prepare!(m, tiny({ backboneWeights: '/nonexistent.safetensors' }))).rejects.toThrow(/scale 'paper'/);
    m.dispose();
  });

  it('levels stage: logits, expected-quality predictions, attention; no leaks', () => {
    const m = createSftnet(tiny({ stage: 'levels' }), 1);
    expect(m.weights().get('head_levels.weight')!.shape).toEqual([64, 3]);
    expect([...m.weights().keys()].filter((k) => k.startsWith('head_score'))).toEqual([]);
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const logits = m.levelLogits(x);
    expect(logits.shape).toEqual([2, 3]);
    const p = m.predict(x);
    expect(p.shape).toEqual([2]);
    // Σ softmax_k · levelToTarget(k) with targets 1, 0.5, 0.
    const expected = tf.tidy(() => tf.softmax(logits).mul(tf.tensor1d([1, 0.5, 0])).sum(1));
    expect(maxAbsDiff(num(p), num(expected))).toBeLessThan(1e-6);
    const a = m.attention(x);
    expect(a.weights.shape).toEqual([2, 64]);
    expect(a.features.shape).toEqual([2, 4, 4, 64]);
    expect(a.attended.shape).toEqual([2, 4, 4, 64]);
    tf.dispose([logits, p, expected, a.weights, a.features, a.attended]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('score stage: one value per patch; attention off drops SDA', () => {
    const m = createSftnet(tiny({ attention: false, inputSize: 48 }), 1);
    expect([...m.weights().keys()].some((k) => k.startsWith('sda.'))).toBe(false);
    expect(m.weights().get('head_score.weight')!.shape).toEqual([64, 1]);
    const x = tf.randomNormal([3, 48, 48, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const p = m.predict(x);
    expect(p.shape).toEqual([3]);
    expect(() => m.levelLogits(x)).toThrow(/stage 'levels'/);
    expect(() => m.attention(x)).toThrow(/attention is off/);
    tf.dispose([x, p]);
    m.dispose();
  });

  it("a 'score' model initialised partially from a 'levels' model keeps the backbone and SDA, and a fresh head", () => {
    const levels = createSftnet(tiny({ stage: 'levels' }), 1);
    const score = createSftnet(tiny(), 2);
    const fresh = createSftnet(tiny(), 2);
    const { loaded, fresh: kept, ignored } = assignMatchingWeights(score, Object.fromEntries(levels.weights()));
    expect(kept).toEqual(['head_score.weight', 'head_score.bias']);
    expect(ignored).toEqual(['head_levels.weight', 'head_levels.bias']);
    expect(loaded).toContain('features.28.weight');
    expect(loaded).toContain('sda.fc.weight');
    for (const name of loaded) expect(num(score.weights().get(name)!)).toEqual(num(levels.weights().get(name)!));
    for (const name of kept) expect(num(score.weights().get(name)!)).toEqual(num(fresh.weights().get(name)!));
    [levels, score, fresh].forEach((m) => m.dispose());
  });
});

describe('SFTnet training stages', () => {
  const dir = tempDir('sftnet-');
  const train: Sample[] = [];
  const test: Sample[] = [];
  // Random RGB textures blurred more at each level: level 1 (sharp, target 1), 2 (σ = 1 px), 3 (σ = 3 px).
  const BLUR = [0, 1, 3];
  beforeAll(async () => {
    const S = 72;
    let id = 0;
    for (let level = 1; level <= 3; level++) {
      for (let i = 0; i < 25; i++) {
        const r = seededRandom(1000 * level + i);
        const raw = Buffer.from(Array.from({ length: S * S * 3 }, () => Math.floor(256 * r())));
        let img = sharp(raw, { raw: { width: S, height: S, channels: 3 } });
        if (BLUR[level - 1]) img = img.blur(BLUR[level - 1]);
        const path = join(dir, `l${level}_${i}.png`);
        await img.png().toFile(path);
        (i < 20 ? train : test).push({ imageId: id++, path, target: levelToTarget(level, 3), group: null });
      }
    }
  });

  const hyper = (extra: Partial<TrainHyper> = {}): TrainHyper => ({ epochs: 1, batchImages: 6, lr: 1e-3, weightDecay: 5e-4, lrDecay: { every: 0, factor: 1 }, seed: 1, ...extra });
  const options = (model: SftnetModel, h: TrainHyper, extra: Partial<TrainOptions> = {}): TrainOptions => ({
    model,
    protocol: sftnetSpec.input(model.config),
    hyper: h,
    train,
    test,
    ...extra,
  });

  it("stage 'levels' learns the blur levels with Adam, without leaking tensors per step", async () => {
    // A 16-layer plain net learns slowly from scratch: 32² inputs keep the 6 epochs (60 steps) cheap.
    const model = createSftnet(tiny({ stage: 'levels', optimizer: 'adam', dropout: 0, inputSize: 32, lrDecayEvery: 0 }), 1);
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const results = await trainSftnet(
      options(model, hyper({ epochs: 6, lr: 5e-4 }), {
        onStep: () => counts.push(tf.memory().numTensors),
        score: (p, t) => ({ n: p.length, spread: Math.max(...t) - Math.min(...t) }),
      }),
    );
    // Adam's moments appear at the first step; nothing grows after it.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    const last = results.at(-1)!;
    expect(results.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(last.predictions).toHaveLength(test.length);
    expect(last.metrics).toMatchObject({ n: test.length, spread: 1 });
    expect(last.metrics.train_loss).toBe(last.trainLoss);
    expect(results[0]!.trainLoss).toBeGreaterThan(last.trainLoss);
    // Chance is 1/3.
    expect(last.metrics.test_accuracy).toBeGreaterThanOrEqual(0.6);
    expect(last.metrics.train_accuracy).toBeGreaterThan(0.5);
    model.dispose();
  });

  it("stage 'score' trains with SGD + momentum on resized whole images; checkpoints and resumes with its optimizer state", async () => {
    const model = createSftnet(tiny({ dropout: 0, inputSize: 32, lrDecayEvery: 0 }), 3);
    const ckptDir = join(dir, 'ckpt');
    const lrs: number[] = [];
    let saved = '';
    const h = hyper({ epochs: 1, lr: 1e-3, lrDecay: { every: 1, factor: 0.5 } });
    const results = await trainSftnet(
      options(model, h, {
        onEpoch: async (r, m, optimizers) => {
          expect(optimizers.groups.map((g) => `${g.name}:${g.optimizer.getClassName()}`)).toEqual(['sftnet:Momentum']);
          saved = (await saveCheckpoint(ckptDir, { modelId: 'sftnet', modelConfig: model.config, epoch: r.epoch, metrics: r.metrics }, m, optimizers)).path;
        },
      }),
    );
    expect(Number.isFinite(results[0]!.trainLoss)).toBe(true);
    expect(results[0]!.predictions.map((p) => p.imageId)).toEqual(test.map((s) => s.imageId));
    expect(results[0]!.metrics.test_accuracy).toBeUndefined();

    const ckpt = await loadCheckpoint(saved);
    const momentum = ckpt.optimizer.get('sftnet')!;
    // The iteration count plus one accumulator per trainable variable.
    expect(momentum).toHaveLength(1 + model.parameterGroups()[0]!.variables.length);
    const resumed = createSftnet(tiny({ dropout: 0, inputSize: 32, lrDecayEvery: 0 }), 99);
    assignWeights(resumed, ckpt.weights);
    const more = await trainSftnet(
      options(resumed, { ...h, epochs: 2 }, {
        startEpoch: 2,
        restoreOptimizers: async (o) => {
          await o.groups[0]!.optimizer.setWeights(momentum);
        },
        onEpoch: (_r, _m, o) => {
          lrs.push((o.groups[0]!.optimizer as unknown as { learningRate: number }).learningRate);
        },
      }),
    );
    expect(more.map((r) => r.epoch)).toEqual([2]);
    expect(lrs).toEqual([5e-4]);
    tf.dispose([...Object.values(ckpt.weights), ...momentum.map((t) => t.tensor)]);
    [model, resumed].forEach((m) => m.dispose());
  });

  it('a run given in iterations stops after exactly that many, the LR stepping down every lrDecayEvery', async () => {
    // 60 training images in batches of 6: 10 iterations per epoch; 13 iterations = one epoch and 3 steps.
    const model = createSftnet(tiny({ dropout: 0, inputSize: 32, optimizer: 'adam', iterations: 13, lrDecayEvery: 5, lrDecayFactor: 0.5 }), 5);
    const h = { ...hyper({ lr: 1e-3 }), epochs: sftnetEpochs(model.config, hyper(), train.length) };
    expect(h.epochs).toBe(2);
    const steps: string[] = [];
    const lrs: number[] = [];
    const results = await trainSftnet(
      options(model, h, {
        onStep: (s) => {
          steps.push(`${s.epoch}.${s.step}`);
        },
        onEpoch: (_r, _m, o) => {
          lrs.push((o.groups[0]!.optimizer as unknown as { learningRate: number }).learningRate);
        },
      }),
    );
    expect(steps).toHaveLength(13);
    expect(steps.slice(9)).toEqual(['1.10', '2.1', '2.2', '2.3']);
    expect(results.map((r) => [r.epoch, r.metrics.iterations])).toEqual([[1, 10], [2, 13]]);
    // Iteration 9 (0-based) is past one decay (×0.5), iteration 12 past two.
    expect(results.map((r) => r.metrics.lr)).toEqual([5e-4, 2.5e-4]);
    expect(lrs).toEqual([5e-4, 2.5e-4]);
    model.dispose();
  });

  it('cancel throws TrainingCancelled and frees the optimizer', async () => {
    const model = createSftnet(tiny({ stage: 'levels', inputSize: 32 }), 1);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    await expect(
      trainSftnet(options(model, hyper({ epochs: 3 }), { signal: controller.signal, onStep: (s) => s.step === 2 && controller.abort() })),
    ).rejects.toBeInstanceOf(TrainingCancelled);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

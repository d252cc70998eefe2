// Inference per model × engine × provider: crops/s at batch 1 and at the best batch, a 2-MP JPEG end to end, peak RSS; PyTorch (torchvision ResNet-50, official HyperIQA forward) timed in turns with ours in the same run.
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { resourcesDir } from '../src-main/app/paths';
import { initBackend } from '../src-main/iqa/backend';
import type { IqaModel, ModelSpec } from '../src-main/iqa/models/model';
import { createResNet } from '../src-main/iqa/backbones/resnet';
import { resnetOnnx } from '../src-main/iqa/backbones/resnet.onnx';
import { buildGraph } from '../src-main/iqa/onnx/build-graph';
import { createSession, currentInference, floatTensor, initInference, ORT_THREADS, type OrtSession } from '../src-main/iqa/onnx/engine';
import { OnnxGraph } from '../src-main/iqa/onnx/graph';
import { globalMean, weightsOf } from '../src-main/iqa/onnx/layers';
import { measureBatch } from '../src-main/iqa/onnx/patch-runner';
import { getModel } from '../src-main/iqa/registry';
import { scoreInOrder } from '../src-main/iqa/score/pipelined';
import { meanPrediction } from '../src-main/iqa/score/predict';
import { loadScorer } from '../src-main/iqa/score/scorer';
import { saveCheckpoint } from '../src-main/iqa/train/checkpoint';
import { measure, type BenchRow } from './types';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const PYTHON = '/usr/bin/python3';

/** The PyTorch reference process (bench/torch_reference.py): asked for one timing at a time, so its runs interleave with ours. */
export interface TorchRef {
  version: string;
  /** Crops/s; the '-train' models time Adam training steps (train mode, L1 loss). */
  time(model: 'resnet50' | 'hyperiqa' | 'resnet50-train' | 'hyperiqa-train', batch: number, seconds: number): Promise<number>;
  /** Inference crops/s and crops per CPU-second of the PyTorch process (all its threads). */
  timed(model: 'resnet50' | 'hyperiqa', batch: number, seconds: number): Promise<Timed>;
  close(): void;
}

export async function startTorch(threads: number, env: Record<string, string> = {}): Promise<TorchRef | string> {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `no PyTorch reference: ${PYTHON} lacks torch/torchvision (apt-get install python3-torch python3-torchvision)`;
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, [join(import.meta.dirname, 'torch_reference.py'), '--threads', String(threads)], { env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('the PyTorch reference stopped');
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const ready = await next();
  return {
    version: `torch ${String(ready.torch)}, torchvision ${String(ready.torchvision)}, ${String(ready.threads)} threads`,
    async time(model, batch, seconds) {
      child.stdin.write(`${JSON.stringify({ model, batch, seconds })}\n`);
      return (await next()).crops_per_s as number;
    },
    async timed(model, batch, seconds) {
      child.stdin.write(`${JSON.stringify({ model, batch, seconds })}\n`);
      const r = await next();
      return { rate: r.crops_per_s as number, perCpuSecond: (r.crops as number) / (r.cpu_seconds as number) };
    },
    close: () => child.stdin.end('\n'),
  };
}

/**
 * Crops per wall-clock second, and per CPU-second of the process running them (all threads): on a shared, loaded
 * machine the first follows the load, the second mostly the work each crop costs.
 */
export interface Timed {
  rate: number;
  perCpuSecond: number;
}

/** Crops/s of an ORT session on random input of `dims` for about `seconds` (after one warm-up run), and per CPU-second. */
export async function ortTimed(session: OrtSession, input: string, dims: number[], seconds: number): Promise<Timed> {
  const x = floatTensor(tf.tidy(() => tf.randomNormal(dims, 0, 1, 'float32', 3).dataSync() as Float32Array), dims);
  await session.run({ [input]: x });
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    await session.run({ [input]: x });
    n += dims[0]!;
  } while (performance.now() - t0 < seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  return { rate: (n * 1000) / (performance.now() - t0), perCpuSecond: (n * 1e6) / (cpu.user + cpu.system) };
}

export async function ortRate(session: OrtSession, input: string, dims: number[], seconds: number): Promise<number> {
  return (await ortTimed(session, input, dims, seconds)).rate;
}

/** Crops/s of the tfjs model (eval mode) at `batch`. */
async function tfjsRate(model: IqaModel, patch: number, batch: number, seconds: number): Promise<number> {
  const x = tf.randomNormal([batch, patch, patch, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  tf.tidy(() => model.predict(x).dataSync());
  let n = 0;
  const t0 = performance.now();
  do {
    tf.tidy(() => model.predict(x).dataSync());
    n += batch;
  } while (performance.now() - t0 < seconds * 1000);
  x.dispose();
  return (n * 1000) / (performance.now() - t0);
}

/** torchvision's ResNet-50 (stem, four stages, global pool, fc 2048→1000) as ONNX on NCHW input: the like-for-like peer of PyTorch's. */
function torchvisionResnet50Onnx(): Uint8Array {
  const net = createResNet({ depth: 50, seed: 1 });
  const g = new OnnxGraph('resnet50');
  const f = resnetOnnx(g, g.input('x', ['N', 3, 224, 224]), weightsOf(new Map([...net.params].map(([k, p]) => [k, p.variable]))));
  const fc = tf.tidy(() => tf.randomNormal([2048, 1000], 0, 0.01, 'float32', 2).dataSync() as Float32Array);
  g.output(g.op('Gemm', [globalMean(g, f.layer4), g.weight('fc.weight', fc, [2048, 1000]), g.weight('fc.bias', new Float32Array(1000), [1000])]), 'y', ['N', 1000]);
  net.dispose();
  return g.toBytes({ doc: 'torchvision ResNet-50 (random weights), for timing' });
}

export const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** A 2-MP JPEG (1732×1155, quality 90) cut from a demo photo. */
export async function twoMegapixelJpeg(dir: string): Promise<string> {
  const file = join(dir, 'photo-2mp.jpg');
  await sharp(join(resourcesDir(), 'demo', 'cheetah.jpg')).resize(1732, 1155, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(file);
  return file;
}

interface Case {
  label: string;
  modelId: string;
  config: Record<string, unknown>;
}

const CASES: Case[] = [
  { label: 'hyperiqa resnet50', modelId: 'hyperiqa', config: { backbone: 'resnet50' } },
  { label: 'hyperiqa resnet18', modelId: 'hyperiqa', config: { backbone: 'resnet18' } },
  { label: 'hyperiqa small', modelId: 'hyperiqa', config: { backbone: 'small' } },
  { label: 'cnniqa', modelId: 'cnniqa', config: {} },
  { label: 'hiqa small', modelId: 'hiqa', config: { scale: 'small' } },
  { label: 'sftnet small', modelId: 'sftnet', config: { scale: 'small' } },
];

export async function onnxBench(quick: boolean): Promise<BenchRow[]> {
  await initBackend('wasm');
  const inf = await initInference('onnxruntime');
  const provider = inf.provider!;
  const tag = (engine: string) => (engine === 'ort' ? `onnxruntime ${inf.version} ${provider}` : 'tfjs wasm');
  const secs = quick ? 2 : 5;
  const rounds = quick ? 1 : 3;
  const rows: BenchRow[] = [];
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-onnx-'));
  const torch = await startTorch(ORT_THREADS);
  // PyTorch as installed spins its OpenMP threads between operators; on a shared, loaded machine that costs it most of
  // its speed (as spinning costs ORT: see createSession). The passive variant is PyTorch at its best here.
  const passive = typeof torch === 'string' ? torch : await startTorch(ORT_THREADS, { OMP_WAIT_POLICY: 'PASSIVE' });
  log(`  ${ORT_THREADS} threads; load average ${loadavg()[0]!.toFixed(1)} at the start; ${typeof torch === 'string' ? torch : torch.version}`);
  const row = (name: string, n: number, rate: number, unit: string, seconds: number, peakRssMb: number, extra: Partial<BenchRow> = {}) => {
    const r: BenchRow = { name, n, rate, unit, seconds, peakRssMb, ...extra };
    log(`    ${name}: ${rate.toFixed(2)} ${unit}`);
    rows.push(r);
  };
  try {
    // PyTorch beside ORT in turns (same threads): torchvision ResNet-50 and the official HyperIQA forward at batch 1
    // (as its demo scores, one crop at a time), and ours at batch 1 and at the batch our scorer runs.
    if (typeof torch !== 'string' && typeof passive !== 'string') {
      const resnet = await createSession(torchvisionResnet50Onnx());
      const spec = getModel('hyperiqa') as ModelSpec;
      const config = spec.configSchema.parse({ backbone: 'resnet50' }) as Record<string, unknown>;
      const model = spec.create(config, 1);
      const hyper = await createSession(buildGraph(spec, model, 'scores', config));
      model.dispose();
      const best = (await measureBatch(hyper, 224, 25, 1500)).batch;
      const keys = ['torch resnet50', 'torch-passive resnet50', 'ort resnet50', 'torch hyperiqa', 'torch-passive hyperiqa', 'ort hyperiqa', `ort hyperiqa batch ${best}`];
      const timed: Record<string, Timed[]> = Object.fromEntries(keys.map((k) => [k, []]));
      for (let r = 0; r < rounds; r++) {
        timed['torch resnet50']!.push(await torch.timed('resnet50', 1, secs));
        timed['torch-passive resnet50']!.push(await passive.timed('resnet50', 1, secs));
        timed['ort resnet50']!.push(await ortTimed(resnet, 'x', [1, 3, 224, 224], secs));
        timed['torch hyperiqa']!.push(await torch.timed('hyperiqa', 1, secs));
        timed['torch-passive hyperiqa']!.push(await passive.timed('hyperiqa', 1, secs));
        timed['ort hyperiqa']!.push(await ortTimed(hyper, 'patches', [1, 224, 224, 3], secs));
        timed[`ort hyperiqa batch ${best}`]!.push(await ortTimed(hyper, 'patches', [best, 224, 224, 3], secs));
        log(`    round ${r + 1}: ${keys.map((k) => `${k} ${timed[k]!.at(-1)!.rate.toFixed(1)} (${timed[k]!.at(-1)!.perCpuSecond.toFixed(1)}/CPU-s)`).join(', ')} crops/s; load ${loadavg()[0]!.toFixed(1)}`);
      }
      const m = Object.fromEntries(keys.map((k) => [k, median(timed[k]!.map((t) => t.rate))])) as Record<string, number>;
      const c = Object.fromEntries(keys.map((k) => [k, median(timed[k]!.map((t) => t.perCpuSecond))])) as Record<string, number>;
      const n = rounds * secs;
      const ref = (name: string, key: string, extra: Partial<BenchRow>) => row(name, rounds, m[key]!, 'crops/s', n, 0, extra);
      ref('reference: torchvision resnet50 224² [pytorch cpu] batch 1', 'torch resnet50', { engine: 'pytorch', model: 'resnet50', batch: 1 });
      ref('reference: torchvision resnet50 224² [pytorch cpu, OMP passive] batch 1', 'torch-passive resnet50', { engine: 'pytorch', provider: 'OMP_WAIT_POLICY=PASSIVE', model: 'resnet50', batch: 1 });
      ref(`reference: torchvision resnet50 224² [${tag('ort')}] batch 1`, 'ort resnet50', { engine: 'onnxruntime', provider, model: 'resnet50', batch: 1 });
      ref('reference: official hyperiqa resnet50 [pytorch cpu] batch 1', 'torch hyperiqa', { engine: 'pytorch', model: 'hyperiqa resnet50', batch: 1 });
      ref('reference: official hyperiqa resnet50 [pytorch cpu, OMP passive] batch 1', 'torch-passive hyperiqa', { engine: 'pytorch', provider: 'OMP_WAIT_POLICY=PASSIVE', model: 'hyperiqa resnet50', batch: 1 });
      ref(`reference: hyperiqa resnet50 [${tag('ort')}] batch 1`, 'ort hyperiqa', { engine: 'onnxruntime', provider, model: 'hyperiqa resnet50', batch: 1 });
      ref(`reference: hyperiqa resnet50 [${tag('ort')}] batch ${best}`, `ort hyperiqa batch ${best}`, { engine: 'onnxruntime', provider, model: 'hyperiqa resnet50', batch: best });
      const bestTorch = (k: string) => Math.max(m[`torch ${k}`]!, m[`torch-passive ${k}`]!);
      const ratio = (name: string, value: number) => row(name, rounds, value, '×', n, 0, { ratio: value });
      ratio('ratio resnet50: onnxruntime b1 / pytorch b1 (default)', m['ort resnet50']! / m['torch resnet50']!);
      ratio('ratio resnet50: onnxruntime b1 / pytorch b1 (its better config)', m['ort resnet50']! / bestTorch('resnet50'));
      ratio('ratio hyperiqa-r50: onnxruntime b1 / official b1 (default)', m['ort hyperiqa']! / m['torch hyperiqa']!);
      ratio('ratio hyperiqa-r50: onnxruntime b1 / official b1 (its better config)', m['ort hyperiqa']! / bestTorch('hyperiqa'));
      ratio(`ratio hyperiqa-r50: onnxruntime b${best} (as we score) / official b1 (its better config; target ≥ 1.8)`, m[`ort hyperiqa batch ${best}`]! / bestTorch('hyperiqa'));
      // Per CPU-second (each process's own CPU time, all threads): what a crop costs, less swayed by the load than
      // crops/s; PyTorch's default spins its OpenMP threads, so its passive variant is the fair line here.
      const perCpu = (name: string, key: string, extra: Partial<BenchRow>) => row(name, rounds, c[key]!, 'crops/CPU-s', n, 0, extra);
      perCpu('reference: official hyperiqa resnet50 [pytorch cpu, OMP passive] batch 1, per CPU-second', 'torch-passive hyperiqa', { engine: 'pytorch', provider: 'OMP_WAIT_POLICY=PASSIVE', model: 'hyperiqa resnet50', batch: 1 });
      perCpu(`reference: hyperiqa resnet50 [${tag('ort')}] batch ${best}, per CPU-second`, `ort hyperiqa batch ${best}`, { engine: 'onnxruntime', provider, model: 'hyperiqa resnet50', batch: best });
      ratio(`ratio hyperiqa-r50 per CPU-second: onnxruntime b${best} / official b1 (OMP passive)`, c[`ort hyperiqa batch ${best}`]! / c['torch-passive hyperiqa']!);
      ratio('ratio resnet50 per CPU-second: onnxruntime b1 / pytorch b1 (OMP passive)', c['ort resnet50']! / c['torch-passive resnet50']!);
      await Promise.all([resnet.release(), hyper.release()]);
    }

    const photo = await twoMegapixelJpeg(work);
    for (const c of CASES) {
      const spec = getModel(c.modelId) as ModelSpec;
      if (!spec.onnx) {
        log(`  ${c.label}: no ONNX builder, skipped`);
        continue;
      }
      const config = spec.configSchema.parse(c.config) as Record<string, unknown>;
      const protocol = spec.input(config);
      const p = protocol.patch;
      const model = spec.create(config, 1);
      log(`  ${c.label} (${p}², ${protocol.testCrops} crops)…`);
      try {
        const built = await measure(async () => createSession(buildGraph(spec, model, 'scores', config)));
        const session = built.result;
        const one = await measure(() => ortRate(session, 'patches', [1, p, p, 3], secs));
        row(`${c.label} [${tag('ort')}] batch 1`, 1, one.result, 'crops/s', one.seconds, one.peakRssMb, { engine: 'onnxruntime', provider, model: c.label, batch: 1 });
        const choice = await measureBatch(session, p, 32, 600);
        const best = await measure(() => ortRate(session, 'patches', [choice.batch, p, p, 3], secs));
        row(`${c.label} [${tag('ort')}] best batch ${choice.batch}`, choice.batch, best.result, 'crops/s', best.seconds, best.peakRssMb, { engine: 'onnxruntime', provider, model: c.label, batch: choice.batch });
        await session.release();
        // tfjs at batch 1 and 8 (its chunk size when scoring); ResNet-50 at batch 1 only (seconds per crop on wasm).
        for (const b of c.label.includes('resnet50') ? [1] : [1, 8]) {
          const t = await measure(() => tfjsRate(model, p, b, secs));
          row(`${c.label} [${tag('tfjs')}] batch ${b}`, b, t.result, 'crops/s', t.seconds, t.peakRssMb, { engine: 'tfjs', provider: 'wasm', model: c.label, batch: b });
        }
        // End to end through the real scorer (checkpoint → cached graph → decode, crops, model), a 2-MP JPEG, the next decoded while the model runs.
        const ckpt = await saveCheckpoint(join(work, c.label.replace(/\W+/g, '-')), { modelId: c.modelId, modelConfig: config, epoch: 1, metrics: {} }, model);
        for (const engine of ['onnxruntime', 'tfjs'] as const) {
          const images = engine === 'tfjs' && c.label.includes('resnet50') ? 1 : quick ? 2 : 6;
          await initInference(engine);
          const scorer = await loadScorer({ checkpoint: ckpt.path });
          await scorer.scoreFile(photo); // warm-up (and, on ONNX Runtime, the batch-size measurement)
          const e2e = await measure(async () => {
            for await (const r of scoreInOrder(scorer, Array(images).fill(photo))) if ('error' in r) throw r.error;
          });
          row(`${c.label} [${engine === 'onnxruntime' ? tag('ort') : tag('tfjs')}] 2-MP JPEG end to end (${protocol.testCrops} crops)`, images, images / e2e.seconds, 'images/s', e2e.seconds, e2e.peakRssMb, {
            engine, provider: engine === 'onnxruntime' ? provider : 'wasm', model: c.label, secondsPerImage: e2e.seconds / images,
          });
          scorer.dispose();
        }
        await initInference('onnxruntime');
        // Sanity: both engines score the same crops the same.
        const x = tf.tidy(() => tf.randomUniform([2, p, p, 3], 0, 1, 'float32', 5).dataSync() as Float32Array);
        const s2 = await createSession(buildGraph(spec, model, 'scores', config));
        const o = (await s2.run({ patches: floatTensor(x, [2, p, p, 3]) })).scores!.data;
        await s2.release();
        const t = meanPrediction(model, x, 2, p);
        log(`    parity: |ort − tfjs| of the mean score ${Math.abs((o[0]! + o[1]!) / 2 - t).toExponential(1)}`);
      } finally {
        model.dispose();
      }
    }
    log(`  load average ${loadavg()[0]!.toFixed(1)} at the end; engine ${currentInference()?.engine}`);
    return rows;
  } finally {
    if (typeof torch !== 'string') torch.close();
    if (typeof passive !== 'string') passive.close();
    await rm(work, { recursive: true, force: true });
  }
}

// int8 vs fp32 on ONNX Runtime: HyperIQA-ResNet-50 crops/s beside the official PyTorch forward in turns, a 2-MP JPEG at 25 crops end to end, and the shipped model's SRCC on held-out synthetic distortions with each precision.
import { copyFileSync, cpSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { srcc } from '../src-shared/metrics/correlation';
import { resourcesDir } from '../src-main/app/paths';
import { buildSyntheticSet } from '../src-main/imaging/synth/build-synthetic';
import { initBackend } from '../src-main/iqa/backend';
import type { ModelSpec } from '../src-main/iqa/models/model';
import { buildGraph } from '../src-main/iqa/onnx/build-graph';
import { createSession, initInference, ORT_THREADS } from '../src-main/iqa/onnx/engine';
import { INT8_MAX_SRCC_SHIFT, quantizeForScoring } from '../src-main/iqa/onnx/int8-graph';
import { measureBatch, openPatchRunner } from '../src-main/iqa/onnx/patch-runner';
import { getModel } from '../src-main/iqa/registry';
import { scoreInOrder } from '../src-main/iqa/score/pipelined';
import { isPatchBatch, loadScorer, shippedCheckpoint, type Scorer } from '../src-main/iqa/score/scorer';
import { saveCheckpoint } from '../src-main/iqa/train/checkpoint';
import { median, ortRate, startTorch, twoMegapixelJpeg } from './onnx.bench';
import { measure, type BenchRow } from './types';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function scoresOf(scorer: Scorer, paths: string[]): Promise<number[]> {
  const out: number[] = [];
  for await (const r of scoreInOrder(scorer, paths)) {
    if ('error' in r) throw r.error;
    out.push(r.score.score);
  }
  return out;
}

export async function int8Bench(quick: boolean): Promise<BenchRow[]> {
  await initBackend('wasm');
  const inf = await initInference('onnxruntime');
  const tag = `onnxruntime ${inf.version} ${inf.provider}`;
  const secs = quick ? 2 : 4;
  const rounds = quick ? 1 : 3;
  const rows: BenchRow[] = [];
  const row = (name: string, n: number, rate: number, unit: string, seconds: number, peakRssMb: number, extra: Partial<BenchRow> = {}) => {
    rows.push({ name, n, rate, unit, seconds, peakRssMb, ...extra });
    log(`    ${name}: ${rate.toFixed(3)} ${unit}`);
  };
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-int8-'));
  const torch = await startTorch(ORT_THREADS);
  const passive = typeof torch === 'string' ? torch : await startTorch(ORT_THREADS, { OMP_WAIT_POLICY: 'PASSIVE' });
  log(`  ${ORT_THREADS} threads; load average ${loadavg()[0]!.toFixed(1)} at the start; ${typeof torch === 'string' ? torch : torch.version}`);
  try {
    // HyperIQA-ResNet-50 (random weights: none can be downloaded here), its fp32 graph and the int8 one calibrated as the scorer does.
    const spec = getModel('hyperiqa') as ModelSpec;
    const config = spec.configSchema.parse({ backbone: 'resnet50' }) as Record<string, unknown>;
    const protocol = spec.input(config);
    const model = spec.create(config, 1);
    const fp32Bytes = buildGraph(spec, model, 'scores', config);
    const ckpt = await saveCheckpoint(join(work, 'r50'), { modelId: 'hyperiqa', modelConfig: config, epoch: 1, metrics: {} }, model);
    model.dispose();
    const q = await measure(() => quantizeForScoring(fp32Bytes, protocol));
    log(`  quantised HyperIQA-ResNet-50 in ${q.seconds.toFixed(1)} s`);
    const gate = q.result;
    const shift = Math.abs(gate.srccInt8 - gate.srccFp32);
    row(`hyperiqa resnet50 (random weights) int8 gate: |SRCC int8 − fp32| on ${gate.images} held-out synthetic images (offered below ${INT8_MAX_SRCC_SHIFT}; fp32 ${gate.srccFp32.toFixed(3)}, int8 ${gate.srccInt8.toFixed(3)})`, gate.images, shift, 'ΔSRCC', q.seconds, q.peakRssMb, { engine: 'onnxruntime', model: 'hyperiqa resnet50 int8' });
    const fp32 = await createSession(fp32Bytes);
    const int8 = await createSession(q.result.bytes);
    const bestFp32 = (await measureBatch(fp32, 224, 25, 1500)).batch;
    const bestInt8 = (await measureBatch(int8, 224, 25, 1500)).batch;
    const keys = [...new Set(['torch', 'torch-passive', 'ort fp32 b1', `ort fp32 b${bestFp32}`, 'ort int8 b1', `ort int8 b${bestInt8}`])];
    const got: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      if (typeof torch !== 'string' && typeof passive !== 'string') {
        got.torch!.push(await torch.time('hyperiqa', 1, secs));
        got['torch-passive']!.push(await passive.time('hyperiqa', 1, secs));
      }
      got['ort fp32 b1']!.push(await ortRate(fp32, 'patches', [1, 224, 224, 3], secs));
      if (bestFp32 > 1) got[`ort fp32 b${bestFp32}`]!.push(await ortRate(fp32, 'patches', [bestFp32, 224, 224, 3], secs));
      got['ort int8 b1']!.push(await ortRate(int8, 'patches', [1, 224, 224, 3], secs));
      if (bestInt8 > 1) got[`ort int8 b${bestInt8}`]!.push(await ortRate(int8, 'patches', [bestInt8, 224, 224, 3], secs));
      log(`    round ${r + 1}: ${keys.filter((k) => got[k]!.length).map((k) => `${k} ${got[k]!.at(-1)!.toFixed(1)}`).join(', ')} crops/s; load ${loadavg()[0]!.toFixed(1)}`);
    }
    await Promise.all([fp32.release(), int8.release()]);
    const m = Object.fromEntries(keys.filter((k) => got[k]!.length).map((k) => [k, median(got[k]!)])) as Record<string, number>;
    const n = rounds * secs;
    const cps = (name: string, key: string, extra: Partial<BenchRow>) => row(name, rounds, m[key]!, 'crops/s', n, 0, { model: 'hyperiqa resnet50', ...extra });
    if (m.torch !== undefined) {
      cps('int8 bench reference: official hyperiqa resnet50 [pytorch cpu] batch 1', 'torch', { engine: 'pytorch', batch: 1 });
      cps('int8 bench reference: official hyperiqa resnet50 [pytorch cpu, OMP passive] batch 1', 'torch-passive', { engine: 'pytorch', provider: 'OMP_WAIT_POLICY=PASSIVE', batch: 1 });
    }
    cps(`hyperiqa resnet50 fp32 [${tag}] batch 1`, 'ort fp32 b1', { engine: 'onnxruntime', batch: 1 });
    if (bestFp32 > 1) cps(`hyperiqa resnet50 fp32 [${tag}] batch ${bestFp32}`, `ort fp32 b${bestFp32}`, { engine: 'onnxruntime', batch: bestFp32 });
    cps(`hyperiqa resnet50 int8 [${tag}] batch 1`, 'ort int8 b1', { engine: 'onnxruntime', batch: 1 });
    if (bestInt8 > 1) cps(`hyperiqa resnet50 int8 [${tag}] batch ${bestInt8}`, `ort int8 b${bestInt8}`, { engine: 'onnxruntime', batch: bestInt8 });
    if (m.torch !== undefined) {
      const bestTorch = Math.max(m.torch, m['torch-passive']!);
      const ratio = (name: string, value: number) => row(name, rounds, value, '×', n, 0, { ratio: value });
      ratio(`ratio hyperiqa-r50: onnxruntime fp32 b${bestFp32} / official b1 (its better config; target ≥ 1.8)`, m[`ort fp32 b${bestFp32}`]! / bestTorch);
      ratio('ratio hyperiqa-r50: onnxruntime int8 b1 / official b1 (its better config)', m['ort int8 b1']! / bestTorch);
      if (bestInt8 > 1) ratio(`ratio hyperiqa-r50: onnxruntime int8 b${bestInt8} / official b1 (its better config; target ≥ 1.8)`, m[`ort int8 b${bestInt8}`]! / bestTorch);
    }

    // A 2-MP JPEG at 25 crops end to end (decode, crops, model), fp32 through the scorer and int8 through the same
    // decode and crops with the int8 graph's runner; the next photo decoded while the model runs on this one.
    const photo = await twoMegapixelJpeg(work);
    const images = quick ? 2 : 4;
    const scorer = await loadScorer({ checkpoint: ckpt.path });
    await scorer.scoreFile(photo);
    const e2eFp32 = await measure(() => scoresOf(scorer, Array(images).fill(photo)));
    row(`hyperiqa resnet50 fp32 [${tag}] 2-MP JPEG end to end (25 crops), seconds per image (target ≤ 1.2)`, images, e2eFp32.seconds / images, 's/image', e2eFp32.seconds, e2eFp32.peakRssMb, { engine: 'onnxruntime', model: 'hyperiqa resnet50', secondsPerImage: e2eFp32.seconds / images });
    const runner = await openPatchRunner({ bytes: q.result.bytes, path: null, fromCache: false }, 224, 25);
    const e2eInt8 = await measure(async () => {
      let next = scorer.prepare(photo);
      for (let i = 0; i < images; i++) {
        const batch = await next;
        if (i + 1 < images) next = scorer.prepare(photo);
        if (!isPatchBatch(batch)) throw new Error('expected crops');
        await runner.scores(batch.data, batch.count, batch.patch);
      }
    });
    row(`hyperiqa resnet50 int8 [${tag}] batch ${runner.batch.batch} 2-MP JPEG end to end (25 crops), seconds per image (target ≤ 1.2)`, images, e2eInt8.seconds / images, 's/image', e2eInt8.seconds, e2eInt8.peakRssMb, { engine: 'onnxruntime', model: 'hyperiqa resnet50 int8', secondsPerImage: e2eInt8.seconds / images });
    scorer.dispose();
    await runner.release();

    // The shipped model's SRCC with each precision on synthetic distortions (pseudo-MOS, long side 512 so 224-px crops fit) of the demo photos that the
    // int8 calibration does not see (the second half; see int8-graph.ts).
    const photos = readdirSync(join(resourcesDir(), 'demo')).filter((f) => /\.jpe?g$/i.test(f)).sort();
    const held = photos.slice(Math.ceil(photos.length / 2));
    const src = join(work, 'held-out');
    mkdirSync(src);
    for (const f of held) copyFileSync(join(resourcesDir(), 'demo', f), join(src, f));
    const synth = await buildSyntheticSet({ sourceDir: src, outDir: join(work, 'synth'), maxSide: 512, ...(quick ? { perImage: 6 } : {}), seed: 3 });
    const paths = synth.rows.map((r) => join(synth.root, r.distName));
    const mos = synth.rows.map((r) => r.mos);
    log(`  shipped model on ${paths.length} synthetic images of ${held.join(', ')}`);
    const shipped = join(work, 'shipped');
    cpSync(shippedCheckpoint('hyperiqa')!, shipped, { recursive: true, filter: (s) => !s.endsWith('/hyperiqa/onnx') });
    const result: Record<string, number> = {};
    for (const precision of ['fp32', 'int8'] as const) {
      const s = await loadScorer({ checkpoint: shipped, precision });
      await s.scoreFile(paths[0]!);
      const run = await measure(() => scoresOf(s, paths));
      result[precision] = srcc(run.result, mos);
      row(`shipped hyperiqa ${precision} [${s.engine.label}]: SRCC on ${paths.length} held-out synthetic images`, paths.length, result[precision]!, 'SRCC', run.seconds, run.peakRssMb, { engine: 'onnxruntime', model: `hyperiqa small ${precision}` });
      row(`shipped hyperiqa ${precision} [${s.engine.label}]: scoring speed on them (≤ 512 px)`, paths.length, paths.length / run.seconds, 'images/s', run.seconds, run.peakRssMb, { engine: 'onnxruntime', model: `hyperiqa small ${precision}` });
      s.dispose();
    }
    row('shipped hyperiqa: |SRCC int8 − SRCC fp32| (int8 offered where < 0.005)', paths.length, Math.abs(result.int8! - result.fp32!), 'ΔSRCC', 0, 0);
    log(`  load average ${loadavg()[0]!.toFixed(1)} at the end`);
    return rows;
  } finally {
    if (typeof torch !== 'string') torch.close();
    if (typeof passive !== 'string') passive.close();
    await rm(work, { recursive: true, force: true });
  }
}

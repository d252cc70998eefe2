// Scoring on ONNX Runtime: the shipped model's graph built once and cached beside the checkpoint, the same scores as tfjs, and tfjs when asked; DT-GAN translations and HIQA maps likewise.
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { initBackend } from '../../../../src-main/iqa/backend';
import { initInference, ORT_THREADS } from '../../../../src-main/iqa/onnx/engine';
import { BATCH_CHOICE_VERSION, type BatchChoice } from '../../../../src-main/iqa/onnx/patch-runner';
import { scoreInOrder } from '../../../../src-main/iqa/score/pipelined';
import { loadScorer, shippedCheckpoint } from '../../../../src-main/iqa/score/scorer';
import { loadTranslator } from '../../../../src-main/iqa/score/translator';
import { getModel } from '../../../../src-main/iqa/registry';
import { saveCheckpoint } from '../../../../src-main/iqa/train/checkpoint';
import { loadRgb } from '../../../../src-main/imaging/raw-image';
import { tempDir } from '../../../helpers/temp';

const PHOTOS = ['bee.jpg', 'calf.jpg', 'crab.jpg'].map((f) => join(resourcesDir(), 'demo', f));

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(async () => {
  await initInference('auto');
});

describe('scorer engines', () => {
  const checkpoint = join(tempDir(), 'hyperiqa');
  cpSync(shippedCheckpoint('hyperiqa')!, checkpoint, { recursive: true, filter: (src) => !src.endsWith('/hyperiqa/onnx') });

  async function scoresOf(engine: 'onnxruntime' | 'tfjs') {
    await initInference(engine);
    const scorer = await loadScorer({ checkpoint });
    try {
      return { engine: scorer.engine, scores: await Promise.all(PHOTOS.map(async (p) => (await scorer.scoreFile(p)).score)) };
    } finally {
      scorer.dispose();
    }
  }

  it('scores through ONNX Runtime and caches the graph beside the checkpoint, built once', async () => {
    const first = await scoresOf('onnxruntime');
    expect(first.engine.name).toBe('onnxruntime');
    expect(first.engine.label).toMatch(/^onnxruntime 1\.\d+\.\d+ · cpu · \d+ threads · batch \d+$/);
    const graphs = readdirSync(join(checkpoint, 'onnx')).filter((f) => f.endsWith('.onnx'));
    expect(graphs).toHaveLength(1);
    expect(graphs[0]).toMatch(/^scores-[0-9a-f]{20}\.onnx$/);
    const built = statSync(join(checkpoint, 'onnx', graphs[0]!)).mtimeMs;
    const again = await scoresOf('onnxruntime');
    expect(statSync(join(checkpoint, 'onnx', graphs[0]!)).mtimeMs).toBe(built);
    expect(again.scores).toEqual(first.scores);
  });

  it('keeps the batch size chosen by CPU time per crop beside the graph, and measures again a choice made the older way', async () => {
    await initInference('onnxruntime');
    const graph = readdirSync(join(checkpoint, 'onnx')).find((f) => /^scores-[0-9a-f]{20}\.onnx$/.test(f));
    expect(graph).toBeDefined();
    const sidecar = join(checkpoint, 'onnx', `${graph!}.batch.json`);
    // A version-1 choice (by crops/s, no CPU figures) that asked for batch 2: measured again, not used.
    writeFileSync(sidecar, JSON.stringify({ provider: 'cpu', threads: ORT_THREADS, batch: 2, measured: { 1: 1, 2: 2 } }));
    const scorer = await loadScorer({ checkpoint });
    scorer.dispose();
    const choice = JSON.parse(readFileSync(sidecar, 'utf8')) as BatchChoice;
    expect(choice.version).toBe(BATCH_CHOICE_VERSION);
    expect(Object.keys(choice.perCpuSecond).length).toBeGreaterThan(0);
    for (const rate of Object.values(choice.perCpuSecond)) expect(rate).toBeGreaterThan(0);
    const best = Math.max(...Object.values(choice.perCpuSecond));
    expect(choice.perCpuSecond[choice.batch]).toBeGreaterThanOrEqual(0.95 * best);
    expect(scorer.engine.label).toContain(`batch ${choice.batch}`);
    // A current choice is reused as it is (here, batch 4 for the shipped model's 4 crops).
    writeFileSync(sidecar, JSON.stringify({ ...choice, batch: 4 }));
    const again = await loadScorer({ checkpoint });
    again.dispose();
    expect(again.engine.label).toContain('batch 4');
  });

  it('scores the same in a pipelined loop that reuses its crop buffers (crop counts mixed) as one file at a time', async () => {
    await initInference('onnxruntime');
    const one = await loadScorer({ checkpoint });
    const loop = await loadScorer({ checkpoint });
    try {
      const crops = [4, 9, 4, 4, 9];
      const fresh: number[] = [];
      for (const [i, n] of crops.entries()) fresh.push((await one.scoreFile(PHOTOS[i % PHOTOS.length]!, { kind: 'grid', count: n })).score);
      for (const n of [4, 9]) {
        const paths = crops.map((c, i) => (c === n ? PHOTOS[i % PHOTOS.length]! : null)).filter((p): p is string => p !== null);
        const want = crops.map((c, i) => (c === n ? fresh[i]! : null)).filter((s): s is number => s !== null);
        for (let round = 0; round < 2; round++) {
          const got: number[] = [];
          for await (const r of scoreInOrder(loop, paths, { kind: 'grid', count: n })) {
            if ('error' in r) throw r.error;
            got.push(r.score.score);
          }
          expect(got).toEqual(want);
        }
      }
    } finally {
      one.dispose();
      loop.dispose();
    }
  });

  it('gives the tfjs scores within 1e-5 of the model output (MOS 1-5 = 4 × the normalised output + 1)', async () => {
    const ort = await scoresOf('onnxruntime');
    const tfjs = await scoresOf('tfjs');
    expect(tfjs.engine).toEqual({ name: 'tfjs', label: 'tfjs wasm', fallbackReason: 'not requested (tfjs chosen)' });
    expect(new Set(tfjs.scores).size).toBe(PHOTOS.length);
    ort.scores.forEach((s, i) => expect(Math.abs(s - tfjs.scores[i]!) / 4).toBeLessThanOrEqual(1e-5));
  });
});

describe('translators and maps on ONNX Runtime', () => {
  const dir = tempDir();
  const photo = join(resourcesDir(), 'demo', 'butterfly.jpg');

  async function checkpointOf(modelId: string, raw: Record<string, unknown>): Promise<string> {
    const spec = getModel(modelId);
    const config = spec.configSchema.parse(raw) as Record<string, unknown>;
    const model = spec.create(config, 2);
    try {
      return (await saveCheckpoint(join(dir, modelId), { modelId, modelConfig: config, epoch: 1, metrics: {} }, model)).path;
    } finally {
      model.dispose();
    }
  }

  it("translates with DT-GAN's per-level graphs (cached beside the checkpoint) as tfjs does, to the grey level", async () => {
    const checkpoint = await checkpointOf('dtgan', { scale: 'tiny' });
    const img = await loadRgb(photo);
    const small = { width: 50, height: 38, data: new Uint8Array(50 * 38 * 3) };
    for (let y = 0; y < 38; y++) small.data.set(img.data.subarray(y * img.width * 3, y * img.width * 3 + 150), y * 150);
    const outputs: Record<string, Uint8Array[]> = {};
    for (const engine of ['onnxruntime', 'tfjs'] as const) {
      await initInference(engine);
      const t = await loadTranslator(checkpoint);
      try {
        expect(t.engine.startsWith(engine)).toBe(true);
        outputs[engine] = [];
        for (let level = 1; level <= t.levels; level++) {
          const out = await t.translate(small, level);
          expect([out.width, out.height]).toEqual([50, 38]);
          outputs[engine]!.push(out.data);
        }
      } finally {
        t.dispose();
      }
    }
    expect(readdirSync(join(checkpoint, 'onnx')).filter((f) => f.endsWith('.onnx')).map((f) => f.split('-').slice(0, 2).join('-')).sort()).toEqual(['translate-1', 'translate-2', 'translate-3']);
    outputs.onnxruntime!.forEach((data, k) => {
      const worst = Math.max(...Array.from(data, (v, i) => Math.abs(v - outputs.tfjs![k]![i]!)));
      expect(worst, `level ${k + 1}`).toBeLessThanOrEqual(1);
    });
  });

  it("scores HIQA and makes its maps (G's reference, the discrepancy) on ONNX Runtime as on tfjs", async () => {
    const checkpoint = await checkpointOf('hiqa', { scale: 'tiny' });
    const got: Record<string, { score: number; reference: Buffer; discrepancy: Buffer; gain: number }> = {};
    for (const engine of ['onnxruntime', 'tfjs'] as const) {
      await initInference(engine);
      const scorer = await loadScorer({ checkpoint });
      try {
        expect(scorer.engine.name).toBe(engine);
        const m = await scorer.maps!(photo);
        got[engine] = { score: (await scorer.scoreFile(photo)).score, reference: m.reference, discrepancy: m.discrepancy, gain: m.discrepancyGain };
      } finally {
        scorer.dispose();
      }
    }
    expect(Math.abs(got.onnxruntime!.score - got.tfjs!.score)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(got.tfjs!.score)));
    for (const k of ['reference', 'discrepancy'] as const) {
      const a = got.onnxruntime![k];
      const b = got.tfjs![k];
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      // One grey level of rounding; the discrepancy is shown amplified by its gain.
      expect(worst, k).toBeLessThanOrEqual(k === 'discrepancy' ? got.tfjs!.gain : 1);
    }
  });
});

// Scoring on ONNX Runtime: the shipped model's graph built once and cached beside the checkpoint, the same scores as tfjs, and tfjs when asked.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { initBackend } from '../../../../src-main/iqa/backend';
import { initInference } from '../../../../src-main/iqa/onnx/engine';
import { loadScorer, shippedCheckpoint } from '../../../../src-main/iqa/score/scorer';
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

  it('gives the tfjs scores within 1e-5 of the model output (MOS 1-5 = 4 × the normalised output + 1)', async () => {
    const ort = await scoresOf('onnxruntime');
    const tfjs = await scoresOf('tfjs');
    expect(tfjs.engine).toEqual({ name: 'tfjs', label: 'tfjs wasm', fallbackReason: 'not requested (tfjs chosen)' });
    expect(new Set(tfjs.scores).size).toBe(PHOTOS.length);
    ort.scores.forEach((s, i) => expect(Math.abs(s - tfjs.scores[i]!) / 4).toBeLessThanOrEqual(1e-5));
  });
});

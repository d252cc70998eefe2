// HIQA trained through the runs service at tiny size on a synthetic dataset with references: R_pre, joint D/G/R, R alone.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { saveMaps } from '../../../src-main/cli/score.command';
import { loadScorer } from '../../../src-main/iqa/score/scorer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { resourcesDir } from '../../../src-main/app/paths';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { buildSyntheticDataset } from '../../../src-main/datasets/synth/build-synthetic';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

let rt: Runtime;
let datasetId: number;

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-hiqa-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  const build = await buildSyntheticDataset({
    sourceDir: join(resourcesDir(), 'demo'),
    outDir: tempDir('iqa-hiqa-synth-'),
    maxSide: 192,
    distortions: ['gaussian_blur', 'white_noise'],
    levels: [1, 5],
    seed: 3,
  });
  datasetId = (await commitImport(rt.ctx.store, build.root, build.parsed, { name: 'synth' })).datasetId;
}, 120_000);
afterAll(() => rt?.close());

describe('HIQA run', () => {
  it('runs the four phases, records losses and the hallucination PSNR, and predicts every test image', async () => {
    const started = await rt.invoke('runs:start', {
      model: 'hiqa',
      datasetId,
      modelConfig: { scale: 'tiny', generatorOutput: 'residual', trainCrops: 2, testCrops: 2, schedule: { rpreEpochs: 1, warmupEpochs: 1, regressorEpochs: 1 } },
      hyper: { epochs: 4, batchImages: 4, seed: 2 },
    });
    if (!started.ok) throw new Error(started.error.message);
    const run = started.result as RunSummary;
    const end = await new Promise<RunProgress>((resolve) => {
      rt.services.events.subscribe((event, payload) => {
        const p = payload as RunProgress;
        if (event === 'runs:progress' && p.runId === run.id && p.status !== 'running') resolve(p);
      });
    });
    expect(end.status, end.error).toBe('completed');
    const got = await rt.invoke('runs:get', { id: run.id });
    if (!got.ok) throw new Error(got.error.message);
    const m = (got.result as RunDetail).metrics;
    const at = (name: string) => m.filter((x) => x.name === name).map((x) => [x.epoch, x.value]);
    expect(at('phase')).toEqual([[1, 0], [2, 1], [3, 2], [4, 3]]); // rpre, warmup, joint, regressor
    expect(at('loss_g').map(([e]) => e)).toEqual([2, 3]);
    // The residual G starts as the identity: after R_pre's epoch its hallucination is exactly as close to I_r as I_d.
    const hall = at('hallucination_psnr');
    const input = at('distorted_psnr');
    expect(hall.length).toBe(4);
    expect(hall[0]![1]!).toBeCloseTo(input[0]![1]!, 3);
    // The same probe crops every epoch: the input's PSNR is one value, and the one before training is recorded.
    expect(new Set(input.map(([, v]) => v!.toFixed(6))).size).toBe(1);
    expect(at('hallucination_psnr_init')).toEqual([[1, expect.closeTo(input[0]![1]!, 3)]]);
    // R scores the test set only from its first training epoch (joint): before it, its random weights said nothing and
    // mapped to an RMSE of ~20 on the 1–5 MOS. Every reported RMSE is on the labels' scale.
    expect(at('srcc').map(([e]) => e)).toEqual([3, 4]);
    for (const [, rmse] of at('rmse')) expect(rmse).toBeLessThan(4);
    const preds = await rt.invoke('runs:predictions', { id: run.id });
    if (!preds.ok) throw new Error(preds.error.message);
    expect((preds.result as unknown[]).length).toBeGreaterThan(0);

    // Its checkpoint scores an image and saves the three views (iqa score --save-maps).
    const scorer = await loadScorer({ checkpoint: (got.result as RunDetail).checkpointPath! });
    try {
      const image = databaseOf(rt.ctx.store).prepare('SELECT path FROM images WHERE dataset_id = ? LIMIT 1').get(datasetId) as { path: string };
      expect(Number.isFinite((await scorer.scoreFile(image.path)).score)).toBe(true);
      const maps = await scorer.maps!(image.path);
      expect(maps.width % 8).toBe(0);
      expect(maps.reference.length).toBe(maps.width * maps.height * 3);
      const dir = tempDir('iqa-maps-');
      await saveMaps(scorer, image.path, dir);
      const names = readdirSync(dir).sort();
      expect(names.map((n) => n.replace(/^.*?\.(\w+)\.png$/, '$1'))).toEqual(['discrepancy', 'distorted', 'hallucinated']);
      const meta = await sharp(join(dir, names[1]!)).metadata();
      expect([meta.width, meta.height]).toEqual([maps.width, maps.height]);
    } finally {
      scorer.dispose();
    }
  }, 240_000);

  it('trains in oracle mode (R reads the true reference) and tests with the true references', async () => {
    const started = await rt.invoke('runs:start', {
      model: 'hiqa',
      datasetId,
      modelConfig: { scale: 'tiny', trainCrops: 2, testCrops: 2, oracle: true, qualityAwareLoss: false, discriminator: 'none', schedule: { rpreEpochs: 0, regressorEpochs: 1 } },
      hyper: { epochs: 2, batchImages: 4, seed: 2 },
    });
    if (!started.ok) throw new Error(started.error.message);
    const run = started.result as RunSummary;
    const end = await new Promise<RunProgress>((resolve) => {
      rt.services.events.subscribe((event, payload) => {
        const p = payload as RunProgress;
        if (event === 'runs:progress' && p.runId === run.id && p.status !== 'running') resolve(p);
      });
    });
    expect(end.status, end.error).toBe('completed');
    const got = await rt.invoke('runs:get', { id: run.id });
    if (!got.ok) throw new Error(got.error.message);
    const m = (got.result as RunDetail).metrics;
    expect(m.filter((x) => x.name === 'phase').map((x) => [x.epoch, x.value])).toEqual([[1, 2], [2, 3]]); // joint, regressor
    expect(m.filter((x) => x.name === 'srcc').length).toBe(2);
    const preds = await rt.invoke('runs:predictions', { id: run.id });
    if (!preds.ok) throw new Error(preds.error.message);
    const scores = (preds.result as { score: number }[]).map((p) => p.score);
    expect(scores.length).toBeGreaterThan(0);
    expect(scores.every(Number.isFinite)).toBe(true);
  }, 240_000);
});

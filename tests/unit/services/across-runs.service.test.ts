// runs:scoreImage (a run's test prediction, a stored score of its checkpoint, or scored now and not stored) and images:neighbours, with a tiny CNNIQA run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageNeighbours, ImagePage, ImageScore, JobInfo, RunDetail, RunImageScore, RunPrediction, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { loadScorer } from '../../../src-main/iqa/score/scorer';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

let rt: Runtime;
let datasetId: number;
let runId: number;
let checkpoint: string;
let predictions: RunPrediction[];

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

function waitFor<T>(event: string, match: (p: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    rt.services.events.subscribe((e, payload) => {
      if (e === event && match(payload as T)) resolve(payload as T);
    });
  });
}

beforeAll(async () => {
  const dir = tempDir('iqa-across-blur-');
  await writeBlurDataset(dir);
  rt = await openRuntime({ dataDir: tempDir('iqa-across-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: dir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const end = await waitFor<JobInfo>('jobs:progress', (j) => j.jobId === job.jobId && j.state !== 'running');
  expect(end.state).toBe('done');
  datasetId = (end.result as { datasetId: number }).datasetId;
  const run = await call<RunSummary>('runs:start', {
    model: 'cnniqa',
    datasetId,
    modelConfig: { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null },
    hyper: { epochs: 1, batchImages: 4, seed: 7 },
  });
  runId = run.id;
  const done = await waitFor<RunProgress>('runs:progress', (p) => p.runId === runId && p.status !== 'running');
  expect(done.status, done.error).toBe('completed');
  checkpoint = (await call<RunDetail>('runs:get', { id: runId })).checkpointPath!;
  predictions = await call<RunPrediction[]>('runs:predictions', { id: runId });
  expect(predictions.length).toBeGreaterThan(0);
}, 120_000);
afterAll(() => rt?.close());

describe('runs:scoreImage', () => {
  it("gives a test image's stored prediction, in the run's label scale", async () => {
    const p = predictions[0]!;
    const s = await call<RunImageScore>('runs:scoreImage', { id: runId, imageId: p.imageId });
    expect(s).toEqual({ runId, imageId: p.imageId, model: 'cnniqa', score: p.score, source: 'prediction', scale: 'mos 1-5 higher', crops: null });
  });

  it('scores a training image now with the checkpoint, as scores:start would, without storing it; a stored score wins afterwards', async () => {
    const page = await call<ImagePage>('images:list', { datasetId, limit: 100 });
    const predicted = new Set(predictions.map((p) => p.imageId));
    const train = page.items.find((i) => !predicted.has(i.id))!;
    const s = await call<RunImageScore>('runs:scoreImage', { id: runId, imageId: train.id });
    const scorer = await loadScorer({ checkpoint });
    let direct: number;
    try {
      direct = (await scorer.scoreFile(train.path, { kind: 'grid' })).score;
    } finally {
      scorer.dispose();
    }
    expect(s).toMatchObject({ runId, imageId: train.id, model: 'cnniqa', source: 'scored', scale: 'mos 1-5 higher', crops: 4 });
    expect(s.score).toBeCloseTo(direct, 10);
    // Nothing was written: the Datasets grid's score of the image is untouched.
    expect(await call<ImageScore[]>('scores:list', { imageId: train.id })).toEqual([]);
    expect((await call<ImagePage>('images:list', { datasetId, search: train.name })).items[0]!.score).toBeNull();
    // Asked again: the same answer (remembered).
    expect(await call<RunImageScore>('runs:scoreImage', { id: runId, imageId: train.id })).toEqual(s);
    // Concurrent requests for several images are answered one at a time, each with its own image.
    const others = page.items.filter((i) => !predicted.has(i.id)).slice(1, 4);
    const many = await Promise.all(others.map((i) => call<RunImageScore>('runs:scoreImage', { id: runId, imageId: i.id })));
    expect(many.map((m) => m.imageId)).toEqual(others.map((i) => i.id));
    expect(many.every((m) => m.source === 'scored' && Number.isFinite(m.score))).toBe(true);

    // Once the dataset is scored with the run (scores:start), the stored score is given.
    const job = await call<JobInfo>('scores:start', { datasetId, runId });
    const end = await waitFor<JobInfo>('jobs:progress', (j) => j.jobId === job.jobId && j.state !== 'running');
    expect(end.state).toBe('done');
    const stored = (await call<ImageScore[]>('scores:list', { imageId: train.id })).find((x) => x.runId === runId)!;
    const again = await call<RunImageScore>('runs:scoreImage', { id: runId, imageId: train.id });
    expect(again).toEqual({ runId, imageId: train.id, model: 'cnniqa', score: stored.score, source: 'stored', scale: stored.scale, crops: stored.crops });
    expect(again.score).toBeCloseTo(s.score, 10);
  });

  it('refuses a run without a checkpoint, and unknown runs and images', async () => {
    const bare = rt.ctx.store.runs.create({ name: 'no checkpoint', model: 'cnniqa', datasetId, splitId: null, config: {} });
    const image = (await call<ImagePage>('images:list', { datasetId, limit: 1 })).items[0]!;
    await expect(call('runs:scoreImage', { id: bare, imageId: image.id })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/no checkpoint/) });
    await expect(call('runs:scoreImage', { id: 9999, imageId: image.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('runs:scoreImage', { id: runId, imageId: 99999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('runs:scoreImage', { id: runId })).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('images:neighbours', () => {
  it("steps through the dataset's readable images in the grid's name order", async () => {
    const items = (await call<ImagePage>('images:list', { datasetId, limit: 100, sort: 'name' })).items;
    expect(items.length).toBe(24);
    const first = await call<ImageNeighbours>('images:neighbours', { imageId: items[0]!.id });
    expect(first).toEqual({ imageId: items[0]!.id, datasetId, prev: null, next: items[1]!.id, index: 1, total: 24 });
    const mid = await call<ImageNeighbours>('images:neighbours', { imageId: items[10]!.id });
    expect(mid).toMatchObject({ prev: items[9]!.id, next: items[11]!.id, index: 11, total: 24 });
    const last = await call<ImageNeighbours>('images:neighbours', { imageId: items[23]!.id });
    expect(last).toMatchObject({ prev: items[22]!.id, next: null, index: 24 });

    // An unreadable image is stepped over, and has no place of its own.
    databaseOf(rt.ctx.store).prepare("UPDATE images SET error = 'corrupt' WHERE id = ?").run(items[11]!.id);
    try {
      expect(await call<ImageNeighbours>('images:neighbours', { imageId: items[10]!.id })).toMatchObject({ next: items[12]!.id, index: 11, total: 23 });
      expect(await call<ImageNeighbours>('images:neighbours', { imageId: items[12]!.id })).toMatchObject({ prev: items[10]!.id, index: 12, total: 23 });
      expect(await call<ImageNeighbours>('images:neighbours', { imageId: items[11]!.id })).toMatchObject({ prev: items[10]!.id, next: items[12]!.id, index: 0 });
    } finally {
      databaseOf(rt.ctx.store).prepare('UPDATE images SET error = NULL WHERE id = ?').run(items[11]!.id);
    }
    await expect(call('images:neighbours', { imageId: 99999 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

// Scoring a dataset through the dispatcher: a tiny trained CNNIQA run scores every image in a job (in a worker thread); sort and filter by score; cancel; per-file errors.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImageItem, ImagePage, ImageScore, JobInfo, RunDetail, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { loadScorer, shippedCheckpoint } from '../../../src-main/iqa/score/scorer';
import { scoreTuning, type ScoreJobResult } from '../../../src-main/services/scores.service';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

// Counts the scorers loaded on this (the main) thread: a scoring job must load its model in its worker only.
const mainThread = vi.hoisted(() => ({ loads: 0 }));
vi.mock('../../../src-main/iqa/score/scorer', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../../src-main/iqa/score/scorer')>();
  return {
    ...mod,
    loadScorer: (...args: Parameters<typeof mod.loadScorer>) => {
      mainThread.loads++;
      return mod.loadScorer(...args);
    },
  };
});

let rt: Runtime;
let datasetId: number;
let run: RunDetail;
const TOTAL = 24;
const TINY = { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null };

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

/** Every jobs:progress event of one job until it ends; `onEvent` sees each as it is emitted. */
function jobEvents(jobId: string, onEvent?: (j: JobInfo) => void): Promise<JobInfo[]> {
  const seen: JobInfo[] = [];
  return new Promise((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event !== 'jobs:progress' || j.jobId !== jobId) return;
      seen.push(j);
      onEvent?.(j);
      if (j.state !== 'running') {
        off();
        resolve(seen);
      }
    });
  });
}

/** Starts a scoring job and waits for its end, with every progress event. */
async function score(input: Record<string, unknown>, onEvent?: (j: JobInfo) => void): Promise<{ end: JobInfo; events: JobInfo[] }> {
  const job = await call<JobInfo>('scores:start', { datasetId, ...input });
  expect(job.kind).toBe('score');
  const events = await jobEvents(job.jobId, onEvent);
  return { end: events[events.length - 1]!, events };
}

const list = (q: Record<string, unknown>) => call<ImagePage>('images:list', { datasetId, limit: 1000, ...q });
const scoreRows = (source: string) =>
  (databaseOf(rt.ctx.store).prepare('SELECT count(*) AS n FROM image_scores s JOIN images i ON i.id = s.image_id WHERE i.dataset_id = ? AND s.source = ?').get(datasetId, source) as { n: number }).n;

beforeAll(async () => {
  const dir = tempDir('iqa-blur-');
  await writeBlurDataset(dir);
  rt = await openRuntime({ dataDir: tempDir('iqa-scores-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: dir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const imported = await jobEvents(job.jobId);
  expect(imported[imported.length - 1]!.state).toBe('done');
  datasetId = (imported[imported.length - 1]!.result as { datasetId: number }).datasetId;

  const started = await call<RunSummary>('runs:start', { model: 'cnniqa', datasetId, modelConfig: TINY, hyper: { epochs: 2, batchImages: 4, seed: 5 } });
  const end = await new Promise<RunProgress>((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const p = payload as RunProgress;
      if (event === 'runs:progress' && p.runId === started.id && p.status !== 'running') {
        off();
        resolve(p);
      }
    });
  });
  expect(end.status, end.error).toBe('completed');
  run = await call<RunDetail>('runs:get', { id: started.id });
  expect(run.checkpointPath).toBeTruthy();
}, 180_000);
afterAll(() => rt?.close());

describe('scores', () => {
  it('refuses a request without usable weights before starting a job', async () => {
    await expect(call('scores:start', { datasetId })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/Choose what to score with/) });
    await expect(call('scores:start', { datasetId, model: 'nope' })).rejects.toThrow(/Unknown model/);
    await expect(call('scores:start', { datasetId, runId: 9999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('scores:start', { datasetId: 9999, runId: run.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('scores:start', { datasetId, runId: run.id, model: 'hyperiqa' })).rejects.toMatchObject({ code: 'validation' });
    await expect(call('scores:start', { datasetId, checkpoint: '/no/such/checkpoint' })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/Not a checkpoint folder/) });
    if (!shippedCheckpoint('cnniqa')) {
      await expect(call('scores:start', { datasetId, model: 'cnniqa' })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/No trained weights ship for "cnniqa"/) });
    }
    expect(rt.ctx.jobs.list().filter((j) => j.kind === 'score')).toEqual([]);
  });

  it('scores every image with a run’s checkpoint, with progress and a datasets:changed at the end', async () => {
    const changed: number[] = [];
    const off = rt.services.events.subscribe((event, payload) => {
      if (event === 'datasets:changed') changed.push((payload as { datasetId: number }).datasetId);
    });
    const { end, events } = await score({ runId: run.id });
    off();
    expect(end.state, end.error?.message).toBe('done');
    const result = end.result as ScoreJobResult;
    expect(result).toMatchObject({ datasetId, model: 'cnniqa', source: run.checkpointPath, scale: 'mos 1-5 higher', total: TOTAL, scored: TOTAL, failed: 0, skipped: 0, errors: [] });
    // The worker ran the model on ONNX Runtime (the graph built from the checkpoint and cached beside it).
    expect(result.engine).toMatch(/^onnxruntime 1\.\d+\.\d+ · cpu · \d+ threads · batch \d+$/);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.total === null || e.total === TOTAL)).toBe(true);
    const done = events.map((e) => e.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(end.done).toBe(TOTAL);
    expect(changed).toContain(datasetId);

    const page = await list({});
    expect(page.items).toHaveLength(TOTAL);
    expect(page.items.every((i) => typeof i.score === 'number' && Number.isFinite(i.score))).toBe(true);
    const first = page.items[0]!;
    const scores = await call<ImageScore[]>('scores:list', { imageId: first.id });
    expect(scores).toEqual([
      { model: 'cnniqa', source: run.checkpointPath, runId: run.id, score: first.score, scale: 'mos 1-5 higher', crops: 4, scoredAt: expect.any(String) },
    ]);
    expect((await call<ImageItem>('images:get', { id: first.id })).score).toBe(first.score);
    await expect(call('scores:list', { imageId: 99999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('answers requests while a job scores in its worker, with the scores the synchronous path gives', async () => {
    // Many crops per image make the tiny model's job long enough to ask during it; another folder is another source.
    const copy = join(tempDir('iqa-ckpt-'), 'epoch-grid');
    cpSync(run.checkpointPath!, copy, { recursive: true });
    const CROPS = 40;
    const loadsBefore = mainThread.loads;
    // On ONNX Runtime the tiny model scores all 24 images before the first batch of results arrives: a pause after
    // each image keeps the job running while the requests are made.
    scoreTuning.pauseMs = 50;
    const job = await call<JobInfo>('scores:start', { datasetId, checkpoint: copy, crops: CROPS });
    const ended = jobEvents(job.jobId);
    const running = () => rt.ctx.jobs.get(job.jobId)!.state === 'running';
    // Wait for the first results, so the model is loaded and running while the requests are made.
    while (running() && rt.ctx.jobs.get(job.jobId)!.done === 0) await nextTurn();
    const answered: { channel: string; jobRunning: boolean; done: number }[] = [];
    for (let i = 0; i < 10; i++) {
      // Each request in its own turn of the event loop, as HTTP requests arrive.
      await nextTurn();
      await call('app:info', {});
      answered.push({ channel: 'app:info', jobRunning: running(), done: rt.ctx.jobs.get(job.jobId)!.done });
      await nextTurn();
      expect((await list({ limit: 50 })).total).toBe(TOTAL);
      answered.push({ channel: 'images:list', jobRunning: running(), done: rt.ctx.jobs.get(job.jobId)!.done });
    }
    const events = await ended;
    scoreTuning.pauseMs = 0;
    const end = events[events.length - 1]!;
    expect(end.state, end.error?.message).toBe('done');
    expect(end.result).toMatchObject({ total: TOTAL, scored: TOTAL, failed: 0, source: copy });
    // Every request was answered before the job ended (the job was still running when each one came back).
    expect(answered).toHaveLength(20);
    expect(answered.filter((a) => !a.jobRunning)).toEqual([]);
    expect(answered.every((a) => a.done < TOTAL)).toBe(true);
    // The model never ran on this thread: the job loaded no scorer here.
    expect(mainThread.loads).toBe(loadsBefore);

    // The synchronous path (the scorer on this thread, as scores:start ran before): the same scores.
    const stored = new Map(
      (databaseOf(rt.ctx.store).prepare('SELECT s.image_id AS id, s.score, s.crops FROM image_scores s JOIN images i ON i.id = s.image_id WHERE i.dataset_id = ? AND s.source = ?').all(datasetId, copy) as { id: number; score: number; crops: number }[]).map((r) => [r.id, r]),
    );
    expect(stored.size).toBe(TOTAL);
    const scorer = await loadScorer({ checkpoint: copy });
    try {
      for (const img of (await list({})).items) {
        const direct = await scorer.scoreFile(img.path, { kind: 'grid', count: CROPS });
        expect(stored.get(img.id)!.crops).toBe(direct.crops);
        expect(Math.abs(stored.get(img.id)!.score - direct.score), img.name).toBeLessThan(1e-6);
      }
    } finally {
      scorer.dispose();
    }
  });

  it('sorts by score and filters by a score range', async () => {
    const desc = (await list({ sort: 'score', descending: true })).items.map((i) => i.score!);
    expect(desc).toHaveLength(TOTAL);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const asc = (await list({ sort: 'score' })).items.map((i) => i.score!);
    expect(asc).toEqual([...desc].reverse());

    const mid = desc[Math.floor(TOTAL / 2)]!;
    const above = await list({ scoreMin: mid });
    expect(above.total).toBe(desc.filter((s) => s >= mid).length);
    expect(above.items.every((i) => i.score! >= mid)).toBe(true);
    const below = await list({ scoreMax: mid, sort: 'score' });
    expect(below.items.every((i) => i.score! <= mid)).toBe(true);
    expect(below.total).toBe(desc.filter((s) => s <= mid).length);
    expect((await list({ scoreMin: desc[0]! + 1 })).total).toBe(0);

    const facets = await call<{ scoreRange: [number, number] | null }>('datasets:facets', { datasetId });
    expect(facets.scoreRange).toEqual([desc[desc.length - 1], desc[0]]);
  });

  it('cancels a job part way and keeps the images it had scored', async () => {
    // The same weights in another folder are another source, so its rows can be counted apart.
    const copy = join(tempDir('iqa-ckpt-'), 'epoch-copy');
    cpSync(run.checkpointPath!, copy, { recursive: true });
    let doneAtCancel = -1;
    // Scoring the tiny model can finish inside one progress interval: a pause after each image in the worker lets it cancel part way.
    scoreTuning.pauseMs = 40;
    const { end } = await score({ checkpoint: copy }, (j) => {
      if (doneAtCancel < 0 && j.state === 'running' && j.done >= 1) {
        doneAtCancel = j.done;
        expect(rt.ctx.jobs.cancel(j.jobId)).toBe(true);
      }
    });
    scoreTuning.pauseMs = 0;
    expect(end.state).toBe('cancelled');
    expect(end.error?.code).toBe('cancelled');
    expect(doneAtCancel).toBeGreaterThan(0);
    expect(doneAtCancel).toBeLessThan(TOTAL);
    expect(scoreRows(copy)).toBe(doneAtCancel);
    expect(end.error?.details).toMatchObject({ scored: doneAtCancel, total: TOTAL });
    // The run's own scores are untouched.
    expect(scoreRows(run.checkpointPath!)).toBe(TOTAL);
  });

  it('writes the first scores within about a second while the job runs, long before a batch of 50 fills', async () => {
    const copy = join(tempDir('iqa-ckpt-'), 'epoch-early');
    cpSync(run.checkpointPath!, copy, { recursive: true });
    let rowsWhileRunning = 0;
    scoreTuning.pauseMs = 150;
    try {
      const { end } = await score({ checkpoint: copy }, (j) => {
        // Only while images remain: the last progress event comes after the last write, with every row in.
        if (j.state === 'running' && j.done >= 12 && j.done < TOTAL) rowsWhileRunning = Math.max(rowsWhileRunning, scoreRows(copy));
      });
      expect(end.state).toBe('done');
    } finally {
      scoreTuning.pauseMs = 0;
    }
    expect(rowsWhileRunning).toBeGreaterThan(0);
    expect(rowsWhileRunning).toBeLessThan(TOTAL);
    expect(scoreRows(copy)).toBe(TOTAL);
  });

  it('names the run\'s model in the result of a job cancelled before the weights loaded', async () => {
    let cancelled = false;
    const { end } = await score({ runId: run.id }, (j) => {
      if (!cancelled) cancelled = rt.ctx.jobs.cancel(j.jobId);
    });
    expect(cancelled).toBe(true);
    expect(end.state).toBe('cancelled');
    expect(end.error?.details).toMatchObject({ model: run.model, scored: 0 });
  });

  it('records a corrupt image as a per-file error and scores the rest', async () => {
    const victim = (await list({ sort: 'name' })).items[3]!;
    writeFileSync(victim.path, 'this is not a PNG');
    const before = new Map((await list({})).items.map((i) => [i.id, i.score]));
    const { end } = await score({ runId: run.id, crops: 2 });
    expect(end.state, end.error?.message).toBe('done');
    const result = end.result as ScoreJobResult;
    expect(result).toMatchObject({ total: TOTAL, scored: TOTAL - 1, failed: 1 });
    expect(result.errors).toEqual([{ imageId: victim.id, name: victim.name, error: expect.any(String) }]);
    // The corrupt image keeps its earlier score; the others were rescored with 2 crops.
    const victimScores = await call<ImageScore[]>('scores:list', { imageId: victim.id });
    expect(victimScores.find((s) => s.source === run.checkpointPath)?.crops).toBe(4);
    const other = (await list({})).items.find((i) => i.id !== victim.id)!;
    const otherScores = await call<ImageScore[]>('scores:list', { imageId: other.id });
    expect(otherScores[0]).toMatchObject({ source: run.checkpointPath, crops: 2 });
    expect(before.size).toBe(TOTAL);
  });
});

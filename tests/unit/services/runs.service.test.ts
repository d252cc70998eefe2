// Training runs through the dispatcher: a tiny CNNIQA run in a worker, progress events, metrics in SQLite, cancel, resume.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunPrediction, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
const progress: RunProgress[] = [];

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

function waitForRun(runId: number, until: (p: RunProgress) => boolean): Promise<RunProgress> {
  return new Promise((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const p = payload as RunProgress;
      if (event === 'runs:progress' && p.runId === runId && until(p)) {
        off?.();
        resolve(p);
      }
    });
  });
}

const TINY = { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null };

beforeAll(async () => {
  const dir = tempDir('iqa-blur-');
  await writeBlurDataset(dir);
  rt = await openRuntime({ dataDir: tempDir('iqa-runs-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  rt.services.events.subscribe((event, payload) => {
    if (event === 'runs:progress') progress.push(payload as RunProgress);
  });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: dir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const end = await new Promise<JobInfo>((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === job.jobId && j.state !== 'running') resolve(j);
    });
  });
  expect(end.state).toBe('done');
  datasetId = (end.result as { datasetId: number }).datasetId;
}, 60_000);
afterAll(() => rt?.close());

describe('runs', () => {
  it('lists the registered models with their default configs', async () => {
    const models = await call<{ id: string; defaults: Record<string, unknown>; hyper: Record<string, unknown> }[]>('models:list', {});
    expect(models.map((m) => m.id)).toContain('cnniqa');
    expect(models.find((m) => m.id === 'cnniqa')!.defaults.patch).toBe(32);
    // HyperIQA trains with the paper's schedule by default [Su et al. 2020, §3.5].
    expect(models.find((m) => m.id === 'hyperiqa')!.hyper).toMatchObject({ epochs: 15, lr: 2e-5, weightDecay: 5e-4, lrDecay: { every: 5, factor: 0.1 } });
  });

  it('refuses a bad model config with the field named, and stores nothing', async () => {
    const before = (await call<RunSummary[]>('runs:list', {})).length;
    await expect(call('runs:start', { model: 'cnniqa', datasetId, modelConfig: { kernels: -3 } })).rejects.toThrow(/kernels/);
    await expect(call('runs:start', { model: 'nope', datasetId })).rejects.toThrow(/Unknown model/);
    expect((await call<RunSummary[]>('runs:list', {})).length).toBe(before);
  });

  it('trains a tiny CNNIQA in a worker: progress with loss and ETA, per-epoch metrics and predictions in the database', async () => {
    const run = await call<RunSummary>('runs:start', { model: 'cnniqa', datasetId, modelConfig: TINY, hyper: { epochs: 3, batchImages: 4, seed: 7 } });
    expect(run.status).toBe('running');
    const end = await waitForRun(run.id, (p) => p.status !== 'running');
    expect(end.status, end.error).toBe('completed');
    const steps = progress.filter((p) => p.runId === run.id && p.loss !== undefined);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((p) => Number.isFinite(p.loss) && Number.isFinite(p.etaSeconds))).toBe(true);
    const detail = await call<RunDetail>('runs:get', { id: run.id });
    expect(detail.status).toBe('completed');
    expect(detail.config).toMatchObject({ model: 'cnniqa', hyper: { epochs: 3, seed: 7 }, scoreRange: [1, 5] });
    const epochsWithSrcc = new Set(detail.metrics.filter((m) => m.name === 'srcc').map((m) => m.epoch));
    expect([...epochsWithSrcc].sort()).toEqual([1, 2, 3]);
    for (const name of ['train_loss', 'srcc', 'krcc', 'plcc', 'plcc_fitted', 'rmse']) {
      expect(detail.metrics.some((m) => m.name === name && Number.isFinite(m.value)), name).toBe(true);
    }
    const predictions = await call<RunPrediction[]>('runs:predictions', { id: run.id });
    expect(predictions.length).toBe(4); // the test side of the 80/20 content split: 1 photo of 6, at 4 levels
    expect(predictions.every((p) => Number.isFinite(p.score) && p.label !== null && p.reference !== null)).toBe(true);
    expect(new Set(predictions.map((p) => p.reference)).size).toBe(1);
    expect(detail.checkpointPath && existsSync(detail.checkpointPath)).toBeTruthy();
  }, 120_000);

  it('starts a new run from another run\'s weights, and refuses a checkpoint of another model', async () => {
    const source = (await call<RunSummary[]>('runs:list', {})).find((r) => r.status === 'completed')!;
    const run = await call<RunSummary>('runs:start', { model: 'cnniqa', datasetId, modelConfig: TINY, hyper: { epochs: 1, batchImages: 4, seed: 7 }, initFromRun: source.id });
    const end = await waitForRun(run.id, (p) => p.status !== 'running');
    expect(end.status, end.error).toBe('completed');
    const detail = await call<RunDetail>('runs:get', { id: run.id });
    expect(detail.config).toMatchObject({ initFrom: { runId: source.id } });
    await expect(call('runs:start', { model: 'hyperiqa', datasetId, modelConfig: { backbone: 'small' }, initFromRun: source.id })).rejects.toThrow(/trained cnniqa, not hyperiqa/);
    await expect(call('runs:start', { model: 'hyperiqa', datasetId, modelConfig: { backbone: 'small', backboneWeights: 'relative.safetensors' } })).rejects.toThrow(/absolute path/);
  }, 120_000);

  it('cancels a run at once, then resumes it from its last checkpoint to completion', async () => {
    const run = await call<RunSummary>('runs:start', { model: 'cnniqa', datasetId, modelConfig: TINY, hyper: { epochs: 4, batchImages: 4, seed: 3 } });
    await waitForRun(run.id, (p) => p.epoch === 1 && p.metrics !== undefined);
    expect(await call('runs:cancel', { id: run.id })).toEqual({ cancelled: true });
    const cancelled = await waitForRun(run.id, (p) => p.status !== 'running');
    expect(cancelled.status).toBe('cancelled');
    const mid = await call<RunDetail>('runs:get', { id: run.id });
    expect(mid.checkpointPath).toMatch(/epoch-0*[1-4]$/);
    const doneEpoch = Number(/epoch-(\d+)$/.exec(mid.checkpointPath!)![1]);
    expect(doneEpoch).toBeLessThan(4);

    const resumed = await call<RunSummary>('runs:resume', { id: run.id });
    expect(resumed.status).toBe('running');
    await expect(call('runs:resume', { id: run.id })).rejects.toThrow(/already running/);
    const end = await waitForRun(run.id, (p) => p.status !== 'running');
    expect(end.status, end.error).toBe('completed');
    const detail = await call<RunDetail>('runs:get', { id: run.id });
    const srccEpochs = detail.metrics.filter((m) => m.name === 'srcc').map((m) => m.epoch);
    expect(srccEpochs).toEqual([1, 2, 3, 4]);
    await expect(call('runs:resume', { id: run.id })).rejects.toThrow(/completed/);
  }, 180_000);
});

// runs:startSeries: one config on N content-disjoint splits, one real tiny CNNIQA run after another, stopped by a cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunProgress, RunSummary, SplitSummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
const TINY = { kernels: 8, hidden: 32, trainCrops: 4, testCrops: 2, resize: null };

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

/** Progress events of every run, in order. */
const events: RunProgress[] = [];

function runEnd(id: number): Promise<RunProgress> {
  const done = events.find((e) => e.runId === id && e.status !== 'running');
  if (done) return Promise.resolve(done);
  return new Promise((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const p = payload as RunProgress;
      if (event === 'runs:progress' && p.runId === id && p.status !== 'running') {
        off?.();
        resolve(p);
      }
    });
  });
}

async function until<T>(what: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

beforeAll(async () => {
  const dir = tempDir('iqa-series-blur-');
  await writeBlurDataset(dir);
  rt = await openRuntime({ dataDir: tempDir('iqa-series-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  rt.services.events.subscribe((event, payload) => {
    if (event === 'runs:progress') events.push(payload as RunProgress);
  });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: dir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const end = await until(async () => (await call<JobInfo[]>('jobs:list', {})).find((j) => j.jobId === job.jobId && j.state !== 'running'));
  expect(end.state, end.error?.message).toBe('done');
  datasetId = (end.result as { datasetId: number }).datasetId;
}, 120_000);
afterAll(() => rt?.close());

describe('runs:startSeries', () => {
  it('makes the missing splits and trains one run per split, each after the previous completed', async () => {
    const series = await call<{ first: RunSummary; splits: string[] }>('runs:startSeries', {
      model: 'cnniqa', datasetId, name: 'lr 1e-3', modelConfig: TINY, hyper: { epochs: 1, batchImages: 4, seed: 3 }, splits: 3,
    });
    expect(series.splits).toHaveLength(3);
    const made = (await call<SplitSummary[]>('splits:list', { datasetId })).filter((s) => s.protocol === 'content-disjoint');
    expect(made.map((s) => s.name)).toEqual(expect.arrayContaining(series.splits));
    expect(series.first.name).toBe(`lr 1e-3 [${series.splits[0]}]`);

    const runs = await until(async () => {
      const list = (await call<RunSummary[]>('runs:list', {})).filter((r) => r.name.startsWith('lr 1e-3 ['));
      return list.length === 3 && list.every((r) => r.status === 'completed') ? list : undefined;
    }, 180_000);
    const details = await Promise.all(runs.map((r) => call<RunDetail>('runs:get', { id: r.id })));
    expect(details.map((d) => d.config.split).sort()).toEqual([...series.splits].sort());
    // One after another: a run starts only after the previous one's final event.
    const ids = runs.map((r) => r.id).sort((a, b) => a - b);
    for (let k = 1; k < ids.length; k++) {
      const endOfPrevious = events.findIndex((e) => e.runId === ids[k - 1] && e.status === 'completed');
      const startOfNext = events.findIndex((e) => e.runId === ids[k]);
      expect(endOfPrevious).toBeGreaterThanOrEqual(0);
      expect(startOfNext).toBeGreaterThan(endOfPrevious);
    }
  }, 240_000);

  it('stops when a run of the series is cancelled, and reuses existing splits', async () => {
    const before = (await call<SplitSummary[]>('splits:list', { datasetId })).length;
    const series = await call<{ first: RunSummary; splits: string[] }>('runs:startSeries', {
      model: 'cnniqa', datasetId, name: 'cancelled', modelConfig: TINY, hyper: { epochs: 3, batchImages: 4, seed: 3 }, splits: 2,
    });
    expect((await call<SplitSummary[]>('splits:list', { datasetId })).length).toBe(before);
    await call('runs:cancel', { id: series.first.id });
    expect((await runEnd(series.first.id)).status).toBe('cancelled');
    await new Promise((ok) => setTimeout(ok, 1500));
    expect((await call<RunSummary[]>('runs:list', {})).filter((r) => r.name.startsWith('cancelled ['))).toHaveLength(1);
  }, 120_000);

  it('refuses fewer than two splits with a validation error', async () => {
    const res = await rt.invoke('runs:startSeries' as never, { model: 'cnniqa', datasetId, splits: 1 } as never);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error.code).toBe('validation');
  });
});

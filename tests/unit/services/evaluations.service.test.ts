// runs:evaluate on a real tiny CNNIQA run: own dataset (its test part), a copy (all images) and a DMOS copy (direction flipped), stored and listed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunEvaluation, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
const TINY = { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null };
const ids: Record<'mos' | 'copy' | 'dmos', number> = { mos: 0, copy: 0, dmos: 0 };
let run: RunDetail;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

function jobEnd(jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === jobId && j.state !== 'running') {
        off?.();
        resolve(j);
      }
    });
  });
}

async function importCsv(dir: string, name: string, file: string, extra: Record<string, unknown> = {}): Promise<number> {
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: dir, name, file, scoreRange: [1, 5], ...extra });
  const end = await jobEnd(job.jobId);
  expect(end.state, end.error?.message).toBe('done');
  return (end.result as { datasetId: number }).datasetId;
}

beforeAll(async () => {
  const dir = tempDir('iqa-blur-');
  await writeBlurDataset(dir);
  // The same images labelled as DMOS (1 = best): what a model trained on MOS must be flipped for.
  const [head, ...lines] = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'dmos.csv'), `${head}\n${lines.map((l) => { const [p, s, r] = l.split(','); return `${p},${6 - Number(s)},${r}`; }).join('\n')}\n`);
  rt = await openRuntime({ dataDir: tempDir('iqa-eval-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  ids.mos = await importCsv(dir, 'blur', 'labels.csv');
  ids.copy = await importCsv(dir, 'blur copy', 'labels.csv');
  ids.dmos = await importCsv(dir, 'blur dmos', 'dmos.csv', { higherIsBetter: false, labelKind: 'dmos' });
  const started = await call<RunSummary>('runs:start', { model: 'cnniqa', datasetId: ids.mos, modelConfig: TINY, hyper: { epochs: 1, batchImages: 4, seed: 7 } });
  const end = await new Promise<RunProgress>((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const p = payload as RunProgress;
      if (event === 'runs:progress' && p.runId === started.id && p.status !== 'running') resolve(p);
    });
  });
  expect(end.status, end.error).toBe('completed');
  run = await call<RunDetail>('runs:get', { id: started.id });
}, 180_000);
afterAll(() => rt?.close());

async function evaluateOn(datasetId: number): Promise<RunEvaluation> {
  const job = await call<JobInfo>('runs:evaluate', { id: run.id, datasetId });
  expect(job.kind).toBe('evaluate');
  const end = await jobEnd(job.jobId);
  expect(end.state, end.error?.message).toBe('done');
  return end.result as RunEvaluation;
}

describe('runs:evaluate', () => {
  it('on the run\'s own dataset scores its split\'s test part, like the last epoch', async () => {
    const e = await evaluateOn(ids.mos);
    expect(e).toMatchObject({ runId: run.id, datasetId: ids.mos, part: 'test', split: run.config.split, n: 4, flippedDirection: false, checkpointPath: run.checkpointPath });
    const lastSrcc = run.metrics.find((m) => m.name === 'srcc' && m.epoch === 1)!.value;
    expect(e.srcc).toBeCloseTo(lastSrcc, 6);
  }, 120_000);

  it('on another dataset scores every labelled image; a DMOS dataset is compared with the direction flipped', async () => {
    const copy = await evaluateOn(ids.copy);
    expect(copy).toMatchObject({ part: 'all', split: null, n: 24, flippedDirection: false });
    expect(copy.srcc).toBeGreaterThan(0);
    const dmos = await evaluateOn(ids.dmos);
    expect(dmos).toMatchObject({ part: 'all', n: 24, flippedDirection: true });
    expect(dmos.srcc).toBeCloseTo(copy.srcc!, 12);
    expect(dmos.plcc).toBeCloseTo(copy.plcc!, 12);

    // Stored: listed newest first, one per run, dataset and part (a re-run replaces it).
    await evaluateOn(ids.copy);
    const all = await call<RunEvaluation[]>('runs:evaluations', {});
    expect(all.map((x) => x.datasetId).sort()).toEqual([ids.mos, ids.copy, ids.dmos].sort());
    expect(all[0]!.datasetId).toBe(ids.copy);
    expect((await call<RunEvaluation[]>('runs:evaluations', { runId: run.id })).length).toBe(3);
  }, 180_000);

  it('refuses an unknown run or dataset before starting a job', async () => {
    await expect(call('runs:evaluate', { id: 9999, datasetId: ids.mos })).rejects.toThrow(/run/i);
    await expect(call('runs:evaluate', { id: run.id, datasetId: 9999 })).rejects.toThrow(/dataset/i);
  });
});

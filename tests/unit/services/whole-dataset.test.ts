// Whole-dataset training (the cross-dataset protocol): a tiny CNNIQA trains on every image of one dataset and tests on every image of another, on that dataset's own score scale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunPrediction, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { rmse, srcc } from '../../../src-shared/metrics/correlation';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let trainId: number;
let testId: number;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

async function importCsv(root: string, name: string, scoreRange: [number, number]): Promise<number> {
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root, name, file: 'labels.csv', scoreRange });
  const end = await new Promise<JobInfo>((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === job.jobId && j.state !== 'running') resolve(j);
    });
  });
  expect(end.state, end.error?.message).toBe('done');
  return (end.result as { datasetId: number }).datasetId;
}

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-whole-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  const a = tempDir('iqa-whole-a-');
  await writeBlurDataset(a);
  trainId = await importCsv(a, 'blur 1-5', [1, 5]);
  // The test dataset scores the same photos on 0..100 (×20): predictions must come back on its scale, not on 1..5.
  const b = tempDir('iqa-whole-b-');
  await writeBlurDataset(b);
  const [head, ...rows] = readFileSync(join(b, 'labels.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(b, 'labels.csv'), `${head}\n${rows.map((r) => r.replace(/,(\d),/, (_, s: string) => `,${Number(s) * 20},`)).join('\n')}\n`);
  testId = await importCsv(b, 'blur 0-100', [0, 100]);
}, 60_000);
afterAll(() => rt?.close());

describe('whole-dataset training', () => {
  it('trains on every image of A and tests on every image of B, with metrics and predictions on B’s scale', async () => {
    const run = await call<RunSummary>('runs:start', {
      model: 'cnniqa',
      datasetId: trainId,
      testDatasetId: testId,
      modelConfig: { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null },
      hyper: { epochs: 1, batchImages: 8, seed: 3 },
    });
    const end = await new Promise<RunProgress>((resolve) => {
      rt.services.events.subscribe((event, payload) => {
        const p = payload as RunProgress;
        if (event === 'runs:progress' && p.runId === run.id && p.status !== 'running') resolve(p);
      });
    });
    expect(end.status, end.error).toBe('completed');
    const detail = await call<RunDetail>('runs:get', { id: run.id });
    expect(detail.config).toMatchObject({ split: 'whole_train', testDatasetId: testId, testScoreRange: [0, 100], scoreRange: [1, 5] });
    const whole = (await call<{ name: string; counts: { train: number; test: number } }[]>('splits:list', { datasetId: trainId })).find((s) => s.name === 'whole_train');
    expect(whole?.counts).toEqual({ train: 24, val: 0, test: 0 });

    const predictions = await call<RunPrediction[]>('runs:predictions', { id: run.id });
    expect(predictions).toHaveLength(24);
    const labels = predictions.map((p) => p.label!);
    expect(Math.max(...labels)).toBe(100); // B's own images and labels
    expect(new Set(predictions.map((p) => p.imageId)).size).toBe(24);
    const metric = (name: string) => detail.metrics.find((m) => m.epoch === 1 && m.name === name)!.value;
    expect(metric('srcc')).toBeCloseTo(srcc(predictions.map((p) => p.score), labels), 12);
    expect(metric('rmse')).toBeCloseTo(rmse(predictions.map((p) => p.score), labels), 9);
    // Predictions of a 0..1 model mapped onto B's 0..100, so the RMSE is within B's range, not 20 times off.
    expect(metric('rmse')).toBeLessThan(100);
  }, 180_000);

  it('refuses a test dataset equal to the training one, or one given with a split', async () => {
    await expect(call('runs:start', { model: 'cnniqa', datasetId: trainId, testDatasetId: trainId })).rejects.toMatchObject({ code: 'validation' });
    await expect(call('runs:start', { model: 'cnniqa', datasetId: trainId, testDatasetId: testId, split: 'whole_train' })).rejects.toThrow(/split or a test dataset/);
    await expect(call('runs:startSeries', { model: 'cnniqa', datasetId: trainId, testDatasetId: testId, splits: 2 })).rejects.toMatchObject({ code: 'validation' });
  });
});

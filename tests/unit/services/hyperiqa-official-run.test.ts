// HyperIQA's official-code mode through the run service: crop-level batches, raw labels end to end (training targets,
// stored predictions, checkpoint, scorer), a fresh Adam per epoch.
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunPrediction, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { loadScorer } from '../../../src-main/iqa/score/scorer';
import { readCheckpointMeta } from '../../../src-main/iqa/train/checkpoint';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
let images: number;
let dir: string;
const progress: RunProgress[] = [];

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

beforeAll(async () => {
  dir = tempDir('iqa-blur-official-');
  images = await writeBlurDataset(dir, 256, 240);
  rt = await openRuntime({ dataDir: tempDir('iqa-official-run-'), shell: 'cli', backend: 'cpu', seedDemo: false });
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
  datasetId = (end.result as { datasetId: number }).datasetId;
}, 60_000);
afterAll(() => rt?.close());

describe('HyperIQA official-code mode', () => {
  it('trains on crop-level batches of raw labels; predictions, checkpoint and scorer stay in the label scale', async () => {
    const modelConfig = { backbone: 'small', mode: 'official-code', trainCrops: 3, testCrops: 1, batchCrops: 8, officialHyperNet: 'as-intended' };
    const run = await call<RunSummary>('runs:start', { model: 'hyperiqa', datasetId, modelConfig, hyper: { epochs: 2, seed: 3 } });
    const end = await new Promise<RunProgress>((resolve) => {
      rt.services.events.subscribe((event, payload) => {
        const p = payload as RunProgress;
        if (event === 'runs:progress' && p.runId === run.id && p.status !== 'running') resolve(p);
      });
    });
    expect(end.status, end.error).toBe('completed');
    const predictions = await call<RunPrediction[]>('runs:predictions', { id: run.id });
    const train = images - predictions.length;
    // Every training image 3 times, shuffled together, 8 crops a step (not 4 images x 3 crops).
    const steps = progress.filter((p) => p.runId === run.id && p.stepsPerEpoch !== undefined);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((p) => p.stepsPerEpoch === Math.ceil((train * 3) / 8))).toBe(true);

    const detail = await call<RunDetail>('runs:get', { id: run.id });
    const meta = (await readCheckpointMeta(detail.checkpointPath!)).meta;
    expect(meta.labels).toEqual({ range: [1, 5], higherIsBetter: true, kind: 'mos', raw: true });
    // The stored predictions are the network's output as it is: the scorer, reading the checkpoint, gives the same.
    const scorer = await loadScorer({ checkpoint: detail.checkpointPath! });
    try {
      for (const p of predictions.slice(0, 3)) {
        const got = await scorer.scoreFile(join(dir, 'img', basename(p.name)), { kind: 'grid', count: 1 });
        expect(got.score).toBeCloseTo(p.score, 4);
      }
    } finally {
      scorer.dispose();
    }
    // An L1 loss on labels 2..5 against a random network's output near 0: far above anything possible on 0..1 labels.
    const loss1 = detail.metrics.find((m) => m.name === 'train_loss' && m.epoch === 1)!.value;
    expect(loss1).toBeGreaterThan(1);
  }, 600_000);
});

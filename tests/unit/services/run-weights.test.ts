// Runs record the weight files they started from (name, SHA-256, format), read .pth backbones, refuse unsafe ones,
// and say when an ImageNet-sized backbone trains from scratch.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { fromScratchWarnings } from '../../../src-shared/models/from-scratch';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'torch-checkpoints');
let rt: Runtime;
let datasetId: number;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

beforeAll(async () => {
  const dir = tempDir('iqa-blur224-');
  await writeBlurDataset(dir, 232, 232);
  rt = await openRuntime({ dataDir: tempDir('iqa-run-weights-'), shell: 'cli', backend: 'cpu', seedDemo: false });
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

describe('starting weights', () => {
  it('a HyperIQA run from a torchvision-format .pth backbone records its file name and SHA-256, and trains', async () => {
    const file = join(FIX, 'resnet10-w16.pth');
    const run = await call<RunSummary>('runs:start', {
      model: 'hyperiqa', datasetId, modelConfig: { backbone: 'small', backboneWeights: file, trainCrops: 1, testCrops: 1, flip: false }, hyper: { epochs: 1, batchImages: 8 },
    });
    const end = await new Promise<RunProgress>((resolve) => {
      rt.services.events.subscribe((event, payload) => {
        const p = payload as RunProgress;
        if (event === 'runs:progress' && p.runId === run.id && p.status !== 'running') resolve(p);
      });
    });
    expect(end.status, end.error).toBe('completed');
    const detail = await call<RunDetail>('runs:get', { id: run.id });
    expect(detail.config.startWeights).toEqual([
      { role: 'backboneWeights', fileName: 'resnet10-w16.pth', sha256: createHash('sha256').update(readFileSync(file)).digest('hex'), format: 'torch-zip' },
    ]);
    expect(detail.config.fromScratch).toEqual([]);
  }, 180_000);

  it('refuses an unsafe checkpoint before any run is created', async () => {
    const before = (await call<RunSummary[]>('runs:list', {})).length;
    await expect(
      call('runs:start', { model: 'hyperiqa', datasetId, modelConfig: { backbone: 'small', backboneWeights: join(FIX, 'evil.pth') } }),
    ).rejects.toThrow(/"posix\.system"/);
    expect((await call<RunSummary[]>('runs:list', {})).length).toBe(before);
  });

  it('names every ImageNet-sized backbone that would start from random weights', () => {
    expect(fromScratchWarnings('hyperiqa', { backbone: 'resnet50', backboneWeights: null })).toEqual([expect.stringMatching(/ResNet-50 backbone will train from scratch/)]);
    expect(fromScratchWarnings('hyperiqa', { backbone: 'resnet18', backboneWeights: '/w/resnet18.pth' })).toEqual([]);
    expect(fromScratchWarnings('hyperiqa', { backbone: 'small', backboneWeights: null })).toEqual([]);
    expect(fromScratchWarnings('sftnet', { scale: 'paper', backboneWeights: null })).toEqual([expect.stringMatching(/VGG-16 will train from scratch/)]);
    expect(fromScratchWarnings('sftnet', { scale: 'tiny', backboneWeights: null })).toEqual([]);
  });
});

// TTL-IQA's protocol around the chain: the mean of N splits with its t-interval (golden against scipy), the VGG-16
// weights fields checked before any run starts, and an SFTnet run whose length is given in iterations.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunDetail, RunProgress, RunSummary, TtlChainResult } from '../../../src-shared/api/schemas';
import { fromScratchWarnings } from '../../../src-shared/models/from-scratch';
import { formatTtlResult } from '../../../src-main/cli/ttl.command';
import { checkTorchvisionVgg16, torchvisionVgg16Shapes } from '../../../src-main/iqa/backbones/vgg16';
import type { SafeTensor } from '../../../src-main/iqa/weights/safetensors';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { splitMean } from '../../../src-main/services/ttl.service';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'torch-checkpoints');

describe('mean over splits', () => {
  it('gives the mean, sample SD and 95% Student-t interval as scipy.stats.t.interval does', () => {
    // /usr/bin/python3: x = [0.81, 0.74, 0.88, 0.79, 0.69]; t.interval(0.95, 4, loc=x.mean(), scale=x.std(ddof=1)/sqrt(5))
    const m = splitMean([0.81, 0.74, 0.88, null, 0.79, 0.69])!;
    expect(m.n).toBe(5);
    expect(m.mean).toBeCloseTo(0.782, 12);
    expect(m.sd).toBeCloseTo(0.07190271204899022, 12);
    expect(m.lo).toBeCloseTo(0.6927209910755567, 10);
    expect(m.hi).toBeCloseTo(0.8712790089244433, 10);
    // Two splits: t(0.975; 1) = 12.706, so the interval is wide: [-0.6706, 1.8706] as a difference, clipped to a
    // correlation's [-1, 1] by default.
    const two = splitMean([0.5, 0.7], [-2, 2])!;
    expect([two.lo, two.hi].map((v) => Number(v.toFixed(10)))).toEqual([-0.6706204736, 1.8706204736]);
    const clipped = splitMean([0.5, 0.7])!;
    expect(clipped.lo).toBeCloseTo(-0.6706204736, 9);
    expect(clipped.hi).toBe(1);
    expect(splitMean([0.5])).toBeNull();
    expect(splitMean([0.5, null, Number.NaN])).toBeNull();
  });

  it('prints every split and the mean with its interval, marking a gain whose interval holds 0 as within noise', () => {
    const metrics = (srcc: number) => ({ srcc, plcc: srcc + 0.01, epoch: 2 });
    const split = (k: number, t: number, d: number) => ({
      split: `s${k}`, dtganRunId: 10 * k + 1, auxiliaryDatasetId: k, stage1RunId: 10 * k + 2, stage2RunId: 10 * k + 3, directRunId: 10 * k + 4, ttl: metrics(t), direct: metrics(d),
    });
    const splits = [split(1, 0.8, 0.7), split(2, 0.6, 0.65)];
    const mean = { ttl: { srcc: splitMean([0.8, 0.6]), plcc: splitMean([0.81, 0.61]) }, direct: { srcc: splitMean([0.7, 0.65]), plcc: splitMean([0.71, 0.66]) }, gain: splitMean([0.1, -0.05], [-2, 2]) };
    const text = formatTtlResult({ datasetId: 1, ...splits[0]!, splits, mean } as TtlChainResult);
    expect(text).toMatch(/^s1: DT-GAN run #11 → auxiliary dataset #1 → SFTnet stage 1 run #12 → stage 2 run #13\n {2}held-out SRCC 0\.8000 {2}PLCC 0\.8100 {2}\(TTL-IQA, transitive\)\n/);
    expect(text).toMatch(/s2: DT-GAN run #21/);
    expect(text).toMatch(/mean of 2 splits \[95% t-interval\]:\n {2}TTL-IQA {2}SRCC 0\.7000 \[-0\.5706, 1\.0000\]/);
    expect(text).toMatch(/TTL-IQA − direct SRCC 0\.0250 \[.*\] \(within noise: the interval contains 0\)/);
  });
});

describe('VGG-16 weights fields', () => {
  it("checks a torchvision vgg16 state dict's names and shapes without building the network", () => {
    const shapes = torchvisionVgg16Shapes(true);
    expect(shapes.size).toBe(32);
    expect(shapes.get('features.28.weight')).toEqual([512, 512, 3, 3]);
    expect(shapes.get('classifier.0.weight')).toEqual([4096, 25088]);
    // Shape-only stand-ins: the checker reads names, dtypes and shapes, not the 138M values.
    const fake = (drop: string | null, reshape: [string, number[]] | null) =>
      new Map<string, SafeTensor>(
        [...shapes].filter(([k]) => k !== drop).map(([k, shape]) => [k, { dtype: 'F32', shape: reshape && reshape[0] === k ? reshape[1] : shape, data: new Float32Array(0) } as SafeTensor]),
      );
    expect(() => checkTorchvisionVgg16(fake(null, null), { includeLast: true }, 'vgg16.pth')).not.toThrow();
    expect(() => checkTorchvisionVgg16(fake('classifier.6.weight', null), { includeLast: false }, 'vgg16.pth')).not.toThrow();
    expect(() => checkTorchvisionVgg16(fake('classifier.6.weight', null), { includeLast: true }, 'vgg16.pth')).toThrow(/vgg16.pth is not a torchvision VGG-16: tensor "classifier.6.weight" is missing/);
    expect(() => checkTorchvisionVgg16(fake(null, ['features.0.weight', [64, 1, 3, 3]]), { includeLast: true }, 'v.pth')).toThrow(/"features.0.weight" has shape \[64, 1, 3, 3\], expected \[64, 3, 3, 3\]/);
  });

  it('warns before a paper-scale chain trains VGG-16 from scratch or leaves L_s off', () => {
    expect(fromScratchWarnings('dtgan', { scale: 'paper', vggWeights: null })).toEqual([expect.stringMatching(/semantic loss L_s \(eq. 13\) will be off/)]);
    expect(fromScratchWarnings('dtgan', { scale: 'paper', vggWeights: '/w/vgg16.pth' })).toEqual([]);
    expect(fromScratchWarnings('dtgan', { scale: 'tiny', vggWeights: null })).toEqual([]);
  });
});

describe('the chain and SFTnet runs through the services', () => {
  let rt: Runtime;
  let datasetId: number;

  async function call<T>(channel: string, input: unknown): Promise<T> {
    const res = await rt.invoke(channel as never, input);
    if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
    return res.result as T;
  }

  beforeAll(async () => {
    const dir = tempDir('iqa-ttl-protocol-');
    await writeBlurDataset(dir);
    rt = await openRuntime({ dataDir: tempDir('iqa-ttl-protocol-data-'), shell: 'cli', backend: 'cpu', seedDemo: false });
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

  it('refuses wrong weights, weights below paper scale, and a split with a number of splits, before any run starts', async () => {
    const runs = async () => (await call<RunSummary[]>('runs:list', {})).length;
    const before = await runs();
    await expect(call('ttl:start', { datasetId, scale: 'tiny', vggWeights: join(FIX, 'resnet10-w16.pth') })).rejects.toThrow(
      /resnet10-w16.pth is not a torchvision VGG-16: tensor "features.0.weight" is missing/,
    );
    await expect(call('ttl:start', { datasetId, scale: 'tiny', sftnetWeights: join(FIX, 'resnet10-w16.pth') })).rejects.toThrow(/fit the paper-scale network only/);
    await expect(call('ttl:start', { datasetId, scale: 'tiny', vggWeights: join(FIX, 'evil.pth') })).rejects.toThrow(/"posix\.system"/);
    await expect(call('ttl:start', { datasetId, scale: 'tiny', vggWeights: join(FIX, 'no-such.pth') })).rejects.toThrow(/Not a file/);
    await expect(call('ttl:start', { datasetId, scale: 'tiny', split: 'x', splits: 3 })).rejects.toThrow(/either one split .* or a number of splits/);
    expect(await runs()).toBe(before);
  });

  it('an SFTnet run given in iterations gets its epochs from the training-set size and stops after exactly that many', async () => {
    const run = await call<RunSummary>('runs:start', {
      model: 'sftnet', datasetId, modelConfig: { scale: 'tiny', inputSize: 32, optimizer: 'adam', iterations: 5, lrDecayEvery: 2 }, hyper: { batchImages: 8, epochs: 40, lr: 1e-3 },
    });
    const end = await new Promise<RunProgress>((resolve) => {
      rt.services.events.subscribe((event, payload) => {
        const p = payload as RunProgress;
        if (event === 'runs:progress' && p.runId === run.id && p.status !== 'running') resolve(p);
      });
    });
    expect(end.status, end.error).toBe('completed');
    const detail = await call<RunDetail>('runs:get', { id: run.id });
    // 16 or 20 training images (4 or 5 of the 6 scenes) in batches of 8: 2 or 3 iterations per epoch, so 5 iterations
    // take 3 or 2 epochs, the last one partial; the 40 epochs asked for are replaced.
    const perEpoch = detail.metrics.find((m) => m.name === 'iterations' && m.epoch === 1)!.value;
    expect([2, 3]).toContain(perEpoch);
    expect((detail.config.hyper as { epochs: number }).epochs).toBe(Math.ceil(5 / perEpoch));
    const last = (name: string) => detail.metrics.filter((m) => m.name === name).sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0)).at(-1)!.value;
    expect(last('iterations')).toBe(5);
    // Iteration 4 (0-based) is past two decays of ×0.1.
    expect(last('lr')).toBeCloseTo(1e-5, 12);
  }, 180_000);
});

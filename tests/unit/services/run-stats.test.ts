// runs:stats over stored test predictions: bootstrap intervals per run, the paired test against a baseline on the
// images the runs share, and the runs' mean as one experiment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import type { RunStatsResult } from '../../../src-shared/api/stats-schemas';
import { bootstrapCorrelation, mulberry32 } from '../../../src-shared/metrics/bootstrap';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let images: { id: number; label: number }[];

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

/** A run whose last epoch predicted label + noise·N(0,1)-ish on the given images. */
function fakeRun(name: string, noise: number, seed: number, subset = images): number {
  const id = rt.ctx.store.runs.create({ name, model: 'cnniqa', datasetId: null, splitId: null, config: {} });
  const rand = mulberry32(seed);
  const preds = subset.map((i) => ({ imageId: i.id, score: i.label + noise * (rand() + rand() + rand() - 1.5) * 2 }));
  rt.ctx.store.runs.recordEpoch(id, 'cnniqa', 1, 1, { srcc: 0 }, preds, null);
  return id;
}

beforeAll(async () => {
  const dir = tempDir('iqa-stats-');
  await writeBlurDataset(dir);
  rt = await openRuntime({ dataDir: tempDir('iqa-stats-db-'), shell: 'cli', backend: 'cpu', seedDemo: false });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: dir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const end = await new Promise<JobInfo>((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === job.jobId && j.state !== 'running') resolve(j);
    });
  });
  const datasetId = (end.result as { datasetId: number }).datasetId;
  images = (rt.ctx.store.db.prepare('SELECT id, label FROM images WHERE dataset_id = ? ORDER BY id').all(datasetId) as { id: number; label: number }[]);
}, 60_000);
afterAll(() => rt?.close());

describe('runs:stats', () => {
  it('gives each run its intervals and compares with the baseline on shared images, marking a near tie as within noise', async () => {
    const good = fakeRun('good', 0.3, 1);
    const twin = fakeRun('twin', 0.32, 2);
    const bad = fakeRun('bad', 2.5, 3);
    const half = fakeRun('half', 0.3, 4, images.slice(0, 12));
    const out = await call<RunStatsResult>('runs:stats', { ids: [good, twin, bad, half], baseline: good });
    const [g, t, b, h] = out.runs;
    expect(g!.n).toBe(24);
    expect(g!.vsBaseline).toBeNull();
    const preds = rt.ctx.store.runs.predictionsWithLabels(good);
    expect(g!.srcc).toEqual(bootstrapCorrelation(preds.map((p) => p.score), preds.map((p) => p.label!), 'srcc', { resamples: 1000 }));
    expect(g!.srcc!.lo).toBeLessThan(g!.srcc!.estimate);
    expect(g!.srcc!.hi).toBeGreaterThanOrEqual(g!.srcc!.estimate);
    expect(t!.vsBaseline!.srcc.withinNoise).toBe(true);
    expect(b!.vsBaseline!.srcc.withinNoise).toBe(false);
    expect(b!.vsBaseline!.srcc.diff).toBeLessThan(0);
    expect(b!.vsBaseline!.plcc.williams!.p).toBeLessThan(0.05);
    expect(h!.vsBaseline!.srcc.n).toBe(12);
    expect(out.experiment!.runs).toBe(4);
    expect(out.experiment!.srcc.lo).toBeLessThanOrEqual(out.experiment!.srcc.estimate);
  });

  it('refuses an unknown run and a bad resample count', async () => {
    await expect(call('runs:stats', { ids: [9999] })).rejects.toThrow(/run 9999|9999/);
    await expect(call('runs:stats', { ids: [1], resamples: 5 })).rejects.toMatchObject({ code: 'validation' });
  });
});

// runs:stats over stored test predictions: bootstrap intervals per run, the paired test against a baseline on the
// images the runs share, and the runs' mean as one experiment.
import { databaseOf } from '../../../src-main/store/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import type { CompareExperimentsResult, RunStatsResult } from '../../../src-shared/api/stats-schemas';
import { bootstrapCorrelation, mulberry32 } from '../../../src-shared/metrics/bootstrap';
import { srcc } from '../../../src-shared/metrics/correlation';
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
function fakeRun(name: string, noise: number, seed: number, subset = images, split?: string): number {
  const id = rt.ctx.store.runs.create({ name, model: 'cnniqa', datasetId: null, splitId: null, config: split === undefined ? {} : { split } });
  rt.ctx.store.runs.setStatus(id, 'completed');
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
  images = (databaseOf(rt.ctx.store).prepare('SELECT id, label FROM images WHERE dataset_id = ? ORDER BY id').all(datasetId) as { id: number; label: number }[]);
}, 60_000);
afterAll(() => rt?.close());

describe('runs:stats', () => {
  it('gives each run its intervals and compares with the baseline on shared images, marking a near tie as within noise and a zero-width interval as degenerate', async () => {
    const good = fakeRun('good', 0.3, 1);
    const twin = fakeRun('twin', 0.32, 2);
    const bad = fakeRun('bad', 2.5, 3);
    const half = fakeRun('half', 0.3, 4, images.slice(0, 12));
    const near = fakeRun('near', 0.8, 5);
    const out = await call<RunStatsResult>('runs:stats', { ids: [good, twin, bad, half, near], baseline: good });
    const [g, t, b, h] = out.runs;
    expect(g!.n).toBe(24);
    expect(g!.vsBaseline).toBeNull();
    const preds = rt.ctx.store.runs.predictionsWithLabels(good);
    expect(g!.srcc).toEqual(bootstrapCorrelation(preds.map((p) => p.score), preds.map((p) => p.label!), 'srcc', { resamples: 1000 }));
    expect(g!.srcc!.lo).toBeLessThan(g!.srcc!.estimate);
    expect(g!.srcc!.hi).toBeGreaterThanOrEqual(g!.srcc!.estimate);
    // The twin ranks the 24 images exactly as the baseline: SRCC's difference is 0 on every resample, an interval
    // [0, 0] that says nothing and is not "within noise".
    expect([t!.vsBaseline!.srcc.lo, t!.vsBaseline!.srcc.hi]).toEqual([0, 0]);
    expect(t!.vsBaseline!.srcc.withinNoise).toBe(false);
    expect(t!.vsBaseline!.srcc.degenerate).toMatch(/rank the 24 shared test images alike/);
    const close = out.runs[4]!.vsBaseline!.srcc;
    expect(close.degenerate).toBeNull();
    expect(close.withinNoise).toBe(true);
    expect(b!.vsBaseline!.srcc.withinNoise).toBe(false);
    expect(b!.vsBaseline!.srcc.diff).toBeLessThan(0);
    expect(b!.vsBaseline!.plcc.williams!.p).toBeLessThan(0.05);
    expect(h!.vsBaseline!.srcc.n).toBe(12);
    expect(out.experiment!.runs).toBe(5);
    expect(out.experiment!.srcc.lo).toBeLessThanOrEqual(out.experiment!.srcc.estimate);
  });

  it('compares two experiments split by split: Δ and its interval from the runs both have a split for, on shared images', async () => {
    // The baseline ran on s1 and s2, the row on s1 only (and on s3, which the baseline lacks).
    const base1 = fakeRun('base s1', 0.3, 11, images, 's1');
    const base2 = fakeRun('base s2', 2.5, 12, images, 's2');
    const row1 = fakeRun('row s1', 1.2, 13, images.slice(0, 20), 's1');
    const row3 = fakeRun('row s3', 0.1, 14, images, 's3');
    const out = await call<CompareExperimentsResult>('runs:compareExperiments', { runs: [row1, row3], baseline: [base1, base2] });
    const on = (id: number, ids: number[]) => {
      const p = rt.ctx.store.runs.predictionsWithLabels(id).filter((x) => ids.includes(x.imageId));
      return srcc(p.map((x) => x.score), p.map((x) => x.label!));
    };
    const shared = images.slice(0, 20).map((i) => i.id);
    expect(out.srcc.splits.map((s) => [s.split, s.n])).toEqual([['s1', 20]]);
    expect(out.srcc.diff).toBeCloseTo(on(row1, shared) - on(base1, shared), 12);
    expect(out.unmatched).toEqual({ runs: ['s3'], baseline: ['s2'] });
    expect(out.srcc.lo).toBeLessThanOrEqual(out.srcc.diff);
    expect(out.srcc.hi).toBeGreaterThanOrEqual(out.srcc.diff);
    expect(out.srcc.withinNoise).toBe(out.srcc.degenerate === null && out.srcc.lo <= 0 && out.srcc.hi >= 0);

    // The same predictions on both sides: a zero-width interval that is reported as degenerate, not as "within noise".
    const twin = fakeRun('twin', 0.3, 11, images, 's1');
    const same = await call<CompareExperimentsResult>('runs:compareExperiments', { runs: [twin], baseline: [base1] });
    expect([same.srcc.diff, same.srcc.lo, same.srcc.hi]).toEqual([0, 0, 0]);
    expect(same.srcc.withinNoise).toBe(false);
    expect(same.srcc.degenerate).toMatch(/identical predictions/);
    expect(same.srcc.splits).toHaveLength(1);
  });

  it('refuses an unknown run and a bad resample count', async () => {
    await expect(call('runs:stats', { ids: [9999] })).rejects.toThrow(/run 9999|9999/);
    await expect(call('runs:stats', { ids: [1], resamples: 5 })).rejects.toMatchObject({ code: 'validation' });
  });
});

// Import jobs through the dispatcher: progress events, results, import roots, cancel; splits, facets and delete.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo, SplitSummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { copyFixture, FIXTURES } from '../../helpers/fixture-copy';
import { tempDir } from '../../helpers/temp';

const runtimes: Runtime[] = [];
async function runtime(importRoots: string[] | null = null) {
  const rt = await openRuntime({ dataDir: tempDir('iqa-svc-'), shell: 'serve', backend: false, seedDemo: false, importRoots });
  runtimes.push(rt);
  return rt;
}
afterAll(() => runtimes.forEach((r) => r.close()));

function waitForJob(rt: Runtime, jobId: string, seen: JobInfo[] = []): Promise<JobInfo> {
  return new Promise((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const job = payload as JobInfo;
      if (event !== 'jobs:progress' || job.jobId !== jobId) return;
      seen.push(job);
      if (job.state !== 'running') resolve(job);
    });
  });
}

async function startImport(rt: Runtime, input: Record<string, unknown>) {
  const res = await rt.invoke('datasets:import', input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as JobInfo;
}

describe('datasets:import', () => {
  it('runs a pyiqa import as a job with progress, then the dataset is there with its splits', async () => {
    const rt = await runtime();
    const job = await startImport(rt, { format: 'pyiqa', root: join(FIXTURES, 'datasets/pyiqa'), name: 'tiny', file: 'meta_info_TinyDataset.csv', scoreRange: [1, 5] });
    expect(job.state).toBe('running');
    const seen: JobInfo[] = [];
    const end = await waitForJob(rt, job.jobId, seen);
    expect(end.state).toBe('done');
    expect(end.result).toMatchObject({ images: 5, references: 3 });
    expect(seen.at(-2)?.done).toBe(5);
    const splits = (await rt.invoke('splits:list', { datasetId: (end.result as { datasetId: number }).datasetId })) as { ok: true; result: SplitSummary[] };
    expect(splits.result.map((s) => s.name)).toContain('official_split');
  });

  it('refuses a missing label file at once, and reports a failed import on the job with the problem list', async () => {
    const rt = await runtime();
    const missing = await rt.invoke('datasets:import', { format: 'csv', root: join(FIXTURES, 'datasets/csv'), name: 'x', file: 'missing.csv' });
    expect(missing.ok ? null : missing.error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/Missing file: missing\.csv/) });
    const dir = copyFixture('datasets/csv');
    writeFileSync(join(dir, 'bad.csv'), 'path,score\nimages/a.png,x\n');
    const job = await startImport(rt, { format: 'csv', root: dir, name: 'x', file: 'bad.csv' });
    const end = await waitForJob(rt, job.jobId);
    expect(end.state).toBe('failed');
    expect(end.error?.message).toMatch(/score "x" is not a number/);
    expect((end.error?.details as { problems: unknown[] }).problems).toHaveLength(1);
  });

  it('refuses relative paths, unknown formats, duplicate names up front', async () => {
    const rt = await runtime();
    const bad = async (input: Record<string, unknown>) => {
      const r = await rt.invoke('datasets:import', { name: 'n', root: '/tmp', format: 'folder', ...input });
      return r.ok ? null : r.error;
    };
    expect(await bad({ root: 'relative/path' })).toMatchObject({ code: 'validation', message: /absolute path/ });
    expect(await bad({ format: 'tid2099' })).toMatchObject({ code: 'validation', message: /Unknown dataset format "tid2099"/ });
    expect(await bad({ root: '/tmp\0x' })).toMatchObject({ code: 'validation' });
    expect(await bad({ name: '' })).toMatchObject({ code: 'validation' });
  });

  it('imports only inside the allowed roots when the server has them', async () => {
    const rt = await runtime([join(FIXTURES, 'datasets/csv')]);
    const outside = await rt.invoke('datasets:import', { format: 'folder', root: join(FIXTURES, 'datasets/pyiqa'), name: 'no' });
    expect(outside.ok ? null : outside.error).toMatchObject({ code: 'forbidden', message: /imports only from/ });
    const sneaky = await rt.invoke('datasets:import', { format: 'folder', root: join(FIXTURES, 'datasets/csv/../pyiqa'), name: 'no' });
    expect(sneaky.ok ? null : sneaky.error).toMatchObject({ code: 'forbidden' });
    const inside = await startImport(rt, { format: 'folder', root: join(FIXTURES, 'datasets/csv/images'), name: 'ok' });
    expect((await waitForJob(rt, inside.jobId)).state).toBe('done');
    const none = await runtime([]);
    const refused = await none.invoke('datasets:import', { format: 'folder', root: join(FIXTURES, 'datasets/csv'), name: 'no' });
    expect(refused.ok ? null : refused.error).toMatchObject({ code: 'forbidden', message: /without --allow-root/ });
  });

  it('cancels a running import and leaves no dataset behind', async () => {
    const rt = await runtime();
    const job = await startImport(rt, { format: 'folder', root: join(FIXTURES, 'datasets'), name: 'big' });
    expect(await rt.invoke('jobs:cancel', { jobId: job.jobId })).toEqual({ ok: true, result: { cancelled: true } });
    const end = await waitForJob(rt, job.jobId);
    expect(end.state).toBe('cancelled');
    expect(await rt.invoke('datasets:list', {})).toEqual({ ok: true, result: [] });
  });
});

describe('splits, facets, delete', () => {
  it('makes 10 seeded content-disjoint splits, reports facets, and deletes without touching files', async () => {
    const rt = await runtime();
    const job = await startImport(rt, { format: 'pyiqa', root: join(FIXTURES, 'datasets/pyiqa'), name: 'tiny', file: 'meta_info_TinyDataset.csv' });
    const id = ((await waitForJob(rt, job.jobId)).result as { datasetId: number }).datasetId;
    const made = (await rt.invoke('splits:create', { datasetId: id, repeats: 10, seed: 7 })) as { ok: true; result: SplitSummary[] };
    const random = made.result.filter((s) => s.protocol === 'content-disjoint');
    expect(random).toHaveLength(10);
    expect(random[0]).toMatchObject({ name: 'ratio802_seed7_split01', seed: 7 });
    for (const s of random) expect(s.counts.train + s.counts.test).toBe(5);
    const facets = await rt.invoke('datasets:facets', { datasetId: id });
    expect(facets).toMatchObject({ ok: true, result: { labelRange: [1.9, 4.1], unreadable: 0 } });
    expect(await rt.invoke('datasets:delete', { id })).toEqual({ ok: true, result: { deleted: true, archived: null } });
    expect(await rt.invoke('datasets:delete', { id })).toEqual({ ok: true, result: { deleted: false, archived: null } });
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(FIXTURES, 'datasets/pyiqa/dist_imgs/I01_01_1.png'))).toBe(true);
  });
});

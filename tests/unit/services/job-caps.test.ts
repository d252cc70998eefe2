// Issue 18, item 4: a job keeps the first problems and their counts by kind; the full list is a CSV report in the data folder, served by job id.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { startServer, type RunningServer } from '../../../src-main/shells/serve/server';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let server: RunningServer;
const ROWS = 5000;

function waitForJob(jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const job = payload as JobInfo;
      if (event === 'jobs:progress' && job.jobId === jobId && job.state !== 'running') resolve(job);
    });
  });
}

async function runImport(input: Record<string, unknown>): Promise<JobInfo> {
  const r = await rt.invoke('datasets:import', input);
  if (!r.ok) throw new Error(r.error.message);
  return waitForJob((r.result as JobInfo).jobId);
}

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-caps-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  server = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir: tempDir('iqa-caps-static-'), port: 0 });
});
afterAll(async () => {
  await server?.close();
  rt?.close();
});

describe('a failed import with thousands of problems', () => {
  let end: JobInfo;
  beforeAll(async () => {
    const dir = tempDir('iqa-caps-data-');
    const rows = ['path,score', ...Array.from({ length: ROWS }, (_, i) => `images/${i}.png,${i % 2 ? 'bad' : 'worse'}`)];
    writeFileSync(join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
    end = await runImport({ format: 'csv', root: dir, name: 'many', file: 'labels.csv', scoreRange: [1, 5] });
  });

  it('keeps the first 100 problems, the total and the counts by kind in the job', () => {
    expect(end.state).toBe('failed');
    const details = end.error!.details as { problems: unknown[]; problemCount: number; byKind: Record<string, number>; report: { id: string; rows: number } };
    expect(details.problems).toHaveLength(100);
    expect(details.problemCount).toBe(ROWS);
    expect(details.byKind).toEqual({ 'score "…" is not a number': ROWS });
    expect(details.report).toEqual({ id: end.jobId, rows: ROWS });
    expect(end.error!.message).toMatch(new RegExp(`All ${ROWS} problems are in the job's report \\(reports/${end.jobId}\\.csv in the data folder\\)`));
  });

  it('keeps jobs:list small', async () => {
    const list = await rt.invoke('jobs:list', {});
    expect(JSON.stringify(list).length).toBeLessThan(32 * 1024);
  });

  it('serves the full list as CSV at /files/report/<job id>, and nothing else there', async () => {
    const res = await fetch(`${server.url}files/report/${end.jobId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('file,row,problem');
    expect(lines).toHaveLength(ROWS + 1);
    expect(lines[1]).toBe('labels.csv,2,"score ""worse"" is not a number"');
    expect((await fetch(`${server.url}files/report/..%2F..%2Fiqa.sqlite`)).status).toBe(400);
    expect((await fetch(`${server.url}files/report/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  });
});

describe('a folder import with many unreadable files', () => {
  it('lists the first 100 in the result, counts all, and writes them all to the report', async () => {
    const dir = tempDir('iqa-caps-broken-');
    mkdirSync(join(dir, 'p'));
    for (let i = 0; i < 150; i++) writeFileSync(join(dir, 'p', `broken${i}.jpg`), 'not a jpeg');
    const end = await runImport({ format: 'folder', root: dir, name: 'broken' });
    expect(end.state).toBe('done');
    const result = end.result as { failed: unknown[]; unreadableCount: number; report: { id: string; rows: number } };
    expect(result.failed).toHaveLength(100);
    expect(result.unreadableCount).toBe(150);
    expect(result.report.rows).toBe(150);
    const text = await (await fetch(`${server.url}files/report/${result.report.id}`)).text();
    expect(text.trim().split('\n')).toHaveLength(151);
  });
});

// Issue 18, item 11: every CSV the app writes guards cells that a spreadsheet would run as a formula (a leading '), and our importers read them back unguarded.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../../../src-shared/csv';
import type { DatasetSummary, ImagePage, JobInfo, RateSession, StudyRaterLink, StudySummary } from '../../../src-shared/api/schemas';
import { readTable } from '../../../src-main/datasets/importers/csv';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { toCsv as rendererCsv } from '../../../src-renderer/lib/compare';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

describe('src-shared/csv.ts', () => {
  it("prefixes = + - @ tab and CR with ', quotes what needs it, and leaves numbers alone", () => {
    const csv = toCsv(['a', 'b'], [['=1+1', -0.5], ['+SUM(A1)', '-x'], ['@cmd', '\tx'], ['\rx', 'a,"b"'], [null, 1e-7], ['a\nb', Number.NaN]]);
    expect(csv).toBe(`a,b\n'=1+1,-0.5\n'+SUM(A1),'-x\n'@cmd,'\tx\n"'\rx","a,""b"""\n,1e-7\n"a\nb",\n`);
  });

  it('is what the renderer downloads too (CRLF)', () => {
    expect(rendererCsv(['run'], [['=HYPERLINK("x")'], [-1]])).toBe(`run\r\n"'=HYPERLINK(""x"")"\r\n-1\r\n`);
  });

  it('reads back through our own table reader without the guard', async () => {
    const file = join(tempDir('iqa-csv-rt-'), 'labels.csv');
    writeFileSync(file, toCsv(['path', 'score'], [['-dash.png', -1], ['=eq.png', 2]]));
    const t = await readTable(file, ['path', 'score']);
    expect(t.rows.map((r) => r.values)).toEqual([{ path: '-dash.png', score: '-1' }, { path: '=eq.png', score: '2' }]);
  });
});

describe('study exports', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await openRuntime({ dataDir: tempDir('iqa-csv-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  });
  afterAll(() => rt?.close());

  it('write a rater named =1+1 as a guarded cell', async () => {
    const data = tempDir('iqa-csv-data-');
    await writeBlurDataset(data);
    const call = async <T>(c: string, i: unknown) => {
      const r = await rt.invoke(c, i);
      if (!r.ok) throw new Error(r.error.message);
      return r.result as T;
    };
    const job = await call<JobInfo>('datasets:import', { format: 'csv', root: data, name: 'b', file: 'labels.csv', scoreRange: [1, 5] });
    await new Promise<void>((ok) => rt.services.events.subscribe((e, p) => e === 'jobs:progress' && (p as JobInfo).jobId === job.jobId && (p as JobInfo).state !== 'running' && ok()));
    const datasetId = (await call<DatasetSummary[]>('datasets:list', {}))[0]!.id;
    const ids = (await call<ImagePage>('images:list', { datasetId })).items.map((i) => i.id);
    const study = await call<StudySummary>('studies:create', { name: 's', datasetId, method: 'acr', imageIds: ids.slice(0, 2) });
    const link = await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name: '=1+1' });
    const s = await call<RateSession>('rate:session', { token: link.token });
    await call('rate:submit', { token: link.token, itemId: s.current!.itemId, value: 4 });
    const out = await call<{ csv: string }>('studies:export', { id: study.id, what: 'votes' });
    const row = out.csv.trim().split('\n')[1]!;
    expect(row.split(',')[1]).toBe("'=1+1");
  });
});

// Issue 18, item 3: deleting a dataset never silently erases studies, raw votes or photo ratings: refused with the counts, or archived to CSV first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, DeleteArchive, ImagePage, JobInfo, RateSession, StudyRaterLink, StudySummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

let rt: Runtime;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

async function importDataset(name: string, format: 'csv' | 'folder'): Promise<{ id: number; imageIds: number[] }> {
  const data = tempDir('iqa-del-data-');
  await writeBlurDataset(data);
  const job = await call<JobInfo>('datasets:import', { format, root: data, name, ...(format === 'csv' ? { file: 'labels.csv', scoreRange: [1, 5] } : {}) });
  await new Promise<void>((ok) => rt.services.events.subscribe((e, p) => e === 'jobs:progress' && (p as JobInfo).jobId === job.jobId && (p as JobInfo).state !== 'running' && ok()));
  const id = (await call<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === name)!.id;
  const imageIds = (await call<ImagePage>('images:list', { datasetId: id, limit: 100 })).items.map((i) => i.id).sort((a, b) => a - b);
  return { id, imageIds };
}

const count = (sql: string) => (databaseOf(rt.ctx.store).prepare(sql).get() as { n: number }).n;

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-del-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
});
afterAll(() => rt?.close());

describe('datasets:delete with a study on the dataset', () => {
  let datasetId: number;
  let study: StudySummary;

  beforeAll(async () => {
    const ds = await importDataset('lab', 'csv');
    datasetId = ds.id;
    study = await call<StudySummary>('studies:create', { name: 'Pilot =1+1', datasetId, method: 'acr', imageIds: ds.imageIds.slice(0, 4) });
    for (const name of ['ann', 'bob']) {
      const link = await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name });
      let s = await call<RateSession>('rate:session', { token: link.token });
      for (let k = 0; k < 3 && s.current; k++) s = await call<RateSession>('rate:submit', { token: link.token, itemId: s.current.itemId, value: 3, durationMs: 500 });
    }
  });

  it('is refused with exactly what depends on it, and nothing is deleted', async () => {
    const res = await rt.invoke('datasets:delete', { id: datasetId });
    expect(res.ok).toBe(false);
    const error = (res as { error: { code: string; message: string; details: { dependents: unknown } } }).error;
    expect(error.code).toBe('conflict');
    expect(error.details.dependents).toEqual({ studies: 1, votes: 6, raters: 2, photoRatings: 0 });
    expect(error.message).toMatch(/"lab" has 1 study with 6 raw votes from 2 raters; deleting it would erase them/);
    expect(count('SELECT COUNT(*) AS n FROM ratings')).toBe(6);
    expect(count('SELECT COUNT(*) AS n FROM studies')).toBe(1);
    expect((await call<DatasetSummary[]>('datasets:list', {})).map((d) => d.id)).toContain(datasetId);
  });

  it('with archive, writes every raw vote to CSV in the data folder first, then deletes', async () => {
    const out = await call<{ deleted: boolean; archived: DeleteArchive }>('datasets:delete', { id: datasetId, archive: true });
    expect(out.deleted).toBe(true);
    expect(out.archived).toMatchObject({ studies: 1, votes: 6, raters: 2, photoRatings: 0 });
    expect(out.archived.folder.startsWith(join(rt.ctx.paths.dataDir, 'archive'))).toBe(true);
    expect(out.archived.files).toEqual([`study-${study.id}-Pilot-1-1-votes.csv`]);
    const csv = readFileSync(join(out.archived.folder, out.archived.files[0]!), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('rater_id,rater,item_id,role,image,other_image,method,value,duration_ms,created_at');
    expect(csv).toHaveLength(7);
    expect(count('SELECT COUNT(*) AS n FROM ratings')).toBe(0);
  });
});

describe('datasets:delete of a photo collection with stars', () => {
  it('is refused while photos carry a person\'s stars, rejects or colours; archive keeps them in photo-ratings.csv', async () => {
    const { id, imageIds } = await importDataset('photos', 'folder');
    await call('library:rate', { imageId: imageIds[0], stars: 4 });
    await call('library:rate', { imageId: imageIds[1], rejected: true });
    await call('library:rate', { imageId: imageIds[2], color: 'red' });
    const res = await rt.invoke('datasets:delete', { id });
    expect(res.ok ? null : res.error).toMatchObject({ code: 'conflict', details: { dependents: { studies: 0, votes: 0, raters: 0, photoRatings: 3 } } });
    const out = await call<{ archived: DeleteArchive }>('datasets:delete', { id, archive: true });
    const rows = readFileSync(join(out.archived.folder, 'photo-ratings.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('path,stars,rejected,color,predicted_stars');
    expect(rows.slice(1).map((r) => r.split(',').slice(1, 4).join(','))).toEqual(expect.arrayContaining(['4,0,', ',1,', ',0,red']));
  });

  it('deletes at once when no human judgement depends on it', async () => {
    const { id } = await importDataset('plain', 'folder');
    expect(await call('datasets:delete', { id })).toEqual({ deleted: true, archived: null });
    expect(await call('datasets:delete', { id })).toEqual({ deleted: false, archived: null });
  });
});

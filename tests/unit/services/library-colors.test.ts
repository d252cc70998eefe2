// Colour labels through the library service: set, keep, clear, filter, count in CSV, and clearing predictions keeps them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, PhotoItem, PhotoPage } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
const ids: Record<string, number> = {};

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}
const names = async (q: Record<string, unknown>) => (await call<PhotoPage>('library:list', { datasetId, sort: 'name', ...q })).items.map((p) => p.name);

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-colors-rt-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  const dir = join(tempDir('iqa-colors-'), 'Roll');
  mkdirSync(dir);
  for (const n of ['a', 'b', 'c']) await writeTestImage(join(dir, `${n}.jpg`), 32, 32);
  const started = await call<JobInfo>('datasets:import', { format: 'folder', root: dir, name: 'Roll' });
  while (rt.ctx.jobs.get(started.jobId)!.state === 'running') await new Promise((r) => setTimeout(r, 20));
  datasetId = (rt.ctx.jobs.get(started.jobId)!.result as { datasetId: number }).datasetId;
  for (const p of (await call<PhotoPage>('library:list', { datasetId })).items) ids[p.name] = p.id;
});
afterAll(() => rt.close());

describe('colour labels', () => {
  it('sets a label beside the stars, keeps it when only the stars change, and clears it with null', async () => {
    expect(await call<PhotoItem>('library:rate', { imageId: ids['a.jpg'], color: 'red' })).toMatchObject({ color: 'red', stars: null, rejected: false });
    expect(await call<PhotoItem>('library:rate', { imageId: ids['a.jpg'], stars: 3 })).toMatchObject({ color: 'red', stars: 3 });
    await call('library:rate', { imageId: ids['b.jpg'], color: 'blue', rejected: true });
    expect(await names({ color: 'red' })).toEqual(['a.jpg']);
    expect(await names({ color: 'none' })).toEqual(['c.jpg']);
    expect(await names({ color: 'blue', rating: 'rejected' })).toEqual(['b.jpg']);
    expect(await call<PhotoItem>('library:rate', { imageId: ids['a.jpg'], color: null })).toMatchObject({ color: null, stars: 3 });
  });

  it('refuses an unknown colour with a validation error', async () => {
    await expect(call('library:rate', { imageId: ids['a.jpg'], color: 'orange' })).rejects.toMatchObject({ code: 'validation' });
    await expect(call('library:list', { datasetId, color: 'Red' })).rejects.toMatchObject({ code: 'validation' });
  });

  it('exports the label in the CSV, and clearing predictions keeps a label-only photo', async () => {
    await call('library:rate', { imageId: ids['c.jpg'], color: 'purple' });
    expect(await call('library:clearPredictions', { datasetId })).toEqual({ cleared: 0 });
    const { csv } = await call<{ csv: string }>('library:exportCsv', { datasetId });
    expect(csv.trim().split('\n').map((l) => l.split(',')[7])).toEqual(['color', '', 'blue', 'purple']);
  });
});

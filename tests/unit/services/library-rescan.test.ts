// library:rescan on real files: photos added to a collection's folder since it was added join it; ratings, and photos gone from disk, stay.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, PhotoItem, PhotoPage } from '../../../src-shared/api/schemas';
import type { RescanResult } from '../../../src-main/services/import-folder';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
const dir = join(tempDir('iqa-rescan-'), 'Shoot');

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

async function job<T>(channel: string, input: unknown): Promise<JobInfo & { result: T }> {
  const started = await call<JobInfo>(channel, input);
  for (;;) {
    const j = rt.ctx.jobs.get(started.jobId)!;
    if (j.state !== 'running') return j as JobInfo & { result: T };
    await new Promise((r) => setTimeout(r, 20));
  }
}

const names = async () => (await call<PhotoPage>('library:list', { datasetId, limit: 1000 })).items;

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-rescan-rt-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  mkdirSync(join(dir, 'day1'), { recursive: true });
  for (const n of ['a', 'b', 'c']) await writeTestImage(join(dir, 'day1', `${n}.jpg`), 64, 48);
  const imported = await job<{ datasetId: number }>('datasets:import', { format: 'folder', root: dir, name: 'Shoot', recursive: true });
  datasetId = imported.result.datasetId;
});
afterAll(() => rt.close());

describe('library:rescan', () => {
  it('adds new photos (unreadable ones marked), keeps the ratings, and reports photos gone from disk without dropping them', async () => {
    const b = (await names()).find((p) => p.name === 'day1/b.jpg')!;
    await call('library:rate', { imageId: b.id, stars: 4 });
    mkdirSync(join(dir, 'day2'));
    await writeTestImage(join(dir, 'day2', 'd.jpg'), 64, 48);
    await writeTestImage(join(dir, 'e.png'), 32, 32);
    writeFileSync(join(dir, 'day2', 'broken.jpg'), 'not a JPEG');
    rmSync(join(dir, 'day1', 'c.jpg'));

    const done = await job<RescanResult>('library:rescan', { datasetId });
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ added: 3, missing: 1, missingNames: ['day1/c.jpg'] });
    expect(done.result.failed.map((f) => f.path)).toEqual([join(dir, 'day2', 'broken.jpg')]);
    const after = await names();
    expect(after.map((p) => p.name).sort()).toEqual(['day1/a.jpg', 'day1/b.jpg', 'day1/c.jpg', 'day2/broken.jpg', 'day2/d.jpg', 'e.png']);
    expect(after.find((p) => p.name === 'day1/b.jpg')).toMatchObject<Partial<PhotoItem>>({ id: b.id, stars: 4 });
    expect(after.find((p) => p.name === 'day2/broken.jpg')!.error).toBeTruthy();
  });

  it('adds nothing the second time, and only the top level when not recursive', async () => {
    expect((await job<RescanResult>('library:rescan', { datasetId })).result).toMatchObject({ added: 0, missing: 1 });
    await writeTestImage(join(dir, 'day2', 'f.jpg'), 64, 48);
    expect((await job<RescanResult>('library:rescan', { datasetId, recursive: false })).result).toMatchObject({ added: 0 });
    expect((await job<RescanResult>('library:rescan', { datasetId })).result).toMatchObject({ added: 1 });
  });

  it('reads the new photos’ sidecars: a digiKam pick comes in as a pick, a reject as a reject, stars and labels with them', async () => {
    const sidecar = (attrs: string) =>
      `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:digiKam="http://www.digikam.org/ns/1.0/" ${attrs}/></rdf:RDF></x:xmpmeta>`;
    await writeTestImage(join(dir, 'g.jpg'), 64, 48);
    writeFileSync(join(dir, 'g.jpg.xmp'), sidecar('xmp:Rating="4" digiKam:PickLabel="3" xmp:Label="Green"'));
    await writeTestImage(join(dir, 'h.jpg'), 64, 48);
    writeFileSync(join(dir, 'h.jpg.xmp'), sidecar('xmp:Rating="2" digiKam:PickLabel="1"'));
    // An old photo's sidecar is not read again: its rating here stays.
    const b = (await names()).find((p) => p.name === 'day1/b.jpg')!;
    writeFileSync(join(dir, 'day1', 'b.jpg.xmp'), sidecar('xmp:Rating="1"'));
    expect((await job<RescanResult>('library:rescan', { datasetId })).result).toMatchObject({ added: 2, fromXmp: 3 });
    const after = await names();
    expect(after.find((p) => p.name === 'g.jpg')).toMatchObject({ stars: 4, picked: true, rejected: false, color: 'green' });
    expect(after.find((p) => p.name === 'h.jpg')).toMatchObject({ picked: false, rejected: true });
    expect(after.find((p) => p.id === b.id)!.stars).toBe(4);
  });

  it('says so when the folder is gone, and refuses an unknown collection', async () => {
    const other = join(tempDir('iqa-rescan-gone-'), 'Gone');
    mkdirSync(other);
    await writeTestImage(join(other, 'x.jpg'), 64, 48);
    const id = (await job<{ datasetId: number }>('datasets:import', { format: 'folder', root: other, name: 'Gone' })).result.datasetId;
    rmSync(other, { recursive: true });
    const failed = await job('library:rescan', { datasetId: id });
    expect(failed).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(/The folder of "Gone" is gone/) } });
    await expect(call('library:rescan', { datasetId: 9999 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

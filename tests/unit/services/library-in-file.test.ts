// Writing ratings into JPEG and DNG files through library:writeXmp (into 'file'): exiftool reads them back, other files get sidecars, the originals are kept until confirmed or restored.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDng } from '../../../scripts/fixtures/dng';
import { resourcesDir } from '../../../src-main/app/paths';
import { endExifTool } from '../../../src-main/photo/exif';
import { readSidecar } from '../../../src-main/photo/xmp';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import type { XmpWriteResult } from '../../../src-main/services/library.service';
import type { JobInfo, PhotoItem, PhotoPage, XmpBackups } from '../../../src-shared/api/schemas';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let dir: string;
let datasetId: number;
let byName: Map<string, PhotoItem>;
const originals = new Map<string, Buffer>();

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

async function runJob<T>(channel: string, input: unknown): Promise<T> {
  const started = await call<JobInfo>(channel, input);
  for (;;) {
    const j = rt.ctx.jobs.get(started.jobId)!;
    if (j.state !== 'running') {
      expect(j.state, j.error?.message).toBe('done');
      return j.result as T;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const path = (name: string) => join(dir, name);
const rate = (name: string, input: Record<string, unknown>) => call<PhotoItem>('library:rate', { imageId: byName.get(name)!.id, ...input });
const write = () => runJob<XmpWriteResult>('library:writeXmp', { datasetId, naming: 'darktable', into: 'file', includePredicted: false, includeScore: false });
/** What exiftool itself reads from the file. */
const exiftool = (file: string) =>
  JSON.parse(execFileSync('exiftool', ['-json', '-n', '-XMP:Rating', '-XMP-microsoft:RatingPercent', '-XMP-digiKam:PickLabel', '-XMP:Label', file], { encoding: 'utf8' }))[0] as Record<string, unknown>;

beforeAll(async () => {
  dir = tempDir('iqa-in-file-');
  const demo = (p: string) => join(resourcesDir(), 'demo', `${p}.jpg`);
  await sharp(demo('bee')).resize(300, 200).jpeg({ quality: 85 }).toFile(path('bee.jpg'));
  await sharp(demo('crab')).resize(300, 200).jpeg({ quality: 85 }).toFile(path('crab.JPG'));
  await sharp(demo('cheetah')).resize(300, 200).png().toFile(path('cheetah.png'));
  writeFileSync(path('calf.dng'), await makeDng(demo('calf'), { width: 300, height: 200, exif: { make: 'Canon', model: 'Canon EOS R5', dateTimeOriginal: '2024:05:01 10:00:00', exposureTime: [1, 100], fNumber: [4, 1], iso: 200, focalLength: [35, 1], lensModel: 'RF35mm' } }));
  for (const n of ['bee.jpg', 'crab.JPG', 'cheetah.png', 'calf.dng']) originals.set(n, readFileSync(path(n)));
  rt = await openRuntime({ dataDir: tempDir('iqa-in-file-data-'), shell: 'serve', backend: false, seedDemo: false });
  const imported = await runJob<{ datasetId: number }>('datasets:import', { format: 'folder', root: dir, name: 'In file' });
  datasetId = imported.datasetId;
  byName = new Map((await call<PhotoPage>('library:list', { datasetId, limit: 100 })).items.map((p) => [p.name, p]));
}, 120_000);

afterAll(async () => {
  rt?.close();
  await endExifTool();
});

describe('ratings written into the files', () => {
  it('writes stars, the flag and the colour label inside JPEG and DNG files that exiftool reads back; a PNG gets a sidecar', async () => {
    await rate('bee.jpg', { stars: 4, picked: true, color: 'red' });
    await rate('crab.JPG', { rejected: true });
    await rate('calf.dng', { stars: 5 });
    await rate('cheetah.png', { stars: 3 });
    const r = await write();
    expect(r).toMatchObject({ into: 'file', total: 4, written: 4, intoFile: 3, backups: 3, created: 1, failed: 0 });
    expect(exiftool(path('bee.jpg'))).toMatchObject({ Rating: 4, RatingPercent: 75, PickLabel: 3, Label: 'Red' });
    expect(exiftool(path('crab.JPG'))).toMatchObject({ Rating: -1, PickLabel: 1 });
    expect(exiftool(path('calf.dng'))).toMatchObject({ Rating: 5, RatingPercent: 99 });
    expect(existsSync(path('bee.jpg.xmp')) || existsSync(path('calf.dng.xmp'))).toBe(false);
    expect((await readSidecar(path('cheetah.png.xmp'))).rating).toBe(3);
    for (const n of ['bee.jpg', 'crab.JPG', 'calf.dng']) expect(readFileSync(`${path(n)}_original`).equals(originals.get(n)!)).toBe(true);
    expect(await call<XmpBackups>('library:xmpBackups', { datasetId })).toEqual({ count: 3, names: ['bee.jpg', 'calf.dng', 'crab.JPG'].sort() });
  });

  it('changes nothing when written again, and a later change keeps the first backup', async () => {
    expect(await write()).toMatchObject({ written: 0, unchanged: 4, failed: 0 });
    await rate('bee.jpg', { stars: 2, picked: false, color: null });
    expect(await write()).toMatchObject({ written: 1, intoFile: 1, backups: 0, unchanged: 3 });
    expect(exiftool(path('bee.jpg'))).toMatchObject({ Rating: 2, RatingPercent: 25, PickLabel: 0, Label: 'Red' });
    expect(readFileSync(path('bee.jpg_original')).equals(originals.get('bee.jpg')!)).toBe(true);
  });

  it('restores the originals, or confirms the writes and drops the backups', async () => {
    expect(await call('library:settleBackups', { datasetId, action: 'restore' })).toEqual({ settled: 3, failed: 0, errors: [] });
    for (const n of ['bee.jpg', 'crab.JPG', 'calf.dng']) {
      expect(readFileSync(path(n)).equals(originals.get(n)!)).toBe(true);
      expect(existsSync(`${path(n)}_original`)).toBe(false);
    }
    expect(exiftool(path('bee.jpg')).Rating).toBeUndefined();
    await write();
    expect(await call('library:settleBackups', { datasetId, action: 'confirm' })).toMatchObject({ settled: 3, failed: 0 });
    expect(await call<XmpBackups>('library:xmpBackups', { datasetId })).toEqual({ count: 0, names: [] });
    expect(exiftool(path('bee.jpg'))).toMatchObject({ Rating: 2 });
    await expect(call('library:settleBackups', { datasetId, action: 'delete' })).rejects.toMatchObject({ code: 'validation' });
  });
});

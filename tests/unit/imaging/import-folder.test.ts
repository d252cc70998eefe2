// Folder import on real files: good images, a corrupt one and an empty one; one transaction; clear errors.
import sharp from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeImage } from '../../../src-main/imaging/probe';
import { importFolder } from '../../../src-main/services/import-folder';
import { openStore } from '../../../src-main/store/store';
import { tempDir } from '../../helpers/temp';

const dir = tempDir('iqa-folder-');
const photos = join(dir, 'photos');
mkdirSync(join(photos, 'sub'), { recursive: true });
const img = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: '#3366aa' } });
await img(40, 30).png().toFile(join(photos, 'a.png'));
await img(64, 48).jpeg().toFile(join(photos, 'sub', 'b.jpg'));
// EXIF orientation 6 (rotate 90°): the stored 40x20 image shows as 20x40.
await img(40, 20).jpeg().withMetadata({ orientation: 6 }).toFile(join(photos, 'rotated.jpg'));
writeFileSync(join(photos, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
writeFileSync(join(photos, 'empty.png'), Buffer.alloc(0));
writeFileSync(join(photos, 'notes.txt'), 'not an image');

describe('probeImage', () => {
  it('reads size and format, applying EXIF orientation', async () => {
    expect(await probeImage(join(photos, 'a.png'))).toMatchObject({ width: 40, height: 30, format: 'png', error: null });
    expect(await probeImage(join(photos, 'rotated.jpg'))).toMatchObject({ width: 20, height: 40 });
  });
  it('gives a per-file error for corrupt and empty files', async () => {
    expect((await probeImage(join(photos, 'broken.jpg'))).error).toMatch(/cannot read image/);
    expect((await probeImage(join(photos, 'empty.png'))).error).toBe('empty file (0 bytes)');
  });
});

describe('importFolder', () => {
  const store = openStore(join(dir, 'db.sqlite'));

  it('imports every image recursively and reports the bad ones without stopping', async () => {
    const progress: number[] = [];
    const res = await importFolder(store, photos, { name: 'mine', onProgress: (d) => progress.push(d) });
    expect(res.imported).toBe(3);
    expect(res.failed.map((f) => f.path.split('/').pop()).sort()).toEqual(['broken.jpg', 'empty.png']);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    const page = store.datasets.listImages({ datasetId: res.datasetId, offset: 0, limit: 10, sort: 'name', descending: false });
    expect(page.items.map((i) => i.name)).toEqual(['a.png', 'broken.jpg', 'empty.png', 'rotated.jpg', 'sub/b.jpg']);
  });

  it('refuses a duplicate name, a missing folder and an empty one', async () => {
    await expect(importFolder(store, photos, { name: 'mine' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(importFolder(store, join(dir, 'nope'), { name: 'x' })).rejects.toMatchObject({ code: 'bad_input', message: /Not a folder/ });
    mkdirSync(join(dir, 'empty'));
    await expect(importFolder(store, join(dir, 'empty'), { name: 'y' })).rejects.toMatchObject({ message: /No images found/ });
  });

  it('writes nothing when cancelled', async () => {
    const before = store.datasets.list().length;
    const ac = new AbortController();
    const run = importFolder(store, photos, { name: 'cancelled', signal: ac.signal, onProgress: (d) => d === 2 && ac.abort() });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(store.datasets.list()).toHaveLength(before);
  });
});

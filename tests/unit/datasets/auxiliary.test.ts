// The TTL-IQA auxiliary-dataset builder: files per level, level labels and content ids, skipped photos, cancel, and a commit as a level dataset.
import sharp from 'sharp';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAuxiliaryDataset } from '../../../src-main/datasets/auxiliary/build-auxiliary';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { loadRgb } from '../../../src-main/imaging/raw-image';
import type { Translator } from '../../../src-main/iqa/score/translator';
import { openStore } from '../../../src-main/store/store';
import { tempDir } from '../../helpers/temp';

/** A stand-in DT-GAN whose level k darkens the photo by 20·k grey levels (the builder only needs sizes kept). */
const darkening: Translator = {
  modelId: 'dtgan',
  levels: 3,
  config: {},
  engine: 'test',
  translate: async (img, level) => ({ ...img, data: Uint8Array.from(img.data, (v) => Math.max(0, v - 20 * level)) }),
  dispose: () => undefined,
};

async function photos(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [join(dir, 'wide.png'), join(dir, 'tall.jpg'), join(dir, 'tiny.png'), join(dir, 'broken.jpg')];
  await sharp({ create: { width: 640, height: 400, channels: 3, background: { r: 200, g: 120, b: 60 } } }).png().toFile(files[0]!);
  await sharp({ create: { width: 300, height: 500, channels: 3, background: { r: 90, g: 160, b: 220 } } }).jpeg().toFile(files[1]!);
  await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(files[2]!);
  await writeFile(files[3]!, 'not a jpeg');
  return files;
}

describe('buildAuxiliaryDataset', () => {
  it('writes the pristine photo and one translation per level, labelled by level, and skips what cannot be used', async () => {
    const root = tempDir('iqa-aux-');
    const files = await photos(join(root, 'src'));
    const build = await buildAuxiliaryDataset({ translator: darkening, pristine: files, sourceDir: join(root, 'src'), outDir: join(root, 'aux'), size: { maxSide: 256 }, minSide: 64 });
    expect(build.pristine).toBe(2);
    expect(build.failed.map((f) => f.file)).toEqual(['tiny.png', 'broken.jpg']);
    expect(build.failed[0]!.error).toMatch(/smaller than the 64px crop/);
    const { parsed } = build;
    expect([parsed.labelKind, parsed.scoreRange, parsed.higherIsBetter]).toEqual(['level', [1, 3], false]);
    expect(parsed.images.map((i) => [i.file, i.reference, i.level, i.score])).toEqual([
      ['level1/wide.png', 'wide', 1, 1], ['level2/wide.png', 'wide', 2, 2], ['level3/wide.png', 'wide', 3, 3],
      ['level1/tall.png', 'tall', 1, 1], ['level2/tall.png', 'tall', 2, 2], ['level3/tall.png', 'tall', 3, 3],
    ]);
    const ref = await loadRgb(join(root, 'aux', 'pristine', 'wide.png'));
    expect([ref.width, ref.height]).toEqual([256, 160]);
    const low = await loadRgb(join(root, 'aux', 'level3', 'wide.png'));
    expect([low.width, low.height]).toEqual([256, 160]);
    expect(ref.data[0]! - low.data[0]!).toBe(60);
    expect(readFileSync(join(root, 'aux', 'auxiliary.csv'), 'utf8').split('\n')[1]).toBe('level1/wide.png,wide,High,1');
    expect(existsSync(join(root, 'aux', 'README.md'))).toBe(true);

    const store = openStore(join(root, 'db.sqlite'));
    try {
      const r = await commitImport(store, build.root, parsed, { name: 'aux' });
      const ds = store.datasets.get(r.datasetId)!;
      expect([ds.labelKind, ds.imageCount, ds.referenceCount, ds.direction]).toEqual(['level', 6, 2, 'lower_better']);
    } finally {
      store.close();
    }
  });

  it('sized by the shorter side, keeps 3:2 and 4:3 photos a 224-pixel crop fits (a 256-pixel longest side does not)', async () => {
    const root = tempDir('iqa-aux-');
    await mkdir(join(root, 'src'), { recursive: true });
    const files = [join(root, 'src', 'three-two.png'), join(root, 'src', 'four-three.png'), join(root, 'src', 'small.png')];
    await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 200, g: 120, b: 60 } } }).png().toFile(files[0]!);
    await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 90, g: 160, b: 220 } } }).png().toFile(files[1]!);
    await sharp({ create: { width: 240, height: 230, channels: 3, background: { r: 9, g: 16, b: 22 } } }).png().toFile(files[2]!);
    const common = { translator: darkening, pristine: files, sourceDir: join(root, 'src'), minSide: 224 };
    const byShort = await buildAuxiliaryDataset({ ...common, outDir: join(root, 'short'), size: { shortSide: 256 } });
    expect(byShort.pristine).toBe(3);
    const sizes = await Promise.all(['three-two', 'four-three', 'small'].map(async (n) => loadRgb(join(root, 'short', 'level1', `${n}.png`))));
    // Downscaled to a 256-pixel shorter side; a photo already smaller is kept as it is (never enlarged).
    expect(sizes.map((s) => [s.width, s.height])).toEqual([[384, 256], [341, 256], [240, 230]]);
    expect(readFileSync(join(root, 'short', 'README.md'), 'utf8')).toMatch(/shorter side 256px/);

    const byLong = await buildAuxiliaryDataset({ ...common, outDir: join(root, 'long'), size: { maxSide: 256 } });
    expect(byLong.failed.map((f) => f.file)).toEqual(['three-two.png', 'four-three.png']);
    expect(byLong.failed[0]!.error).toMatch(/256x171 after downscaling is smaller than the 224px crop/);
  });

  it('stops on cancel and says nothing was imported', async () => {
    const root = tempDir('iqa-aux-');
    const files = await photos(join(root, 'src'));
    const ac = new AbortController();
    ac.abort();
    await expect(buildAuxiliaryDataset({ translator: darkening, pristine: files, sourceDir: join(root, 'src'), outDir: join(root, 'aux'), size: { maxSide: 128 }, minSide: 32, signal: ac.signal })).rejects.toThrow(/cancelled/);
  });

  it('fails clearly when no photo can be translated', async () => {
    const root = tempDir('iqa-aux-');
    const files = await photos(join(root, 'src'));
    await expect(buildAuxiliaryDataset({ translator: darkening, pristine: files.slice(2), sourceDir: join(root, 'src'), outDir: join(root, 'aux'), size: { maxSide: 128 }, minSide: 64 })).rejects.toThrow(/None of the 2 pristine photo/);
  });
});

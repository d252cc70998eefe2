// Synthetic dataset builder: files, CSV, README, pseudo-MOS range and level trend, determinism, bad photos, and commit to a store.
import { mkdirSync, readFileSync, existsSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { buildSyntheticDataset, type SyntheticBuild } from '../../../src-main/datasets/synth/build-synthetic';
import { pseudoMos } from '../../../src-main/imaging/synth/pseudo-mos';
import { uniqueNames } from '../../../src-main/imaging/synth/names';
import { openStore } from '../../../src-main/store/store';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const TYPES = ['gaussian_blur', 'jpeg', 'white_noise'];
const src = tempDir('iqa-synth-src-');
const out = join(tempDir('iqa-synth-out-'), 'synth');
let build: SyntheticBuild;

beforeAll(async () => {
  // Two demo photos (one in a subfolder, to test recursion and naming) and one broken file.
  mkdirSync(join(src, 'sub'), { recursive: true });
  copyFileSync(join(REPO_ROOT, 'resources/demo/bee.jpg'), join(src, 'bee.jpg'));
  copyFileSync(join(REPO_ROOT, 'resources/demo/crab.jpg'), join(src, 'sub', 'crab.jpg'));
  writeFileSync(join(src, 'broken.png'), 'not a png');
  build = await buildSyntheticDataset({ sourceDir: src, outDir: out, maxSide: 256, distortions: TYPES, levels: [1, 5], seed: 3 });
});

describe('buildSyntheticDataset', () => {
  it('writes downscaled references (short side kept at 176 px for MS-SSIM) and every distorted image as PNG', async () => {
    expect(build.references.map((r) => [r.name, r.file, r.source])).toEqual([
      ['bee', 'refs/bee.png', 'bee.jpg'],
      ['sub_crab', 'refs/sub_crab.png', join('sub', 'crab.jpg')],
    ]);
    const meta = await sharp(join(out, 'refs/bee.png')).metadata();
    // bee.jpg is 943x530: fitting 256 px would leave 144 px, under MS-SSIM's 176, so the short side is kept at 176.
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 313, 176]);
    expect(build.rows).toHaveLength(2 * 3 * 2);
    for (const r of build.rows) {
      expect(r.distName).toBe(`dist/${r.reference}__${r.distortion}__${r.level}.png`);
      expect(existsSync(join(out, r.distName))).toBe(true);
    }
    const dm = await sharp(join(out, 'dist/bee__jpeg__5.png')).metadata();
    expect([dm.format, dm.width, dm.height]).toEqual(['png', meta.width, meta.height]);
  });

  it('reports the unreadable photo without failing the build', () => {
    expect(build.failed).toHaveLength(1);
    expect(build.failed[0]!.file).toBe('broken.png');
  });

  it('writes synthetic.csv and a README documenting the pseudo-MOS', () => {
    const lines = readFileSync(join(out, 'synthetic.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('dist_name,ref_name,mos,distortion,level,psnr,ssim,ms_ssim');
    expect(lines).toHaveLength(1 + 12);
    const [dist, ref, mos, type, level, p, s, m] = lines[1]!.split(',');
    expect([dist, ref, type, level]).toEqual(['dist/bee__gaussian_blur__1.png', 'refs/bee.png', 'gaussian_blur', '1']);
    expect(Number(mos)).toBeGreaterThanOrEqual(1);
    expect(Number(p)).toBeGreaterThan(20);
    expect(Number(s)).toBeGreaterThan(0.5);
    expect(Number(m)).toBeGreaterThan(0.5);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toMatch(/pseudo-MOS/);
    expect(readme).toMatch(/nines = -log10\(max\(1 - MS-SSIM, 1e-4\)\)/);
    expect(readme).toMatch(/KADID-10k/);
    expect(readme).toMatch(/broken\.png/);
  });

  it('labels lie in [1, 5] and fall from level 1 to level 5 for every type', () => {
    for (const r of build.rows) {
      expect(r.mos).toBeGreaterThanOrEqual(1);
      expect(r.mos).toBeLessThanOrEqual(5);
      expect(r.mos).toBeCloseTo(pseudoMos(r.msSsim, r.psnr), 10);
    }
    for (const type of TYPES) {
      const mean = (level: number) => {
        const v = build.rows.filter((r) => r.distortion === type && r.level === level).map((r) => r.mos);
        return v.reduce((a, b) => a + b, 0) / v.length;
      };
      expect(mean(5), type).toBeLessThan(mean(1) - 0.5);
    }
  });

  it('returns a ParsedDataset that commitImport stores with references, distortions and levels', async () => {
    expect(build.parsed).toMatchObject({ format: 'synthetic', labelKind: 'mos', scoreRange: [1, 5], higherIsBetter: true });
    expect(build.parsed.images[0]).toEqual({
      file: 'dist/bee__gaussian_blur__1.png',
      reference: 'bee',
      referenceFile: 'refs/bee.png',
      distortion: 'gaussian_blur',
      level: 1,
      score: build.rows[0]!.mos,
    });
    const store = openStore(join(tempDir(), 'db.sqlite'));
    try {
      const res = await commitImport(store, build.root, build.parsed, { name: 'synthetic test' });
      expect(res).toMatchObject({ images: 12, references: 2, unreadable: [] });
      const ds = store.datasets.get(res.datasetId)!;
      expect(ds).toMatchObject({ kind: 'synthetic', labelKind: 'mos', scoreMin: 1, scoreMax: 5, imageCount: 12, labelledCount: 12, referenceCount: 2 });
      const facets = store.datasets.facets(res.datasetId);
      expect(facets.distortions.map((d) => [d.name, d.count])).toEqual([['gaussian_blur', 4], ['jpeg', 4], ['white_noise', 4]]);
      expect(facets.levels).toEqual([1, 5]);
    } finally {
      store.close();
    }
  });

  it('is deterministic: a second build with the same seed writes byte-identical images and CSV', async () => {
    const again = join(tempDir('iqa-synth-again-'), 'synth');
    await buildSyntheticDataset({ sourceDir: src, outDir: again, maxSide: 256, distortions: ['white_noise'], levels: [5], seed: 3 });
    expect(readFileSync(join(again, 'dist/bee__white_noise__5.png')).equals(readFileSync(join(out, 'dist/bee__white_noise__5.png')))).toBe(true);
  });

  it('picks perImage types per photo by the seed, and honours an abort signal', async () => {
    const dir = join(tempDir('iqa-synth-per-'), 'synth');
    const b = await buildSyntheticDataset({ sourceDir: src, outDir: dir, maxSide: 192, distortions: TYPES, levels: [2], perImage: 1, seed: 9 });
    expect(b.rows).toHaveLength(2);
    for (const ref of ['bee', 'sub_crab']) expect(b.rows.filter((r) => r.reference === ref)).toHaveLength(1);
    const ac = new AbortController();
    ac.abort();
    await expect(buildSyntheticDataset({ sourceDir: src, outDir: dir, maxSide: 192, distortions: TYPES, signal: ac.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('refuses bad options and empty folders', async () => {
    await expect(buildSyntheticDataset({ sourceDir: src, outDir: out, maxSide: 100 })).rejects.toThrow(/maxSide must be an integer of at least 176/);
    await expect(buildSyntheticDataset({ sourceDir: src, outDir: out, distortions: ['nope'] })).rejects.toThrow(/Unknown distortion "nope"/);
    await expect(buildSyntheticDataset({ sourceDir: src, outDir: out, levels: [6] })).rejects.toThrow(/levels must be integers 1-5/);
    await expect(buildSyntheticDataset({ sourceDir: tempDir(), outDir: out })).rejects.toThrow(/No images found/);
  });
});

describe('names', () => {
  it('flattens sub-folders, strips odd characters and keeps names unique case-insensitively', () => {
    expect(uniqueNames('/p', ['/p/a b.jpg', '/p/x/A B.png', '/p/a_b.webp', '/p/ü.jpg'])).toEqual(['a_b', 'x_A_B', 'a_b-2', 'image']);
  });
});

// Standard-dataset importers (LIVE, CSIQ, TID2008/2013, KADID-10k, KonIQ-10k, LIVE Challenge, SPAQ, BID) on fixtures in their published layouts; broken copies refused whole.
import ExcelJS from 'exceljs';
import { copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { getImporter, listImporters, type ParsedDataset } from '../../../src-main/datasets/importers/index';
import { contentDisjointSplit } from '../../../src-main/datasets/splits';
import { openStore } from '../../../src-main/store/store';
import { copyFixture, FIXTURES } from '../../helpers/fixture-copy';
import { tempDir } from '../../helpers/temp';

const store = openStore(join(tempDir(), 'db.sqlite'));
const fixture = (name: string) => join(FIXTURES, 'datasets', name);
let n = 0;

async function parseAndCommit(id: string, root: string, file?: string) {
  const parsed = await getImporter(id).parse(root, file ? { file } : {});
  const res = await commitImport(store, root, parsed, { name: `${id}-${++n}` });
  return { parsed, res, ds: store.datasets.get(res.datasetId)! };
}

/** Parse + commit must fail with bad_input matching `message`, and leave no new dataset behind. */
async function expectRefused(id: string, root: string, message: RegExp, file?: string) {
  const before = store.datasets.list().length;
  await expect(parseAndCommit(id, root, file)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(message) });
  expect(store.datasets.list()).toHaveLength(before);
}

const byFile = (p: ParsedDataset, file: string) => p.images.find((i) => i.file === file);

describe('registry', () => {
  it('registers every standard importer under the ids the CLI lists', () => {
    const ids = listImporters().map((i) => i.id);
    for (const id of ['live', 'csiq', 'tid2008', 'tid2013', 'kadid10k', 'koniq10k', 'livec', 'spaq', 'bid']) {
      expect(ids).toContain(id);
      expect(getImporter(id).expects.length).toBeGreaterThan(20);
    }
  });
});

describe('LIVE release 2', () => {
  it('reads dmos_realigned.mat and refnames_all.mat through the five folders, skipping orgs = 1', async () => {
    const { parsed, res, ds } = await parseAndCommit('live', fixture('live'));
    expect(parsed).toMatchObject({ format: 'live', labelKind: 'dmos', scoreRange: [0, 100], higherIsBetter: false });
    expect(parsed.images.map((i) => i.file)).toEqual([
      'jp2k/img1.bmp', 'jp2k/img2.bmp', 'jpeg/img1.bmp', 'jpeg/img2.bmp', 'wn/img2.bmp',
      'gblur/img1.bmp', 'gblur/img2.bmp', 'fastfading/img1.bmp', 'fastfading/img2.bmp',
    ]);
    expect(byFile(parsed, 'wn/img2.bmp')).toEqual({
      file: 'wn/img2.bmp', score: 71.125, std: 13, reference: 'parrots', referenceFile: 'refimgs/parrots.bmp', distortion: 'wn', level: null,
    });
    expect(byFile(parsed, 'fastfading/img2.bmp')).toMatchObject({ score: 90, reference: 'caps', distortion: 'fastfading' });
    expect(parsed.notes.join('\n')).toMatch(/2 entries with orgs = 1 .* skipped/);
    expect(parsed.notes.join('\n')).toMatch(/gblur 2 \(counted img\*\.bmp files\)/);
    expect(res).toMatchObject({ images: 9, references: 3, splits: [], unreadable: [] });
    expect(ds).toMatchObject({ kind: 'live', labelKind: 'dmos', scoreMin: 0, scoreMax: 100, direction: 'lower_better', imageCount: 9, labelledCount: 9 });
  });

  it('gives references that keep each scene on one side of a content-disjoint split', async () => {
    const { res } = await parseAndCommit('live', fixture('live'));
    const items = store.datasets.listImages({ datasetId: res.datasetId, offset: 0, limit: 100, sort: 'added', descending: false }).items;
    expect(new Set(items.map((i) => i.referenceName))).toEqual(new Set(['bikes', 'caps', 'parrots']));
    const parts = contentDisjointSplit(items.map((i) => ({ imageId: i.id, reference: i.referenceName })), { trainRatio: 0.67, seed: 123 });
    const sides = new Map<string, Set<string>>();
    for (const i of items) sides.set(i.referenceName!, (sides.get(i.referenceName!) ?? new Set()).add(parts.get(i.id)!));
    for (const s of sides.values()) expect(s.size).toBe(1);
  });

  it('refuses a missing image, NaN and out-of-range DMOS, folders that disagree with the .mat files, and a missing .mat', async () => {
    let dir = copyFixture('datasets/live');
    rmSync(join(dir, 'wn/img2.bmp'));
    await expectRefused('live', dir, /1 problem; nothing was imported.*image wn\/img2.bmp not found/s);

    dir = copyFixture('datasets/live');
    copyFileSync(fixture('mat5/live_dmos_broken.mat'), join(dir, 'dmos_realigned.mat'));
    await expectRefused('live', dir, /2 problems.*dmos_realigned.mat, row 2: dmos_new "NaN" is not a number.*row 4: dmos_new 130 is outside the published range \[0, 100\]/s);

    dir = copyFixture('datasets/live');
    rmSync(join(dir, 'gblur/img2.bmp'));
    await expectRefused('live', dir, /the .mat files list 11 entries .* but the folders hold 10 .*gblur 1 from files/);

    dir = copyFixture('datasets/live');
    writeFileSync(join(dir, 'jp2k/info.txt'), 'parrots.bmp img1.bmp 0.8\ncaps.bmp img2.bmp 1.2\nbikes.bmp img3.bmp 0\n');
    await expectRefused('live', dir, /jp2k\/info.txt says img1.bmp comes from parrots.bmp, but entry 1 of refnames_all says bikes.bmp/);

    dir = copyFixture('datasets/live');
    rmSync(join(dir, 'refnames_all.mat'));
    await expectRefused('live', dir, /Not a LIVE release 2 folder: .* has no "refnames_all.mat"/);
  });
});

describe('CSIQ', () => {
  it('reads csiq.DMOS.xlsx (sheet all_by_image) and finds dst_imgs/<type>/<image>.<TYPE>.<level>.png', async () => {
    const { parsed, res, ds } = await parseAndCommit('csiq', fixture('csiq'));
    expect(parsed).toMatchObject({ format: 'csiq', labelKind: 'dmos', scoreRange: [0, 1], higherIsBetter: false });
    expect(parsed.images).toHaveLength(6);
    expect(parsed.images[0]).toEqual({
      file: 'dst_imgs/awgn/1600.AWGN.1.png', score: 0.062, std: 0.061, reference: '1600', referenceFile: 'src_imgs/1600.png', distortion: 'awgn', level: 1,
    });
    expect(parsed.images[2]).toMatchObject({ file: 'dst_imgs/jpeg2000/aerial_city.jpeg2000.1.png', distortion: 'jpeg2000', reference: 'aerial_city' });
    expect(res).toMatchObject({ images: 6, references: 2 });
    expect(ds).toMatchObject({ direction: 'lower_better', scoreMin: 0, scoreMax: 1 });
  });

  it("reads HyperIQA's csiq_label.txt to the same images and labels", async () => {
    const fromXlsx = await getImporter('csiq').parse(fixture('csiq'), {});
    const fromTxt = await getImporter('csiq').parse(fixture('csiq'), { file: 'csiq_label.txt' });
    expect(fromTxt.images.map((i) => [i.file, i.score, i.reference, i.level])).toEqual(fromXlsx.images.map((i) => [i.file, i.score, i.reference, i.level]));
  });

  it('refuses a renamed column, an out-of-range DMOS and a missing label file', async () => {
    let dir = copyFixture('datasets/csiq');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'csiq.DMOS.xlsx'));
    wb.getWorksheet('all_by_image')!.getCell('F1').value = 'score';
    await wb.xlsx.writeFile(join(dir, 'csiq.DMOS.xlsx'));
    await expectRefused('csiq', dir, /csiq.DMOS.xlsx \(sheet "all_by_image"\) lacks the column "dmos"; it has: "image", "dst_idx", "dst_type", "dst_lev", "dmos_std", "score"/);

    dir = copyFixture('datasets/csiq');
    writeFileSync(join(dir, 'csiq_label.txt'), readFileSync(join(dir, 'csiq_label.txt'), 'utf8').replace('0.206', '1.5'));
    await expectRefused('csiq', dir, /csiq_label.txt, row 2: dmos 1.5 is outside the published range \[0, 1\]/, 'csiq_label.txt');

    dir = copyFixture('datasets/csiq');
    rmSync(join(dir, 'csiq.DMOS.xlsx'));
    rmSync(join(dir, 'csiq_label.txt'));
    await expectRefused('csiq', dir, /Not a CSIQ folder: .* has no "csiq.DMOS.xlsx" or "csiq_label.txt"/);
  });
});

describe('TID2013 and TID2008', () => {
  it('reads mos_with_names.txt and mos_std.txt, matching file names in any case', async () => {
    const { parsed, res } = await parseAndCommit('tid2013', fixture('tid2013'));
    expect(parsed).toMatchObject({ format: 'tid2013', labelKind: 'mos', scoreRange: [0, 9], higherIsBetter: true });
    expect(parsed.images.map((i) => [i.file, i.score, i.std, i.reference, i.referenceFile, i.distortion, i.level])).toEqual([
      ['distorted_images/i01_01_1.bmp', 5.51429, 0.13, 'I01', 'reference_images/I01.BMP', 'additive Gaussian noise', 1],
      ['distorted_images/i01_10_3.bmp', 4.2, 0.2, 'I01', 'reference_images/I01.BMP', 'JPEG compression', 3],
      ['distorted_images/i02_24_5.bmp', 1.8, 0.25, 'I02', 'reference_images/I02.BMP', 'sparse sampling and reconstruction', 5],
      ['distorted_images/I25_08_2.bmp', 3.9, 0.19, 'I25', 'reference_images/i25.bmp', 'Gaussian blur', 2],
    ]);
    expect(res).toMatchObject({ images: 4, references: 3 });
  });

  it('reads TID2008 (17 types, 4 levels, no mos_std.txt)', async () => {
    const { parsed, res } = await parseAndCommit('tid2008', fixture('tid2008'));
    expect(parsed.images.map((i) => [i.file, i.score, i.std, i.distortion, i.level])).toEqual([
      ['distorted_images/I01_01_1.bmp', 5.9706, null, 'additive Gaussian noise', 1],
      ['distorted_images/I01_17_4.bmp', 2.1, null, 'contrast change', 4],
      ['distorted_images/I02_08_2.bmp', 4.4, null, 'Gaussian blur', 2],
    ]);
    expect(res).toMatchObject({ images: 3, references: 2 });
  });

  it('refuses NaN and out-of-range MOS with their lines, bad names, and TID2013 read as TID2008', async () => {
    let dir = copyFixture('datasets/tid2013');
    writeFileSync(join(dir, 'mos_with_names.txt'), '5.5 i01_01_1.bmp\nNaN i01_10_3.bmp\n9.5 i02_24_5.bmp\n3.9 image4.bmp\n');
    await expectRefused(
      'tid2013',
      dir,
      /3 problems.*mos_with_names.txt, row 2: MOS "NaN" is not a number.*row 3: MOS 9.5 is outside the published range \[0, 9\].*row 4: image name "image4.bmp" is not in the TID form/s,
    );
    await expectRefused('tid2008', fixture('tid2013'), /distortion 24 in "i02_24_5.bmp" is not one of TID2008's 17 types \(is this TID2013\?\).*level 5/s);
    dir = copyFixture('datasets/tid2013');
    rmSync(join(dir, 'reference_images/I02.BMP'));
    await expectRefused('tid2013', dir, /reference image reference_images\/I02.BMP not found/);
  });
});

describe('KADID-10k', () => {
  it('reads dmos.csv with std = sqrt(var), references from images/', async () => {
    const { parsed, res, ds } = await parseAndCommit('kadid10k', fixture('kadid10k'));
    expect(parsed).toMatchObject({ format: 'kadid10k', scoreRange: [1, 5], higherIsBetter: true });
    expect(parsed.images[1]).toEqual({
      file: 'images/I01_10_05.png', score: 1.3, std: 0.5, reference: 'I01', referenceFile: 'images/I01.png', distortion: 'JPEG', level: 5,
    });
    expect(parsed.images[2]).toMatchObject({ distortion: 'contrast change', level: 3, reference: 'I02' });
    expect(res).toMatchObject({ images: 3, references: 2 });
    expect(ds.direction).toBe('higher_better');
  });

  it('refuses a renamed column and out-of-range values', async () => {
    let dir = copyFixture('datasets/kadid10k');
    writeFileSync(join(dir, 'dmos.csv'), readFileSync(join(dir, 'dmos.csv'), 'utf8').replace('dist_img,ref_img,dmos,var', 'dist_img,ref_img,mos,var'));
    await expectRefused('kadid10k', dir, /dmos.csv lacks the column "dmos"; it has: "dist_img", "ref_img", "mos", "var"/);
    dir = copyFixture('datasets/kadid10k');
    writeFileSync(join(dir, 'dmos.csv'), readFileSync(join(dir, 'dmos.csv'), 'utf8').replace('4.57,0.496', '0.2,-1'));
    await expectRefused('kadid10k', dir, /2 problems.*dmos.csv, row 2: dmos 0.2 is outside the published range \[1, 5\].*row 2: var "-1" is not a non-negative number/s);
  });
});

describe('KonIQ-10k', () => {
  it('reads MOS_zscore from the scores CSV and the official split from the sets CSV', async () => {
    const { parsed, res } = await parseAndCommit('koniq10k', fixture('koniq10k'));
    expect(parsed).toMatchObject({ format: 'koniq10k', labelKind: 'mos', scoreRange: [0, 100], higherIsBetter: true });
    expect(parsed.images[0]).toEqual({ file: '1024x768/10004473376.jpg', score: 77.38362069, reference: null, splits: { official_split: 'train' } });
    expect(parsed.images.map((i) => i.splits?.official_split)).toEqual(['train', 'test', 'train', 'val', 'test']);
    expect(res).toMatchObject({ images: 5, references: 0, splits: ['official_split'] });
    const official = store.splits.list(res.datasetId).find((s) => s.name === 'official_split')!;
    expect(official).toMatchObject({ protocol: 'official', counts: { train: 2, val: 1, test: 2 } });
  });

  it('imports without the sets file (no official split, said in the notes) and from the sets file alone', async () => {
    let dir = copyFixture('datasets/koniq10k');
    rmSync(join(dir, 'koniq10k_distributions_sets.csv'));
    let parsed = await getImporter('koniq10k').parse(dir, {});
    expect(parsed.images.every((i) => !i.splits)).toBe(true);
    expect(parsed.notes.join('\n')).toMatch(/official split was not imported/);
    dir = copyFixture('datasets/koniq10k');
    rmSync(join(dir, 'koniq10k_scores_and_distributions.csv'));
    parsed = await getImporter('koniq10k').parse(dir, {});
    expect(parsed.images.map((i) => i.score)).toEqual([77.38362069, 68.72857143, 78.62857143, 71.20432692, 30.94181034]);
  });

  it('refuses a bad set value, a missing image and a missing image folder', async () => {
    let dir = copyFixture('datasets/koniq10k');
    writeFileSync(join(dir, 'koniq10k_distributions_sets.csv'), readFileSync(join(dir, 'koniq10k_distributions_sets.csv'), 'utf8').replace(',validation', ',holdout'));
    rmSync(join(dir, '1024x768/10050349236.jpg'));
    await expectRefused('koniq10k', dir, /2 problems.*row 5: set "holdout" is not training\/validation\/test.*row 6: image 1024x768\/10050349236.jpg not found/s);
    dir = copyFixture('datasets/koniq10k');
    renameSync(join(dir, '1024x768'), join(dir, 'images'));
    await expectRefused('koniq10k', dir, /no image folder "1024x768" or "512x384"/);
  });
});

describe('LIVE Challenge', () => {
  it('reads the three .mat files and skips the 7 training images', async () => {
    const { parsed, res } = await parseAndCommit('livec', fixture('livec'));
    expect(parsed).toMatchObject({ format: 'livec', labelKind: 'mos', scoreRange: [0, 100], higherIsBetter: true });
    expect(parsed.images).toEqual([
      { file: 'Images/10.bmp', score: 63.9878, std: 18.5, reference: null },
      { file: 'Images/100.bmp', score: 25.5, std: 16, reference: null },
      { file: 'Images/1000.JPG', score: 77.25, std: 12.25, reference: null },
    ]);
    expect(parsed.notes.join('\n')).toMatch(/first 7 entries .*t1.bmp.* are skipped/);
    expect(res).toMatchObject({ images: 3, references: 0 });
  });

  it('refuses a missing image and a missing MOS file', async () => {
    let dir = copyFixture('datasets/livec');
    rmSync(join(dir, 'Images/100.bmp'));
    await expectRefused('livec', dir, /AllImages_release.mat, row 9: image Images\/100.bmp not found/);
    dir = copyFixture('datasets/livec');
    rmSync(join(dir, 'Data/AllMOS_release.mat'));
    await expectRefused('livec', dir, /Not a LIVE Challenge folder: .* has no "Data\/AllMOS_release.mat"/);
  });
});

describe('SPAQ', () => {
  it('reads "MOS and Image attribute scores.xlsx" and TestImage/', async () => {
    const { parsed, res } = await parseAndCommit('spaq', fixture('spaq'));
    expect(parsed).toMatchObject({ format: 'spaq', scoreRange: [0, 100], higherIsBetter: true });
    expect(parsed.images.map((i) => [i.file, i.score])).toEqual([
      ['TestImage/00001.jpg', 42.5], ['TestImage/00002.jpg', 77.9], ['TestImage/00003.jpg', 12.3], ['TestImage/00004.jpg', 63.1],
    ]);
    expect(res).toMatchObject({ images: 4, splits: [] });
  });

  it('refuses a missing annotation file and a NaN MOS', async () => {
    let dir = copyFixture('datasets/spaq');
    rmSync(join(dir, 'Annotations'), { recursive: true });
    await expectRefused('spaq', dir, /Not a SPAQ folder: .* has no "Annotations\/MOS and Image attribute scores.xlsx"/);
    dir = copyFixture('datasets/spaq');
    const file = join(dir, 'Annotations/MOS and Image attribute scores.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    wb.worksheets[0]!.getCell('B3').value = 'NaN';
    await wb.xlsx.writeFile(file);
    await expectRefused('spaq', dir, /MOS and Image attribute scores.xlsx \(Sheet1\), row 3: MOS "NaN" is not a number/);
  });
});

describe('BID', () => {
  it('reads DatabaseGrades.xlsx (image number, grade) and DatabaseImage<NNNN>.JPG', async () => {
    const { parsed, res } = await parseAndCommit('bid', fixture('bid'));
    expect(parsed).toMatchObject({ format: 'bid', scoreRange: [0, 5], higherIsBetter: true });
    expect(parsed.images.map((i) => [i.file, i.score])).toEqual([
      ['DatabaseImage0001.JPG', 3.4], ['DatabaseImage0002.JPG', 1.25], ['DatabaseImage0003.JPG', 4.6], ['DatabaseImage0004.JPG', 0.5],
    ]);
    expect(res).toMatchObject({ images: 4, unreadable: [] });
  });

  it('finds the images in ImageDatabase/ too', async () => {
    const dir = copyFixture('datasets/bid');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'ImageDatabase'));
    for (let i = 1; i <= 4; i++) renameSync(join(dir, `DatabaseImage000${i}.JPG`), join(dir, `ImageDatabase/DatabaseImage000${i}.JPG`));
    const parsed = await getImporter('bid').parse(dir, {});
    expect(parsed.images[3]!.file).toBe('ImageDatabase/DatabaseImage0004.JPG');
  });

  it('refuses an out-of-range grade and a missing image', async () => {
    const dir = copyFixture('datasets/bid');
    const file = join(dir, 'DatabaseGrades.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    wb.worksheets[0]!.getCell('B2').value = 7;
    await wb.xlsx.writeFile(file);
    rmSync(join(dir, 'DatabaseImage0004.JPG'));
    await expectRefused('bid', dir, /2 problems.*row 2: grade 7 is outside the published range \[0, 5\].*row 5: image DatabaseImage0004.JPG not found/s);
  });
});

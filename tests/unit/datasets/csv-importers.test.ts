// Generic CSV and pyiqa meta-info importers on fixtures in their formats, committed to a real store; bad files refused whole.
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { genericCsvImporter } from '../../../src-main/datasets/importers/generic-csv.importer';
import { pyiqaMetaImporter } from '../../../src-main/datasets/importers/pyiqa-meta.importer';
import { openStore } from '../../../src-main/store/store';
import { copyFixture, FIXTURES } from '../../helpers/fixture-copy';
import { tempDir } from '../../helpers/temp';

const store = openStore(join(tempDir(), 'db.sqlite'));

async function expectRefused(promise: Promise<unknown>, message: RegExp) {
  const before = store.datasets.list().length;
  await expect(promise).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(message) });
  expect(store.datasets.list()).toHaveLength(before);
}

describe('generic CSV importer', () => {
  const root = join(FIXTURES, 'datasets/csv');

  it('reads path, score, std, reference and split columns', async () => {
    const parsed = await genericCsvImporter.parse(root, { file: 'labels.csv', scoreRange: [1, 5] });
    expect(parsed.images).toHaveLength(4);
    expect(parsed.images[0]).toEqual({ file: 'images/a.png', score: 3.5, std: 0.4, reference: 'r1', splits: { csv_split: 'train' } });
    expect(parsed.images[3]!.splits).toEqual({ csv_split: 'train' });
    expect(parsed.scoreRange).toEqual([1, 5]);
  });

  it('commits images, labels, references and the split in one go', async () => {
    const parsed = await genericCsvImporter.parse(root, { file: 'labels.csv', scoreRange: [1, 5] });
    const res = await commitImport(store, root, parsed, { name: 'csv fixture' });
    expect(res).toMatchObject({ images: 4, references: 2, splits: ['csv_split'], unreadable: [] });
    const ds = store.datasets.get(res.datasetId)!;
    expect(ds).toMatchObject({ kind: 'csv', labelKind: 'mos', scoreMin: 1, scoreMax: 5, imageCount: 4, labelledCount: 4 });
    const page = store.datasets.listImages({ datasetId: res.datasetId, offset: 0, limit: 10, sort: 'label', descending: true });
    expect(page.items.map((i) => [i.name, i.label, i.width])).toEqual([
      ['images/sub/c.jpg', 4.75, 8], ['images/a.png', 3.5, 8], ['images/b.png', 2.25, 8], ['images/d.png', 1.5, 8],
    ]);
    expect(store.splits.list(res.datasetId)[0]!.counts).toEqual({ train: 3, val: 0, test: 1 });
  });

  it('infers the range from the data when none is given, and says so', async () => {
    const parsed = await genericCsvImporter.parse(root, { file: 'labels.csv' });
    expect(parsed.scoreRange).toEqual([1.5, 4.75]);
    expect(parsed.notes.join()).toMatch(/using the data's own range/);
  });

  it('refuses wrong columns, NaN, out-of-range labels, missing files, duplicates and escaping paths', async () => {
    const dir = copyFixture('datasets/csv');
    const csv = (body: string) => (writeFileSync(join(dir, 'bad.csv'), body), genericCsvImporter.parse(dir, { file: 'bad.csv', scoreRange: [1, 5] }));
    await expectRefused(csv('file,mos\nimages/a.png,3\n'), /lacks the columns "path", "score"; it has: "file", "mos"/);
    await expectRefused(csv('path,score\nimages/a.png,NaN\nimages/b.png,abc\n'), /2 problems.*row 2: score "NaN" is not a number/s);
    const commit = async (body: string) => commitImport(store, dir, await csv(body), { name: `bad-${Math.random()}` });
    await expectRefused(commit('path,score\nimages/a.png,7\n'), /label 7 outside \[1, 5\]/);
    await expectRefused(commit('path,score\nimages/a.png,3\nimages/gone.png,2\n'), /images\/gone.png: file not found/);
    await expectRefused(commit('path,score\nimages/a.png,3\nimages/a.png,2\n'), /listed twice/);
    await expectRefused(commit('path,score\n../../../etc/passwd,3\n'), /leaves the dataset folder/);
    await expectRefused(commit('path,score\n/etc/passwd,3\n'), /leaves the dataset folder or is absolute/);
    await expectRefused(csv('path,score,split\nimages/a.png,3,maybe\n'), /split "maybe" is not train\/val\/test/);
    rmSync(join(dir, 'bad.csv'));
    await expectRefused(genericCsvImporter.parse(dir, { file: 'bad.csv' }), /Missing file: .*bad\.csv/);
  });

  it('keeps unreadable images as entries with their error instead of failing the batch', async () => {
    const dir = copyFixture('datasets/csv');
    writeFileSync(join(dir, 'images/b.png'), Buffer.from('not a png at all'));
    const parsed = await genericCsvImporter.parse(dir, { file: 'labels.csv', scoreRange: [1, 5] });
    const res = await commitImport(store, dir, parsed, { name: 'with corrupt' });
    expect(res.images).toBe(4);
    expect(res.unreadable.map((u) => u.file)).toEqual(['images/b.png']);
  });
});

describe('pyiqa meta-info importer', () => {
  const root = join(FIXTURES, 'datasets/pyiqa');

  it('reads ref_name, dist_name, mos, std and every split column', async () => {
    const parsed = await pyiqaMetaImporter.parse(root, { file: 'meta_info_TinyDataset.csv', scoreRange: [1, 5] });
    expect(parsed.images).toHaveLength(5);
    expect(parsed.images[0]).toMatchObject({ file: 'dist_imgs/I01_01_1.png', reference: 'I01.png', score: 4.1, std: 0.5 });
    expect(parsed.images[4]!.splits).toEqual({ official_split: 'val', ratio802_seed123_split01: 'train', ratio802_seed123_split02: 'train' });
    expect(parsed.labelKind).toBe('mos');
  });

  it('stores the official and the random splits', async () => {
    const parsed = await pyiqaMetaImporter.parse(root, { file: 'meta_info_TinyDataset.csv', scoreRange: [1, 5] });
    const res = await commitImport(store, root, parsed, { name: 'pyiqa fixture' });
    expect(res.splits).toEqual(['official_split', 'ratio802_seed123_split01', 'ratio802_seed123_split02']);
    const official = store.splits.list(res.datasetId).find((s) => s.name === 'official_split')!;
    expect(official).toMatchObject({ protocol: 'official', counts: { train: 2, val: 1, test: 2 } });
    expect(res.references).toBe(3);
  });

  it('treats a dmos column as lower-is-better DMOS', async () => {
    const dir = copyFixture('datasets/pyiqa');
    const text = readFileSync(join(dir, 'meta_info_TinyDataset.csv'), 'utf8').replace(',mos,', ',dmos,');
    writeFileSync(join(dir, 'meta.csv'), text);
    const parsed = await pyiqaMetaImporter.parse(dir, { file: 'meta.csv' });
    expect(parsed).toMatchObject({ labelKind: 'dmos', higherIsBetter: false });
  });

  it('refuses a CSV without an image or score column, and bad split values', async () => {
    const dir = copyFixture('datasets/pyiqa');
    writeFileSync(join(dir, 'x.csv'), 'picture,quality\na.png,3\n');
    await expectRefused(pyiqaMetaImporter.parse(dir, { file: 'x.csv' }), /not a pyiqa meta-info CSV.*it has: picture, quality/);
    appendFileSync(join(dir, 'meta_info_TinyDataset.csv'), 'I04.png,dist_imgs/I01_01_1.png,2,0.1,7,0,0\n');
    await expectRefused(pyiqaMetaImporter.parse(dir, { file: 'meta_info_TinyDataset.csv' }), /official_split value "7" is not 0\/1\/2/);
  });
});

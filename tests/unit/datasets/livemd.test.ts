// The LIVE Multiply Distorted importer on a made-up fixture in the release's layout (Part 1 blur+JPEG, Part 2 blur+noise); broken copies refused whole.
import { copyFileSync, cpSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { getImporter, listImporters } from '../../../src-main/datasets/importers/index';
import { contentDisjointSplit } from '../../../src-main/datasets/splits';
import { openStore } from '../../../src-main/store/store';
import { copyFixture, FIXTURES } from '../../helpers/fixture-copy';
import { tempDir } from '../../helpers/temp';

const store = openStore(join(tempDir(), 'db.sqlite'));
const FIXTURE = join(FIXTURES, 'datasets', 'livemd');
let n = 0;

async function parseAndCommit(root: string) {
  const parsed = await getImporter('livemd').parse(root, {});
  const res = await commitImport(store, root, parsed, { name: `livemd-${++n}` });
  return { parsed, res, ds: store.datasets.get(res.datasetId)! };
}

async function expectRefused(root: string, message: RegExp) {
  const before = store.datasets.list().length;
  await expect(parseAndCommit(root)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(message) });
  expect(store.datasets.list()).toHaveLength(before);
}

describe('LIVE Multiply Distorted', () => {
  it('is registered and names the layout it expects', () => {
    expect(listImporters().map((i) => i.id)).toContain('livemd');
    expect(getImporter('livemd').expects).toMatch(/Imagelists\.mat.*Scores\.mat.*blurjpeg.*blurnoise/);
  });

  it('reads both parts: DMOSscores, references through ref4dist, distortions from distimgdistlevels; skips a listed reference', async () => {
    const { parsed, res, ds } = await parseAndCommit(FIXTURE);
    expect(parsed).toMatchObject({ format: 'livemd', labelKind: 'dmos', scoreRange: [0, 100], higherIsBetter: false });
    expect(parsed.images).toHaveLength(24);
    const part1 = parsed.images.filter((i) => i.file.startsWith('Part 1/'));
    expect(part1.slice(0, 4).map((i) => [i.file, i.reference, i.referenceFile, i.distortion, i.score])).toEqual([
      ['Part 1/blurjpeg/alpha_blur1_jpeg0.bmp', 'alpha', 'Part 1/blurjpeg/alpha.bmp', 'blur', 19.5],
      ['Part 1/blurjpeg/alpha_blur0_jpeg2.bmp', 'alpha', 'Part 1/blurjpeg/alpha.bmp', 'jpeg', 24.5],
      ['Part 1/blurjpeg/alpha_blur1_jpeg1.bmp', 'alpha', 'Part 1/blurjpeg/alpha.bmp', 'blur+jpeg', 26.75],
      ['Part 1/blurjpeg/alpha_blur3_jpeg2.bmp', 'alpha', 'Part 1/blurjpeg/alpha.bmp', 'blur+jpeg', 53],
    ]);
    expect(parsed.images.find((i) => i.file === 'Part 2/blurnoise/gamma_blur0_noise2.bmp')).toMatchObject({
      reference: 'gamma', referenceFile: 'Part 2/blurnoise/gamma.bmp', distortion: 'noise', score: 29.5, level: null,
    });
    expect(new Set(parsed.images.map((i) => i.distortion))).toEqual(new Set(['blur', 'jpeg', 'blur+jpeg', 'noise', 'blur+noise']));
    const notes = parsed.notes.join('\n');
    expect(notes).toMatch(/Part 1: 12 distorted images of 13 entries \(1 undistorted reference entry skipped\)/);
    expect(notes).toMatch(/Part 2: 12 distorted images of 12 entries/);
    expect(res).toMatchObject({ images: 24, references: 3, unreadable: [] });
    expect(ds).toMatchObject({ kind: 'livemd', labelKind: 'dmos', direction: 'lower_better', imageCount: 24, labelledCount: 24 });

    // One scene (reference name) across both parts stays on one side of a content-disjoint split.
    const items = store.datasets.listImages({ datasetId: res.datasetId, offset: 0, limit: 100, sort: 'added', descending: false }).items;
    const parts = contentDisjointSplit(items.map((i) => ({ imageId: i.id, reference: i.referenceName })), { trainRatio: 0.67, seed: 5 });
    const sides = new Map<string, Set<string>>();
    for (const i of items) sides.set(i.referenceName!, (sides.get(i.referenceName!) ?? new Set()).add(parts.get(i.id)!));
    expect([...sides.keys()].sort()).toEqual(['alpha', 'beta', 'gamma']);
    for (const s of sides.values()) expect(s.size).toBe(1);
  });

  it("finds the parts under the archive's To_Release/ folder, and imports one part alone with a note", async () => {
    const top = tempDir('livemd-release-');
    cpSync(FIXTURE, join(top, 'To_Release'), { recursive: true });
    expect((await parseAndCommit(top)).parsed.images).toHaveLength(24);

    const one = copyFixture('datasets/livemd');
    rmSync(join(one, 'Part 2'), { recursive: true });
    const { parsed } = await parseAndCommit(one);
    expect(parsed.images).toHaveLength(12);
    expect(parsed.notes.join('\n')).toMatch(/Part 2\/ not found: only Part 1 imported/);
  });

  it('refuses a missing image or reference, NaN and out-of-range DMOS, files that disagree, and a folder without the parts', async () => {
    let dir = copyFixture('datasets/livemd');
    rmSync(join(dir, 'Part 2/blurnoise/beta_blur1_noise1.bmp'));
    rmSync(join(dir, 'Part 1/blurjpeg/gamma.bmp'));
    await expectRefused(dir, /5 problems; nothing was imported.*reference image Part 1\/blurjpeg\/gamma.bmp not found.*image Part 2\/blurnoise\/beta_blur1_noise1.bmp not found/s);

    dir = copyFixture('datasets/livemd');
    copyFileSync(join(FIXTURES, 'datasets', 'mat5', 'livemd_scores_bad.mat'), join(dir, 'Part 1', 'Scores.mat'));
    await expectRefused(dir, /2 problems.*Part 1\/Scores.mat, row 3: DMOSscores "NaN" is not a number.*row 6: DMOSscores 130 is outside the published range \[0, 100\]/s);

    dir = copyFixture('datasets/livemd');
    copyFileSync(join(FIXTURES, 'datasets', 'mat5', 'livemd_scores_short.mat'), join(dir, 'Part 1', 'Scores.mat'));
    await expectRefused(dir, /Part 1 files disagree: distimgs has 13 entries, DMOSscores 12, ref4dist 13, distimgdistlevels 13 rows/);

    dir = copyFixture('datasets/livemd');
    renameSync(join(dir, 'Part 1', 'blurjpeg'), join(dir, 'Part 1', 'images'));
    await expectRefused(dir, /Part 1\/ has no "blurjpeg\/" image folder/);

    dir = tempDir('livemd-empty-');
    mkdirSync(join(dir, 'blurjpeg'));
    await expectRefused(dir, /Not a LIVE Multiply Distorted folder: .* has no "Part 1\/" or "Part 2\/" folder/);
  });
});

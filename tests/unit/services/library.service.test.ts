// The library service through the dispatcher on real SQLite and image files: add a folder, rate per keypress, calibrate, XMP write/read jobs, CSV, 10k photos.
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calibration, DatasetSummary, JobInfo, PhotoItem, PhotoPage, PhotoStats } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { readSidecar } from '../../../src-main/photo/xmp';
import type { XmpReadResult, XmpWriteResult } from '../../../src-main/services/library.service';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/xmp');
const N = 40;

let rt: Runtime;
let photosDir: string;
let datasetId: number;
let byName: Map<string, PhotoItem>;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

/** Waits for a job's end and returns its final state. */
function jobEnd(jobId: string): Promise<JobInfo> {
  const known = rt.ctx.jobs.get(jobId);
  if (known && known.state !== 'running') return Promise.resolve(known);
  return new Promise((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === jobId && j.state !== 'running') {
        off();
        resolve(j);
      }
    });
  });
}

async function runJob<T>(channel: string, input: unknown): Promise<{ job: JobInfo; result: T }> {
  const started = await call<JobInfo>(channel, input);
  const job = await jobEnd(started.jobId);
  expect(job.state, job.error?.message).toBe('done');
  return { job, result: job.result as T };
}

const list = (q: Record<string, unknown> = {}) => call<PhotoPage>('library:list', { datasetId, limit: 1000, ...q });
const rate = (name: string, input: { stars?: number; rejected?: boolean }) => call<PhotoItem>('library:rate', { imageId: byName.get(name)!.id, ...input });
const nameOf = (i: number) => `IMG_${String(i).padStart(4, '0')}.jpg`;
/** Photos sit in two nested day folders, so the import is recursive. */
const relOf = (i: number) => (i < N / 2 ? `day1/${nameOf(i)}` : `day2/card/${nameOf(i)}`);
/** Score of photo i: spread evenly over 1-5, higher is better. */
const scoreOf = (i: number) => 1 + (4 * i) / (N - 1);

function setScores(source: string, model: string, scale: string, f: (i: number) => number): void {
  rt.ctx.store.scores.upsertMany(
    Array.from({ length: N }, (_, i) => ({ imageId: byName.get(relOf(i))!.id, model, source, runId: null, score: f(i), scale, crops: 4 })),
  );
}

beforeAll(async () => {
  photosDir = tempDir('iqa-library-photos-');
  for (let i = 0; i < N; i++) await writeTestImage(join(photosDir, relOf(i)), 16, 12, i + 1);
  rt = await openRuntime({ dataDir: tempDir('iqa-library-'), shell: 'serve', backend: false, seedDemo: false });
  const { result } = await runJob<{ datasetId: number; imported: number }>('datasets:import', { format: 'folder', root: photosDir, name: 'Shoot' });
  expect(result.imported).toBe(N);
  datasetId = result.datasetId;
  byName = new Map((await list()).items.map((p) => [p.name, p]));
  setScores('shipped:hyperiqa', 'hyperiqa', 'mos 1-5 higher', scoreOf);
}, 60_000);
afterAll(() => rt?.close());

describe('a folder added to the library', () => {
  it('is a folder collection holding every photo of the nested folders, unrated and scored', async () => {
    const ds = await call<DatasetSummary>('datasets:get', { id: datasetId });
    expect(ds).toMatchObject({ kind: 'folder', imageCount: N, root: photosDir });
    const page = await list({ sort: 'score', descending: true, limit: 5 });
    expect(page.total).toBe(N);
    expect(page.items.map((p) => p.name)).toEqual([39, 38, 37, 36, 35].map(relOf));
    expect(page.items[0]).toMatchObject({ stars: null, rejected: false, predicted: null, score: 5, error: null });
    const stats = await call<PhotoStats>('library:stats', { datasetId });
    expect(stats).toEqual({ total: N, scored: N, rated: 0, rejected: 0, predicted: 0, stars: [N, 0, 0, 0, 0, 0], scoreSources: [{ model: 'hyperiqa', source: 'shipped:hyperiqa', runId: null, scale: 'mos 1-5 higher', count: N }], cameras: [], lenses: [], groups: 0 });
  });
});

describe('culling', () => {
  it('commits each rating to the database file before it answers', async () => {
    const p = await rate(relOf(3), { stars: 4 });
    expect(p).toMatchObject({ name: relOf(3), stars: 4, rejected: false });
    // Another connection to the same file (as after a crash) sees it.
    const other = new Database(rt.ctx.store.file, { readonly: true });
    expect(other.prepare('SELECT stars, rejected FROM photo_ratings WHERE image_id = ?').get(p.id)).toEqual({ stars: 4, rejected: 0 });
    other.close();
  });

  it('keeps the stars of a rejected photo, and un-rejecting a photo without stars records 0 stars', async () => {
    expect(await rate(relOf(3), { rejected: true })).toMatchObject({ stars: 4, rejected: true });
    expect(await rate(relOf(3), { rejected: false })).toMatchObject({ stars: 4, rejected: false });
    expect(await rate(relOf(5), { rejected: true })).toMatchObject({ stars: null, rejected: true });
    expect(await rate(relOf(5), { rejected: false })).toMatchObject({ stars: 0, rejected: false });
    expect(await rate(relOf(5), { stars: 2 })).toMatchObject({ stars: 2 });
    await expect(call('library:rate', { imageId: byName.get(relOf(5))!.id, stars: 6 })).rejects.toMatchObject({ code: 'validation' });
    await expect(call('library:rate', { imageId: 99_999, stars: 1 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('sorts by stars (rejected last, equal stars by score) and filters by rating and stars', async () => {
    await rate(relOf(0), { stars: 4 });
    await rate(relOf(1), { rejected: true });
    const byStars = (await list({ sort: 'stars', descending: true })).items;
    expect(byStars.slice(0, 4).map((p) => [p.name, p.stars])).toEqual([
      [relOf(3), 4],
      [relOf(0), 4],
      [relOf(5), 2],
      [relOf(39), null],
    ]);
    expect(byStars.at(-1)!.name).toBe(relOf(1));
    expect((await list({ rating: 'rejected' })).items.map((p) => p.name)).toEqual([relOf(1)]);
    expect((await list({ rating: 'rated' })).total).toBe(3);
    expect((await list({ rating: 'unrated' })).total).toBe(N - 4);
    expect((await list({ rating: 'notRejected' })).total).toBe(N - 1);
    expect((await list({ starsMin: 3 })).items.map((p) => p.name).sort()).toEqual([relOf(0), relOf(3)]);
    expect((await list({ scoreMin: 4.5, search: 'card' })).items.every((p) => p.score! >= 4.5 && p.name.includes('card'))).toBe(true);
    const stats = await call<PhotoStats>('library:stats', { datasetId });
    expect(stats).toMatchObject({ rated: 3, rejected: 1, predicted: 0, stars: [N - 4, 0, 1, 0, 2, 0] });
  });
});

describe('calibration', () => {
  let sample: PhotoItem[];

  it('draws a sample spread over the score range, in a shuffled, repeatable order, without rated photos', async () => {
    sample = await call<PhotoItem[]>('library:sample', { datasetId, size: 12, seed: 3 });
    expect(sample).toHaveLength(12);
    const rated = new Set([relOf(0), relOf(1), relOf(3), relOf(5)]);
    expect(sample.some((p) => rated.has(p.name))).toBe(false);
    const scores = sample.map((p) => p.score!).sort((a, b) => a - b);
    expect(scores[0]).toBeLessThan(1.6);
    expect(scores.at(-1)).toBeGreaterThan(4.4);
    expect(sample.map((p) => p.score)).not.toEqual(scores);
    expect((await call<PhotoItem[]>('library:sample', { datasetId, size: 12, seed: 3 })).map((p) => p.id)).toEqual(sample.map((p) => p.id));
  });

  it('refuses to fit before enough photos are rated', async () => {
    await expect(call('library:calibrate', { datasetId })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/at least 5 scored photos.*\(3 so far\)/) });
    await expect(call('library:applyCalibration', { datasetId })).rejects.toMatchObject({ code: 'validation', message: expect.stringMatching(/Fit a calibration first/) });
  });

  it('fits the photographer’s stars, reports SRCC and a confusion table, and keeps the fit', async () => {
    // The photographer's stars follow the score, one star lower than rounding would give at the top.
    for (const p of sample) await call('library:rate', { imageId: p.id, stars: Math.min(4, Math.round(p.score!)) });
    await rate(relOf(0), { stars: 1 });
    const c = await call<Calibration>('library:calibrate', { datasetId });
    expect(c).toMatchObject({ datasetId, method: 'agreement-thresholds', higherIsBetter: true, scale: 'mos 1-5 higher', model: 'hyperiqa (shipped)' });
    // 12 sample photos + IMG_0000 (1★), IMG_0003 (4★), IMG_0005 (2★); IMG_0001 is rejected.
    expect(c.n).toBe(15);
    expect(c.srcc!).toBeGreaterThan(0.7);
    expect(c.confusion.flat().reduce((a, b) => a + b)).toBe(15);
    expect(c.bands.map((b) => b.stars)).toEqual([...c.bands.map((b) => b.stars)].sort());
    expect(c.bands.some((b) => b.stars === 5)).toBe(false);
    expect(c.agreement).toBeGreaterThanOrEqual(13 / 15);
    expect(c.warnings.join(' ')).toMatch(/Only 15 rated photos/);
    expect(await call<Calibration | null>('library:calibration', { datasetId })).toEqual(c);
  });

  it('applies predicted stars to unrated photos only, never over the photographer’s own or a reject', async () => {
    const before = (await list()).items;
    const res = await call<{ predicted: number; unscored: number; kept: number }>('library:applyCalibration', { datasetId });
    expect(res).toEqual({ predicted: N - 15 - 1, unscored: 0, kept: 16 });
    const after = new Map((await list()).items.map((p) => [p.id, p]));
    for (const p of before) {
      const a = after.get(p.id)!;
      expect(a.stars).toBe(p.stars);
      expect(a.rejected).toBe(p.rejected);
      if (p.stars === null && !p.rejected) expect(a.predicted).toBeGreaterThanOrEqual(1);
      else expect(a.predicted).toBeNull();
    }
    expect(after.get(byName.get(relOf(39))!.id)!.predicted).toBe(4);
    expect(after.get(byName.get(relOf(6))!.id)!.predicted).toBeLessThanOrEqual(2);
    expect((await list({ rating: 'predicted' })).total).toBe(N - 16);
    expect((await call<PhotoStats>('library:stats', { datasetId })).predicted).toBe(N - 16);
    // A photo rated after the prediction shows the photographer's stars.
    expect(await rate(relOf(39), { stars: 5 })).toMatchObject({ stars: 5, predicted: 4 });
  });

  it('refuses to apply a calibration fitted to scores of other weights', async () => {
    setScores('run-9/epoch-0003', 'cnniqa', 'mos 1-5 higher', scoreOf);
    await expect(call('library:applyCalibration', { datasetId })).rejects.toMatchObject({ message: expect.stringMatching(/fitted to hyperiqa \(shipped\) scores.*fit it again/) });
    setScores('shipped:hyperiqa', 'hyperiqa', 'mos 1-5 higher', scoreOf);
    expect((await call<{ predicted: number }>('library:applyCalibration', { datasetId })).predicted).toBe(N - 17);
  });
});

describe('XMP sidecars', () => {
  const path = (i: number) => join(photosDir, relOf(i));

  it('writes darktable sidecars for the collection: stars, -1 for rejected, predicted stars and the score; originals untouched', async () => {
    // IMG_0003 has a darktable sidecar with an edit history; IMG_0007 (predicted) one saying 3 stars.
    copyFileSync(join(FIXTURES, 'darktable/photo.jpg.xmp'), `${path(3)}.xmp`);
    writeFileSync(`${path(7)}.xmp`, readFileSync(join(FIXTURES, 'darktable/photo.jpg.xmp'), 'utf8'));
    writeFileSync(`${path(8)}.xmp`, 'this is not XML');
    const before = Array.from({ length: N }, (_, i) => ({ bytes: readFileSync(path(i)), mtime: statSync(path(i)).mtimeMs }));

    const { result, job } = await runJob<XmpWriteResult>('library:writeXmp', { datasetId, naming: 'darktable' });
    expect(job.kind).toBe('xmp-write');
    expect(result).toMatchObject({ total: N, written: N - 1, created: N - 3, unchanged: 0, skipped: 0, failed: 1 });
    expect(result.errors).toEqual([{ imageId: byName.get(relOf(8))!.id, name: relOf(8), error: expect.stringMatching(/not an XMP sidecar/) }]);

    const s3 = await readSidecar(`${path(3)}.xmp`);
    expect(s3.rating).toBe(4);
    expect(s3.raw).toContain('darktable:operation="filmicrgb"');
    expect(s3.raw).toContain('<rdf:li>places|coast|Sagres</rdf:li>');
    expect(s3.score).toEqual({ value: scoreOf(3), model: 'hyperiqa (shipped)', scale: 'mos 1-5 higher', scoredAt: expect.any(String) });
    expect((await readSidecar(`${path(1)}.xmp`)).rating).toBe(-1);
    expect((await readSidecar(`${path(39)}.xmp`)).rating).toBe(5);
    const predicted30 = (await list({ rating: 'predicted' })).items.find((p) => p.name === relOf(30))!;
    expect((await readSidecar(`${path(30)}.xmp`)).rating).toBe(predicted30.predicted);
    // A prediction does not replace the 3 stars another program wrote.
    expect((await readSidecar(`${path(7)}.xmp`)).rating).toBe(3);
    expect(readFileSync(`${path(8)}.xmp`, 'utf8')).toBe('this is not XML');
    for (let i = 0; i < N; i++) {
      expect(readFileSync(path(i)).equals(before[i]!.bytes)).toBe(true);
      expect(statSync(path(i)).mtimeMs).toBe(before[i]!.mtime);
    }

    // Writing again changes nothing.
    const again = await runJob<XmpWriteResult>('library:writeXmp', { datasetId, naming: 'darktable' });
    expect(again.result).toMatchObject({ written: 0, unchanged: N - 1, failed: 1 });
  });

  it('writes Lightroom sidecars for a selection, refusing photos that would share one', async () => {
    const dupJpg = join(photosDir, 'day1', 'IMG_0000.png');
    await writeTestImage(dupJpg, 16, 12, 99);
    const { result: added } = await runJob<{ datasetId: number }>('datasets:import', { format: 'folder', root: join(photosDir, 'day1'), name: 'Day 1' });
    const day1 = (await call<PhotoPage>('library:list', { datasetId: added.datasetId, limit: 100 })).items;
    const pick = day1.filter((p) => ['IMG_0000.jpg', 'IMG_0000.png', 'IMG_0002.jpg'].includes(p.name));
    for (const p of pick) await call('library:rate', { imageId: p.id, stars: 5 });
    const lrFixture = join(photosDir, 'day1', 'IMG_0002.xmp');
    copyFileSync(join(FIXTURES, 'lightroom/photo.xmp'), lrFixture);

    const { result } = await runJob<XmpWriteResult>('library:writeXmp', { datasetId: added.datasetId, naming: 'lightroom', imageIds: pick.map((p) => p.id), includeScore: false });
    expect(result).toMatchObject({ total: 3, written: 1, failed: 2 });
    expect(result.errors.map((e) => e.error).join(' ')).toMatch(/IMG_0000\.xmp would also be the sidecar of IMG_0000\.(png|jpg)/);
    const lr = await readSidecar(lrFixture);
    expect(lr.rating).toBe(5);
    expect(lr.label).toBe('Red');
    expect(lr.raw).toContain('crs:Exposure2012="+0.35"');
    expect(lr.score).toBeUndefined();
    await expect(call('library:writeXmp', { datasetId, naming: 'lightroom', imageIds: [pick[0]!.id] })).rejects.toMatchObject({ message: expect.stringMatching(/not in this collection/) });
    await expect(call('library:writeXmp', { datasetId, naming: 'capture-one' })).rejects.toMatchObject({ code: 'validation' });
  });

  it('reads ratings from existing sidecars: imports, keeps or replaces its own, counts the rest', async () => {
    const fresh = tempDir('iqa-library-read-');
    const names = ['dt.jpg', 'lr.jpg', 'rej.jpg', 'both.jpg', 'none.jpg', 'bad.jpg', 'mine.jpg'];
    for (const [i, n] of names.entries()) await writeTestImage(join(fresh, n), 8, 8, i);
    copyFileSync(join(FIXTURES, 'darktable/photo.jpg.xmp'), join(fresh, 'dt.jpg.xmp'));
    copyFileSync(join(FIXTURES, 'lightroom/photo.xmp'), join(fresh, 'lr.xmp'));
    copyFileSync(join(FIXTURES, 'rejected/photo.jpg.xmp'), join(fresh, 'rej.jpg.xmp'));
    copyFileSync(join(FIXTURES, 'digikam/photo.jpg.xmp'), join(fresh, 'both.jpg.xmp'));
    copyFileSync(join(FIXTURES, 'exiftool/photo.xmp'), join(fresh, 'both.xmp'));
    writeFileSync(join(fresh, 'bad.jpg.xmp'), '<x:xmpmeta');
    copyFileSync(join(FIXTURES, 'lightroom/photo.xmp'), join(fresh, 'mine.xmp'));
    const { result: imp } = await runJob<{ datasetId: number }>('datasets:import', { format: 'folder', root: fresh, name: 'Sidecars' });
    const id = (n: string) => byNameIn(imp.datasetId, n);
    await call('library:rate', { imageId: await id('mine.jpg'), stars: 5 });

    const { result } = await runJob<XmpReadResult>('library:readXmp', { datasetId: imp.datasetId });
    expect(result).toMatchObject({ total: 7, imported: 4, replaced: 0, conflicts: 1, noSidecar: 1, both: 1, failed: 1, conflictNames: ['mine.jpg'] });
    expect(result.errors[0]!.name).toBe('bad.jpg');
    const got = new Map((await call<PhotoPage>('library:list', { datasetId: imp.datasetId })).items.map((p) => [p.name, [p.stars, p.rejected]]));
    expect(Object.fromEntries(got)).toEqual({
      'dt.jpg': [3, false],
      'lr.jpg': [2, false],
      'rej.jpg': [null, true],
      'both.jpg': [4, false],
      'none.jpg': [null, false],
      'bad.jpg': [null, false],
      'mine.jpg': [5, false],
    });

    const lightroomFirst = await runJob<XmpReadResult>('library:readXmp', { datasetId: imp.datasetId, prefer: 'lightroom', overwrite: true });
    expect(lightroomFirst.result).toMatchObject({ imported: 0, replaced: 2, unchanged: 3 });
    const after = (await call<PhotoPage>('library:list', { datasetId: imp.datasetId })).items;
    expect(after.find((p) => p.name === 'both.jpg')!.stars).toBe(1);
    expect(after.find((p) => p.name === 'mine.jpg')!.stars).toBe(2);
  });

  it.each(['darktable', 'lightroom'] as const)('round-trips stars and rejects through %s sidecars into another collection of the same folder', async (naming) => {
    const dir = tempDir(`iqa-library-rt-${naming}-`);
    const want: Record<string, { stars?: number; rejected?: boolean }> = {
      'a.jpg': { stars: 5 },
      'b.jpg': { stars: 1 },
      'c.jpg': { stars: 3, rejected: true },
      'd.jpg': { rejected: true },
      'e.jpg': {},
    };
    for (const [i, n] of Object.keys(want).entries()) await writeTestImage(join(dir, n), 8, 8, i + 7);
    const { result: a } = await runJob<{ datasetId: number }>('datasets:import', { format: 'folder', root: dir, name: `rt-${naming}-a` });
    for (const [n, r] of Object.entries(want)) if (r.stars !== undefined || r.rejected) await call('library:rate', { imageId: await byNameIn(a.datasetId, n), ...r });
    const written = await runJob<XmpWriteResult>('library:writeXmp', { datasetId: a.datasetId, naming });
    expect(written.result).toMatchObject({ written: 4, skipped: 1, failed: 0 });
    expect(existsSync(join(dir, naming === 'darktable' ? 'a.jpg.xmp' : 'a.xmp'))).toBe(true);

    const { result: b } = await runJob<{ datasetId: number }>('datasets:import', { format: 'folder', root: dir, name: `rt-${naming}-b` });
    const read = await runJob<XmpReadResult>('library:readXmp', { datasetId: b.datasetId, prefer: naming });
    expect(read.result).toMatchObject({ imported: 4, noSidecar: 1, failed: 0 });
    const got = Object.fromEntries((await call<PhotoPage>('library:list', { datasetId: b.datasetId })).items.map((p) => [p.name, [p.stars, p.rejected]]));
    // XMP holds one value: a rejected photo's stars stay behind.
    expect(got).toEqual({ 'a.jpg': [5, false], 'b.jpg': [1, false], 'c.jpg': [null, true], 'd.jpg': [null, true], 'e.jpg': [null, false] });
  });

  async function byNameIn(ds: number, name: string): Promise<number> {
    return (await call<PhotoPage>('library:list', { datasetId: ds, search: name })).items.find((p) => p.name === name)!.id;
  }
});

describe('CSV export', () => {
  const path = (i: number) => join(photosDir, relOf(i));

  it('lists path, score, stars and rejected for every photo, or for a filter', async () => {
    const all = await call<{ filename: string; csv: string; rows: number }>('library:exportCsv', { datasetId });
    expect(all.filename).toBe('Shoot-ratings.csv');
    expect(all.rows).toBe(N);
    const lines = all.csv.trim().split('\n');
    expect(lines[0]).toBe('path,score,stars,rejected,predicted_stars,score_model,score_scale,color,sharpness,noise,clipped_highlights_pct,clipped_shadows_pct,mean_luminance_pct,compression');
    expect(lines).toHaveLength(N + 1);
    expect(lines).toContain(`${path(1)},${scoreOf(1)},,1,,hyperiqa (shipped),mos 1-5 higher,,,,,,,`);
    expect(lines).toContain(`${path(3)},${scoreOf(3)},4,0,,hyperiqa (shipped),mos 1-5 higher,,,,,,,`);
    // The model named as the sidecars' iqa:ScoreModel names it.
    expect((await readSidecar(`${path(3)}.xmp`)).score?.model).toBe('hyperiqa (shipped)');
    const rejected = await call<{ csv: string; rows: number }>('library:exportCsv', { datasetId, filter: { rating: 'rejected' } });
    expect(rejected.rows).toBe(1);
  });
});

describe('a 10,000-photo collection', () => {
  // How fast the pages come is measured by `npm run bench` ("library: page a 10,000-photo collection"), not asserted here.
  it('pages any slice, and writes sidecars as a job that reports each failure and can be cancelled', async () => {
    const store = rt.ctx.store;
    const big = store.transaction(() => {
      const id = store.datasets.create({ name: 'Big', kind: 'folder', root: '/big' });
      for (let i = 0; i < 10_000; i++) {
        const imageId = store.datasets.addImage(id, { path: `/big/${i}.jpg`, name: `${String(i).padStart(5, '0')}.jpg` });
        if (i % 3 === 0) store.photos.setRating(imageId, i % 6, i % 7 === 0, null);
      }
      return id;
    });
    const deep = await call<PhotoPage>('library:list', { datasetId: big, sort: 'stars', descending: true, offset: 9_000, limit: 200 });
    const filtered = await call<PhotoPage>('library:list', { datasetId: big, starsMin: 3, offset: 200, limit: 200 });
    const stats = await call<PhotoStats>('library:stats', { datasetId: big });
    expect(deep.total).toBe(10_000);
    expect(deep.items).toHaveLength(200);
    expect(filtered.items.every((p) => !p.rejected && p.stars! >= 3)).toBe(true);
    expect(stats.total).toBe(10_000);

    // Writing sidecars for it: the files do not exist, so every photo fails on its own and the batch goes on to the end.
    const seen: number[] = [];
    const off = rt.services.events.subscribe((event, payload) => {
      if (event === 'jobs:progress' && (payload as JobInfo).kind === 'xmp-write') seen.push((payload as JobInfo).done);
    });
    const { result } = await runJob<XmpWriteResult>('library:writeXmp', { datasetId: big, naming: 'darktable' });
    off();
    expect(result).toMatchObject({ total: 10_000, failed: 10_000, written: 0 });
    expect(result.errors).toHaveLength(100);
    expect(result.errors[0]!.error).toMatch(/photo file is missing/);
    expect(seen.at(-1)).toBe(10_000);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    const job = await call<JobInfo>('library:writeXmp', { datasetId: big, naming: 'lightroom' });
    expect(rt.ctx.jobs.cancel(job.jobId)).toBe(true);
    const cancelled = await jobEnd(job.jobId);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.error?.message).toMatch(/Cancelled after 0 of 10000 photos/);
  });
});

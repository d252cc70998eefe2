// `iqa library` run as a photographer would: add a folder, score it, list by score, rate, calibrate, XMP, CSV.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PhotoItem } from '../../../src-shared/api/schemas';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const dataDir = tempDir('iqa-library-cli-');
const photos = join(dataDir, 'Trip 2026');
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args, '--data-dir', dataDir], { cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20 });
const fails = (...args: string[]) => iqa(...args).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
const jsonLines = <T>(stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as T);
const DEMO = ['bee.jpg', 'butterfly.jpg', 'cheetah.jpg', 'calf.jpg', 'crab.jpg', 'alpaca.jpg'];

describe('iqa library', () => {
  beforeAll(async () => {
    mkdirSync(join(photos, 'day2'), { recursive: true });
    DEMO.forEach((f, k) => copyFileSync(join(REPO_ROOT, 'resources/demo', f), join(photos, k < 3 ? '' : 'day2', f)));
    await sharp(join(REPO_ROOT, 'resources/demo/bee.jpg')).resize(480).jpeg({ quality: 20 }).toFile(join(photos, 'day2/bee-small.jpg'));
    writeFileSync(join(photos, 'broken.jpg'), 'not a JPEG');
  });

  it('adds a folder recursively as a collection, listing an unreadable file without failing', async () => {
    const out = JSON.parse((await iqa('library', 'add', photos, '--json')).stdout) as { collection: { name: string; imageCount: number; kind: string } };
    expect(out.collection).toMatchObject({ name: 'Trip 2026', imageCount: 8, kind: 'folder' });
    expect((await iqa('library', 'collections')).stdout).toMatch(/Trip 2026\s+8 photos\s+0 scored\s+0 rated\s+0 rejected/);
  });

  it('scores the collection with the default quality model when no model is named, and lists it by score', async () => {
    const result = JSON.parse((await iqa('library', 'score', 'Trip 2026', '--json', '--backend', 'wasm')).stdout) as { model: string; total: number; scored: number };
    expect(result).toMatchObject({ model: 'quality', total: 7, scored: 7 });
    const listed = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip 2026', '--sort', 'score', '--desc', '--json')).stdout);
    const scores = listed.filter((p) => !p.error).map((p) => p.score!);
    expect(scores).toHaveLength(7);
    expect(scores.every((s) => s >= 1 && s <= 5)).toBe(true);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(listed.find((p) => p.error)?.name).toBe('broken.jpg');
  }, 120_000);

  it('rates photos named by name, path or id, and refuses what it cannot find or parse', async () => {
    const listed = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip 2026', '--json')).stdout);
    const id = (name: string) => String(listed.find((p) => p.name === name)!.id);
    expect((await iqa('library', 'rate', 'Trip 2026', 'bee.jpg', join(photos, 'day2/calf.jpg'), '--stars', '4')).stdout).toBe('bee.jpg: ★★★★☆\nday2/calf.jpg: ★★★★☆\n');
    await iqa('library', 'rate', 'Trip 2026', id('day2/crab.jpg'), '--reject');
    await iqa('library', 'rate', 'Trip 2026', 'butterfly.jpg', '--stars', '2');
    await iqa('library', 'rate', 'Trip 2026', 'cheetah.jpg', '--stars', '5');
    await iqa('library', 'rate', 'Trip 2026', join(photos, 'day2/alpaca.jpg'), '--stars', '3');
    expect(await fails('library', 'rate', 'Trip 2026', 'nope.jpg', '--stars', '3')).toMatchObject({ code: 1, stderr: expect.stringMatching(/No photo "nope.jpg" in "Trip 2026"/) });
    expect(await fails('library', 'rate', 'Trip 2026', 'bee.jpg', '--stars', '6')).toMatchObject({ stderr: expect.stringMatching(/whole number of stars, 0-5/) });
    expect(await fails('library', 'rate', 'Trip 2026', 'bee.jpg')).toMatchObject({ stderr: expect.stringMatching(/Give --stars N/) });
    expect((await iqa('library', 'rate', 'Trip 2026', 'bee.jpg', '--set-color', 'green')).stdout).toBe('bee.jpg: ★★★★☆ green\n');
    const green = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip 2026', '--color', 'green', '--json')).stdout);
    expect(green.map((p) => p.name)).toEqual(['bee.jpg']);
    expect(await fails('library', 'rate', 'Trip 2026', 'bee.jpg', '--set-color', 'orange')).toMatchObject({ stderr: expect.stringMatching(/Allowed choices are red, yellow, green, blue, purple, none/) });

    const rated = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip 2026', '--rating', 'rated', '--sort', 'stars', '--desc', '--json')).stdout);
    expect(rated.map((p) => p.stars)).toEqual([5, 4, 4, 3, 2]);
    expect(rated.map((p) => p.name).sort()).toEqual(['bee.jpg', 'butterfly.jpg', 'cheetah.jpg', 'day2/alpaca.jpg', 'day2/calf.jpg']);
    expect((await iqa('library', 'stats', 'Trip 2026')).stdout).toMatch(/8 photos, 7 scored, 5 rated by you, 1 rejected/);
  }, 180_000);

  it('calibrates score → stars on the rated photos, prints the agreement, and predicts stars for the unrated one', async () => {
    const text = (await iqa('library', 'calibrate', 'Trip 2026')).stdout;
    expect(text).toMatch(/Calibrated "Trip 2026" on 5 photos you rated/);
    expect(text).toMatch(/your stars ↓ \/ predicted →/);
    const out = JSON.parse((await iqa('library', 'calibrate', 'Trip 2026', '--apply', '--json')).stdout) as {
      calibration: { n: number; confusion: number[][]; warnings: string[] }; applied: { predicted: number };
    };
    expect(out.calibration.n).toBe(5);
    expect(out.calibration.confusion.flat().reduce((a, b) => a + b, 0)).toBe(5);
    expect(out.calibration.warnings.join(' ')).toMatch(/rate at least 30/);
    expect(out.applied.predicted).toBe(1);
    const predicted = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip 2026', '--rating', 'predicted', '--json')).stdout);
    expect(predicted.map((p) => p.name)).toEqual(['day2/bee-small.jpg']);
    expect(predicted[0]!.predicted).toBeGreaterThanOrEqual(1);
  });

  it('writes sidecars with Lightroom naming, merging into an existing one, and leaves the photos untouched', async () => {
    const bee = join(photos, 'bee.jpg');
    const before = readFileSync(bee);
    copyFileSync(join(REPO_ROOT, 'tests/fixtures/xmp/lightroom/photo.xmp'), join(photos, 'bee.xmp'));
    const r = JSON.parse((await iqa('library', 'xmp', 'write', 'Trip 2026', '--naming', 'lightroom', '--json')).stdout) as { total: number; written: number; failed: number };
    expect(r).toMatchObject({ total: 8, written: 7, skipped: 1, failed: 0 });
    const sidecar = readFileSync(join(photos, 'bee.xmp'), 'utf8');
    expect(sidecar).toMatch(/xmp:Rating="4"/);
    expect(sidecar).toMatch(/xmp:Label="Green"/);
    expect(sidecar).not.toMatch(/xmp:Label="Red"/);
    expect(sidecar).toMatch(/iqa:Score="[\d.]+"/);
    expect(sidecar).toContain('xmp:CreatorTool="Adobe Photoshop Lightroom Classic 13.0 (Macintosh)"');
    expect(sidecar).toContain('tiff:Model="X-T4"');
    expect(readFileSync(join(photos, 'day2/crab.xmp'), 'utf8')).toMatch(/xmp:Rating="-1"/);
    expect(existsSync(join(photos, 'bee.jpg.xmp'))).toBe(false);
    expect(readFileSync(bee).equals(before)).toBe(true);
  });

  it('reads the ratings back from sidecars into a second collection of the same folder', async () => {
    await iqa('library', 'add', photos, '--name', 'Trip again');
    const r = JSON.parse((await iqa('library', 'xmp', 'read', 'Trip again', '--prefer', 'lightroom', '--json')).stdout) as { imported: number; noSidecar: number };
    // The predicted star written to bee-small's sidecar comes back as a rating: a sidecar cannot tell them apart.
    expect(r).toMatchObject({ imported: 7, colors: 1, noSidecar: 1 });
    const again = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip again', '--json')).stdout);
    expect(Object.fromEntries(again.map((p) => [p.name, p.rejected ? -1 : p.stars]))).toMatchObject({ 'bee.jpg': 4, 'cheetah.jpg': 5, 'day2/crab.jpg': -1, 'broken.jpg': null });
    expect(again.filter((p) => p.color).map((p) => [p.name, p.color])).toEqual([['bee.jpg', 'green']]);
  });

  it('exports the filtered collection as CSV to a file, and refuses a dataset that is not a collection', async () => {
    const out = join(dataDir, 'best.csv');
    await iqa('library', 'export', 'Trip 2026', '--rating', 'rated', '--stars-min', '4', '--out', out);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('path,score,stars,rejected,predicted_stars,score_model,score_scale,color,sharpness,noise,clipped_highlights_pct,clipped_shadows_pct,mean_luminance_pct,compression');
    expect(lines.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([join(photos, 'bee.jpg'), join(photos, 'cheetah.jpg'), join(photos, 'day2/calf.jpg')]);
    await iqa('import', '--format', 'csv', '--file', 'labels.csv', '--range', '1,5', '--name', 'lab', join(REPO_ROOT, 'tests/fixtures/datasets/csv'));
    expect(await fails('library', 'list', 'lab')).toMatchObject({ code: 1, stderr: expect.stringMatching(/"lab" is a csv dataset, not a library collection/) });
  });

  it('rescans the folder for photos put there since', async () => {
    await sharp(join(REPO_ROOT, 'resources/demo/crab.jpg')).resize(480).jpeg().toFile(join(photos, 'crab-2.jpg'));
    expect((await iqa('library', 'rescan', 'Trip 2026')).stdout).toBe('Trip 2026: 1 new photo added\n');
    expect(JSON.parse((await iqa('library', 'rescan', 'Trip 2026', '--json')).stdout)).toMatchObject({ added: 0, missing: 0 });
  });

  it('culls by threshold: every photo a filter keeps, named photos or a filter but not both', async () => {
    const unrated = jsonLines<PhotoItem>((await iqa('library', 'list', 'Trip 2026', '--rating', 'unrated', '--json')).stdout).filter((p) => p.score !== null);
    expect(unrated.map((p) => p.name)).toEqual(['day2/bee-small.jpg']);
    const cut = unrated[0]!.score!;
    const { stdout, stderr } = await iqa('library', 'rate', 'Trip 2026', '--rating', 'unrated', '--score-max', String(cut), '--reject');
    expect(stdout).toBe('day2/bee-small.jpg: rejected\n');
    expect(stderr).toMatch(/1 photo matched the filter/);
    expect(await fails('library', 'rate', 'Trip 2026', 'bee.jpg', '--score-max', '3', '--reject')).toMatchObject({ stderr: expect.stringMatching(/not both/) });
    expect(await fails('library', 'rate', 'Trip 2026', '--reject')).toMatchObject({ stderr: expect.stringMatching(/Name the photos to rate, or give a filter/) });
  });
});

// End to end, the photographer's workflow II in Chromium: a folder of RAW (DNG written by scripts/fixtures/dng.ts) and JPEG photos added, RAW+JPEG as one, EXIF in the loupe, the whole photo fitted at 1440x900 and 1024x700, a burst grouped with its sharpest photo picked, culled with Lightroom's keys and undone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDng, type DngExif } from '../../scripts/fixtures/dng';
import { resourcesDir } from '../../src-main/app/paths';
import type { PhotoItem, PhotoPage } from '../../src-shared/api/schemas';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, importFolder } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let work: string;
let datasetId: number;
const consoleErrors: string[] = [];
const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);
const all = async () => (await api<PhotoPage>('library:list', { datasetId, limit: 100, sort: 'name' })).items;
const byName = async (name: string) => (await all()).find((p) => p.name === name)!;
const exif = (time: string, subSec: string): DngExif => ({
  make: 'Canon', model: 'Canon EOS R5', dateTimeOriginal: `2024:05:01 ${time}`, subSec, exposureTime: [1, 250], fNumber: [28, 10], iso: 400, focalLength: [50, 1], lensModel: 'RF50mm F1.8 STM',
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iqa-e2e-raw-'));
  const shoot = join(work, 'Burst day');
  mkdirSync(shoot);
  const demo = (p: string) => join(resourcesDir(), 'demo', `${p}.jpg`);
  // A burst of three 3:2 frames 0.3 s apart, the middle one sharp and the others soft (camera shake).
  const bee = await sharp(demo('bee')).resize(900, 600, { fit: 'cover' }).toBuffer();
  const soft = await sharp(bee).blur(4).toBuffer();
  writeFileSync(join(shoot, 'IMG_0001.DNG'), await makeDng(soft, { width: 900, height: 600, exif: exif('10:00:00', '00') }));
  writeFileSync(join(shoot, 'IMG_0002.DNG'), await makeDng(bee, { width: 900, height: 600, exif: exif('10:00:00', '30') }));
  writeFileSync(join(shoot, 'IMG_0003.DNG'), await makeDng(soft, { width: 900, height: 600, exif: exif('10:00:00', '60') }));
  // A RAW+JPEG pair, a minute later, of another subject.
  const calf = await sharp(demo('calf')).resize(900, 600, { fit: 'cover' }).toBuffer();
  writeFileSync(join(shoot, 'IMG_0004.DNG'), await makeDng(calf, { width: 900, height: 600, exif: exif('10:01:00', '00') }));
  await sharp(calf).jpeg({ quality: 90 }).toFile(join(shoot, 'IMG_0004.JPG'));
  // Two JPEGs on their own, one portrait.
  await sharp(demo('crab')).resize(1200, 800, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(join(shoot, 'crab.jpg'));
  await sharp(demo('cheetah')).resize(600, 900, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(join(shoot, 'cheetah.jpg'));

  serve = await startServe();
  datasetId = await importFolder(serve.url, shoot, 'Burst day');
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('RAW and JPEG photos: added, grouped, culled, undone', () => {
  it('lists the RAW files and a RAW+JPEG pair as one photo, with EXIF from the RAW', async () => {
    const photos = await all();
    expect(photos.map((p) => p.name)).toEqual(['IMG_0001.DNG', 'IMG_0002.DNG', 'IMG_0003.DNG', 'IMG_0004.JPG', 'cheetah.jpg', 'crab.jpg']);
    expect(photos.every((p) => p.error === null)).toBe(true);
    const pair = photos.find((p) => p.name === 'IMG_0004.JPG')!;
    expect(pair.exif?.rawPath).toMatch(/IMG_0004\.DNG$/);
    expect(photos[1]!.exif).toMatchObject({ capturedAt: '2024-05-01T10:00:00.30', camera: 'Canon EOS R5', lens: 'RF50mm F1.8 STM', focalLength: 50, iso: 400, shutter: 0.004, aperture: 2.8 });
    expect([photos[0]!.width, photos[0]!.height]).toEqual([900, 600]);
  });

  it('shows RAW thumbnails and, in the loupe, the whole photo with its EXIF at 1440x900 and 1024x700', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${serve.url}#/library?id=${datasetId}`);
    await expect.poll(() => page.getByTestId('photo-cell').count(), { timeout: 15_000 }).toBe(6);
    const thumbs = () => page.$$eval('[data-testid=photo-cell] img', (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length);
    await expect.poll(thumbs, { timeout: 30_000 }).toBe(6);
    expect(await page.getByTestId('library-camera').locator('option').allInnerTexts()).toEqual(['any', 'Canon EOS R5']);
    await page.getByTestId('photo-cell').first().click();
    await page.keyboard.press('Enter');
    const loupe = page.getByTestId('loupe');
    await expect.poll(() => loupe.getByTestId('loupe-image').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth), { timeout: 20_000 }).toBe(900);
    expect(await loupe.getByTestId('loupe-exif').innerText()).toMatch(/Canon EOS R5 · RF50mm F1\.8 STM · 50 mm · f\/2\.8 · 1\/250 s · ISO 400 · 2024-05-01 10:00:00/);
    // Full RAW: LibRaw decodes the whole sensor image on demand, in place of the embedded preview.
    await loupe.getByTestId('loupe-full-raw').click();
    await expect.poll(() => loupe.getByTestId('loupe-image').getAttribute('src'), { timeout: 60_000 }).toMatch(/\/files\/raw\/\d+/);
    await expect.poll(() => loupe.getByTestId('loupe-image').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth), { timeout: 20_000 }).toBe(900);
    expect(await loupe.getByTestId('loupe-full-raw').isDisabled()).toBe(true);
    for (const [w, h] of [[1440, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      // The photo lies wholly inside the stage, touching it on one axis at most (fit), and is never enlarged.
      await expect.poll(async () => {
        const stage = (await page.getByTestId('loupe-stage').boundingBox())!;
        const img = (await page.getByTestId('loupe-image').boundingBox())!;
        const inside = img.x >= stage.x - 0.5 && img.y >= stage.y - 0.5 && img.x + img.width <= stage.x + stage.width + 0.5 && img.y + img.height <= stage.y + stage.height + 0.5;
        return inside && Math.abs(img.width / img.height - 1.5) < 0.01 && img.width <= 900.5;
      }).toBe(true);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `loupe-raw-${w}x${h}.png`) });
    }
    // Z: 100% — one photo pixel per screen pixel; the wheel zooms in further, a drag pans; Z again fits.
    await page.keyboard.press('z');
    await expect.poll(() => page.getByTestId('loupe-zoom').innerText()).toBe('100%');
    expect((await page.getByTestId('loupe-image').boundingBox())!.width).toBeCloseTo(900, 0);
    const stage = (await page.getByTestId('loupe-stage').boundingBox())!;
    await page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await page.mouse.wheel(0, -600);
    await expect.poll(async () => Number((await page.getByTestId('loupe-zoom').innerText()).replace('%', ''))).toBeGreaterThan(200);
    const before = (await page.getByTestId('loupe-image').boundingBox())!;
    await page.mouse.move(stage.x + 300, stage.y + 200);
    await page.mouse.down();
    await page.mouse.move(stage.x + 250, stage.y + 150);
    await page.mouse.up();
    await expect.poll(async () => (await page.getByTestId('loupe-image').boundingBox())!.x).toBeLessThan(before.x);
    await page.keyboard.press('z');
    // Fit again: here the whole 900 px photo fits at 100%, and fit never enlarges it.
    await expect.poll(() => page.getByTestId('loupe-fit').getAttribute('class')).toMatch(/\bon\b/);
    await expect.poll(() => page.getByTestId('loupe-zoom').innerText()).toBe('100%');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('scores, then groups the burst: the sharp frame picked, the soft ones rejected, the stack collapsible', async () => {
    await page.getByTestId('score-start').click();
    await expect.poll(async () => (await all()).every((p) => p.measures !== null), { timeout: 120_000, interval: 1000 }).toBe(true);
    await page.getByTestId('groups-toggle').click();
    await page.getByTestId('group-run').click();
    await expect.poll(() => page.getByTestId('group-result').innerText(), { timeout: 60_000 }).toMatch(/^1 group of 3 photos \(of 6\) · 1 picked · 2 rejected/);
    const burst = (await all()).slice(0, 3);
    expect(burst.map((p) => [p.name, p.group?.no, p.group?.best, p.picked, p.rejected])).toEqual([
      ['IMG_0001.DNG', 1, false, false, true],
      ['IMG_0002.DNG', 1, true, true, false],
      ['IMG_0003.DNG', 1, false, false, true],
    ]);
    await page.getByTestId('library-collapse').check();
    await expect.poll(() => page.getByTestId('photo-cell').count()).toBe(4);
    for (const [w, h] of [[1440, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: join(SHOTS, `grid-grouped-${w}x${h}.png`) });
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('library-collapse').uncheck();
    await expect.poll(() => page.getByTestId('photo-cell').count()).toBe(6);
  });

  it('culls with P, X, U and stars, moves between groups, and undoes and redoes it all', async () => {
    // Sorted by capture time after grouping: the burst first.
    await expect.poll(() => page.getByTestId('library-sort').inputValue()).toBe('captured');
    await expect.poll(() => page.getByTestId('photo-cell').first().getAttribute('data-name')).toBe('IMG_0001.DNG');
    await page.getByTestId('auto-advance').uncheck();
    await page.getByTestId('photo-cell').first().click();
    const state = async (name: string) => {
      const p: PhotoItem = await byName(name);
      return [p.stars, p.picked, p.rejected];
    };
    await page.keyboard.press('p'); // a soft frame picked after all
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([null, true, false]);
    await expect.poll(() => page.getByTestId('toast').innerText()).toBe('Picked');
    await page.keyboard.press('3');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([3, true, false]);
    await page.keyboard.press('3'); // the same star again clears, and says so
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([0, true, false]);
    await expect.poll(() => page.getByTestId('toast').innerText()).toBe('Rating cleared (was ★★★☆☆)');
    await page.keyboard.press('u');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([0, false, false]);
    // Undo three times: unflag, the cleared stars, the 3 stars; then redo one.
    await page.keyboard.press('Control+z');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([0, true, false]);
    await page.keyboard.press('Control+z');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([3, true, false]);
    await page.keyboard.press('Control+z');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([null, true, false]);
    await expect.poll(() => page.getByTestId('toast').innerText()).toMatch(/^Undo: IMG_0001\.DNG/);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([3, true, false]);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z'); // and the pick: back to the suggested reject
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([null, false, true]);
    // `.` leaves the burst for the next group (there is none), `]` adds a star.
    await page.keyboard.press('.');
    await expect.poll(() => page.getByTestId('toast').innerText()).toBe('No later group');
    await page.keyboard.press(']');
    await expect.poll(() => state('IMG_0001.DNG')).toEqual([1, false, true]);
    // Compare the burst side by side and pick in there.
    await page.keyboard.press('c');
    await expect.poll(() => page.getByTestId('compare-pane').count()).toBe(3);
    // Each photo fitted whole and centred in its pane; Z zooms every one ×2 about its centre.
    type Box = { left: number; top: number; width: number; height: number };
    const fits = () =>
      page.locator('[data-testid=compare-pane] .viewport').evaluateAll((els) =>
        els.map((el) => {
          const vp = el as unknown as { getBoundingClientRect(): Box; querySelector(s: string): { getBoundingClientRect(): Box; naturalWidth: number } };
          const a = vp.getBoundingClientRect();
          const img = vp.querySelector('img');
          const b = img.getBoundingClientRect();
          return { dx: b.left + b.width / 2 - (a.left + a.width / 2), dy: b.top + b.height / 2 - (a.top + a.height / 2), w: b.width / a.width, h: b.height / a.height, loaded: img.naturalWidth > 0 };
        }),
      );
    await expect.poll(async () => (await fits()).every((f) => f.loaded && Math.abs(f.dx) < 1 && Math.abs(f.dy) < 1 && f.w <= 1.001 && f.h <= 1.001 && Math.max(f.w, f.h) > 0.99)).toBe(true);
    const fitted = await fits();
    await page.keyboard.press('z');
    await expect.poll(async () => (await fits()).map((f, i) => Math.abs(f.w / fitted[i]!.w - 2) < 0.01 && Math.abs(f.dx) < 1 && Math.abs(f.dy) < 1)).toEqual([true, true, true]);
    await page.keyboard.press('z');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('p');
    await expect.poll(() => state('IMG_0003.DNG')).toEqual([null, true, false]);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('compare').count()).toBe(0);
  });

  it('decodes the whole RAW with LibRaw on demand', async () => {
    const id = (await byName('IMG_0002.DNG')).id;
    const res = await fetch(`${serve.url}files/raw/${id}`);
    expect(res.status).toBe(200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 900, 600]);
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

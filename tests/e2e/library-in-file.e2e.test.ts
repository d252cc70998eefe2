// End to end in Chromium: ratings culled with the keyboard written inside the JPEG and DNG files from the XMP panel ("inside the file"), read back by exiftool, the originals kept until confirmed, the choice remembered.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDng } from '../../scripts/fixtures/dng';
import { resourcesDir } from '../../src-main/app/paths';
import type { PhotoItem, PhotoPage } from '../../src-shared/api/schemas';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, importFolder } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let work: string;
let shoot: string;
let datasetId: number;
const consoleErrors: string[] = [];
const originals = new Map<string, Buffer>();
const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);
const byName = async (name: string): Promise<PhotoItem> => (await api<PhotoPage>('library:list', { datasetId, limit: 100 })).items.find((p) => p.name === name)!;
const exiftool = (file: string) =>
  JSON.parse(execFileSync('exiftool', ['-json', '-n', '-XMP:Rating', '-XMP-microsoft:RatingPercent', '-XMP-digiKam:PickLabel', file], { encoding: 'utf8' }))[0] as Record<string, unknown>;
const cell = (name: string) => page.locator(`[data-testid="photo-cell"][data-name="${name}"]`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iqa-e2e-in-file-'));
  shoot = join(work, 'Wedding');
  mkdirSync(shoot);
  const demo = (p: string) => join(resourcesDir(), 'demo', `${p}.jpg`);
  await sharp(demo('bee')).resize(900, 600, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(join(shoot, 'bee.jpg'));
  await sharp(demo('crab')).resize(900, 600, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(join(shoot, 'crab.jpg'));
  writeFileSync(join(shoot, 'calf.dng'), await makeDng(demo('calf'), { width: 900, height: 600, exif: { make: 'Canon', model: 'Canon EOS R5', dateTimeOriginal: '2024:05:01 10:00:00', exposureTime: [1, 250], fNumber: [28, 10], iso: 400, focalLength: [50, 1], lensModel: 'RF50mm F1.8 STM' } }));
  for (const n of ['bee.jpg', 'crab.jpg', 'calf.dng']) originals.set(n, readFileSync(join(shoot, n)));

  serve = await startServe();
  datasetId = await importFolder(serve.url, shoot, 'Wedding');
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('write into the file, from the Library', () => {
  it('culls with the keyboard and writes the ratings inside the JPEG and the DNG, which exiftool reads back', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${serve.url}#/library?id=${datasetId}`);
    await expect.poll(() => page.getByTestId('photo-cell').count(), { timeout: 20_000 }).toBe(3);
    await page.getByTestId('auto-advance').uncheck();
    await cell('bee.jpg').click();
    await page.keyboard.press('4');
    await page.keyboard.press('p');
    await expect.poll(async () => { const p = await byName('bee.jpg'); return [p.stars, p.picked]; }).toEqual([4, true]);
    await cell('calf.dng').click();
    await page.keyboard.press('x');
    await expect.poll(async () => (await byName('calf.dng')).rejected).toBe(true);

    await page.getByTestId('xmp-toggle').click();
    await page.getByTestId('into-file').check();
    await expect.poll(() => page.getByTestId('into-file-hint').innerText()).toMatch(/_original/);
    await page.getByTestId('xmp-write').click();
    await expect.poll(() => page.getByTestId('xmp-status').innerText(), { timeout: 60_000 }).toMatch(/^2 photos written inside the file \(2 originals kept as backups\), 0 sidecars written/);
    expect(exiftool(join(shoot, 'bee.jpg'))).toMatchObject({ Rating: 4, RatingPercent: 75, PickLabel: 3 });
    expect(exiftool(join(shoot, 'calf.dng'))).toMatchObject({ Rating: -1, PickLabel: 1 });
    expect(exiftool(join(shoot, 'crab.jpg')).Rating).toBeUndefined();
    expect(existsSync(join(shoot, 'bee.jpg.xmp'))).toBe(false);
    expect(readFileSync(join(shoot, 'bee.jpg_original')).equals(originals.get('bee.jpg')!)).toBe(true);
    await expect.poll(() => page.getByTestId('xmp-backups').innerText()).toMatch(/^2 photos keep their originals/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'library-xmp-in-file-1440x900.png') });
  });

  it('remembers "inside the file" after a reload, and Confirm deletes the backups', async () => {
    await page.reload();
    await expect.poll(() => page.getByTestId('photo-cell').count(), { timeout: 20_000 }).toBe(3);
    if (!(await page.getByTestId('xmp-panel').count())) await page.getByTestId('xmp-toggle').click();
    await expect.poll(() => page.getByTestId('into-file').isChecked()).toBe(true);
    await page.getByTestId('backups-confirm').click();
    await expect.poll(() => page.getByTestId('xmp-status').innerText()).toBe('Confirmed: 2 backups deleted.');
    await expect.poll(() => page.getByTestId('xmp-backups').count()).toBe(0);
    expect(existsSync(join(shoot, 'bee.jpg_original')) || existsSync(join(shoot, 'calf.dng_original'))).toBe(false);
    expect(exiftool(join(shoot, 'bee.jpg'))).toMatchObject({ Rating: 4 });
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

// End to end: the photographer's Library in Chromium — add a folder, score with the shipped model, cull with the keyboard, calibrate, darktable sidecars on disk, CSV, 10,000 photos.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../src-main/app/paths';
import type { JobInfo, PhotoPage } from '../../src-shared/api/schemas';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, expectScreenshotNotBlank } from '../helpers/e2e';
import { REPO_ROOT, startServe, type ServeProcess } from '../helpers/serve-process';

const PHOTOS = ['alpaca', 'bee', 'butterfly', 'calf', 'cheetah', 'crab'];
const TOTAL = PHOTOS.length * 2;

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let work: string;
let shoot: string;
let datasetId: number;
const consoleErrors: string[] = [];

const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);
const shot = (name: string): Promise<void> => expectScreenshotNotBlank(page, name);
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** The grid's photos in the order the API gives for the screen's sort. */
const listed = (q: Record<string, unknown> = {}) => api<PhotoPage>('library:list', { datasetId, limit: 1000, sort: 'score', descending: true, ...q });
const focused = () => page.locator('[data-testid=photo-cell][aria-current=true]').getAttribute('data-name');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'iqa-e2e-library-'));
  shoot = join(work, 'Lisbon 2024');
  // Each demo photo sharp in one folder and blurred in a nested one, so scores spread and the import recurses.
  for (const p of PHOTOS) {
    const src = join(resourcesDir(), 'demo', `${p}.jpg`);
    mkdirSync(join(shoot, 'day1'), { recursive: true });
    mkdirSync(join(shoot, 'day2', 'card2'), { recursive: true });
    await sharp(src).resize(480, 360, { fit: 'cover' }).jpeg({ quality: 92 }).toFile(join(shoot, 'day1', `${p}.jpg`));
    await sharp(src).resize(480, 360, { fit: 'cover' }).blur(3).jpeg({ quality: 60 }).toFile(join(shoot, 'day2', 'card2', `${p}_soft.jpg`));
  }
  // darktable already has an edit history for one photo.
  copyFileSync(join(REPO_ROOT, 'tests/fixtures/xmp/darktable/photo.jpg.xmp'), join(shoot, 'day1', 'bee.jpg.xmp'));
  serve = await startServe();
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the Library screen', () => {
  it('adds a folder (with its subfolders) chosen with Browse…, with progress, and shows its photos', async () => {
    await page.goto(`${serve.url}#/library`);
    await expect.poll(() => page.getByTestId('collection-card').count()).toBeGreaterThan(0);
    await page.getByTestId('add-folder-toggle').click();
    const panel = page.getByTestId('add-folder-panel');
    // A half-typed path opens the browser on its nearest existing folder; from there, down into the shoot.
    await panel.locator('input[name=root]').fill(join(work, 'Lis'));
    await panel.getByTestId('browse-folder').click();
    const folders = panel.getByTestId('folder-browser');
    await expect.poll(() => folders.locator('code.path').innerText()).toBe(work);
    await folders.getByRole('button', { name: /^Lisbon 2024/ }).click();
    await expect.poll(() => folders.locator('code.path').innerText()).toBe(shoot);
    expect(await folders.getByRole('button', { name: /^day1/ }).innerText()).toMatch(new RegExp(`${PHOTOS.length} images`));
    await shot('library-browse-folder');
    await folders.getByRole('button', { name: /Up one folder/ }).click();
    await expect.poll(() => folders.locator('code.path').innerText()).toBe(work);
    await folders.getByRole('button', { name: /^Lisbon 2024/ }).click();
    await expect.poll(() => folders.locator('code.path').innerText()).toBe(shoot);
    await panel.getByTestId('use-folder').click();
    expect(await panel.getByTestId('folder-browser').count()).toBe(0);
    expect(await panel.locator('input[name=root]').inputValue()).toBe(shoot);
    expect(await panel.locator('input[name=name]').getAttribute('placeholder')).toBe('Lisbon 2024');
    await panel.getByRole('button', { name: 'Add' }).click();
    const card = page.getByTestId('collection-card').filter({ hasText: 'Lisbon 2024' });
    await expect.poll(() => card.count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => card.getAttribute('class')).toContain('active');
    datasetId = Number(new URL(page.url().replace('#/', '')).searchParams.get('id'));
    expect(datasetId).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('library-counts').innerText()).toMatch(new RegExp(`^${TOTAL} photos · 0 scored · 0 rated · 0 rejected`));
    await expect
      .poll(() => page.$$eval('[data-testid=photo-cell] img', (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length), { timeout: 30_000 })
      .toBe(TOTAL);
    await shot('library-added');
  });

  it('scores the collection with the shipped model and sorts by score', async () => {
    const select = page.getByTestId('score-with');
    await expect.poll(() => select.locator('option[value="model:hyperiqa"]').count()).toBe(1);
    await select.selectOption('model:hyperiqa');
    await page.getByTestId('score-start').click();
    await expect.poll(() => page.getByTestId('score-status').innerText(), { timeout: 120_000 }).toMatch(new RegExp(`Scored ${TOTAL} of ${TOTAL} images`));
    await expect.poll(() => page.getByTestId('cell-score').count()).toBe(TOTAL);
    await page.getByTestId('library-sort').selectOption('score');
    await page.getByTestId('library-descending').check();
    const expected = (await listed()).items.map((p) => p.name);
    await expect.poll(() => page.getByTestId('photo-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(expected);
    // Blurred copies score lower than the sharp ones on average.
    const items = (await listed()).items;
    const mean = (soft: boolean) => items.filter((p) => p.name.includes('_soft') === soft).reduce((a, p) => a + p.score!, 0) / PHOTOS.length;
    expect(mean(false)).toBeGreaterThan(mean(true));
    await expect.poll(() => page.getByTestId('library-counts').innerText()).toContain(`${TOTAL} scored`);
    await shot('library-scored');
  });

  it('culls with the keyboard: stars with auto-advance, un-rate, reject and clear in the grid and the loupe', async () => {
    const order = (await listed()).items.map((p) => p.name);
    await page.getByTestId('photo-cell').first().click();
    expect(await focused()).toBe(order[0]);
    await page.keyboard.press('5');
    await expect.poll(focused).toBe(order[1]);
    await page.keyboard.press('4');
    await expect.poll(focused).toBe(order[2]);
    await page.keyboard.press('2');
    await expect.poll(focused).toBe(order[3]);
    // K goes back, X rejects (keeping the stars) and moves on; J and the arrows move without rating.
    await page.keyboard.press('k');
    await page.keyboard.press('X');
    await expect.poll(focused).toBe(order[3]);
    await page.keyboard.press('j');
    await expect.poll(focused).toBe(order[4]);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(focused).toBe(order[3]);

    // Without auto-advance (the keys still cull with the checkbox focused): the same stars again un-rate.
    await page.getByTestId('auto-advance').uncheck();
    await page.keyboard.press('3');
    await expect.poll(async () => (await listed()).items[3]!.stars).toBe(3);
    expect(await focused()).toBe(order[3]);
    await page.keyboard.press('3');
    await expect.poll(async () => (await listed()).items[3]!.stars).toBe(0);
    await page.keyboard.press('1');
    await page.getByTestId('auto-advance').check();

    const now = (await listed()).items;
    expect(now.slice(0, 4).map((p) => [p.name, p.stars, p.rejected])).toEqual([
      [order[0], 5, false],
      [order[1], 4, false],
      [order[2], 2, true],
      [order[3], 1, false],
    ]);
    await expect.poll(() => page.locator(`[data-testid=photo-cell][data-name="${order[2]}"] .reject-badge`).count()).toBe(1);
    await expect.poll(() => page.getByTestId('library-counts').innerText()).toContain('4 rated · 1 rejected');
    await page.getByTestId('photo-cell').nth(2).click();
    await shot('library-culled');

    // The loupe: Enter opens the focused photo; P picks it (a pick clears the reject, as in Lightroom) and moves on; K comes back; X rejects again; Ctrl+Z undoes that.
    await page.keyboard.press('Enter');
    const loupe = page.getByTestId('loupe');
    await expect.poll(() => loupe.count()).toBe(1);
    await expect.poll(() => loupe.getByTestId('loupe-bar').innerText()).toContain(order[2]!);
    await expect.poll(() => loupe.getByTestId('loupe-image').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBe(480);
    expect(await loupe.getByTestId('loupe-rejected').count()).toBe(1);
    await shot('library-loupe');
    await page.keyboard.press('p');
    await expect.poll(() => loupe.getByTestId('loupe-bar').innerText()).toContain(order[3]!);
    await page.keyboard.press('k');
    await expect.poll(() => loupe.getByTestId('loupe-bar').innerText()).toContain(order[2]!);
    expect(await loupe.getByTestId('loupe-rejected').count()).toBe(0);
    expect(await loupe.getByTestId('loupe-picked').count()).toBe(1);
    await page.keyboard.press('x');
    await expect.poll(async () => (await listed()).items[2]!.rejected).toBe(true);
    await expect.poll(() => page.getByTestId('toast').innerText()).toBe('Rejected');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await listed()).items[2]!).toMatchObject({ rejected: false, picked: true });
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => (await listed()).items[2]!).toMatchObject({ rejected: true, picked: false });
    await page.keyboard.press('Escape');
    await expect.poll(() => loupe.count()).toBe(0);
  });

  it('labels colours with 6-9 and F1-F5 (the same key again clears) and filters by colour', async () => {
    const cell = (name: string) => page.locator(`[data-testid=photo-cell][data-name="${name}"]`);
    await page.getByTestId('photo-cell').nth(1).click();
    const first = (await focused())!;
    await page.keyboard.press('6');
    await expect.poll(() => cell(first).getAttribute('data-color')).toBe('red');
    const second = (await focused())!;
    expect(second).not.toBe(first);
    await page.keyboard.press('F5');
    await expect.poll(() => cell(second).getAttribute('data-color')).toBe('purple');
    await page.getByTestId('library-color').selectOption('red');
    await expect.poll(() => page.getByTestId('photo-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual([first]);
    await shot('library-colour-filter');
    await page.getByTestId('library-color').selectOption('');
    await expect.poll(() => page.getByTestId('photo-cell').count()).toBe(TOTAL);
    await cell(second).click();
    await page.keyboard.press('F5');
    await expect.poll(() => cell(second).getAttribute('data-color')).toBe('');
    expect((await listed({ color: 'red' })).items.map((p) => p.name)).toEqual([first]);
    expect((await listed({ color: 'purple' })).total).toBe(0);
  });

  it('calibrates on a sample rated in the loupe, with SRCC and a confusion table, and predicts stars for the rest', async () => {
    await page.getByTestId('calibrate-toggle').click();
    await page.getByTestId('sample-size').fill('6');
    await page.getByTestId('sample-start').click();
    const loupe = page.getByTestId('loupe');
    await expect.poll(() => loupe.count()).toBe(1);
    // The score is hidden while the sample is rated.
    expect(await loupe.getByTestId('loupe-bar').innerText()).not.toMatch(/score/);
    const sampled: string[] = [];
    for (let i = 0; i < 6; i++) {
      const bar = await loupe.getByTestId('loupe-bar').innerText();
      const name = bar.split('\n')[0]!.trim();
      sampled.push(name);
      const photo = (await listed()).items.find((p) => p.name === name)!;
      // A photographer who likes the sharp photos.
      await page.keyboard.press(photo.name.includes('_soft') ? '2' : '4');
      if (i < 5) await expect.poll(async () => (await loupe.getByTestId('loupe-bar').innerText()).split('\n')[0]!.trim()).not.toBe(name);
    }
    await expect.poll(() => loupe.count()).toBe(0);
    expect(new Set(sampled).size).toBe(6);
    await page.getByTestId('calibrate-fit').click();
    const result = page.getByTestId('calibration-result');
    await expect.poll(() => result.count()).toBe(1);
    expect(Number(await page.getByTestId('calibration-srcc').innerText())).toBeGreaterThan(-1);
    const cells = await page.getByTestId('confusion').locator('tbody td').allInnerTexts();
    expect(cells).toHaveLength(25);
    // The 6 sample photos and the 3 rated earlier that are not rejected.
    expect(cells.map(Number).reduce((a, b) => a + b)).toBe(9);
    await page.getByTestId('calibrate-apply').click();
    await expect.poll(() => page.getByTestId('calibration-status').innerText()).toMatch(/Predicted stars for \d+ photos/);
    const after = (await listed()).items;
    expect(after.filter((p) => p.stars === null && !p.rejected).every((p) => p.predicted !== null)).toBe(true);
    await shot('library-calibrated');
    await page.getByTestId('calibrate-toggle').click();
  });

  it('writes darktable sidecars with the right xmp:Rating, merged into an existing one, the photos untouched', async () => {
    const items = (await listed()).items;
    const before = new Map(items.map((p) => [p.path, sha(p.path)]));
    await page.getByTestId('xmp-toggle').click();
    await page.getByTestId('naming-darktable').check();
    await page.getByTestId('xmp-write').click();
    await expect.poll(() => page.getByTestId('xmp-status').innerText(), { timeout: 60_000 }).toMatch(new RegExp(`^${TOTAL} sidecars written \\(${TOTAL - 1} new\\)`));
    await shot('library-xmp-written');

    const rating = (path: string) => /xmp:Rating="(-?\d)"/.exec(readFileSync(`${path}.xmp`, 'utf8'))?.[1];
    for (const p of items) {
      const stars = p.stars ?? p.predicted;
      expect(rating(p.path), p.name).toBe(p.rejected ? '-1' : stars === null ? undefined : String(stars));
      expect(readFileSync(`${p.path}.xmp`, 'utf8')).toMatch(/iqa:Score="[\d.]+"/);
      expect(sha(p.path)).toBe(before.get(p.path));
      expect(existsSync(p.path.replace(/\.jpg$/, '.xmp'))).toBe(false);
    }
    const red = items.find((p) => p.color === 'red')!;
    expect(readFileSync(`${red.path}.xmp`, 'utf8')).toContain('xmp:Label="Red"');
    expect(items.filter((p) => p.color === null).every((p) => !readFileSync(`${p.path}.xmp`, 'utf8').includes('xmp:Label'))).toBe(true);
    const bee = readFileSync(join(shoot, 'day1', 'bee.jpg.xmp'), 'utf8');
    expect(bee).toContain('darktable:operation="filmicrgb"');
    expect(bee).toContain('<rdf:li>places|coast|Sagres</rdf:li>');
    await page.getByTestId('xmp-toggle').click();
  });

  it('exports a CSV of path, score, stars and rejected', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toBe('Lisbon-2024-ratings.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('path,score,stars,rejected,predicted_stars,score_model,score_scale,color,sharpness,noise,clipped_highlights_pct,clipped_shadows_pct,mean_luminance_pct,compression');
    expect(csv).toHaveLength(TOTAL + 1);
    const rejected = (await listed({ rating: 'rejected' })).items[0]!;
    expect(csv.find((l) => l.startsWith(`${rejected.path},`))).toMatch(/,1,[^,]*,hyperiqa \(shipped\),mos 1-5 higher,(red|),,,,,,$/);
  });

  it('rescans the folder: a photo copied in since shows up, ratings stay, and a note says what changed', async () => {
    const before = (await listed({ sort: 'name', descending: false })).items;
    const rated = before.filter((p) => p.stars !== null || p.rejected).map((p) => [p.name, p.stars, p.rejected]);
    mkdirSync(join(shoot, 'day3'));
    await sharp(join(resourcesDir(), 'demo', 'bee.jpg')).resize(480, 360, { fit: 'cover' }).jpeg({ quality: 80 }).toFile(join(shoot, 'day3', 'bee_again.jpg'));
    await page.getByTestId('rescan').click();
    await expect.poll(() => page.locator('p.note').innerText(), { timeout: 30_000 }).toBe('Added 1 new photo.');
    await expect.poll(() => page.getByTestId('library-counts').innerText()).toMatch(new RegExp(`^${TOTAL + 1} photos`));
    await expect.poll(() => page.locator('[data-testid=photo-cell][data-name="day3/bee_again.jpg"]').count()).toBe(1);
    const after = (await listed({ sort: 'name', descending: false })).items;
    expect(after.filter((p) => p.stars !== null || p.rejected).map((p) => [p.name, p.stars, p.rejected])).toEqual(rated);
    await page.getByTestId('rescan').click();
    await expect.poll(() => page.locator('p.note').innerText(), { timeout: 30_000 }).toBe('No new photos.');
  });

  it('stays responsive with 10,000 photos: a few pages fetched, a few rows in the page, End reaches the last', async () => {
    const big = join(work, 'big');
    mkdirSync(big);
    const one = join(work, 'one.jpg');
    await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 60, g: 110, b: 170 } } }).jpeg().toFile(one);
    for (let i = 0; i < 10_000; i++) linkSync(one, join(big, `IMG_${String(i).padStart(5, '0')}.jpg`));
    const job = await api<JobInfo>('datasets:import', { format: 'folder', root: big, name: 'Ten thousand' });
    await expect.poll(async () => (await api<JobInfo[]>('jobs:list', {})).find((j) => j.jobId === job.jobId)?.state, { timeout: 120_000, interval: 500 }).toBe('done');
    const bigId = ((await api<JobInfo[]>('jobs:list', {})).find((j) => j.jobId === job.jobId)!.result as { datasetId: number }).datasetId;

    const pages: string[] = [];
    page.on('request', (r) => r.url().includes('/api/library:list') && pages.push(r.postData() ?? ''));
    await page.goto(`${serve.url}#/library?id=${bigId}`);
    await expect.poll(() => page.getByTestId('library-counts').innerText(), { timeout: 30_000 }).toMatch(/^10,000 photos/);
    await page.getByTestId('library-sort').selectOption('name');
    await page.getByTestId('library-descending').uncheck();
    await expect.poll(() => page.getByTestId('photo-cell').first().getAttribute('data-name')).toBe('IMG_00000.jpg');
    await page.getByTestId('photo-cell').first().click();
    // How fast End gets there is measured by `npm run bench:ui` ("End key → last photo focused"), not asserted here.
    await page.keyboard.press('End');
    await expect.poll(focused, { timeout: 30_000 }).toBe('IMG_09999.jpg');
    await page.keyboard.press('4');
    await page.keyboard.press('Home');
    await expect.poll(focused).toBe('IMG_00000.jpg');
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(async () => Number((await focused())?.slice(4, 9))).toBeGreaterThan(30);
    expect(await page.getByTestId('photo-cell').count()).toBeLessThan(200);
    expect(pages.length).toBeLessThan(12);

    // A fling through the whole grid in 40 stops: at most the two pages in view per stop, never a request per photo.
    const before = pages.length;
    const grid = page.getByTestId('photo-grid');
    for (let k = 1; k <= 40; k++) {
      await grid.evaluate((el, f) => {
        const e = el as unknown as { scrollTop: number; scrollHeight: number };
        e.scrollTop = e.scrollHeight * f;
      }, k / 41);
      await page.waitForTimeout(10);
    }
    await expect.poll(() => page.getByTestId('photo-cell').first().getAttribute('data-name')).toMatch(/^IMG_09[5-9]\d\d\.jpg$/);
    expect(pages.length - before).toBeLessThanOrEqual(80);
    await expect.poll(async () => (await api<PhotoPage>('library:list', { datasetId: bigId, rating: 'rated' })).items.map((p) => [p.name, p.stars])).toEqual([['IMG_09999.jpg', 4]]);
    const shown = () => page.$$eval('[data-testid=photo-cell] img', (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length);
    await expect.poll(shown, { timeout: 30_000 }).toBeGreaterThanOrEqual(20);
    await shot('library-10k');
  }, 240_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

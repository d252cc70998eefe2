// End to end: the default quality model in the Library (Chromium) — scored by default, a measure under each photo, sort and filter by it, the loupe's measures and focus map; screenshots at 1440x900 and 1024x700.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../src-main/app/paths';
import type { JobInfo, PhotoPage } from '../../src-shared/api/schemas';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi } from '../helpers/e2e';
import { pngStats } from '../helpers/png-stats';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const PHOTOS = ['alpaca', 'bee', 'butterfly', 'cheetah'];

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let work: string;
let datasetId: number;
const consoleErrors: string[] = [];
const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);
const names = () => page.getByTestId('photo-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));

/** A screenshot at the given window size, checked not to be blank. */
async function shotAt(name: string, width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.waitForTimeout(300);
  const png = await page.screenshot({ path: join(SHOTS, `${name}-${width}x${height}.png`) });
  const stats = await pngStats(png);
  expect(stats.width).toBe(width);
  expect(stats.stdev).toBeGreaterThan(8);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'iqa-e2e-measures-'));
  const shoot = join(work, 'Garden');
  mkdirSync(shoot);
  // Each photo as shot (2 MP), and a soft, a dark and a noisy copy of the first.
  for (const p of PHOTOS) await sharp(join(resourcesDir(), 'demo', `${p}.jpg`)).resize(1732, 1155, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(join(shoot, `${p}.jpg`));
  const first = join(resourcesDir(), 'demo', `${PHOTOS[0]}.jpg`);
  await sharp(first).resize(1732, 1155, { fit: 'cover' }).blur(8).jpeg({ quality: 90 }).toFile(join(shoot, `${PHOTOS[0]}_soft.jpg`));
  await sharp(first).resize(1732, 1155, { fit: 'cover' }).linear(0.3, 0).jpeg({ quality: 90 }).toFile(join(shoot, `${PHOTOS[0]}_dark.jpg`));
  serve = await startServe();
  const job = await api<JobInfo>('datasets:import', { format: 'folder', root: shoot, name: 'Garden' });
  for (;;) {
    const jobs = await api<JobInfo[]>('jobs:list', {});
    const j = jobs.find((x) => x.jobId === job.jobId)!;
    if (j.state !== 'running') {
      datasetId = (j.result as { datasetId: number }).datasetId;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
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

describe('technical measures in the Library screen', () => {
  it('scores with the default quality model unless told otherwise, and shows the sharpness under each photo', async () => {
    await page.goto(`${serve.url}#/library?id=${datasetId}`);
    const select = page.getByTestId('score-with');
    await expect.poll(() => select.inputValue()).toBe('model:quality');
    await page.getByTestId('score-start').click();
    const total = PHOTOS.length + 2;
    await expect.poll(() => page.getByTestId('score-status').innerText(), { timeout: 120_000 }).toMatch(new RegExp(`Scored ${total} of ${total} images`));
    await expect.poll(() => page.getByTestId('cell-measure').count()).toBe(total);
    const soft = (await api<PhotoPage>('library:list', { datasetId, search: '_soft' })).items[0]!;
    const cell = page.locator(`[data-testid=photo-cell][data-name="${soft.name}"] [data-testid=cell-measure]`);
    // The cells are drawn before the last scores arrive (a '–' until then).
    await expect.poll(() => cell.innerText()).toBe(soft.measures!.sharpness.toFixed(0));
  });

  it('sorts by a measure and filters by its range', async () => {
    await page.getByTestId('library-sort').selectOption('sharpness');
    await page.getByTestId('library-descending').uncheck();
    await expect.poll(async () => (await names())[0]).toBe(`${PHOTOS[0]}_soft.jpg`);
    await page.getByTestId('library-measure').selectOption('meanLuminance');
    await page.getByTestId('library-measure-max').fill('20');
    await expect.poll(names).toEqual([`${PHOTOS[0]}_dark.jpg`]);
    await page.getByTestId('library-measure-max').fill('');
    await page.getByTestId('library-measure').selectOption('sharpness');
    await expect.poll(async () => (await names()).length).toBe(PHOTOS.length + 2);
    await shotAt('library-measures', 1440, 900);
    await shotAt('library-measures', 1024, 700);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('shows the measures in the loupe and a focus map over the photo on M', async () => {
    await page.getByTestId('photo-cell').nth(1).click();
    await page.keyboard.press('Enter');
    const loupe = page.getByTestId('loupe');
    await expect.poll(() => loupe.count()).toBe(1);
    expect(await loupe.getByTestId('loupe-measures').innerText()).toMatch(/Sharpness \d+[\s\S]*Noise [\d.]+[\s\S]*Brightness \d+%/);
    expect(await page.getByTestId('loupe-focus-map').count()).toBe(0);
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('loupe-focus-map').count()).toBe(1);
    const box = (await page.getByTestId('loupe-focus-map').boundingBox())!;
    const img = (await page.getByTestId('loupe-image').boundingBox())!;
    // The map lies over the picture itself (not the letterbox around it).
    expect(box.width).toBeLessThanOrEqual(img.width + 1);
    expect(box.height).toBeLessThanOrEqual(img.height + 1);
    expect(Math.max(box.width / img.width, box.height / img.height)).toBeGreaterThan(0.98);
    await shotAt('loupe-focus-map', 1440, 900);
    await shotAt('loupe-focus-map', 1024, 700);
    await page.getByTestId('loupe-focus-toggle').click();
    await expect.poll(() => page.getByTestId('loupe-focus-map').count()).toBe(0);
    await page.keyboard.press('Escape');
    expect(consoleErrors).toEqual([]);
  });
});

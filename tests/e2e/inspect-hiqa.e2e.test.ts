// End to end: train a tiny HIQA on the demo distortions, open an image in Inspect, pick the run, see its views with shared zoom and pan, and swipe.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImagePage, RunDetail, RunSummary } from '../../src-shared/api/schemas';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, until } from '../helpers/e2e';
import { pngStats } from '../helpers/png-stats';
import { startServe, type ServeProcess } from '../helpers/serve-process';

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let datasetId: number;
let runId: number;
const consoleErrors: string[] = [];

const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);

/** The CSS transform of every view's image (the panels and both swipe layers). */
const transforms = () =>
  page.locator('[data-testid=map-panel] img, [data-testid=swipe-view] img').evaluateAll((els) => els.map((e) => (e as unknown as { style: { transform: string } }).style.transform));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  serve = await startServe();
  // The serve's own first-start job builds the labelled demo (references included).
  const demo = await until('the Demo distortions dataset', 240_000, async () =>
    (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'Demo distortions' && d.labelledCount > 0),
  );
  expect(demo.referenceCount).toBeGreaterThan(0);
  datasetId = demo.id;
  const run = await api<RunSummary>('runs:start', {
    model: 'hiqa',
    datasetId,
    name: 'tiny hiqa',
    modelConfig: { scale: 'tiny', trainCrops: 2, testCrops: 2, schedule: { rpreEpochs: 1, regressorEpochs: 1 } },
    hyper: { epochs: 3, batchImages: 4, seed: 2 },
  });
  runId = run.id;
  const done = await until('the HIQA run', 420_000, async () => {
    const r = await api<RunDetail>('runs:get', { id: runId });
    return ['completed', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  });
  expect(done.status, done.error ?? '').toBe('completed');
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 720_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('Inspect with a Hallucinated-IQA run', () => {
  it('shows the distorted, hallucinated and discrepancy views (and the true reference) with shared zoom, pan and a swipe', async () => {
    // A strongly distorted image, so |I_d - I_r| shows something in the screenshot.
    const items = (await api<ImagePage>('images:list', { datasetId, limit: 200 })).items;
    const first = items.find((i) => /blur|noise/.test(i.distortion ?? '') && (i.level ?? 0) >= 3) ?? items[0]!;
    expect(first.referenceName).not.toBeNull();
    await page.goto(`${serve.url}#/datasets`);
    await page.locator('[data-testid=dataset-card]', { hasText: 'Demo distortions' }).click();
    await page.getByLabel('Filter by name').fill(first.name);
    await expect.poll(async () => (await page.locator('[data-testid=grid-item]').allInnerTexts()).map((t) => t.split('\n')[0])).toEqual([first.name]);
    await page.locator('[data-testid=grid-item]').first().click();
    const detail = page.locator('[data-testid=image-detail]');
    await expect.poll(() => detail.innerText()).toContain(first.name);
    await detail.getByRole('button', { name: 'Inspect' }).click();
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(first.name);

    const picker = page.getByTestId('inspect-run');
    await expect.poll(() => picker.locator('option').allInnerTexts()).toContain(`#${runId} tiny hiqa`);
    await picker.selectOption(String(runId));
    const panels = page.getByTestId('map-panel');
    await expect.poll(() => panels.count(), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    expect(await panels.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).toEqual(['distorted', 'hallucinated', 'discrepancy', 'reference', 'difference']);
    await expect
      .poll(() => page.locator('[data-testid=map-panel] img').evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth)))
      .toEqual([expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number), expect.any(Number)]);
    await expect
      .poll(async () => Math.min(...(await page.locator('[data-testid=map-panel] img').evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth)))))
      .toBeGreaterThan(0);
    expect(Number(await page.getByTestId('inspect-psnr').innerText())).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('inspect-ssim').innerText())).toBeLessThanOrEqual(1);

    // Wheel over one panel zooms every panel the same way.
    const box = (await panels.nth(1).locator('.viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
    await page.mouse.wheel(0, -500);
    await expect.poll(async () => Number(await page.getByTestId('map-panels').getAttribute('data-scale'))).toBeGreaterThan(1.5);
    const zoomed = await transforms();
    expect(zoomed.length).toBe(7);
    expect(new Set(zoomed).size, zoomed.join(' | ')).toBe(1);
    expect(zoomed[0]).toMatch(/scale\(/);
    // Dragging another panel pans them all together.
    const other = (await panels.nth(3).locator('.viewport').boundingBox())!;
    await page.mouse.move(other.x + other.width / 2, other.y + other.height / 2);
    await page.mouse.down();
    await page.mouse.move(other.x + other.width / 2 + 30, other.y + other.height / 2 + 20, { steps: 5 });
    await page.mouse.up();
    const panned = await transforms();
    expect(new Set(panned).size).toBe(1);
    expect(panned[0]).not.toBe(zoomed[0]);

    // The swipe: any two views, one revealed over the other up to the slider.
    await page.getByTestId('swipe-a').selectOption('distorted');
    await page.getByTestId('swipe-b').selectOption('hallucinated');
    await page.getByTestId('swipe-slider').fill('30');
    await expect.poll(() => page.getByTestId('swipe-top').evaluate((e) => (e as unknown as { style: { clipPath: string } }).style.clipPath)).toMatch(/inset\(0(px)? 0(px)? 0(px)? 30%\)/);
    expect(await page.getByTestId('swipe-img-a').getAttribute('src')).toContain(`${runId}-${first.id}-distorted`);
    expect(await page.getByTestId('swipe-img-b').getAttribute('src')).toContain(`${runId}-${first.id}-hallucinated`);
    await expect.poll(() => page.getByTestId('swipe-img-b').evaluate((e) => (e as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

    // A gentle zoom for the screenshot, so the pixels show yet the views stay recognisable.
    await page.getByTestId('inspect-reset').click();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.mouse.wheel(0, -150);
    await expect.poll(async () => Number(await page.getByTestId('map-panels').getAttribute('data-scale'))).toBeGreaterThan(1);
    const png = await page.screenshot({ path: join(SHOTS, 'inspect-hiqa.png'), fullPage: false });
    const stats = await pngStats(png);
    expect(stats.width).toBe(1400);
    expect(stats.stdev, 'inspect-hiqa screenshot looks blank').toBeGreaterThan(8);
    expect(stats.distinctColours, 'inspect-hiqa screenshot looks blank').toBeGreaterThan(20);
  }, 240_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

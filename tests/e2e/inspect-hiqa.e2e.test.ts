// End to end: train a tiny HIQA on the demo distortions, open an image in Inspect, pick the run, see its views with one zoom and pan (the same region in every pane), the |d| maps' colour bars and fixed-gain toggle, and swipe.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImageMaps, ImagePage, RunDetail, RunSummary } from '../../src-shared/api/schemas';
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

interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}
interface Laid {
  getBoundingClientRect(): Rect;
  clientLeft: number;
  clientTop: number;
  clientWidth: number;
  clientHeight: number;
  querySelectorAll(selector: string): ArrayLike<Laid>;
}
interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  paneWidth: number;
}

/**
 * The part of the image every view shows (fractions of the image's width and height), from the laid-out boxes: each
 * viewport's inner box against each of its images' transformed box. One entry per image: the five panels' and both
 * swipe layers'.
 */
const regions = (): Promise<Region[]> =>
  page.locator('[data-testid=map-panel] .viewport, [data-testid=swipe-view]').evaluateAll((els) =>
    els.flatMap((el) => {
      const vp = el as unknown as Laid;
      const a = vp.getBoundingClientRect();
      const left = a.left + vp.clientLeft;
      const top = a.top + vp.clientTop;
      return Array.from(vp.querySelectorAll('img'), (img) => {
        const b = img.getBoundingClientRect();
        return {
          x0: (left - b.left) / b.width,
          y0: (top - b.top) / b.height,
          x1: (left + vp.clientWidth - b.left) / b.width,
          y1: (top + vp.clientHeight - b.top) / b.height,
          paneWidth: vp.clientWidth,
        };
      });
    }),
  );

/** Every view shows the same region, within half a percent of the image. */
function expectSameRegion(all: Region[]): void {
  expect(all.length).toBe(7);
  for (const r of all) {
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(r[k] - all[0]![k]), `${k}: ${JSON.stringify(all)}`).toBeLessThan(0.005);
  }
}

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

    // Wheel over one panel zooms every view onto the same part of the image, the big swipe pane included.
    expectSameRegion(await regions());
    const box = (await panels.nth(1).locator('.viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
    await page.mouse.wheel(0, -500);
    await expect.poll(async () => Number(await page.getByTestId('map-panels').getAttribute('data-scale'))).toBeGreaterThan(1.5);
    const scale = Number(await page.getByTestId('map-panels').getAttribute('data-scale'));
    const zoomed = await regions();
    expectSameRegion(zoomed);
    const swipePane = zoomed[zoomed.length - 1]!;
    expect(swipePane.paneWidth, 'the swipe pane is much larger than a panel').toBeGreaterThan(1.5 * zoomed[0]!.paneWidth);
    expect(zoomed[0]!.x1 - zoomed[0]!.x0).toBeCloseTo(1 / scale, 2);
    // Zoomed about the cursor at 60 % across and 40 % down: that image point stays there.
    expect(zoomed[0]!.x0 + 0.6 * (zoomed[0]!.x1 - zoomed[0]!.x0)).toBeCloseTo(0.6, 2);
    expect(zoomed[0]!.y0 + 0.4 * (zoomed[0]!.y1 - zoomed[0]!.y0)).toBeCloseTo(0.4, 2);
    // Dragging another panel pans them all together, by the drag's share of that panel.
    const other = (await panels.nth(3).locator('.viewport').boundingBox())!;
    await page.mouse.move(other.x + other.width / 2, other.y + other.height / 2);
    await page.mouse.down();
    await page.mouse.move(other.x + other.width / 2 + 30, other.y + other.height / 2 + 20, { steps: 5 });
    await page.mouse.up();
    const panned = await regions();
    expectSameRegion(panned);
    expect(panned[0]!.x0 - zoomed[0]!.x0).toBeCloseTo(-30 / (panned[3]!.paneWidth * scale), 2);
    // Zooming in the swipe pane (the case that showed other regions in the small panels) moves them all alike.
    await page.getByTestId('inspect-reset').click();
    await page.getByTestId('swipe-view').scrollIntoViewIfNeeded();
    const swipeBox = (await page.getByTestId('swipe-view').boundingBox())!;
    await page.mouse.move(swipeBox.x + swipeBox.width * 0.25, swipeBox.y + swipeBox.height * 0.75);
    await page.mouse.wheel(0, -700);
    await expect.poll(async () => Number(await page.getByTestId('map-panels').getAttribute('data-scale'))).toBeGreaterThan(2);
    const fromSwipe = await regions();
    expectSameRegion(fromSwipe);
    expect(fromSwipe[0]!.x0 + 0.25 * (fromSwipe[0]!.x1 - fromSwipe[0]!.x0)).toBeCloseTo(0.25, 2);

    // The |d| maps: auto-scaled with a colour bar; the fixed-gain toggle shows the ×4 map and its scale instead.
    const maps = await api<ImageMaps>('images:maps', { imageId: first.id, runId });
    const discrepancy = page.locator('[data-testid=map-panel][data-kind=discrepancy]');
    const bar = discrepancy.getByTestId('colour-bar');
    await expect.poll(() => bar.count()).toBe(1);
    expect(await page.locator('[data-testid=map-panel][data-kind=difference] [data-testid=colour-bar]').count()).toBe(1);
    expect(await page.locator('[data-testid=map-panel][data-kind=hallucinated] [data-testid=colour-bar]').count()).toBe(0);
    const auto = maps.scales.find((x) => x.kind === 'discrepancy')!;
    expect(Number(await bar.getAttribute('data-white'))).toBeCloseTo((255 / auto.gain), 2);
    const autoSrc = await discrepancy.locator('img').getAttribute('src');
    const autoShot = await discrepancy.locator('.viewport').screenshot();
    await page.getByTestId('fixed-gain').check();
    await expect.poll(() => bar.getAttribute('data-white')).toBe('63.750');
    expect(await discrepancy.locator('img').getAttribute('src')).toContain(`${runId}-${first.id}-discrepancy-fixed`);
    expect(await discrepancy.locator('img').getAttribute('src')).not.toBe(autoSrc);
    expect(await discrepancy.locator('figcaption').innerText()).toMatch(/×4/);
    await expect.poll(() => discrepancy.locator('img').evaluate((e) => (e as unknown as { complete: boolean; naturalWidth: number }).complete && (e as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    const fixedShot = await discrepancy.locator('.viewport').screenshot();
    expect(Buffer.compare(fixedShot, autoShot), 'the fixed gain renders differently').not.toBe(0);
    await page.getByTestId('fixed-gain').uncheck();
    await expect.poll(() => discrepancy.locator('img').getAttribute('src')).toBe(autoSrc);

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
    await panels.nth(1).scrollIntoViewIfNeeded();
    const panel = (await panels.nth(1).locator('.viewport').boundingBox())!;
    await page.mouse.move(panel.x + panel.width * 0.5, panel.y + panel.height * 0.5);
    await page.mouse.wheel(0, -150);
    await expect.poll(async () => Number(await page.getByTestId('map-panels').getAttribute('data-scale'))).toBeGreaterThan(1);
    const png = await page.screenshot({ path: join(SHOTS, 'inspect-hiqa.png'), fullPage: false });
    const stats = await pngStats(png);
    expect(stats.width).toBe(1400);
    expect(stats.stdev, 'inspect-hiqa screenshot looks blank').toBeGreaterThan(8);
    expect(stats.distinctColours, 'inspect-hiqa screenshot looks blank').toBeGreaterThan(20);
    // Other window sizes re-lay the panes; the views still agree.
    for (const [width, height] of [[1440, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width, height });
      await expect.poll(async () => {
        const all = await regions();
        return all.every((r) => Math.abs(r.x0 - all[0]!.x0) < 0.005 && Math.abs(r.y1 - all[0]!.y1) < 0.005);
      }).toBe(true);
      await page.screenshot({ path: join(SHOTS, `inspect-hiqa-${width}x${height}.png`), fullPage: true });
    }
  }, 240_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

// End to end: a tiny HIQA and a tiny CNNIQA run on one small dataset; Inspect shows an image across both runs: each run's score (as the API gives it), HIQA's hallucination and discrepancy map, one zoom and pan for every view, stepping and pinned images.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImageItem, ImagePage, JobInfo, RunDetail, RunImageScore, RunPrediction, RunSummary } from '../../src-shared/api/schemas';
import { BLUR_PHOTOS, writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, expectScreenshotNotBlank } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

/** Two photos (8 images) are the test part of the split; the other four train. */
const TEST_PHOTOS = BLUR_PHOTOS.slice(0, 2);

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let dataDir: string;
let datasetId: number;
let hiqa: number;
let cnn: number;
let images: ImageItem[];
const consoleErrors: string[] = [];

const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);
const hash = () => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash);
const byName = (name: string) => images.find((i) => i.name.includes(name))!;

/** The transform of every zoomable view's image in the across-runs grid (the panes are of one size), as SharedZoom sets it on each viewport. */
const transforms = () =>
  page
    .locator('[data-testid=across-pane] .viewport')
    .evaluateAll((els) => els.map((e) => (e as unknown as { style: { getPropertyValue(k: string): string } }).style.getPropertyValue('--zoom-transform')));
const widths = (sel: string) => page.locator(sel).evaluateAll((els) => els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth));

/** Each column's shown score (data-score, full precision), by run id, once every column has one. */
async function shownScores(): Promise<Map<number, { score: number; source: string; text: string }>> {
  const cards = page.getByTestId('across-score');
  await expect.poll(() => cards.count(), { timeout: 60_000 }).toBe(2);
  const rows = await cards.evaluateAll((els) =>
    els.map((e) => ({
      run: Number(e.getAttribute('data-run-id')),
      score: Number(e.getAttribute('data-score')),
      source: e.getAttribute('data-source')!,
      text: (e.querySelector('[data-testid=across-score-value]') as unknown as { textContent: string }).textContent,
    })),
  );
  return new Map(rows.map(({ run, ...r }) => [run, r]));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'iqa-e2e-across-'));
  await writeBlurDataset(dataDir);
  const [head, ...lines] = readFileSync(join(dataDir, 'labels.csv'), 'utf8').trim().split('\n');
  const rows = lines.map((l) => `${l},${TEST_PHOTOS.includes(l.split(',')[2]!) ? 'test' : 'train'}`);
  writeFileSync(join(dataDir, 'labels.csv'), `${head},split\n${rows.join('\n')}\n`);

  serve = await startServe();
  const job = await api<JobInfo>('datasets:import', { format: 'csv', root: dataDir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const deadline = Date.now() + 30_000;
  let end: JobInfo | undefined;
  while (!end && Date.now() < deadline) {
    const j = (await api<JobInfo[]>('jobs:list', {})).find((x) => x.jobId === job.jobId);
    if (j && j.state !== 'running') end = j;
    else await new Promise((ok) => setTimeout(ok, 100));
  }
  expect(end?.state, end?.error?.message ?? 'import did not finish in 30 s').toBe('done');
  datasetId = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!.id;
  // The unblurred image of each photo is its true reference: HIQA's generator then trains, and Inspect shows I_r.
  const db = new Database(join(serve.dataDir, 'iqa.sqlite'));
  try {
    const refs = db.prepare('SELECT id, name FROM reference_images WHERE dataset_id = ?').all(datasetId) as { id: number; name: string }[];
    expect(refs.length).toBe(BLUR_PHOTOS.length);
    for (const r of refs) db.prepare('UPDATE reference_images SET path = ? WHERE id = ?').run(join(dataDir, 'img', `${r.name}_0.png`), r.id);
  } finally {
    db.close();
  }

  // Both train at once; the fastest settings of inspect-hiqa and compare.
  hiqa = (
    await api<RunSummary>('runs:start', {
      model: 'hiqa',
      datasetId,
      split: 'csv_split',
      name: 'tiny hiqa',
      modelConfig: { scale: 'tiny', trainCrops: 1, testCrops: 1, schedule: { rpreEpochs: 1, regressorEpochs: 1 } },
      hyper: { epochs: 3, batchImages: 8, seed: 2 },
    })
  ).id;
  cnn = (
    await api<RunSummary>('runs:start', {
      model: 'cnniqa',
      datasetId,
      split: 'csv_split',
      name: 'tiny cnniqa',
      modelConfig: { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null },
      hyper: { epochs: 2, batchImages: 4, seed: 7 },
    })
  ).id;
  const trainDeadline = Date.now() + 150_000;
  for (;;) {
    const details = await Promise.all([hiqa, cnn].map((id) => api<RunDetail>('runs:get', { id })));
    const bad = details.find((d) => d.status === 'failed' || d.status === 'cancelled');
    expect(bad, bad?.error ?? '').toBeUndefined();
    if (details.every((d) => d.status === 'completed')) break;
    expect(Date.now(), `runs did not finish: ${details.map((d) => `#${d.id} ${d.status}`).join(', ')}`).toBeLessThan(trainDeadline);
    await new Promise((ok) => setTimeout(ok, 250));
  }
  images = (await api<ImagePage>('images:list', { datasetId, limit: 100, sort: 'name' })).items;
  expect(images.length).toBe(24);

  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Inspect: the same image across runs', () => {
  it("shows each run's score for a test image, HIQA's hallucination and discrepancy map, with one zoom and pan for every view", async () => {
    // The most blurred test image: its last in name order, so Next leads to a training image.
    const image = byName('bee_3');
    await page.goto(`${serve.url}#/inspect?image=${image.id}`);
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(image.name);
    await page.getByTestId('inspect-mode-across').click();
    await expect.poll(() => hash()).toMatch(new RegExp(`image=${image.id}.*mode=across`));

    // No runs named and none ticked on Runs: those of the image's dataset, oldest first.
    const cols = page.getByTestId('across-col');
    await expect.poll(() => cols.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-run-id'))))).toEqual([hiqa, cnn]);
    expect(await page.getByTestId('across-run-check').evaluateAll((els) => els.filter((e) => (e as unknown as { checked: boolean }).checked).length)).toBe(2);
    await expect.poll(() => hash()).toContain(`runs=${hiqa}%2C${cnn}`);

    // Each score is the API's: the run's stored prediction for this test image.
    const shown = await shownScores();
    for (const run of [hiqa, cnn]) {
      const fromApi = await api<RunImageScore>('runs:scoreImage', { id: run, imageId: image.id });
      const prediction = (await api<RunPrediction[]>('runs:predictions', { id: run })).find((p) => p.imageId === image.id)!;
      expect(fromApi).toMatchObject({ source: 'prediction', score: prediction.score, scale: 'mos 1-5 higher' });
      expect(shown.get(run)).toEqual({ score: fromApi.score, source: 'prediction', text: fromApi.score.toFixed(3) });
    }
    expect(await page.getByTestId('across-label').innerText()).toContain(image.label!.toFixed(3));

    // HIQA's column: its hallucinated reference and discrepancy map, loaded; the input and true reference beside them.
    const panes = page.getByTestId('across-pane');
    await expect.poll(() => panes.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')}:${e.getAttribute('data-run-id') ?? ''}`)), { timeout: 60_000 }).toEqual(
      expect.arrayContaining(['distorted:', 'reference:', `hallucinated:${hiqa}`, `discrepancy:${hiqa}`]),
    );
    expect(await panes.count()).toBe(4);
    await expect.poll(async () => Math.min(...(await widths('[data-testid=across-pane] img')))).toBeGreaterThan(0);
    expect(await page.locator(`[data-testid=across-pane][data-kind=hallucinated] img`).getAttribute('src')).toContain(`${hiqa}-${image.id}-hallucinated`);
    expect(await page.locator(`[data-testid=across-pane][data-kind=discrepancy] img`).getAttribute('src')).toContain(`${hiqa}-${image.id}-discrepancy`);
    expect(await page.locator(`[data-testid=across-none][data-run-id="${cnn}"]`).innerText()).toMatch(/score only/);
    // The discrepancy map: auto-scaled with its colour bar; the fixed gain, comparable between runs, on demand.
    const bar = page.locator('[data-testid=across-pane][data-kind=discrepancy] [data-testid=colour-bar]');
    expect(await bar.count()).toBe(1);
    await page.getByTestId('across-fixed-gain').check();
    await expect.poll(() => page.locator(`[data-testid=across-pane][data-kind=discrepancy] img`).getAttribute('src')).toContain(`${hiqa}-${image.id}-discrepancy-fixed`);
    expect(await bar.getAttribute('data-white')).toBe('63.750');
    await page.getByTestId('across-fixed-gain').uncheck();
    await expect.poll(() => page.locator(`[data-testid=across-pane][data-kind=discrepancy] img`).getAttribute('src')).not.toContain('-fixed');

    // Wheel over HIQA's hallucination zooms every view the same way; a drag on the input pans them all.
    const box = (await page.locator('[data-testid=across-pane][data-kind=hallucinated] .viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => Number(await page.getByTestId('across-grid').getAttribute('data-scale'))).toBeGreaterThan(1.5);
    const zoomed = await transforms();
    expect(zoomed.length).toBe(4);
    expect(new Set(zoomed).size, zoomed.join(' | ')).toBe(1);
    expect(zoomed[0]).toMatch(/translate\(-\d.*scale\(/);
    const input = (await page.locator('[data-testid=across-pane][data-kind=distorted] .viewport').boundingBox())!;
    await page.mouse.move(input.x + input.width / 2, input.y + input.height / 2);
    await page.mouse.down();
    await page.mouse.move(input.x + input.width / 2 + 25, input.y + input.height / 2 + 15, { steps: 4 });
    await page.mouse.up();
    const panned = await transforms();
    expect(new Set(panned).size).toBe(1);
    expect(panned[0]).not.toBe(zoomed[0]);
    // A gentle zoom for the screenshot, so the pixels show yet the views stay recognisable.
    await page.getByTestId('across-reset').click();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -150);
    await expect.poll(async () => Number(await page.getByTestId('across-grid').getAttribute('data-scale'))).toBeGreaterThan(1);
    await page.mouse.move(0, 0);
    await expectScreenshotNotBlank(page, 'inspect-across-runs');
  });

  it('steps to the next image of the dataset (scored now by each run), pins images and flips between them', async () => {
    const first = byName('bee_3');
    const next = images[images.indexOf(first) + 1]!;
    expect(next.name).toContain(BLUR_PHOTOS[2]!); // a training image: no stored prediction
    await page.getByTestId('across-pin').click();
    await page.getByTestId('across-next').click();
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(next.name);
    await expect.poll(() => hash()).toMatch(new RegExp(`image=${next.id}&mode=across&runs=${hiqa}%2C${cnn}&images=${first.id}$`));
    const shown = await shownScores();
    for (const run of [hiqa, cnn]) {
      const fromApi = await api<RunImageScore>('runs:scoreImage', { id: run, imageId: next.id });
      expect(fromApi.source).toBe('scored');
      expect(shown.get(run)).toEqual({ score: fromApi.score, source: 'scored', text: fromApi.score.toFixed(3) });
    }
    expect(await page.getByTestId('across-position').innerText()).toContain(`${images.indexOf(next) + 1} / 24`);
    // The zoom stays while flipping, so the same spot of each image can be compared.
    expect(Number(await page.getByTestId('across-grid').getAttribute('data-scale'))).toBeGreaterThan(1);
    await expect.poll(async () => (await widths('[data-testid=across-pane] img')).length).toBe(4);

    await page.getByTestId('across-pin').click();
    const pinned = page.getByTestId('across-pinned');
    await expect.poll(() => pinned.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))))).toEqual([first.id, next.id]);
    await pinned.first().locator('.pin-open').click();
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(first.name);
    await expect.poll(async () => (await shownScores()).get(cnn)?.source).toBe('prediction');
    // Keys: ] flips to the next pinned image, ← steps back through the dataset.
    await page.keyboard.press(']');
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(next.name);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(first.name);
    // Unticking a run drops its column.
    await page.locator(`[data-testid=across-run-check][data-run-id="${cnn}"]`).uncheck();
    await expect.poll(() => page.getByTestId('across-col').count()).toBe(1);
    await expect.poll(() => hash()).toContain(`runs=${hiqa}&`);
  });

  it('defaults to the runs ticked on Runs / Compare; One run shows the first HIQA column with its swipe', async () => {
    const image = byName('alpaca_2');
    await page.goto(`${serve.url}#/runs`);
    const row = page.locator(`[data-testid=run-row][data-run-id="${cnn}"]`);
    await row.getByTestId('run-check').check();
    // In the page (no reload), so the ticks are kept.
    await page.evaluate((h) => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), `#/inspect?image=${image.id}&mode=across`);
    await expect.poll(() => page.getByTestId('inspect-name').innerText()).toBe(image.name);
    await expect.poll(() => page.getByTestId('across-col').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-run-id'))))).toEqual([cnn]);
    await page.locator(`[data-testid=across-run-check][data-run-id="${hiqa}"]`).check();
    await expect.poll(() => page.getByTestId('across-col').count()).toBe(2);
    await page.getByTestId('inspect-mode-single').click();
    await expect.poll(() => page.getByTestId('inspect-run').inputValue()).toBe(String(hiqa));
    await expect.poll(() => page.getByTestId('map-panel').count(), { timeout: 30_000 }).toBe(5);
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

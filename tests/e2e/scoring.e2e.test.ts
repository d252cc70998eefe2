// End to end: score a dataset with a trained run from the Datasets screen with a progress bar, sort and filter by score, scores on tiles and in the detail pane.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, JobInfo, RunDetail, RunSummary } from '../../src-shared/api/schemas';
import { writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, expectScreenshotNotBlank, until } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const TINY = { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null };

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let dataDir: string;
let datasetId: number;
let runId: number;
const consoleErrors: string[] = [];

const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);

const expectNotBlank = (name: string): Promise<void> => expectScreenshotNotBlank(page, name);

const tileScores = async () => (await page.getByTestId('grid-score').allInnerTexts()).map(Number);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'iqa-e2e-score-'));
  await writeBlurDataset(dataDir);
  serve = await startServe();
  const job = await api<JobInfo>('datasets:import', { format: 'csv', root: dataDir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const imported = await until('the import', 60_000, async () => (await api<JobInfo[]>('jobs:list', {})).find((x) => x.jobId === job.jobId && x.state !== 'running'));
  expect(imported.state, imported.error?.message).toBe('done');
  datasetId = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!.id;

  const run = await api<RunSummary>('runs:start', { model: 'cnniqa', datasetId, modelConfig: TINY, hyper: { epochs: 2, batchImages: 4, seed: 11 }, backend: 'auto' });
  runId = run.id;
  const done = await until('training', 150_000, async () => {
    const d = await api<RunDetail>('runs:get', { id: run.id });
    return d.status === 'running' || d.status === 'queued' ? undefined : d;
  });
  expect(done.status, done.error ?? '').toBe('completed');

  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('scoring a dataset from the Datasets screen', () => {
  it('scores the dataset with the trained run, with a progress bar that finishes', async () => {
    await page.goto(`${serve.url}#/datasets?id=${datasetId}`);
    await expect.poll(() => page.getByTestId('image-total').innerText()).toBe('24 images');
    await expect.poll(() => page.getByTestId('grid-item').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('grid-score').count()).toBe(0);

    const select = page.getByTestId('score-with');
    await expect.poll(() => select.locator(`option[value="run:${runId}"]`).count()).toBe(1);
    await select.selectOption(`run:${runId}`);
    // Record the progress bar's values, to see it run and reach the end.
    await page.evaluate(() => {
      type El = { getAttribute?(n: string): string | null; querySelector?(s: string): El | null };
      const g = globalThis as unknown as { progressSeen: string[]; MutationObserver: new (cb: (m: { target: El; addedNodes: El[] }[]) => void) => { observe(n: unknown, o: unknown): void }; document: { body: unknown } };
      g.progressSeen = [];
      const record = (el: El | null | undefined) => {
        if (el?.getAttribute?.('data-testid') === 'score-progress') g.progressSeen.push(el.getAttribute('aria-valuenow') ?? '');
      };
      new g.MutationObserver((muts) => {
        for (const m of muts) {
          record(m.target);
          for (const n of m.addedNodes) record(n.getAttribute?.('data-testid') === 'score-progress' ? n : n.querySelector?.('[data-testid=score-progress]'));
        }
      }).observe(g.document.body, { attributes: true, attributeFilter: ['aria-valuenow'], subtree: true, childList: true });
    });
    await page.getByTestId('score-start').click();
    await expect.poll(() => page.getByTestId('score-status').innerText(), { timeout: 120_000 }).toMatch(/Scored 24 of 24 images \(MOS 1–5, higher is better\)/);
    // The bar is gone and Score is offered again.
    expect(await page.getByTestId('score-progress').count()).toBe(0);
    expect(await page.getByTestId('score-start').isEnabled()).toBe(true);
    const seen = (await page.evaluate(() => (globalThis as unknown as { progressSeen: string[] }).progressSeen)).map(Number);
    expect(seen.length, 'the progress bar never showed').toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));

    // Every visible tile now shows its score.
    // The grid keeps its tiles while it refreshes, so it never shows fewer.
    await expect
      .poll(async () => [(await tileScores()).length, await page.getByTestId('grid-item').count()], { timeout: 10_000 })
      .toEqual([24, 24]);
    expect((await tileScores()).every((s) => Number.isFinite(s))).toBe(true);
    await expectNotBlank('datasets-scored');
  });

  it('sorts by score, highest first, and filters by a minimum score', async () => {
    await page.getByTestId('sort').selectOption('score');
    await page.getByTestId('sort-descending').check();
    await expect
      .poll(async () => {
        const s = await tileScores();
        return s.length > 1 && s.every((v, i) => i === 0 || v <= s[i - 1]!);
      })
      .toBe(true);
    const scores = await tileScores();
    // The tiles (titled with their paths) come in the API's order.
    const paths = await page.getByTestId('grid-item').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    const sorted = await api<{ items: { path: string }[] }>('images:list', { datasetId, sort: 'score', descending: true, limit: paths.length });
    expect(paths).toEqual(sorted.items.map((i) => i.path));
    await expectNotBlank('datasets-sorted-by-score');

    const min = scores[2]!;
    await page.getByTestId('filter-score-min').fill(String(min));
    await expect.poll(async () => (await tileScores()).every((s) => s >= min - 0.005)).toBe(true);
    const all = await api<{ items: { score: number }[] }>('images:list', { datasetId, limit: 100 });
    const expected = all.items.filter((i) => i.score >= min).length;
    await expect.poll(() => page.getByTestId('image-total').innerText()).toBe(`${expected} images`);
    await page.getByTestId('filter-score-min').fill('');
    await expect.poll(() => page.getByTestId('image-total').innerText()).toBe('24 images');
  });

  it('shows every score of an image by source in the detail pane', async () => {
    await page.getByTestId('grid-item').first().click();
    const detail = page.getByTestId('image-detail');
    await expect.poll(() => detail.getByTestId('image-score').count()).toBe(1);
    const text = await detail.getByTestId('image-score').innerText();
    expect(text).toMatch(/\d\.\d{3}/);
    expect(text).toContain(`cnniqa · run #${runId}`);
    expect(text).toContain('MOS 1–5, higher is better');
    expect(await detail.innerText()).toMatch(/Score\s+\d\.\d{3}/);
    await expectNotBlank('datasets-score-detail');
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

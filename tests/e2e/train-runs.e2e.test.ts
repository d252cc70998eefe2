// End to end: train a tiny CNNIQA from the Train screen with live progress, compare it on Runs (curves, scatter), cancel and resume a run.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, JobInfo, RunDetail, RunSummary } from '../../src-shared/api/schemas';
import { writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, expectScreenshotNotBlank, until } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const TINY = { kernels: '8', hidden: '32', trainCrops: '8', testCrops: '4' };

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let dataDir: string;
let datasetId: number;
let firstRun: number;
const consoleErrors: string[] = [];

const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);

const expectNotBlank = (name: string): Promise<void> => expectScreenshotNotBlank(page, name);

/** Pixels Chart.js drew on a chart's canvas (the canvas starts fully transparent). */
function drawnPixels(chart: Locator): Promise<number> {
  return chart.locator('canvas').evaluate((el) => {
    const c = el as unknown as { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

/** Fills the Train form for a tiny CNNIQA on the blur dataset. */
async function fillTinyForm(epochs: number, seed: number): Promise<void> {
  const form = page.getByTestId('train-form');
  await expect.poll(() => form.locator('select[name=model] option').count()).toBeGreaterThan(0);
  await form.locator('select[name=model]').selectOption('cnniqa');
  await expect.poll(() => page.getByTestId('train-citation').innerText()).toMatch(/Kang/);
  await expect.poll(() => form.locator('input[name=cfg-kernels]').count()).toBe(1);
  await form.locator('select[name=dataset]').selectOption(String(datasetId));
  for (const [k, v] of Object.entries(TINY)) await form.locator(`input[name=cfg-${k}]`).fill(v);
  await form.locator('input[name=cfg-resize]').uncheck();
  await form.locator('input[name=hyper-epochs]').fill(String(epochs));
  await form.locator('input[name=hyper-batchImages]').fill('4');
  await form.locator('input[name=hyper-seed]').fill(String(seed));
  await form.locator('select[name=backend]').selectOption('auto');
}

/** Starts the filled-in run and returns its id, read from the "Started run #N" note. */
async function startFromForm(): Promise<number> {
  await page.getByTestId('train-start').click();
  await expect.poll(() => page.getByRole('status').innerText()).toMatch(/Started run #\d+/);
  return Number(/#(\d+)/.exec(await page.getByRole('status').innerText())![1]);
}

const card = (id: number) => page.locator(`[data-testid=run-card][data-run-id="${id}"]`);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'iqa-e2e-blur-'));
  await writeBlurDataset(dataDir);
  serve = await startServe();
  const job = await api<JobInfo>('datasets:import', { format: 'csv', root: dataDir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  const deadline = Date.now() + 60_000;
  let end: JobInfo | undefined;
  while (!end && Date.now() < deadline) {
    const j = (await api<JobInfo[]>('jobs:list', {})).find((x) => x.jobId === job.jobId);
    if (j && j.state !== 'running') end = j;
    else await new Promise((ok) => setTimeout(ok, 200));
  }
  expect(end?.state, end?.error?.message ?? 'import did not finish in 60 s').toBe('done');
  const blur = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!;
  expect(blur.labelledCount).toBe(24);
  datasetId = blur.id;
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Train and Runs screens against serve mode', () => {
  it('offers labelled datasets only and shows the model config from its defaults', async () => {
    await page.goto(`${serve.url}#/train`);
    const form = page.getByTestId('train-form');
    await expect.poll(() => form.locator('select[name=dataset] option').allInnerTexts()).toContain('blur (24 labelled)');
    // The unlabelled demo photos cannot be trained on, so they are not offered.
    expect((await form.locator('select[name=dataset] option').allInnerTexts()).some((t) => t.startsWith('Demo photos'))).toBe(false);
    await form.locator('select[name=model]').selectOption('hyperiqa');
    await expect.poll(() => form.locator('select[name=cfg-backbone] option').allInnerTexts()).toEqual(['resnet50', 'resnet18', 'small']);
    expect(await form.locator('input[name=cfg-flip]').isChecked()).toBe(true);
    await form.locator('select[name=model]').selectOption('cnniqa');
    await expect.poll(() => form.locator('input[name=cfg-kernels]').inputValue()).toBe('50');
    // An optional group is a switch with typed members, not JSON.
    expect(await form.locator('input[name=cfg-resize]').isChecked()).toBe(true);
    expect(await form.locator('input[name="cfg-resize.width"]').inputValue()).toBe('256');
    expect(await form.locator('input[name="cfg-resize.height"]').inputValue()).toBe('192');
  });

  it('checks every field against its schema before Start, says why next to it, and starts nothing', async () => {
    const errorsBefore = consoleErrors.length;
    await fillTinyForm(3, 7);
    await page.locator('input[name=cfg-kernels]').fill('-3');
    await page.locator('input[name=cfg-dropout]').fill('');
    await page.getByTestId('train-start').click();
    await expect.poll(() => page.getByTestId('train-error').innerText()).toMatch(/highlighted/);
    await expect.poll(() => page.locator('label.invalid input[name=cfg-kernels]').count()).toBe(1);
    expect(await page.locator('label.invalid:has(input[name=cfg-kernels]) small.error').innerText()).toBe('must be ≥ 4 and ≤ 256');
    expect(await page.locator('label.invalid:has(input[name=cfg-dropout]) small.error').innerText()).toBe('enter a number');
    await page.locator('input[name=cfg-kernels]').fill('8.5');
    await page.getByTestId('train-start').click();
    await expect.poll(() => page.locator('label.invalid:has(input[name=cfg-kernels]) small.error').innerText()).toBe('enter a whole number');
    expect(await api<unknown[]>('runs:list', {})).toEqual([]);
    expect(consoleErrors.splice(errorsBefore)).toEqual([]);
  });

  it('HIQA and HyperIQA: a typed form without raw JSON, grouped, with the paper value and unit of each setting', async () => {
    const form = page.getByTestId('train-form');
    await form.locator('select[name=model]').selectOption('hiqa');
    await expect.poll(() => form.locator('input[name="cfg-optim.lrG"]').count()).toBe(1);
    for (const g of ['model', 'sizes', 'losses', 'optim', 'schedule']) expect(await page.getByTestId(`train-group-${g}`).count(), g).toBe(1);
    // No field shows JSON or the word null: every value is a number, a switch, a choice or a path.
    const values = await form.locator('input:not([type=checkbox]), select').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(values.filter((v) => v === 'null' || v.startsWith('{') || v.startsWith('['))).toEqual([]);
    expect(await form.locator('input[name="cfg-optim.lrG"]').getAttribute('type')).toBe('number');
    expect(await form.locator('label:has(input[name="cfg-optim.lrDecayEvery"]) small.hint').innerText()).toMatch(/iterations · ≥ 0 · default 20000 · paper: 20000 \[P §3\.6\]/);
    expect(await form.locator('select[name="cfg-sizes.regressor.depth"] option').allInnerTexts()).toEqual(["the scale's", '10', '18']);
    // The paper's SGD is the default; Adam stays a choice, labelled as ours.
    expect(await form.locator('select[name="cfg-optim.optimizer"] option').allInnerTexts()).toEqual(['SGD + momentum (paper)', "Adam (ours, not the paper's)"]);
    expect(await form.locator('select[name="cfg-optim.optimizer"]').inputValue()).toBe('sgd');
    expect(await form.locator('input[name="cfg-optim.lrR"]').inputValue()).toBe('0.01');
    expect(await form.locator('label:has(input[name="cfg-rotation"]) small.hint').innerText()).toMatch(/degrees .*default 20 · paper: ±20° \[P §3\.6\]/);
    // Its own optimiser group replaces the generic learning rate, decay and schedule, which are greyed out and say so.
    expect(await page.locator('input[name=hyper-lr]').isDisabled()).toBe(true);
    expect(await page.getByTestId('train-own-optim').innerText()).toMatch(/hiqa sets its optimiser/);
    await form.locator('input[name="cfg-optim.lrDecayFactor"]').fill('2');
    await page.getByTestId('train-start').click();
    await expect.poll(() => form.locator('label.invalid:has(input[name="cfg-optim.lrDecayFactor"]) small.error').innerText()).toBe('must be > 0 and ≤ 1');
    for (const [w, h] of [[1440, 900], [1024, 700]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await expectScreenshotNotBlank(page, `train-form-hiqa-${w}x${h}`, { fullPage: true });
    }
    await form.locator('select[name=model]').selectOption('hyperiqa');
    await expect.poll(() => form.locator('select[name=cfg-mode] option').allInnerTexts()).toEqual(['paper', 'official-code']);
    expect(await form.locator('label:has(input[name=cfg-batchCrops]) small.hint').innerText()).toMatch(/crops · ≥ 1 and ≤ 512 · default 96 · paper: 96 \[C --batch_size\]/);
    await expectScreenshotNotBlank(page, 'train-form-hyperiqa-1024x700', { fullPage: true });
    await page.setViewportSize({ width: 1400, height: 900 }); // the suite's page size (tests/helpers/browser.ts)
  });

  it('trains a tiny CNNIQA with a moving progress bar until it completes', async () => {
    await fillTinyForm(3, 7);
    // Record every value the progress bars take, to see the bar move rather than jump to the end.
    await page.evaluate(() => {
      const g = globalThis as unknown as { progressSeen: string[]; MutationObserver: new (cb: (m: { target: unknown }[]) => void) => { observe(n: unknown, o: unknown): void }; document: { body: unknown } };
      g.progressSeen = [];
      new g.MutationObserver((muts) => {
        for (const m of muts) {
          const t = m.target as { getAttribute(n: string): string | null; closest(s: string): { getAttribute(n: string): string | null } | null };
          g.progressSeen.push(`${t.closest('[data-testid=run-card]')?.getAttribute('data-run-id')}:${t.getAttribute('aria-valuenow')}`);
        }
      }).observe(g.document.body, { attributes: true, attributeFilter: ['aria-valuenow'], subtree: true });
    });
    firstRun = await startFromForm();
    await expect.poll(() => card(firstRun).getAttribute('data-status'), { timeout: 120_000 }).toBe('completed');
    await expect.poll(() => card(firstRun).getByTestId('run-progress').getAttribute('aria-valuenow')).toBe('100');
    const seen = (await page.evaluate(() => (globalThis as unknown as { progressSeen: string[] }).progressSeen))
      .filter((s) => s.startsWith(`${firstRun}:`))
      .map((s) => Number(s.split(':')[1]));
    expect(new Set(seen.filter((v) => v > 0 && v < 100)).size, `progress values ${seen.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const text = await card(firstRun).innerText();
    expect(text).toContain('epoch 3 / 3');
    expect(text).toMatch(/SRCC\s+-?\d\.\d{3}/);
    expect(text).toMatch(/train loss\s+\d\.\d{4}/);
    await expectNotBlank('train');
  });

  it('lists the run on Runs and draws its loss and metric curves and the prediction scatter', async () => {
    await page.locator('nav a[data-screen=runs]').click();
    const row = page.locator(`[data-testid=run-row][data-run-id="${firstRun}"]`);
    await expect.poll(() => row.innerText()).toMatch(/cnniqa on blur\s+cnniqa\s+blur\s+[^\n]*?completed\s+3 \/ 3\s+-?\d\.\d{3}/i);
    await row.getByTestId('run-check').check();
    await row.getByTestId('run-open').click();
    const loss = page.getByTestId('chart-loss');
    const metrics = page.getByTestId('chart-metrics');
    const scatter = page.getByTestId('chart-scatter');
    await expect.poll(() => loss.getAttribute('data-points')).toBe('3');
    await expect.poll(() => metrics.getAttribute('data-points')).toBe('6');
    await expect.poll(() => scatter.getAttribute('data-points')).toBe('4');
    for (const chart of [loss, metrics, scatter]) await expect.poll(() => drawnPixels(chart)).toBeGreaterThan(2000);
    const config = await page.getByTestId('run-config').innerText();
    expect(JSON.parse(config)).toMatchObject({ model: 'cnniqa', modelConfig: { kernels: 8, hidden: 32, resize: null }, hyper: { epochs: 3, batchImages: 4, seed: 7 } });
    expect(await page.getByTestId('run-metrics').innerText()).toMatch(/plcc_fitted\s+-?\d\.\d{4}/);
    await expectNotBlank('runs');
  });

  it('cancels a run, resumes it from its checkpoint with live curves, and cancels it again', async () => {
    await page.locator('nav a[data-screen=train]').click();
    await fillTinyForm(20, 3);
    const id = await startFromForm();
    // The first finished epoch brings test metrics to the card.
    await expect.poll(() => card(id).innerText(), { timeout: 60_000 }).toMatch(/SRCC\s+-?\d\.\d{3}/);
    await card(id).getByTestId('run-cancel').click();
    await expect.poll(() => card(id).getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    const atCancel = Number(await card(id).getByTestId('run-progress').getAttribute('aria-valuenow'));
    expect(atCancel).toBeGreaterThan(0);
    expect(atCancel).toBeLessThan(100);
    await expect.poll(() => card(id).innerText()).toMatch(/resume continues from the last checkpoint/);

    await card(id).getByTestId('run-resume').click();
    await expect.poll(() => card(id).getAttribute('data-status')).toBe('running');
    await expect.poll(() => card(id).getByTestId('run-cancel').count()).toBe(1);
    await expect.poll(() => card(id).getByTestId('run-eta').count(), { timeout: 30_000 }).toBe(1);
    expect(await card(id).innerText()).toMatch(/step \d+ \/ 5\s+loss \d\.\d{4}\s+ETA \d+/);
    await expectNotBlank('train-running');

    // While it runs, its curves on Runs grow epoch by epoch.
    await page.locator('nav a[data-screen=runs]').click();
    const row = page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
    await page.locator(`[data-testid=run-row][data-run-id="${firstRun}"]`).getByTestId('run-check').check();
    await row.getByTestId('run-check').check();
    const loss = page.getByTestId('chart-loss');
    await expect.poll(async () => Number(await loss.getAttribute('data-points'))).toBeGreaterThan(3);
    const before = Number(await loss.getAttribute('data-points'));
    await expect.poll(async () => Number(await loss.getAttribute('data-points')), { timeout: 60_000 }).toBeGreaterThan(before + 1);
    expect(await row.innerText()).toMatch(/running/i);
    await expectNotBlank('runs-overlay');

    await page.locator('nav a[data-screen=train]').click();
    await card(id).getByTestId('run-cancel').click();
    await expect.poll(() => card(id).getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    expect(await card(id).getByTestId('run-resume').count()).toBe(1);
  });

  it('trains the same config on 2 content-disjoint splits from the Splits field, grouped as one experiment', async () => {
    await page.locator('nav a[data-screen=train]').click();
    await fillTinyForm(1, 9);
    await page.getByTestId('train-repeats').fill('2');
    await expect.poll(() => page.getByTestId('train-split').isDisabled()).toBe(true);
    await page.getByTestId('train-start').click();
    await expect.poll(() => page.getByRole('status').innerText()).toMatch(/Started run #\d+ on \S+; the other 1 splits follow/);
    const first = Number(/#(\d+)/.exec(await page.getByRole('status').innerText())![1]);
    // The second run starts when the first ends; both complete, each on its own split.
    const series = await until('both runs of the series', 150_000, async () => {
      const mine = (await api<RunSummary[]>('runs:list', {})).filter((r) => r.id >= first);
      return mine.length === 2 && mine.every((r) => r.status === 'completed') ? mine : undefined;
    });
    const details = await Promise.all(series.map((r) => api<RunDetail>('runs:get', { id: r.id })));
    expect(new Set(details.map((d) => d.splitId)).size).toBe(2);
    const ids = series.map((r) => r.id).sort((a, b) => a - b);
    await page.locator('nav a[data-screen=runs]').click();
    await page.getByTestId('tab-groups').click();
    const group = page.getByTestId('experiment-groups').locator(`[data-testid=group-row][data-runs="${ids.join(',')}"]`);
    await expect.poll(() => group.count(), { timeout: 30_000 }).toBe(1);
    await expectNotBlank('train-series-groups');
  }, 240_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

// End to end: two tiny CNNIQA runs (different lr) compared on Runs: curves, config diff, exact CSV export, logistic scatter, disagreements, per-distortion SRCC.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, JobInfo, RunDetail, RunSummary } from '../../src-shared/api/schemas';
import { BLUR_PHOTOS, writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, callApi, expectScreenshotNotBlank } from '../helpers/e2e';
import { pngStats } from '../helpers/png-stats';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const TINY = { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null };
/** Two photos (8 images) form the test set: enough points for the 5-parameter logistic (≥ 6). */
const TEST_PHOTOS = BLUR_PHOTOS.slice(0, 2);
const LRS = [1e-3, 3e-4];

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let dataDir: string;
let datasetId: number;
let runs: number[] = [];
const consoleErrors: string[] = [];

const api = <T>(channel: string, input: unknown): Promise<T> => callApi<T>(serve.url, channel, input);

const expectNotBlank = (name: string): Promise<void> => expectScreenshotNotBlank(page, name);

/** Clicks `button` and returns the text of the file it downloads. */
async function downloadText(button: Locator): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: await readFile(path, 'utf8') };
}

/** The page's location hash (the app's route). */
const hash = () => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash);

/** How many disagreement thumbnails have loaded. */
function thumbsLoaded(): Promise<number> {
  return page
    .getByTestId('disagreement')
    .locator('img')
    .evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { complete: boolean; naturalWidth: number }).complete && (i as unknown as { naturalWidth: number }).naturalWidth > 0).length);
}

/** RFC 4180 CSV to rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (ch !== '\r') field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

/** The CSS-pixel centre of a drawn scatter point of colour `rgb` (its translucent fill), found on the canvas. */
function pointPixel(chart: Locator, rgb: [number, number, number]): Promise<{ x: number; y: number } | null> {
  return chart.locator('canvas').evaluate((el, [r, g, b]) => {
    const c = el as unknown as { width: number; height: number; clientWidth: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const fill = (x: number, y: number) => {
      const i = (y * c.width + x) * 4;
      return Math.abs(data[i]! - r!) < 14 && Math.abs(data[i + 1]! - g!) < 14 && Math.abs(data[i + 2]! - b!) < 14 && data[i + 3]! > 170;
    };
    let best: { x: number; y: number; n: number } | null = null;
    // The legend (bottom) has a swatch of the same colour: look above it.
    for (let y = 3; y < c.height * 0.7; y++) {
      for (let x = 3; x < c.width - 3; x++) {
        if (!fill(x, y)) continue;
        let n = 0;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (fill(x + dx, y + dy)) n++;
        if (!best || n > best.n) best = { x, y, n };
      }
    }
    const scale = c.width / c.clientWidth;
    return best && best.n >= 15 ? { x: best.x / scale, y: best.y / scale } : null;
  }, rgb);
}

/** Waits for a job to end and expects it done. */
async function waitForJob(job: JobInfo, ms = 60_000): Promise<JobInfo> {
  const deadline = Date.now() + ms;
  let end: JobInfo | undefined;
  while (!end && Date.now() < deadline) {
    const j = (await api<JobInfo[]>('jobs:list', {})).find((x) => x.jobId === job.jobId);
    if (j && j.state !== 'running') end = j;
    else await new Promise((ok) => setTimeout(ok, 200));
  }
  expect(end?.state, end?.error?.message ?? `${job.label} did not finish in ${ms / 1000} s`).toBe('done');
  return end!;
}

/** Waits until every run has completed (failing on a failed or cancelled one). */
async function waitForRuns(ids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const details = await Promise.all(ids.map((id) => api<RunDetail>('runs:get', { id })));
    const bad = details.find((d) => d.status === 'failed' || d.status === 'cancelled');
    expect(bad, bad?.error ?? '').toBeUndefined();
    if (details.every((d) => d.status === 'completed')) return;
    expect(Date.now(), `runs did not finish: ${details.map((d) => `#${d.id} ${d.status}`).join(', ')}`).toBeLessThan(deadline);
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

const lastSrcc = async (id: number): Promise<number> => {
  const d = await api<RunDetail>('runs:get', { id });
  const last = Math.max(...d.metrics.map((m) => m.epoch ?? -1));
  return d.metrics.find((m) => m.epoch === last && m.name === 'srcc')!.value;
};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'iqa-e2e-compare-'));
  await writeBlurDataset(dataDir);
  // Add a rater spread (std) and a fixed split to the blur labels.
  const [head, ...lines] = readFileSync(join(dataDir, 'labels.csv'), 'utf8').trim().split('\n');
  const rows = lines.map((l) => {
    const [path, score, reference] = l.split(',');
    const level = 5 - Number(score);
    return `${path},${score},${reference},${(0.3 + 0.15 * level).toFixed(2)},${TEST_PHOTOS.includes(reference!) ? 'test' : 'train'}`;
  });
  writeFileSync(join(dataDir, 'labels.csv'), `${head},std,split\n${rows.join('\n')}\n`);

  serve = await startServe();
  await waitForJob(await api<JobInfo>('datasets:import', { format: 'csv', root: dataDir, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] }));
  const blur = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!;
  expect(blur.labelledCount).toBe(24);
  datasetId = blur.id;
  // The generic CSV has no distortion column: tag the blur levels as two distortion types, as LIVE or KADID would.
  const db = new Database(join(serve.dataDir, 'iqa.sqlite'));
  try {
    db.prepare(
      `UPDATE images SET level = CAST(substr(path, -5, 1) AS INTEGER),
         distortion = CASE WHEN substr(path, -5, 1) IN ('0', '1') THEN 'mild blur' ELSE 'strong blur' END WHERE dataset_id = ?`,
    ).run(datasetId);
    expect((db.prepare("SELECT COUNT(*) AS n FROM images WHERE distortion = 'mild blur'").get() as { n: number }).n).toBe(12);
  } finally {
    db.close();
  }
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

describe('Runs / Compare: two runs side by side', () => {
  it('trains two tiny CNNIQA runs that differ only in learning rate', async () => {
    runs = [];
    for (const [i, lr] of LRS.entries()) {
      const run = await api<RunSummary>('runs:start', {
        name: `cnniqa lr ${lr}`,
        model: 'cnniqa',
        datasetId,
        split: 'csv_split',
        modelConfig: TINY,
        hyper: { epochs: 2, batchImages: 4, seed: 7, lr },
        backend: 'auto',
      });
      expect(run.id).toBeGreaterThan(i === 0 ? 0 : runs[0]!);
      runs.push(run.id);
    }
    await waitForRuns(runs, 280_000);
  }, 300_000);

  it('overlays both runs’ curves and exports the runs table as exact CSV and as LaTeX', async () => {
    await page.goto(`${serve.url}#/runs`);
    for (const id of runs) {
      const row = page.locator(`[data-testid=run-row][data-run-id="${id}"]`);
      await expect.poll(() => row.innerText()).toMatch(/completed\s+2 \/ 2\s+-?\d\.\d{3}/i);
      await row.getByTestId('run-check').check();
    }
    await page.locator(`[data-testid=run-row][data-run-id="${runs[0]}"]`).getByTestId('run-open').click();
    await expect.poll(() => page.getByTestId('chart-loss').getAttribute('data-points')).toBe('4');
    await expect.poll(() => page.getByTestId('chart-metrics').getAttribute('data-points')).toBe('8');
    await expect.poll(() => page.getByTestId('chart-scatter').getAttribute('data-points')).toBe('8');
    await expectNotBlank('compare-table');

    const csv = await downloadText(page.getByTestId('runs-csv'));
    expect(csv.name).toBe('runs.csv');
    const [header, ...rows] = parseCsv(csv.text);
    expect(header).toEqual(expect.arrayContaining(['id', 'name', 'srcc', 'plcc', 'krcc', 'rmse']));
    const col = (name: string) => header!.indexOf(name);
    expect(rows).toHaveLength(2);
    for (const id of runs) {
      const detail = await api<RunDetail>('runs:get', { id });
      const last = Math.max(...detail.metrics.map((m) => m.epoch ?? -1));
      expect(last).toBe(2);
      const row = rows.find((r) => Number(r[col('id')]) === id)!;
      expect(row, `run ${id} in the CSV`).toBeDefined();
      expect(row[col('name')]).toBe(detail.name);
      for (const metric of ['srcc', 'plcc', 'krcc', 'rmse']) {
        const db = detail.metrics.find((m) => m.epoch === last && m.name === metric)!.value;
        expect(Math.abs(Number(row[col(metric)]) - db), `${metric} of run ${id}`).toBeLessThanOrEqual(1e-12);
      }
    }

    const tex = await downloadText(page.getByTestId('runs-latex'));
    expect(tex.name).toBe('runs.tex');
    expect(tex.text).toContain('\\toprule');
    expect(tex.text).toContain('cnniqa lr 0.001');
    expect(tex.text).toMatch(/\\textbf\{-?\d\.\d{4}\}/);
  });

  it('diffs the two configs: the learning rate differs, the rest is collapsed', async () => {
    await page.getByTestId('tab-diff').click();
    const diff = page.getByTestId('config-diff');
    await expect.poll(() => diff.getByTestId('diff-row').count()).toBeGreaterThan(0);
    const keys = await diff.getByTestId('diff-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(keys).toEqual(['hyper.lr']);
    expect(await diff.locator('[data-key="hyper.lr"]').innerText()).toMatch(/hyper\.lr\s+0\.001\s+0\.0003/);
    const identical = diff.getByTestId('diff-identical');
    expect(await identical.locator('summary').innerText()).toMatch(/\d+ identical keys/);
    expect(await identical.getAttribute('open')).toBeNull();
    await identical.locator('summary').click();
    await expect.poll(() => identical.innerText()).toContain('modelConfig.kernels');
    await diff.scrollIntoViewIfNeeded();
    await expectNotBlank('compare-diff');
  });

  it('draws the logistic fit and label ± s.d. bars on the scatter; a click on a point opens Inspect', async () => {
    const scatter = page.getByTestId('chart-scatter');
    await expect.poll(() => scatter.getAttribute('data-curve')).not.toBe('0');
    expect(await scatter.getAttribute('data-bars')).toBe('8');

    const [dl] = await Promise.all([page.waitForEvent('download'), scatter.getByTestId('chart-png').click()]);
    expect(dl.suggestedFilename()).toBe(`run-${runs[0]}-scatter.png`);
    const png = await pngStats(await readFile(await dl.path()));
    // Redrawn at 3× pixel density for print, on the panel colour.
    expect(png.width).toBeGreaterThan(1000);
    expect(png.stdev).toBeGreaterThan(8);

    await page.getByTestId('tab-errors').click();
    await scatter.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await expect.poll(() => page.getByTestId('disagreement').count()).toBe(8);
    await expect.poll(() => thumbsLoaded()).toBe(8);
    await expectNotBlank('compare-scatter');

    const at = await pointPixel(scatter, [0x5a, 0xa9, 0xff]);
    expect(at, 'no scatter point found on the canvas').not.toBeNull();
    await scatter.locator('canvas').click({ position: at! });
    await expect.poll(() => hash()).toMatch(/^#\/inspect\?image=\d+$/);
    await page.goBack();
    await expect.poll(() => hash()).toBe(`#/runs?id=${runs[0]}`);
    // The ticks survive the visit.
    for (const id of runs) await expect.poll(() => page.locator(`[data-testid=run-row][data-run-id="${id}"]`).getByTestId('run-check').isChecked()).toBe(true);
  });

  it('lists the largest disagreements with thumbnails, in label units and in s.d.', async () => {
    await page.getByTestId('tab-errors').click();
    const items = page.getByTestId('disagreement');
    await expect.poll(() => items.count()).toBe(8);
    const predictions = await api<{ imageId: number; score: number; label: number | null }[]>('runs:predictions', { id: runs[0] });
    const worst = [...predictions].sort((a, b) => Math.abs(b.score - b.label!) - Math.abs(a.score - a.label!))[0]!;
    expect(await items.first().getAttribute('data-image-id')).toBe(String(worst.imageId));
    expect(await items.first().innerText()).toMatch(/\d\.\d σ/);
    await expect.poll(() => thumbsLoaded()).toBe(8);
    await items.first().click();
    await expect.poll(() => hash()).toBe(`#/inspect?image=${worst.imageId}`);
    await page.goBack();
    await expect.poll(() => hash()).toBe(`#/runs?id=${runs[0]}`);
    // The worst images, pinned in Inspect across the ticked runs.
    await page.getByTestId('tab-errors').click();
    await page.getByTestId('errors-across').click();
    await expect.poll(() => hash()).toMatch(new RegExp(`^#/inspect\\?mode=across&runs=${runs[0]}(%2C|,)${runs[1]}&images=${worst.imageId}(%2C|,)`));
    await page.goBack();
    await expect.poll(() => hash()).toBe(`#/runs?id=${runs[0]}`);
    await expect.poll(() => page.getByTestId('chart-scatter').getAttribute('data-points')).toBe('8');
    expect(await page.locator(`[data-testid=run-row][data-run-id="${runs[0]}"]`).innerText()).toContain('blur');
  });

  it('shows both runs with 95% intervals and the second against the first, within noise marked when the interval holds 0', async () => {
    await page.getByTestId('tab-stats').click();
    const stats = page.getByTestId('run-stats');
    const rows = stats.getByTestId('run-stats-row');
    await expect.poll(() => rows.count()).toBe(2);
    const shown = await rows.nth(0).innerText();
    expect(shown).toMatch(/\[-?\d\.\d{3}, -?\d\.\d{3}\]/);
    const second = rows.nth(1);
    await expect.poll(() => second.getAttribute('data-within-noise')).toMatch(/^(true|false)$/);
    const verdict = await second.getAttribute('data-within-noise');
    expect(await second.getByTestId('within-noise').count()).toBe(verdict === 'true' ? 1 : 0);
    expect(await second.innerText()).toMatch(/\(n = 8\)/);
    await stats.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expectNotBlank('compare-intervals');
  });

  it('tabulates SRCC per distortion type for both runs, with a colour scale and CSV export', async () => {
    await page.getByTestId('tab-distortion').click();
    const table = page.getByTestId('distortion-srcc');
    const rows = table.getByTestId('distortion-row');
    await expect.poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-distortion')))).toEqual(['mild blur', 'strong blur', 'all']);
    const cells = rows.first().locator('td');
    expect(await cells.count()).toBe(2);
    expect(await cells.first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toMatch(/^rgb/);
    await table.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expectNotBlank('compare-distortion');

    const csv = await downloadText(table.getByTestId('distortion-csv'));
    const [header, ...body] = parseCsv(csv.text);
    expect(header).toHaveLength(3);
    for (const [j, id] of runs.entries()) {
      const detail = await api<RunDetail>('runs:get', { id });
      for (const type of ['mild blur', 'strong blur']) {
        const db = detail.metrics.find((m) => m.epoch === 2 && m.name === `srcc/${type}`)!.value;
        expect(Number(body.find((r) => r[0] === type)![j + 1])).toBe(db);
      }
    }
  });

  it('groups runs that differ only by split into one experiment with the median over splits, and exports it', async () => {
    await api('splits:create', { datasetId, repeats: 1, seed: 5 });
    const split = (await api<{ name: string; protocol: string }[]>('splits:list', { datasetId })).find((x) => x.protocol === 'content-disjoint')!;
    const extra = await api<RunSummary>('runs:start', {
      name: `cnniqa lr ${LRS[0]} (${split.name})`,
      model: 'cnniqa',
      datasetId,
      split: split.name,
      modelConfig: TINY,
      hyper: { epochs: 2, batchImages: 4, seed: 7, lr: LRS[0] },
      backend: 'auto',
    });
    runs.push(extra.id);
    await waitForRuns([extra.id], 200_000);

    await page.getByTestId('tab-groups').click();
    const groups = page.getByTestId('experiment-groups');
    const pair = groups.locator(`[data-testid=group-row][data-runs="${runs[0]},${extra.id}"]`);
    await expect.poll(() => pair.count()).toBe(1);
    await expect.poll(() => groups.getByTestId('group-row').count()).toBe(2);
    const median = ((await lastSrcc(runs[0]!)) + (await lastSrcc(extra.id))) / 2;
    // The run finished moments ago: its last epoch reaches the page with the next detail load.
    await expect.poll(async () => Number(await pair.locator('[data-metric=srcc]').getAttribute('data-median'))).toBeCloseTo(median, 12);
    // The lr column tells the two experiments apart; the split does not.
    expect(await pair.innerText()).toMatch(/0\.001/);
    await groups.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expectNotBlank('compare-groups');

    const csv = await downloadText(groups.getByTestId('groups-csv'));
    const [header, ...body] = parseCsv(csv.text);
    const row = body.find((r) => r[header!.indexOf('run_ids')] === `${runs[0]} ${extra.id}`)!;
    expect(Number(row[header!.indexOf('completed')])).toBe(2);
    expect(Math.abs(Number(row[header!.indexOf('srcc_median')]) - median)).toBeLessThanOrEqual(1e-12);
  }, 240_000);

  it('assembles an ablation table from experiments one switch apart', async () => {
    await page.getByTestId('tab-ablation').click();
    const ablation = page.getByTestId('ablation');
    const rows = ablation.getByTestId('ablation-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).getAttribute('data-switch')).toBe('hyper.lr');
    expect(await ablation.getByTestId('ablation-baseline').evaluate((el) => (el as unknown as { selectedOptions: { text: string }[] }).selectedOptions[0]?.text)).toMatch(/^cnniqa · blur · runs #/);
    // The baseline (lr 1e-3) ran on two splits, the row (lr 3e-4) on csv_split only: Δ and its interval both come from
    // that one shared split, on the test images both runs predicted — not the row's median minus the baseline's.
    const cell = rows.nth(1).getByTestId('ablation-delta');
    await expect.poll(() => cell.getAttribute('data-status')).toMatch(/^(within|outside|degenerate)$/);
    const paired = (await lastSrcc(runs[1]!)) - (await lastSrcc(runs[0]!));
    expect(Number(await cell.getAttribute('data-delta'))).toBeCloseTo(paired, 12);
    const shown = paired.toFixed(3).replace('-', '−');
    expect(await cell.innerText()).toContain(shown.startsWith('−') ? shown : `+${shown}`);
    expect(await rows.nth(1).getByTestId('ablation-splits').getAttribute('data-shared')).toBe('1');
    expect(await rows.nth(1).getByTestId('ablation-splits').innerText()).toBe('1 / 1');
    const status = await cell.getAttribute('data-status');
    const text = await cell.innerText();
    expect(await cell.getAttribute('title')).toMatch(/^SRCC Δ [−+]\d\.\d{3}, 95% CI .*\(paired bootstrap within each split, 1000 resamples, n = 8 over 1 split\), p = [\d.]+; per split csv_split [−+]\d\.\d{3} \(n = 8\)/);
    if (status === 'degenerate') {
      // A zero-width or otherwise empty interval says so, and never "within noise".
      expect(text).toContain('no interval');
      expect(text).toContain('no verdict');
      expect(text).not.toContain('within noise');
      expect(await cell.getAttribute('data-within-noise')).toBe('false');
    } else {
      const [lo, hi] = (/\[([−+][\d.]+), ([−+][\d.]+)\]/.exec(text) ?? []).slice(1).map((x) => Number(x!.replace('−', '-')));
      expect(lo).toBeLessThan(hi!);
      expect(status).toBe(lo! <= 0 && hi! >= 0 ? 'within' : 'outside');
      expect(await cell.getAttribute('data-within-noise')).toBe(String(status === 'within'));
      expect(text.includes('within noise')).toBe(status === 'within');
    }
    await ablation.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expectNotBlank('compare-ablation');
    const tex = await downloadText(ablation.getByTestId('ablation-latex'));
    expect(tex.text).toContain('hyper.lr = ');
    expect(tex.text).toContain('\\bottomrule');
  });

  it('evaluates a run on another dataset from the cross-dataset matrix and shows the stored SRCC', async () => {
    await waitForJob(await api<JobInfo>('datasets:import', { format: 'csv', root: dataDir, name: 'blur copy', file: 'labels.csv', scoreRange: [1, 5] }));
    const copy = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur copy')!;
    await page.reload();
    await page.getByTestId('tab-matrix').click();
    const matrix = page.getByTestId('cross-matrix');
    await expect.poll(() => matrix.getByTestId('matrix-row').count()).toBe(2);
    await matrix.getByTestId('matrix-add-column').selectOption(String(copy.id));
    const lrRow = matrix.getByTestId('matrix-row').filter({ hasText: String(LRS[1]) });
    const cell = lrRow.locator(`[data-testid=matrix-cell][data-dataset="${copy.id}"]`);
    await cell.getByTestId('matrix-evaluate').click();
    await expect.poll(() => cell.getAttribute('data-value'), { timeout: 60_000 }).not.toBe('');
    const stored = (await api<{ runId: number; datasetId: number; srcc: number; n: number }[]>('runs:evaluations', { runId: runs[1] })).find((e) => e.datasetId === copy.id)!;
    expect(stored.n).toBe(24);
    expect(Number(await cell.getAttribute('data-value'))).toBe(stored.srcc);
    // The diagonal is the run's own test split.
    expect(Number(await lrRow.locator(`[data-testid=matrix-cell][data-dataset="${datasetId}"]`).getAttribute('data-value'))).toBe(await lastSrcc(runs[1]!));
    // Every filled cell carries its 95% interval: the diagonal a bootstrap of the test predictions, the evaluated cell
    // Bonett–Wright's from SRCC and n, and the tooltip says which.
    const diag = lrRow.locator(`[data-testid=matrix-cell][data-dataset="${datasetId}"]`);
    await expect.poll(() => diag.getByTestId('matrix-ci').count()).toBe(1);
    expect(await diag.getAttribute('title')).toMatch(/95% CI \[-?[\d.]+, -?[\d.]+\]: bootstrap of the 8 test predictions/);
    await expect.poll(() => cell.getAttribute('title')).toMatch(/Bonett–Wright interval from SRCC and n = 24/);
    expect(await cell.getAttribute('data-within-noise')).toMatch(/^(true|false)$/);
    await matrix.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await expectNotBlank('compare-matrix');
    const csv = await downloadText(matrix.getByTestId('matrix-csv'));
    const [header, ...body] = parseCsv(csv.text);
    expect(header).toEqual(['trained_on \\ tested_on', 'blur', 'blur copy']);
    expect(body.some((r) => Number(r[2]) === stored.srcc)).toBe(true);
  }, 120_000);

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

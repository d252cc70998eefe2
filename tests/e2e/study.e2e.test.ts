// A small ACR study end to end in Chromium against serve mode off loopback: set-up in Annotate, two raters at once from their links, live counts, MOS with CIs, CSV export, and kill -9 mid-study losing no vote.
import Database from 'better-sqlite3';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, JobInfo, StudyResults, StudySummary } from '../../src-shared/api/schemas';
import { writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { expectScreenshotNotBlank } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

// 127.0.0.2 is loopback to the kernel but not to the server: it behaves as a LAN bind and requires its token.
const HOST = '127.0.0.2';
let serve: ServeProcess;
let browser: BrowserContext;
let admin: Page;
let dataDir: string;
let photos: string;
let study: StudySummary;
const links: Record<string, string> = {};
const consoleErrors: string[] = [];

async function api<T>(channel: string, input: unknown): Promise<T> {
  const res = await fetch(`${serve.url}api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${new URL(serve.openUrl).searchParams.get('token')}` },
    body: JSON.stringify(input),
  });
  const env = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!env.ok) throw new Error(env.error?.message ?? `HTTP ${res.status}`);
  return env.result as T;
}

/** Rates from a rater page until done or `max` votes were acknowledged (the next stimulus appeared); returns that count. */
async function rate(page: Page, vote: (i: number) => string, max = Infinity): Promise<number> {
  let acknowledged = 0;
  while (acknowledged < max) {
    const phase = await page.getByTestId('rate').getAttribute('data-phase');
    if (phase === 'done') break;
    if (phase === 'pause' || phase === 'loading') {
      await page.waitForTimeout(50);
      continue;
    }
    const stage = page.getByTestId('rate-stage');
    const item = await stage.getAttribute('data-item');
    const training = (await stage.getAttribute('data-training')) === 'true';
    await page.keyboard.press(vote(acknowledged));
    // The next stimulus (or the end) appears only after the server has committed the vote.
    await expect.poll(async () => {
      const p = await page.getByTestId('rate').getAttribute('data-phase');
      return p === 'done' || (p !== 'pause' && (await page.getByTestId('rate-stage').getAttribute('data-item').catch(() => item)) !== item);
    }, { timeout: 10_000 }).toBe(true);
    if (!training) acknowledged += 1;
  }
  return acknowledged;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'iqa-e2e-study-db-'));
  photos = await mkdtemp(join(tmpdir(), 'iqa-e2e-study-'));
  await writeBlurDataset(photos);
  serve = await startServe(['--host', HOST, '--allow-root', photos], { dataDir });
  const job = await api<JobInfo>('datasets:import', { format: 'csv', root: photos, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  for (let i = 0; i < 200; i++) {
    const j = (await api<JobInfo[]>('jobs:list', {})).find((x) => x.jobId === job.jobId);
    if (j?.state === 'done') break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  browser = await launchBrowser();
  admin = await browser.newPage();
  admin.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  admin.on('pageerror', (e) => consoleErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  for (const d of [dataDir, photos]) if (d) await rm(d, { recursive: true, force: true });
});

describe('an ACR study with two raters through serve mode', () => {
  it('is set up in the Annotate screen, which hands out one link per rater', async () => {
    await admin.goto(`${serve.openUrl}#/annotate`);
    const form = admin.getByTestId('study-create');
    await expect.poll(() => form.locator('select[name=dataset] option').allInnerTexts()).toContain('blur (24 images)');
    const blur = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!;
    await form.locator('select[name=dataset]').selectOption(String(blur.id));
    await form.locator('select[name=method]').selectOption('acr');
    await form.locator('input[name=name]').fill('ACR e2e');
    await form.locator('input[name=limit]').fill('6');
    await form.locator('input[name=training]').fill('1');
    await form.locator('input[name=pause]').fill('100');
    await form.getByTestId('study-create-submit').click();
    const dash = admin.getByTestId('study-dashboard');
    await expect.poll(() => dash.locator('h2').innerText()).toBe('ACR e2e');
    for (const name of ['ann', 'bob']) {
      await dash.getByTestId('rater-name').fill(name);
      await dash.getByTestId('rater-add').click();
      const a = dash.locator(`[data-testid=rater-link][data-rater=${name}] a`);
      await expect.poll(() => a.count()).toBe(1);
      links[name] = (await a.getAttribute('href'))!;
    }
    expect(links.ann).toMatch(new RegExp(`^http://${HOST.replace(/\./g, '\\.')}:\\d+/#/rate/[A-Za-z0-9_-]+$`));
    study = (await api<StudySummary[]>('studies:list', {}))[0]!;
    expect(study.items).toEqual({ test: 6, training: 1, gold: 0 });
  });

  it('lets both raters rate at once with the keyboard, without the server token, while the dashboard counts live', async () => {
    const pages = await Promise.all(['ann', 'bob'].map(() => browser.newPage()));
    for (const p of pages) p.on('pageerror', (e) => consoleErrors.push(e.message));
    await Promise.all(pages.map((p, i) => p.goto(links[i === 0 ? 'ann' : 'bob']!)));
    for (const p of pages) {
      await expect.poll(() => p.getByTestId('rate').getAttribute('data-phase')).toBe('intro');
      await expect.poll(() => p.getByTestId('rate-progress').innerText()).toBe('0 / 6');
    }
    await expectScreenshotNotBlank(pages[0]!, 'rate-intro');
    await pages[0]!.keyboard.press('Enter');
    await pages[1]!.keyboard.press('Enter');
    // The practice image comes first and is not stored.
    await expect.poll(() => pages[0]!.getByTestId('rate-stage').getAttribute('data-training')).toBe('true');
    await expectScreenshotNotBlank(pages[0]!, 'rate-acr');
    const [a, b] = await Promise.all([rate(pages[0]!, (i) => String(1 + (i % 5))), rate(pages[1]!, (i) => String(5 - (i % 3)))]);
    expect([a, b]).toEqual([6, 6]);
    await expect.poll(() => admin.getByTestId('rater-done').allInnerTexts(), { timeout: 10_000 }).toEqual(['6 / 6', '6 / 6']);
    await expect.poll(() => pages[0]!.getByTestId('rate-done').isVisible()).toBe(true);
    for (const p of pages) await p.close();
  });

  it('shows MOS with 95% CIs and exports a CSV whose numbers match the results', async () => {
    const results = await api<StudyResults>('studies:results', { id: study.id, screening: 'none' });
    expect(results.items).toHaveLength(6);
    // Two raters: no interval yet, and the table says why.
    expect(results.items.every((i) => i.n === 2 && i.ciLow === null && i.tooFewVotes)).toBe(true);
    const dash = admin.getByTestId('study-dashboard');
    await dash.getByTestId('study-screening').selectOption('none');
    await expect.poll(() => dash.getByTestId('result-score').allInnerTexts()).toEqual(results.items.map((i) => i.score.toFixed(2)));
    expect(await dash.getByTestId('result-ci').allInnerTexts()).toEqual(results.items.map(() => 'too few votes'));
    await expectScreenshotNotBlank(admin, 'annotate-study');
    const [dl] = await Promise.all([admin.waitForEvent('download'), dash.getByTestId('export-mos').click()]);
    const csv = (await readFile(await dl.path(), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('image_id,image,score,std,n,ci95_low,ci95_high');
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => Number(r[2]))).toEqual(results.items.map((i) => i.score));
    expect(rows.map((r) => (r[6] === '' ? null : Number(r[6])))).toEqual(results.items.map((i) => i.ciHigh));
    expect(consoleErrors).toEqual([]);
  });

  it('loses no submitted vote when the server is killed mid-study, and the rater resumes where they were', async () => {
    const link = await api<{ token: string; path: string }>('studies:addRater', { studyId: study.id, name: 'cat' });
    const page = await browser.newPage();
    await page.goto(`${serve.url}${link.path}`);
    await expect.poll(() => page.getByTestId('rate').getAttribute('data-phase')).toBe('intro');
    await page.keyboard.press('Enter');
    const acknowledged = await rate(page, () => '4', 3);
    expect(acknowledged).toBe(3);
    const exited = new Promise((ok) => serve.child.once('exit', ok));
    serve.child.kill('SIGKILL');
    await exited;

    const db = new Database(join(dataDir, 'iqa.sqlite'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = db.prepare(`SELECT count(*) AS n FROM ratings r JOIN raters x ON x.id = r.rater_id WHERE x.name = 'cat'`).get() as { n: number };
    db.close();
    expect(stored.n).toBe(3);

    serve = await startServe(['--host', HOST, '--allow-root', photos], { dataDir });
    await page.goto(`${serve.url}${link.path}`);
    await expect.poll(() => page.getByTestId('rate-progress').innerText()).toBe('3 / 6');
    await page.keyboard.press('Enter');
    expect(await rate(page, () => '2')).toBe(3);
    await page.close();
  });
});

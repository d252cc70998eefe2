// A crowd study in Chromium against serve off loopback: one study link that assigns a rater on arrival (with the platform's participant id), the environment check with its brightness pattern, the demographics form, a qualification step that screens one rater out, a trapping item with its instruction, a per-rater quota, and the completion code with the return URL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImagePage, JobInfo, StudyResults, StudySummary } from '../../src-shared/api/schemas';
import { writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { expectScreenshotNotBlank } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

const HOST = '127.0.0.2';
let serve: ServeProcess;
let browser: BrowserContext;
let photos: string;
let study: StudySummary;
let imageIds: number[];

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

const phaseOf = (page: Page) => page.getByTestId('rate').getAttribute('data-phase');

/** Joins through the study link as `participant` and passes the environment check and the demographics form. */
async function arrive(participant: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${serve.url}#/join/${study.settings.crowd!.joinToken}?PROLIFIC_PID=${participant}`);
  await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toMatch(/^#\/rate\//);
  await expect.poll(() => phaseOf(page), { timeout: 10_000 }).toBe('environment');
  const digits = (await page.getByTestId('rate-pattern').innerText()).replace(/\D/g, '');
  expect(digits).toHaveLength(4);
  // A wrong reading is refused (and may be tried again), the right one passes.
  await page.getByTestId('rate-pattern-answer').fill('0000');
  await page.getByTestId('rate-environment-submit').click();
  await expect.poll(() => page.getByTestId('rate-error').isVisible()).toBe(true);
  await page.getByTestId('rate-pattern-answer').fill(digits);
  await page.getByTestId('rate-environment-submit').click();
  await expect.poll(() => phaseOf(page)).toBe('demographics');
  await page.getByTestId('rate-age').selectOption('25-34');
  await page.getByTestId('rate-vision').selectOption('corrected');
  await page.getByTestId('rate-demographics-submit').click();
  await expect.poll(() => phaseOf(page)).toBe('qualification');
  return page;
}

beforeAll(async () => {
  photos = await mkdtemp(join(tmpdir(), 'iqa-e2e-crowd-'));
  await writeBlurDataset(photos);
  serve = await startServe(['--host', HOST, '--allow-root', photos]);
  const job = await api<JobInfo>('datasets:import', { format: 'csv', root: photos, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  for (let i = 0; i < 200; i++) {
    if ((await api<JobInfo[]>('jobs:list', {})).find((x) => x.jobId === job.jobId)?.state === 'done') break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const datasetId = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!.id;
  imageIds = (await api<ImagePage>('images:list', { datasetId, limit: 100 })).items.map((i) => i.id).sort((a, b) => a - b);
  study = await api<StudySummary>('studies:create', {
    name: 'Crowd pilot',
    datasetId,
    method: 'acr',
    imageIds: imageIds.slice(0, 10),
    pauseMs: 0,
    surround: 100,
    crowd: {
      quota: 5,
      completionCode: 'C0DE42',
      returnUrl: 'https://app.prolific.com/submissions/complete?cc={code}',
      environment: { minWidth: 800, minHeight: 600, brightness: true },
      demographics: true,
      qualification: [{ imageId: imageIds[20]!, expected: 5 }],
      traps: [{ imageId: imageIds[21]!, expected: 2 }],
    },
  });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(photos, { recursive: true, force: true });
});

describe('a crowd study', () => {
  it('has one study link, a quota and a completion code', () => {
    expect(study.settings.crowd).toMatchObject({ quota: 5, completionCode: 'C0DE42', demographics: true, trapImageIds: [imageIds[21]] });
    expect(study.settings.crowd!.joinToken).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(study.items).toEqual({ test: 10, training: 1, gold: 1 });
  });

  it('screens out a rater who fails the qualification step: no rating, no completion code', async () => {
    const page = await arrive('failer01');
    await page.keyboard.press('1');
    await expect.poll(() => phaseOf(page)).toBe('disqualified');
    expect(await page.getByTestId('rate-completion-code').count()).toBe(0);
    await page.close();
  });

  it('lets a qualified rater rate their quota, shows the trapping item inside it with its instruction, then the code and the return link', async () => {
    // The trapping item is one of the 11 rated items; every rater meets it inside their quota of 5, as the third item.
    for (let attempt = 0; attempt < 2; attempt++) {
      const trapsAt: number[] = [];
      const page = await arrive(`rater${attempt}`);
      await page.keyboard.press('5');
      await expect.poll(() => phaseOf(page)).toBe('intro');
      await page.keyboard.press('Enter');
      for (let k = 0; k < 5; k++) {
        await expect.poll(() => phaseOf(page)).toBe('rating');
        const stage = page.getByTestId('rate-stage');
        const item = await stage.getAttribute('data-item');
        const trap = (await page.getByTestId('rate-instruction').count()) > 0;
        if (trap) {
          trapsAt.push(k);
          expect(await page.getByTestId('rate-instruction').innerText()).toBe('Attention check: answer 2 (Poor) for this image.');
          await expectScreenshotNotBlank(page, 'crowd-trap');
        }
        await page.keyboard.press(trap ? '2' : '4');
        await expect.poll(async () => (await phaseOf(page)) === 'done' || (await stage.getAttribute('data-item').catch(() => item)) !== item, { timeout: 10_000 }).toBe(true);
      }
      await expect.poll(() => phaseOf(page)).toBe('done');
      expect(trapsAt).toEqual([2]);
      expect(await page.getByTestId('rate-progress').innerText()).toBe('5 / 5');
      expect(await page.getByTestId('rate-completion-code').innerText()).toBe('C0DE42');
      expect(await page.getByTestId('rate-return').getAttribute('href')).toBe('https://app.prolific.com/submissions/complete?cc=C0DE42');
      // The constant neutral surround has the study's luminance.
      expect(await page.getByTestId('rate').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor)).toBe('rgb(100, 100, 100)');
      await page.close();
    }
    const summary = await api<StudySummary>('studies:get', { id: study.id });
    const raters = summary.raters.filter((r) => r.name.startsWith('rater'));
    expect(raters.every((r) => r.done === 5 && r.total === 5)).toBe(true);
    expect(summary.raters.find((r) => r.name === 'failer01')!.done).toBe(0);
    // The trap counts as a gold item: everyone who saw it answered as asked.
    const results = await api<StudyResults>('studies:results', { id: study.id, screening: 'none' });
    expect(results.raters.filter((r) => r.goldAccuracy !== null).every((r) => r.goldAccuracy === 1)).toBe(true);
  });
});

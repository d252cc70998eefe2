// Issue 18, item 3 in Chromium: removing a dataset that has a study with votes asks a second time with the counts, keeps everything on Cancel, and archives the votes on OK.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Dialog, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImagePage, JobInfo, RateSession, StudyRaterLink, StudySummary } from '../../src-shared/api/schemas';
import { writeBlurDataset } from '../helpers/blur-dataset';
import { launchBrowser } from '../helpers/browser';
import { callApi, expectScreenshotNotBlank, until } from '../helpers/e2e';
import { startServe, type ServeProcess } from '../helpers/serve-process';

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
let photos: string;
let datasetId: number;
const api = <T>(channel: string, input: unknown) => callApi<T>(serve.url, channel, input);

beforeAll(async () => {
  photos = await mkdtemp(join(tmpdir(), 'iqa-del-e2e-'));
  await writeBlurDataset(photos);
  serve = await startServe();
  // The labelled demo is built in the background on first start; it must not take the deleted dataset's id afterwards.
  await until('demo build', 120_000, async () => ((await api<JobInfo[]>('jobs:list', {})).some((j) => j.kind === 'demo' && j.state !== 'running') ? true : undefined));
  const job = await api<JobInfo>('datasets:import', { format: 'csv', root: photos, name: 'Lab set', file: 'labels.csv', scoreRange: [1, 5] });
  await until('import', 60_000, async () => ((await api<JobInfo[]>('jobs:list', {})).find((j) => j.jobId === job.jobId && j.state === 'done') ? true : undefined));
  datasetId = (await api<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'Lab set')!.id;
  const ids = (await api<ImagePage>('images:list', { datasetId })).items.map((i) => i.id);
  const study = await api<StudySummary>('studies:create', { name: 'Pilot', datasetId, method: 'acr', imageIds: ids.slice(0, 3) });
  const link = await api<StudyRaterLink>('studies:addRater', { studyId: study.id, name: 'ann' });
  let s = await api<RateSession>('rate:session', { token: link.token });
  for (let k = 0; k < 2 && s.current; k++) s = await api<RateSession>('rate:submit', { token: link.token, itemId: s.current.itemId, value: 4 });
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(photos, { recursive: true, force: true });
});

/** Clicks Remove and answers the confirmations in turn; returns their messages. */
async function remove(answers: boolean[]): Promise<string[]> {
  const seen: string[] = [];
  const onDialog = (d: Dialog) => {
    seen.push(d.message());
    void (answers[seen.length - 1] ? d.accept() : d.dismiss());
  };
  page.on('dialog', onDialog);
  await page.getByRole('button', { name: 'Remove' }).click();
  await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(answers.length);
  page.off('dialog', onDialog);
  return seen;
}

describe('Datasets → Remove with a study on the dataset', () => {
  it('says what goes, then the study votes it would erase; Cancel keeps everything', async () => {
    await page.goto(`${serve.url}#/datasets?id=${datasetId}`);
    await expect.poll(() => page.locator('h2').first().innerText(), { timeout: 20_000 }).toBe('Lab set');
    const [first, second] = await remove([true, false]);
    expect(first).toMatch(/Remove the dataset "Lab set".*image records, labels, splits and model scores are deleted\. Image files are not touched/);
    expect(second).toMatch(/"Lab set" has 1 study with 2 raw votes from 1 rater\. Deleting it erases them/);
    expect((await api<DatasetSummary[]>('datasets:list', {})).map((d) => d.id)).toContain(datasetId);
  });

  it('on OK archives the votes as CSV in the data folder, deletes, and says where they went', async () => {
    await remove([true, true]);
    const notice = page.getByTestId('delete-notice');
    await expect.poll(() => notice.innerText(), { timeout: 20_000 }).toMatch(/Removed "Lab set"\. 1 study with 2 raw votes from 1 rater were saved as study-\d+-Pilot-votes\.csv in .*archive/);
    await expect.poll(() => page.getByTestId('image-total').innerText(), { timeout: 20_000 }).toBe('6 images');
    await expectScreenshotNotBlank(page, 'dataset-delete-archived');
    const folder = /in (\S+archive\S+)\.$/.exec(await notice.innerText())![1]!;
    expect(folder.startsWith(join(serve.dataDir, 'archive'))).toBe(true);
    const csvName = /saved as (\S+\.csv)/.exec(await notice.innerText())![1]!;
    expect(existsSync(join(folder, csvName))).toBe(true);
    expect(readFileSync(join(folder, csvName), 'utf8').trim().split('\n')).toHaveLength(3);
    const left = await api<DatasetSummary[]>('datasets:list', {});
    expect(left.map((d) => d.name)).not.toContain('Lab set');
    expect(left.map((d) => d.id)).not.toContain(datasetId);
  });
});

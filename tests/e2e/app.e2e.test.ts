// End to end: the real `iqa serve` and the built renderer in headless Chromium — demo data, every screen, screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { SHOTS, expectScreenshotNotBlank } from '../helpers/e2e';
import { REPO_ROOT, startServe, type ServeProcess } from '../helpers/serve-process';

const SCREENS = ['library', 'datasets', 'annotate', 'train', 'runs', 'inspect', 'about'] as const;

let serve: ServeProcess;
let browser: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

const expectNotBlank = (name: string): Promise<void> => expectScreenshotNotBlank(page, name);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  serve = await startServe();
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('workbench in Chromium against serve mode', () => {
  it('opens on the bundled demo dataset with real thumbnails', async () => {
    await page.goto(serve.url);
    await expect.poll(() => page.locator('[data-testid=dataset-card]').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid=dataset-card]').first().innerText()).toContain('Demo photos');
    const items = page.locator('[data-testid=grid-item]');
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(6);
    await expect
      .poll(() => page.$$eval('[data-testid=grid-item] img', (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length), { timeout: 30_000 })
      .toBe(6);
    await expect.poll(() => page.locator('[data-testid=status-backend]').innerText()).toMatch(/tensor: (wasm|cpu|tensorflow)/);
    await expectNotBlank('datasets');
  });

  it('shows an image’s metadata and opens it in Inspect', async () => {
    await page.locator('[data-testid=grid-item]', { hasText: 'cheetah.jpg' }).click();
    const detail = page.locator('[data-testid=image-detail]');
    await expect.poll(() => detail.innerText()).toContain('cheetah.jpg');
    expect(await detail.innerText()).toMatch(/\d+ × \d+/);
    await detail.getByRole('button', { name: 'Inspect' }).click();
    await expect.poll(() => page.locator('[data-testid=screen-inspect] figure img').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(500);
    await expectNotBlank('inspect-image');
  });

  it('builds the labelled demo (distorted demo photos) in the background and lists it', async () => {
    await page.goto(`${serve.url}#/datasets`);
    const card = page.locator('[data-testid=dataset-card]', { hasText: 'Demo distortions' });
    await expect.poll(() => card.count(), { timeout: 120_000 }).toBe(1);
    await card.click();
    await expect.poll(() => page.getByTestId('image-total').innerText()).toBe('72 images');
    await expectNotBlank('datasets-demo-distortions');
  }, 150_000);

  it('filters the grid by name', async () => {
    await page.goto(`${serve.url}#/datasets`);
    await page.locator('[data-testid=dataset-card]', { hasText: 'Demo photos' }).click();
    await page.getByLabel('Filter by name').fill('chee');
    await expect.poll(() => page.locator('[data-testid=grid-item]').allInnerTexts()).toEqual(['cheetah.jpg']);
  });

  it('imports a folder through the UI with a progress bar, then shows it in the grid', async () => {
    await page.goto(`${serve.url}#/datasets`);
    await page.getByTestId('import-toggle').click();
    const panel = page.getByTestId('import-panel');
    await panel.locator('select[name=format]').selectOption('folder');
    await panel.locator('input[name=root]').fill(join(REPO_ROOT, 'tests/fixtures/datasets/csv'));
    await panel.locator('input[name=name]').fill('Imported in e2e');
    await panel.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => page.locator('[data-testid=dataset-card]', { hasText: 'Imported in e2e' }).count()).toBe(1);
    await expect.poll(() => page.getByTestId('image-total').innerText()).toBe('4 images');
    await expect.poll(() => page.locator('[data-testid=grid-item]').allInnerTexts()).toEqual(['images/a.png', 'images/b.png', 'images/d.png', 'images/sub/c.jpg']);
    await expectNotBlank('datasets-imported');
  });

  it('shows a clear error when the folder is wrong, and imports nothing', async () => {
    const errorsBefore = consoleErrors.length;
    const cardsBefore = await page.locator('[data-testid=dataset-card]').count();
    await page.getByTestId('import-toggle').click();
    const panel = page.getByTestId('import-panel');
    await panel.locator('input[name=root]').fill('/no/such/folder');
    await panel.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => panel.getByRole('alert').innerText()).toContain('Not a folder: /no/such/folder');
    expect(await page.locator('[data-testid=dataset-card]').count()).toBe(cardsBefore);
    await page.getByTestId('import-toggle').click();
    // The refused request is the only error the page may log here (Chromium logs every 4xx response).
    expect(consoleErrors.splice(errorsBefore)).toEqual([expect.stringContaining('status of 422')]);
  });

  it.each(SCREENS)('navigates to %s from the sidebar', async (screen) => {
    await page.locator(`nav a[data-screen=${screen}]`).click();
    await expect.poll(() => page.locator(`[data-testid=screen-${screen}]`).count()).toBe(1);
    expect(await page.locator(`nav a[data-screen=${screen}]`).getAttribute('aria-current')).toBe('page');
    expect((await page.locator('main h1').innerText()).length).toBeGreaterThan(2);
    await expectNotBlank(`screen-${screen}`);
  });

  it('shows versions, backend and database on About', async () => {
    await page.locator('nav a[data-screen=about]').click();
    const text = await page.locator('[data-testid=about-table]').innerText();
    expect(text).toContain(join(serve.dataDir, 'iqa.sqlite'));
    expect(text).toMatch(/Tensor backend\s+(wasm|cpu|tensorflow)/);
    expect(await page.locator('[data-testid=about-inference]').innerText()).toMatch(/^ONNX Runtime 1\.\d+\.\d+ · \w+ · \d+ threads$/);
    expect(text).toMatch(/skipped cuda\s+\S|· (cuda|tensorrt) ·/);
  });

  it('logged no errors in the page', () => {
    expect(consoleErrors.slice(0, 5)).toEqual([]);
  });
});

describe('LAN serve mode in Chromium', () => {
  let lan: ServeProcess;
  beforeAll(async () => {
    lan = await startServe(['--host', '127.0.0.2']);
  });
  afterAll(async () => lan?.stop());

  it('refuses the API without the token, and works from the printed URL', async () => {
    expect(lan.openUrl).toMatch(/\?token=/);
    const denied = await fetch(`${lan.url}api/datasets:list`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(denied.status).toBe(401);
    const p = await browser.newPage();
    await p.goto(lan.openUrl);
    await expect.poll(() => p.locator('[data-testid=grid-item] img').count(), { timeout: 30_000 }).toBe(6);
    await expect
      .poll(() => p.$$eval('[data-testid=grid-item] img', (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length), { timeout: 30_000 })
      .toBe(6);
    expect(p.url()).not.toContain('token=');
    await p.close();
  });
});

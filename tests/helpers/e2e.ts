// Shared by the e2e tests: calls to serve mode's HTTP API and screenshots checked not to be blank.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { pngStats } from './png-stats';
import { REPO_ROOT } from './serve-process';

export const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');

/** POSTs one API call to a serve-mode URL and unwraps its envelope; an error envelope throws its message. */
export async function callApi<T>(baseUrl: string, channel: string, input: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}api/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const env = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!env.ok) throw new Error(env.error?.message ?? `HTTP ${res.status}`);
  return env.result as T;
}

/** Saves test-results/screenshots/<name>.png and fails if it looks blank (too flat, too few colours). */
export async function expectScreenshotNotBlank(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const png = await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: opts.fullPage ?? false });
  const stats = await pngStats(png);
  if (!opts.fullPage) expect(stats.width).toBe(1400);
  expect(stats.stdev, `${name} screenshot looks blank`).toBeGreaterThan(8);
  expect(stats.distinctColours, `${name} screenshot looks blank`).toBeGreaterThan(20);
}

/** Polls `probe` every 250 ms until it gives a value; fails with "<what> did not happen in N s". */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`${what} did not happen in ${timeoutMs / 1000} s`);
}

/** Adds a folder as a collection through serve mode's import job and returns the collection's id once the job is done. */
export async function importFolder(baseUrl: string, root: string, name: string): Promise<number> {
  const job = await callApi<{ jobId: string }>(baseUrl, 'datasets:import', { format: 'folder', root, name });
  for (;;) {
    const j = (await callApi<{ jobId: string; state: string; result?: unknown; error?: { message: string } }[]>(baseUrl, 'jobs:list', {})).find((x) => x.jobId === job.jobId)!;
    if (j.state !== 'running') {
      if (j.state !== 'done') throw new Error(`import ${j.state}: ${j.error?.message}`);
      return (j.result as { datasetId: number }).datasetId;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// What the UI bench measures in a page: requests watched, the grid's first paint, scrolling by drag and by wheel, and API calls.
import type { BrowserContext, Page } from 'playwright-core';
import { FIRST_PAINT_PROBE, GRID, SCROLL_DRAG } from './probes';
import { log, type Frames } from './report';

export interface PageWatch {
  errors: string[];
  rateLimited: number;
  apiCalls: number;
  thumbs: number;
  /** Thumbnail requests sent and not yet finished. */
  inflight: number;
  /** images:list and library:list requests (the grid's pages): start to response end, ms. */
  listMs: number[];
}
export function watch(page: Page): PageWatch {
  const w: PageWatch = { errors: [], rateLimited: 0, apiCalls: 0, thumbs: 0, inflight: 0, listMs: [] };
  const isThumb = (url: string) => new URL(url).pathname.startsWith('/files/thumb/');
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && w.errors.push(m.text()));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) w.apiCalls += 1;
    else if (isThumb(r.url())) (w.thumbs += 1), (w.inflight += 1);
  });
  page.on('requestfinished', (r) => {
    if (isThumb(r.url())) w.inflight -= 1;
    else if (r.url().endsWith('/api/images:list') || r.url().endsWith('/api/library:list')) w.listMs.push(r.timing().responseEnd);
  });
  page.on('requestfailed', (r) => isThumb(r.url()) && (w.inflight -= 1));
  page.on('response', (r) => r.status() === 429 && (w.rateLimited += 1));
  return w;
}

/** Waits until no thumbnail request is in flight; returns how long that took. */
export async function drained(w: PageWatch, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  while (w.inflight > 0 && performance.now() - t0 < timeoutMs) await new Promise((ok) => setTimeout(ok, 50));
  if (w.inflight > 0) log(`warning: ${w.inflight} thumbnail requests still in flight after ${timeoutMs / 1000} s`);
  return performance.now() - t0;
}

export async function waitFor<T>(page: Page, expr: string, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await page.evaluate(expr)) as T | null;
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

export interface FirstPaint {
  fcp: number;
  tileInDom: number;
  tilePainted: number;
  thumbPainted: number;
  screenful: number;
  tiles: number;
  /** The API calls of the load, in ms from navigation start. */
  api: { channel: string; start: number; end: number }[];
}
export async function firstPaint(ctx: BrowserContext, url: string): Promise<{ load: FirstPaint; watch: PageWatch }> {
  const page = await ctx.newPage();
  const w = watch(page);
  const calls: { channel: string; startWall: number; duration: number }[] = [];
  page.on('requestfinished', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/')) calls.push({ channel: path.slice(5), startWall: r.timing().startTime, duration: r.timing().responseEnd });
  });
  await page.addInitScript({ content: FIRST_PAINT_PROBE });
  await page.goto(url);
  const m = await waitFor<Omit<FirstPaint, 'api' | 'fcp'> & { paint: Record<string, number> }>(page, 'window.__bench.screenful !== null && window.__bench.thumbPainted !== null && window.__bench', 60_000, 'the first screenful of thumbnails');
  const origin = (await page.evaluate('performance.timeOrigin')) as number;
  await page.close();
  const api = calls.map((c) => ({ channel: c.channel, start: c.startWall - origin, end: c.startWall - origin + c.duration })).sort((a, b) => a.start - b.start);
  return { load: { ...m, fcp: m.paint['first-contentful-paint'] ?? NaN, api }, watch: w };
}

export interface Drag extends Frames {
  seconds: number;
  scrollHeight: number;
  thumbRequests: number;
  /** Thumbnail requests still queued when the grid reached the bottom. */
  queuedAtBottom: number;
  /** From reaching the bottom: the last image's tile in the DOM, then its thumbnail shown (null: not within the cap). */
  lastTileMs: number | null;
  lastThumbMs: number | null;
}
export const SETTLE_CAP_MS = 120_000;
export async function scrollDrag(page: Page, w: PageWatch, lastName: string, durationMs: number, drainMs = 300_000): Promise<Drag> {
  await page.evaluate(`document.querySelector('${GRID}').scrollTop = 0`);
  await page.waitForTimeout(500);
  await drained(w, drainMs);
  const thumbs0 = w.thumbs;
  const t0 = performance.now();
  const r = (await page.evaluate(`${SCROLL_DRAG}(${durationMs})`)) as Frames & { scrollHeight: number };
  const seconds = (performance.now() - t0) / 1000;
  const queuedAtBottom = w.inflight;
  // At the bottom: the last image's tile must show (every page of the dataset was reachable), then its thumbnail.
  const t1 = performance.now();
  const tile = `[...document.querySelectorAll('[data-testid=grid-item], [data-testid=photo-cell]')].find((b) => b.textContent.includes(${JSON.stringify(lastName)}))`;
  const since = async (expr: string) => ((await waitFor(page, expr, SETTLE_CAP_MS - (performance.now() - t1), lastName).catch(() => null)) === null ? null : performance.now() - t1);
  const lastTileMs = await since(`!!${tile}`);
  const lastThumbMs = lastTileMs === null ? null : await since(`(() => { const i = ${tile}?.querySelector('img'); return !!(i && i.complete && i.naturalWidth > 0); })()`);
  return { ...r, seconds, thumbRequests: w.thumbs - thumbs0, queuedAtBottom, lastTileMs, lastThumbMs };
}

export async function wheelScroll(page: Page, w: PageWatch, notches: number, drainMs = 300_000): Promise<Frames & { seconds: number; scrolledPx: number }> {
  await drained(w, drainMs);
  const box = (await page.locator(GRID).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate('window.__frames.start()');
  const t0 = performance.now();
  for (let i = 0; i < notches; i++) {
    await page.mouse.wheel(0, 100);
    await page.waitForTimeout(16);
  }
  await page.waitForTimeout(300);
  const r = (await page.evaluate('window.__frames.stop()')) as Frames;
  const scrolledPx = (await page.evaluate(`document.querySelector('${GRID}').scrollTop`)) as number;
  return { ...r, seconds: (performance.now() - t0) / 1000, scrolledPx };
}

export async function api<T>(base: string, channel: string, input: unknown): Promise<T> {
  const res = await fetch(`${base}api/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const env = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message ?? `HTTP ${res.status}`}`);
  return env.result as T;
}

// `npm run bench:ui`: UI timings in headless Chromium against serve mode: a 100,000-image dataset (first paint, scroll frame times, rating latency) and a 1,000-photo library culled while it scores; prints tables, writes JSON to bench-results/.
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import type { AppInfo, DatasetSummary, PhotoStats, StudyRaterLink, StudySummary } from '../src-shared/api/schemas';
import { dataPaths } from '../src-main/app/paths';
import { THUMB_SIZE, thumbnailFor } from '../src-main/imaging/thumbnails';
import { openStore } from '../src-main/store/store';
import { launchBrowser } from '../tests/helpers/browser';
import { REPO_ROOT, startServe, type ServeProcess } from '../tests/helpers/serve-process';
import { buildPhotoFolder } from './photo-folder';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '100000' },
    loads: { type: 'string', default: '5' },
    'scroll-seconds': { type: 'string', default: '30' },
    'wheel-notches': { type: 'string', default: '300' },
    'study-size': { type: 'string', default: '50' },
    ratings: { type: 'string', default: '30' },
    'think-ms': { type: 'string', default: '250' },
    'cold-thumbs': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results' },
    /** `datasets` (the 100,000-image grid and the study), `library` (photos scored and culled), or both when absent. */
    only: { type: 'string' },
    'library-photos': { type: 'string', default: '1000' },
    'library-ratings': { type: 'string', default: '30' },
    'library-scroll-seconds': { type: 'string', default: '10' },
    'library-wheel-notches': { type: 'string', default: '100' },
    'library-backend': { type: 'string', default: 'auto' },
  },
});
const SCENARIO = args.only;
if (SCENARIO !== undefined && SCENARIO !== 'datasets' && SCENARIO !== 'library') throw new Error(`--only takes datasets or library, not ${SCENARIO}`);
const N = Number(args.images);
const LOADS = Number(args.loads);
const SCROLL_MS = Number(args['scroll-seconds']) * 1000;
const WHEEL_NOTCHES = Number(args['wheel-notches']);
const STUDY_SIZE = Number(args['study-size']);
const RATINGS = Math.min(Number(args.ratings), STUDY_SIZE - 1);
const THINK_MS = Number(args['think-ms']);

const log = (msg: string) => process.stderr.write(`${msg}\n`);

// ---- statistics --------------------------------------------------------------------------------------------------

interface Stats {
  n: number;
  median: number;
  p95: number;
  max: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN };
}
const share = (xs: number[], over: number) => (xs.length ? xs.filter((x) => x > over).length / xs.length : NaN);
/**
 * rAF deltas come in whole vsync intervals (16.7, 33.3, 50 ms…) plus ±0.1 ms of jitter, so "over 16.7 ms" means at
 * least one vsync missed (delta > 1.5 intervals) and "over 33.3 ms" at least two (delta > 2.5 intervals).
 */
const VSYNC = 1000 / 60;
const overFrames = (xs: number[], frames: 1 | 2) => share(xs, (frames + 0.5) * VSYNC);

// ---- the report: one row per metric ------------------------------------------------------------------------------

const ms = (n: number) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
type Row = { metric: string; n: number; median: number; p95: number; max: number; extra: string };
const row = (metric: string, xs: number[], extra = ''): Row => ({ metric, ...stats(xs), extra });
function printRows(rows: Row[]): void {
  const widths = [52, 6, 8, 8, 8];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i < widths.length ? c.padStart(widths[i]!) : `  ${c}`)).join(' ');
  console.log(line(['metric', 'n', 'median', 'p95', 'max', 'notes']));
  console.log('-'.repeat(widths.reduce((a, b) => a + b + 1, 0) + 40));
  for (const r of rows) console.log(line([r.metric, String(r.n), ms(r.median), ms(r.p95), ms(r.max), r.extra]));
}

// ---- the data folder: 100,000 images over a handful of real JPEGs, straight into the project's own store ---------

const DISTORTIONS = ['gaussian_blur', 'jpeg', 'white_noise', 'contrast_change', 'pixelate'];

async function buildDataDir(root: string): Promise<{ dataDir: string; datasetId: number; timings: Record<string, number> }> {
  const timings: Record<string, number> = {};
  const dataDir = join(root, 'data');
  const paths = dataPaths(dataDir);

  // The demo photos downscaled to 512 px: the handful of real files every image row points at.
  let t = performance.now();
  const baseDir = join(root, 'base');
  mkdirSync(baseDir, { recursive: true });
  const demo = join(REPO_ROOT, 'resources', 'demo');
  const bases: { path: string; width: number; height: number; bytes: number }[] = [];
  for (const f of readdirSync(demo).filter((f) => f.endsWith('.jpg')).sort()) {
    const out = join(baseDir, f);
    const info = await sharp(join(demo, f)).resize(512, 512, { fit: 'inside' }).jpeg({ quality: 85 }).toFile(out);
    bases.push({ path: out, width: info.width, height: info.height, bytes: info.size });
  }

  // images.path is unique per dataset, so each row gets its own name: a hard link (a symlink where links fail).
  const photos = join(root, 'photos');
  const files: string[] = [];
  for (let i = 0; i < N; i++) {
    const dir = join(photos, `d${String(Math.floor(i / 1000)).padStart(3, '0')}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const file = join(dir, `img-${String(i + 1).padStart(6, '0')}.jpg`);
    const base = bases[i % bases.length]!.path;
    try {
      linkSync(base, file);
    } catch {
      symlinkSync(base, file);
    }
    files.push(file);
  }
  timings.filesMs = performance.now() - t;

  // One transaction through the store's repositories, on a database the project's migrations created.
  t = performance.now();
  const store = openStore(paths.databaseFile);
  let datasetId = 0;
  try {
    // Serve mode would otherwise import the demo photos and build the demo distortions in the background.
    store.settings.set('demo.seeded', true);
    store.settings.set('demo.synthetic.seeded', true);
    store.transaction(() => {
      datasetId = store.datasets.create({
        name: `UI bench ${N.toLocaleString('en-US')}`,
        kind: 'folder',
        root: photos,
        description: `${N} rows over ${bases.length} real JPEGs (bench/ui.bench.ts)`,
        labelKind: 'mos',
        scoreMin: 1,
        scoreMax: 5,
      });
      let seed = 12345;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let i = 0; i < N; i++) {
        const b = bases[i % bases.length]!;
        const id = store.datasets.addImage(datasetId, {
          path: files[i]!,
          name: basename(files[i]!),
          distortion: DISTORTIONS[Math.floor(i / bases.length) % DISTORTIONS.length]!,
          level: 1 + (i % 5),
          width: b.width,
          height: b.height,
          format: 'jpeg',
          bytes: b.bytes,
        });
        store.datasets.setLabel(id, Math.round((1 + 4 * rand()) * 100) / 100, 'imported', 0.5);
      }
    });
  } finally {
    store.close();
  }
  timings.databaseMs = performance.now() - t;

  // Thumbnails: a warm cache (each row's key linked to its base's thumbnail) unless --cold-thumbs, so the figures
  // measure the UI rather than sharp. The key mirrors src-main/imaging/thumbnails.ts and is checked below.
  t = performance.now();
  if (!args['cold-thumbs']) {
    const baseThumbs = await Promise.all(bases.map((b) => thumbnailFor(b.path, paths.thumbsDir)));
    const made = new Set<string>();
    for (let i = 0; i < N; i++) {
      const st = statSync(files[i]!);
      const key = createHash('sha1').update(`${files[i]}\0${st.size}\0${st.mtimeMs}\0${THUMB_SIZE}`).digest('hex');
      const dir = join(paths.thumbsDir, key.slice(0, 2));
      if (!made.has(dir)) (mkdirSync(dir, { recursive: true }), made.add(dir));
      linkSync(baseThumbs[i % bases.length]!, join(dir, `${key}.webp`));
    }
    const probe = await thumbnailFor(files[N - 1]!, paths.thumbsDir);
    if (statSync(probe).ino !== statSync(baseThumbs[(N - 1) % bases.length]!).ino) {
      log('warning: the thumbnail cache key changed (src-main/imaging/thumbnails.ts); thumbnails will be made on demand');
    }
  }
  timings.thumbsMs = performance.now() - t;
  return { dataDir, datasetId, timings };
}

// ---- in-page probes (plain JavaScript strings: they run in Chromium, not in Node) -------------------------------

/** Installed before the app's scripts: paint entries, the first grid tile in the DOM and painted, the first screenful. */
const FIRST_PAINT_PROBE = String.raw`(() => {
  const m = (window.__bench = { paint: {}, tileInDom: null, tilePainted: null, thumbPainted: null, screenful: null, tiles: 0 });
  const afterPaint = (cb) => requestAnimationFrame(() => setTimeout(() => cb(performance.now()), 0));
  new PerformanceObserver((l) => { for (const e of l.getEntries()) m.paint[e.name] = e.startTime; }).observe({ type: 'paint', buffered: true });
  let thumbArmed = false;
  const visible = (el, box) => { const r = el.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; };
  const screenful = () => {
    const grid = document.querySelector('[data-testid=image-grid]');
    if (grid) {
      const box = grid.getBoundingClientRect();
      const cells = [...grid.querySelectorAll('.cell')].filter((c) => visible(c, box));
      const ready = cells.length > 0 && cells.every((c) => { const i = c.querySelector('img'); return i && i.complete && i.naturalWidth > 0; });
      if (ready) { m.tiles = cells.length; return afterPaint((t) => (m.screenful = t)); }
    }
    if (performance.now() < 60000) requestAnimationFrame(screenful);
  };
  const check = () => {
    if (m.tileInDom === null && document.querySelector('[data-testid=grid-item]')) {
      m.tileInDom = performance.now();
      afterPaint((t) => (m.tilePainted = t));
      requestAnimationFrame(screenful);
    }
    const img = !thumbArmed && document.querySelector('[data-testid=grid-item] img');
    if (img) {
      thumbArmed = true;
      const done = () => afterPaint((t) => (m.thumbPainted = t));
      if (img.complete && img.naturalWidth > 0) done(); else img.addEventListener('load', done, { once: true });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})()`;

/** The virtualised grid of either screen: the Datasets screen's images or the Library's photos. */
const GRID = '[data-testid=image-grid], [data-testid=photo-grid]';

/** Scrolls the grid from top to bottom in durationMs (position by elapsed time), recording rAF deltas and long tasks. */
const SCROLL_DRAG = String.raw`((durationMs) => new Promise((resolve) => {
  const sc = document.querySelector('${GRID}');
  const max = sc.scrollHeight - sc.clientHeight;
  const deltas = [], longTasks = [], blank = [];
  const po = new PerformanceObserver((l) => { for (const e of l.getEntries()) longTasks.push(e.duration); });
  po.observe({ type: 'longtask' });
  let t0 = null, last = null;
  const step = (t) => {
    if (t0 === null) t0 = t;
    if (last !== null) deltas.push(t - last);
    last = t;
    const cells = sc.querySelectorAll('.cell').length;
    blank.push(cells ? sc.querySelectorAll('.cell.placeholder').length / cells : 1);
    const p = Math.min(1, (t - t0) / durationMs);
    sc.scrollTop = p * max;
    if (p < 1) requestAnimationFrame(step);
    else { po.disconnect(); resolve({ deltas, longTasks, blank, scrollHeight: sc.scrollHeight, scrollTop: sc.scrollTop }); }
  };
  requestAnimationFrame(step);
}))`;

/** Frame recorder for input-driven scrolling: start() then stop() returns the rAF deltas and long tasks between. */
const FRAME_RECORDER = String.raw`(() => {
  const r = { deltas: [], longTasks: [], blank: [], running: false };
  let last = null, po = null;
  const tick = (t) => {
    if (!r.running) return;
    if (last !== null) r.deltas.push(t - last);
    last = t;
    const sc = document.querySelector('${GRID}');
    const cells = sc ? sc.querySelectorAll('.cell').length : 0;
    r.blank.push(cells ? sc.querySelectorAll('.cell.placeholder').length / cells : 1);
    requestAnimationFrame(tick);
  };
  window.__frames = {
    start() { r.deltas = []; r.longTasks = []; r.blank = []; r.running = true; last = null; po = new PerformanceObserver((l) => { for (const e of l.getEntries()) r.longTasks.push(e.duration); }); po.observe({ type: 'longtask' }); requestAnimationFrame(tick); },
    stop() { r.running = false; po && po.disconnect(); return { deltas: r.deltas, longTasks: r.longTasks, blank: r.blank }; },
  };
})()`;

/** Rating: arm() before a key press; 'pending' then resolves when the next stimulus is in the DOM, loaded and painted. */
const RATE_PROBE = String.raw`(() => {
  window.__rate = {
    pending: null,
    arm() {
      const stage = document.querySelector('[data-testid=rate-stage]');
      const before = stage ? stage.getAttribute('data-item') : null;
      window.__rate.pending = new Promise((resolve) => {
        let keyAt = null, domAt = null, finished = false;
        addEventListener('keydown', (e) => { keyAt = e.timeStamp; }, { capture: true, once: true });
        const stop = (result) => { finished = true; mo.disconnect(); document.removeEventListener('load', check, true); resolve(result); };
        const check = () => {
          if (finished) return;
          if (document.querySelector('[data-testid=rate-done]')) return stop({ keyAt, domAt, shownAt: null, done: true });
          const s = document.querySelector('[data-testid=rate-stage]');
          const item = s && s.getAttribute('data-item');
          if (!item || item === before) return;
          if (domAt === null) domAt = performance.now();
          const img = s.querySelector('img[data-testid=rate-image]');
          if (img && img.complete && img.naturalWidth > 0) {
            finished = true;
            requestAnimationFrame(() => setTimeout(() => stop({ keyAt, domAt, shownAt: performance.now(), item }), 0));
          }
        };
        const mo = new MutationObserver(check);
        mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-item', 'src', 'data-testid'] });
        document.addEventListener('load', check, true);
      });
    },
  };
})()`;

// ---- the measurements -------------------------------------------------------------------------------------------

interface PageWatch {
  errors: string[];
  rateLimited: number;
  apiCalls: number;
  thumbs: number;
  /** Thumbnail requests sent and not yet finished. */
  inflight: number;
  /** images:list and library:list requests (the grid's pages): start to response end, ms. */
  listMs: number[];
}
function watch(page: Page): PageWatch {
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
async function drained(w: PageWatch, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  while (w.inflight > 0 && performance.now() - t0 < timeoutMs) await new Promise((ok) => setTimeout(ok, 50));
  if (w.inflight > 0) log(`warning: ${w.inflight} thumbnail requests still in flight after ${timeoutMs / 1000} s`);
  return performance.now() - t0;
}

async function waitFor<T>(page: Page, expr: string, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = (await page.evaluate(expr)) as T | null;
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

interface FirstPaint {
  fcp: number;
  tileInDom: number;
  tilePainted: number;
  thumbPainted: number;
  screenful: number;
  tiles: number;
  /** The API calls of the load, in ms from navigation start. */
  api: { channel: string; start: number; end: number }[];
}
async function firstPaint(ctx: BrowserContext, url: string): Promise<{ load: FirstPaint; watch: PageWatch }> {
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

interface Frames {
  deltas: number[];
  longTasks: number[];
  /** Per frame: the share of the grid's rendered cells that were still grey placeholders (their page not loaded). */
  blank: number[];
}
const frameRow = (metric: string, f: Frames, extra: string): Row =>
  row(
    metric,
    f.deltas,
    `>16.7ms ${pct(overFrames(f.deltas, 1))}, >33.3ms ${pct(overFrames(f.deltas, 2))}, long tasks ${f.longTasks.length}; cells grey ${pct(mean(f.blank))}${extra}`,
  );

interface Drag extends Frames {
  seconds: number;
  scrollHeight: number;
  thumbRequests: number;
  /** Thumbnail requests still queued when the grid reached the bottom. */
  queuedAtBottom: number;
  /** From reaching the bottom: the last image's tile in the DOM, then its thumbnail shown (null: not within the cap). */
  lastTileMs: number | null;
  lastThumbMs: number | null;
}
const SETTLE_CAP_MS = 120_000;
async function scrollDrag(page: Page, w: PageWatch, lastName: string, durationMs = SCROLL_MS, drainMs = 300_000): Promise<Drag> {
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

async function wheelScroll(page: Page, w: PageWatch, notches = WHEEL_NOTCHES, drainMs = 300_000): Promise<Frames & { seconds: number; scrolledPx: number }> {
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

async function api<T>(base: string, channel: string, input: unknown): Promise<T> {
  const res = await fetch(`${base}api/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const env = (await res.json()) as { ok: boolean; result?: T; error?: { message: string } };
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message ?? `HTTP ${res.status}`}`);
  return env.result as T;
}

interface RateSample {
  keyToDom: number;
  keyToShown: number;
}
async function rating(ctx: BrowserContext, base: string, datasetId: number): Promise<{ samples: RateSample[]; submitMs: number[]; watch: PageWatch }> {
  const study = await api<StudySummary>(base, 'studies:create', {
    name: 'UI bench ACR',
    datasetId,
    method: 'acr',
    limit: STUDY_SIZE,
    pauseMs: 0,
    maxPerSitting: 10_000,
    seed: 7,
  });
  const link = await api<StudyRaterLink>(base, 'studies:addRater', { studyId: study.id, name: 'bench rater' });
  const page = await ctx.newPage();
  const w = watch(page);
  const submitMs: number[] = [];
  page.on('requestfinished', (r) => {
    if (r.url().endsWith('/api/rate:submit')) submitMs.push(r.timing().responseEnd);
  });
  await page.addInitScript({ content: RATE_PROBE });
  await page.goto(`${base}${link.path.replace(/^\//, '')}`);
  await page.getByTestId('rate-start').waitFor({ timeout: 30_000 });
  await page.evaluate('window.__rate.arm()');
  await page.keyboard.press('Enter');
  await page.evaluate('window.__rate.pending');
  const samples: RateSample[] = [];
  for (let i = 0; i < RATINGS; i++) {
    await page.waitForTimeout(THINK_MS);
    await page.evaluate('window.__rate.arm()');
    await page.keyboard.press(String(1 + (i % 5)));
    const r = (await page.evaluate('window.__rate.pending')) as { keyAt: number; domAt: number; shownAt: number | null; done?: boolean };
    if (r.done || r.shownAt === null) throw new Error(`the study ended after ${i + 1} ratings`);
    samples.push({ keyToDom: r.domAt - r.keyAt, keyToShown: r.shownAt - r.keyAt });
  }
  await page.close();
  return { samples, submitMs, watch: w };
}

// ---- the library: real photos added through the UI, scored with the shipped model, scrolled and culled as it scores ---

const LIB_N = Number(args['library-photos']);
const LIB_RATINGS = Number(args['library-ratings']);
const LIB_SCROLL_MS = Number(args['library-scroll-seconds']) * 1000;
const LIB_WHEEL = Number(args['library-wheel-notches']);

/**
 * A star key in the Library grid: arm(name, stars) before the key; 'pending' resolves with when that photo's cell
 * showed the stars (DOM), when that was painted, and when the focus left it (auto-advance to the next photo).
 */
const CULL_PROBE = String.raw`(() => {
  window.__cull = {
    pending: null,
    arm(name, stars) {
      window.__cull.pending = new Promise((resolve) => {
        let keyAt = null, starsAt = null, paintedAt = null, focusAt = null, finished = false;
        addEventListener('keydown', (e) => { keyAt = e.timeStamp; }, { capture: true, once: true });
        const sel = '[data-testid=photo-cell][data-name="' + CSS.escape(name) + '"]';
        const stop = () => { if (finished) return; finished = true; mo.disconnect(); clearTimeout(timer); resolve({ keyAt, starsAt, paintedAt, focusAt }); };
        const check = () => {
          const cell = document.querySelector(sel);
          if (finished || !cell) return;
          const now = performance.now();
          if (starsAt === null && cell.getAttribute('data-stars') === String(stars)) {
            starsAt = now;
            requestAnimationFrame(() => setTimeout(() => { paintedAt = performance.now(); if (focusAt !== null) stop(); }, 0));
          }
          if (focusAt === null && cell.getAttribute('aria-current') !== 'true') { focusAt = now; if (paintedAt !== null) stop(); }
        };
        const mo = new MutationObserver(check);
        mo.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-stars', 'aria-current'] });
        const timer = setTimeout(stop, 60000);
      });
    },
  };
})()`;

/** When the Score button was clicked, when a grid cell first showed a score, and when the panel said how scoring ended (its status or error line). */
const SCORE_PROBE = String.raw`(() => {
  const m = (window.__score = { clickedAt: null, firstScoreAt: null, doneAt: null, text: null });
  document.addEventListener('click', (e) => { if (e.target instanceof Element && e.target.closest('[data-testid=score-start]')) m.clickedAt = performance.now(); }, true);
  new MutationObserver(() => {
    if (m.clickedAt === null || m.doneAt !== null) return;
    if (m.firstScoreAt === null && document.querySelector('[data-testid=cell-score]')) m.firstScoreAt = performance.now();
    const s = document.querySelector('[data-testid=score-status], [data-testid=score-error]');
    if (s) { m.doneAt = performance.now(); m.text = s.textContent.trim(); }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

/** Whether the panel shows a running scoring job, and its count ("340 / 1000 · 340 scored"). */
const SCORING_STATE = `(() => { const c = document.querySelector('[data-testid=score-count]'); return { running: !!document.querySelector('[data-testid=score-progress]'), count: c ? c.textContent.trim() : null }; })()`;
type ScoringState = { running: boolean; count: string | null };

/** Every cell of the photo grid in view shows its thumbnail. */
const PHOTO_SCREENFUL = String.raw`(() => {
  const g = document.querySelector('[data-testid=photo-grid]');
  if (!g) return false;
  const box = g.getBoundingClientRect();
  const cells = [...g.querySelectorAll('.cell')].filter((c) => { const r = c.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
  return cells.length > 0 && cells.every((c) => { const i = c.querySelector('img'); return !!(i && i.complete && i.naturalWidth > 0); });
})()`;

interface CullSample {
  keyToStars: number;
  keyToPainted: number;
  keyToFocus: number;
  /** Scoring still ran when the sample ended. */
  scoring: boolean;
}

/** Rates `count` photos from the first unrated one with the star keys (auto-advance on), a think time between keys. */
async function cull(page: Page, count: number): Promise<CullSample[]> {
  await page.evaluate(`document.querySelector('${GRID}').scrollTop = 0`);
  await page.waitForTimeout(300);
  await page.locator('[data-testid=photo-cell][data-stars=""]').first().click();
  const samples: CullSample[] = [];
  for (let i = 0; i < count; i++) {
    await page.waitForTimeout(THINK_MS);
    const focused = page.locator('[data-testid=photo-cell][aria-current=true]');
    const name = (await focused.getAttribute('data-name'))!;
    const current = await focused.getAttribute('data-stars');
    let stars = 1 + (i % 5);
    if (current === String(stars)) stars = 1 + (stars % 5); // the same stars again would clear them
    await page.evaluate(`window.__cull.arm(${JSON.stringify(name)}, ${stars})`);
    await page.keyboard.press(String(stars));
    const r = (await page.evaluate('window.__cull.pending')) as { keyAt: number | null; starsAt: number | null; paintedAt: number | null; focusAt: number | null };
    if (r.keyAt === null || r.starsAt === null || r.paintedAt === null || r.focusAt === null) throw new Error(`star key ${stars} on ${name}: the cell did not update within 60 s`);
    const { running } = (await page.evaluate(SCORING_STATE)) as ScoringState;
    samples.push({ keyToStars: r.starsAt - r.keyAt, keyToPainted: r.paintedAt - r.keyAt, keyToFocus: r.focusAt - r.keyAt, scoring: running });
  }
  return samples;
}

interface LibraryPhase {
  wheel: Frames & { seconds: number; scrolledPx: number };
  drag: Drag;
  cull: CullSample[];
  /** Home, then End: key press → the last photo focused, ms (polled every animation frame). */
  endMs: number;
  listMs: number[];
  rateMs: number[];
  /** The panel's scoring state after the wheel, the drag and the ratings. */
  states: ScoringState[];
}

async function libraryPhase(page: Page, w: PageWatch, rateMs: number[], lastName: string): Promise<LibraryPhase> {
  const list0 = w.listMs.length;
  const rate0 = rateMs.length;
  const states: ScoringState[] = [];
  const state = async () => states.push((await page.evaluate(SCORING_STATE)) as ScoringState);
  await page.evaluate(`document.querySelector('${GRID}').scrollTop = 0`);
  await page.waitForTimeout(300);
  const wheel = await wheelScroll(page, w, LIB_WHEEL, 5_000);
  await state();
  const drag = await scrollDrag(page, w, lastName, LIB_SCROLL_MS, 5_000);
  await state();
  const culled = await cull(page, LIB_RATINGS);
  await state();
  const endMs = await endKey(page);
  return { wheel, drag, cull: culled, endMs, listMs: w.listMs.slice(list0), rateMs: rateMs.slice(rate0), states };
}

/** From the first photo, End: keydown → the grid's last photo has the focus, timed in the page (every animation frame). */
async function endKey(page: Page): Promise<number> {
  await page.keyboard.press('Home');
  await page.waitForTimeout(500);
  await page.evaluate(`(() => {
    const w = window;
    w.__end = { keyAt: null, at: null };
    addEventListener('keydown', (e) => { if (e.key === 'End') w.__end.keyAt = performance.now(); }, { capture: true, once: true });
    const tick = () => {
      const cells = document.querySelectorAll('[data-testid=photo-cell]');
      const grid = document.querySelector('[data-testid=photo-grid]');
      const last = cells[cells.length - 1];
      const atBottom = grid && grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1;
      if (w.__end.keyAt !== null && atBottom && last && last.getAttribute('aria-current') === 'true') w.__end.at = performance.now();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  await page.keyboard.press('End');
  const r = await waitFor<{ keyAt: number; at: number }>(page, 'window.__end.at !== null && window.__end', 60_000, 'End to focus the last photo');
  return r.at - r.keyAt;
}

/** Adds LIB_N photos through the Library screen, scores them with the shipped model, and scrolls and culls while it scores, then idle. */
async function libraryScenario(root: string): Promise<void> {
  const dir = join(root, 'library');
  log(`library: a folder of ${LIB_N.toLocaleString('en-US')} photos…`);
  const folder = await buildPhotoFolder(join(dir, 'Shoot'), LIB_N, log);
  log(`  ${folder.source} (${folder.sources} sources): mean ${folder.megapixels.toFixed(2)} MP, ${(folder.meanBytes / 1024).toFixed(0)} KB${folder.madeSeconds ? `, made in ${folder.madeSeconds.toFixed(0)} s` : ' (cached)'}`);
  const dataDir = join(dir, 'data');
  const store = openStore(dataPaths(dataDir).databaseFile);
  try {
    // Nothing else in the background: serve mode would otherwise import the demo photos and build the demo distortions.
    store.settings.set('demo.seeded', true);
    store.settings.set('demo.synthetic.seeded', true);
  } finally {
    store.close();
  }

  let serve: ServeProcess | undefined;
  let ctx: BrowserContext | undefined;
  /** A fresh browser (empty cache) on the Library screen, with the probes and request watchers installed. */
  const openLibrary = async (url: string) => {
    await ctx?.close();
    ctx = await launchBrowser();
    const page = await ctx.newPage();
    const w = watch(page);
    const rateMs: number[] = [];
    page.on('requestfinished', (r) => r.url().endsWith('/api/library:rate') && rateMs.push(r.timing().responseEnd));
    await page.addInitScript({ content: FRAME_RECORDER });
    await page.addInitScript({ content: CULL_PROBE });
    await page.goto(url);
    return { page, w, rateMs };
  };
  try {
    log(`library: serve mode, backend ${args['library-backend']}…`);
    serve = await startServe(['--backend', args['library-backend']!], { dataDir });
    const info = await api<AppInfo>(serve.url, 'app:info', {});
    const { page, w, rateMs } = await openLibrary(`${serve.url}#/library`);

    log('library: Add folder…');
    await page.getByTestId('add-folder-toggle').click();
    const panel = page.getByTestId('add-folder-panel');
    await panel.locator('input[name=root]').fill(folder.root);
    await panel.locator('input[name=name]').fill('Shoot');
    const tAdd = performance.now();
    await panel.getByRole('button', { name: 'Add' }).click();
    const listed = `(() => { const m = /^\\s*([\\d.,\\s\\u202f]+) photos/.exec(document.querySelector('[data-testid=library-counts]')?.textContent ?? ''); return !!m && Number(m[1].replace(/\\D/g, '')) === ${LIB_N}; })()`;
    await waitFor(page, listed, 600_000, 'the added folder in the grid');
    const addListedMs = performance.now() - tAdd;
    await waitFor(page, PHOTO_SCREENFUL, 300_000, 'the first screenful of thumbnails');
    const addThumbsMs = performance.now() - tAdd;
    const userAgent = (await page.evaluate('navigator.userAgent')) as string;
    const cols = (await page.evaluate(`getComputedStyle(document.querySelector('[data-testid=photo-cell]').parentElement).gridTemplateColumns.split(' ').length`)) as number;

    log('library: Score with the shipped HyperIQA; wheel, drag and star keys while it scores…');
    await page.evaluate(SCORE_PROBE);
    await waitFor(page, `!!document.querySelector('[data-testid=score-with] option[value="model:hyperiqa"]')`, 30_000, 'the shipped model under Score with');
    await page.getByTestId('score-with').selectOption('model:hyperiqa');
    await page.getByTestId('score-start').click();
    await page.getByTestId('score-progress').waitFor({ timeout: 30_000 });
    const lastName = `IMG_${String(LIB_N).padStart(4, '0')}.jpg`;
    const during = await libraryPhase(page, w, rateMs, lastName);

    log('library: waiting for the end of scoring…');
    const done = await waitFor<{ clickedAt: number; firstScoreAt: number | null; doneAt: number; text: string }>(page, 'window.__score.doneAt !== null && window.__score', 3_600_000, 'the end of scoring');
    const scoreWallMs = done.doneAt - done.clickedAt;
    const datasetId = (await api<DatasetSummary[]>(serve.url, 'datasets:list', {})).find((d) => d.name === 'Shoot')!.id;
    const photoStats = await api<PhotoStats>(serve.url, 'library:stats', { datasetId });

    // The same with scoring finished, and thumbnails as cold as they were: no cached thumbnails on the server, a fresh browser.
    log('library: the same again with scoring finished (thumbnails cold again, fresh browser)…');
    rmSync(dataPaths(dataDir).thumbsDir, { recursive: true, force: true });
    const again = await openLibrary(`${serve.url}#/library?id=${datasetId}`);
    const tOpen = performance.now();
    await waitFor(again.page, PHOTO_SCREENFUL, 300_000, 'the first screenful of thumbnails');
    const reopenThumbsMs = performance.now() - tOpen;
    const idle = await libraryPhase(again.page, again.w, again.rateMs, lastName);

    // ---- report ----
    const whileScoring = during.cull.filter((s) => s.scoring).length;
    const phaseRows = (p: LibraryPhase, when: string): Row[] => [
      frameRow(`scroll by wheel (100 px x ${LIB_WHEEL}), ${when}: frame`, p.wheel, `; ${(p.wheel.scrolledPx / 1000).toFixed(0)}k px`),
      frameRow(`scroll top→bottom in ${LIB_SCROLL_MS / 1000} s, ${when}: frame`, p.drag, `; ${(p.drag.scrollHeight / 1000).toFixed(0)}k px, last thumbnail ${p.drag.lastThumbMs === null ? '-' : `${ms(p.drag.lastThumbMs)} ms`} after the bottom`),
      row(`library:list request, ${when}`, p.listMs, 'page of 200'),
      row(`star key → stars in the cell (DOM), ${when}`, p.cull.map((s) => s.keyToStars)),
      row(`star key → stars painted, ${when}`, p.cull.map((s) => s.keyToPainted), `think ${THINK_MS} ms`),
      row(`star key → focus on the next photo, ${when}`, p.cull.map((s) => s.keyToFocus), 'auto-advance'),
      row(`library:rate request, ${when}`, p.rateMs),
      row(`End key → last photo focused, ${when}`, [p.endMs], 'from the first photo'),
    ];
    const rows: Row[] = [
      row('add folder: click Add → all photos listed', [addListedMs], `${LIB_N} photos`),
      row('add folder: click Add → first screenful of thumbs', [addThumbsMs], 'thumbnails made on demand (cold)'),
      ...phaseRows(during, 'scoring'),
      ...(done.firstScoreAt !== null ? [row('scoring: click Score → first score in a grid cell', [done.firstScoreAt - done.clickedAt], 'scores fill in while the job runs')] : []),
      row('scoring: click Score → "Scored N of N" shown', [scoreWallMs], `${(LIB_N / (scoreWallMs / 1000)).toFixed(2)} photos/s`),
      row('open the scored collection → first screenful', [reopenThumbsMs], 'fresh browser, thumbnails cold'),
      ...phaseRows(idle, 'idle'),
    ];
    const backend = info.backend?.name ?? '?';
    console.log(
      `\nUI benchmark, library: ${LIB_N.toLocaleString('en-US')} photos (${folder.source}, mean ${folder.megapixels.toFixed(1)} MP JPEG; ${cols} columns), ${userAgent.match(/Chrom\w*\/[\d.]+/)?.[0] ?? 'Chromium'} headless 1400x900, scored with the shipped HyperIQA on ${backend} in serve mode; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}; times in ms`,
    );
    printRows(rows);
    console.log('frame shares count missed vsyncs (>16.7ms: frames of 33.3 ms or more; >33.3ms: 50 ms or more); cells grey: mean share of rendered grid cells still placeholders');
    console.log(`\nscoring wall time as the UI reports it (click Score → status line): ${(scoreWallMs / 1000).toFixed(1)} s for ${LIB_N} photos, ${(LIB_N / (scoreWallMs / 1000)).toFixed(2)} photos/s; status: "${done.text}"`);
    console.log(`  the panel during the measurements: ${during.states.map((s) => (s.running ? s.count : 'finished')).join(' → ')}; ${whileScoring} of ${during.cull.length} star keys ended while scoring ran`);
    if (photoStats.scored !== LIB_N) console.log(`warning: library:stats says ${photoStats.scored} of ${LIB_N} photos scored`);
    if (!during.states[1]?.running) console.log('warning: scoring finished before the scroll measurements did: use more photos (--library-photos) or a shorter --library-scroll-seconds');
    const rateLimited = w.rateLimited + again.w.rateLimited;
    const errors = [...w.errors, ...again.w.errors];
    if (rateLimited) console.log(`warning: ${rateLimited} responses were rate-limited (429)`);
    if (errors.length) console.log(`warning: ${errors.length} page errors, first: ${errors[0]}`);

    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg(), userAgent, backend: info.backend };
    mkdirSync(args.out!, { recursive: true });
    const file = join(args.out!, `ui-library-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const frames = (f: Frames) => ({ ...stats(f.deltas), over16_7: overFrames(f.deltas, 1), over33_3: overFrames(f.deltas, 2), greyCells: mean(f.blank), longTasks: f.longTasks.length });
    const phaseJson = (p: LibraryPhase) => ({ wheel: { ...frames(p.wheel), seconds: p.wheel.seconds, scrolledPx: p.wheel.scrolledPx }, drag: { ...frames(p.drag), seconds: p.drag.seconds, scrollHeight: p.drag.scrollHeight, thumbRequests: p.drag.thumbRequests, lastThumbMs: p.drag.lastThumbMs }, states: p.states, raw: { cull: p.cull, listMs: p.listMs, rateMs: p.rateMs, wheelFrameMs: p.wheel.deltas, dragFrameMs: p.drag.deltas } });
    writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine,
          options: { photos: LIB_N, ratings: LIB_RATINGS, scrollSeconds: LIB_SCROLL_MS / 1000, wheelNotches: LIB_WHEEL, thinkMs: THINK_MS, backend: args['library-backend'] },
          folder: { source: folder.source, sources: folder.sources, megapixels: folder.megapixels, meanBytes: folder.meanBytes },
          setup: { addListedMs, addThumbsMs, reopenThumbsMs },
          scoring: { wallMs: scoreWallMs, firstScoreMs: done.firstScoreAt === null ? null : done.firstScoreAt - done.clickedAt, photosPerSecond: LIB_N / (scoreWallMs / 1000), status: done.text, scored: photoStats.scored },
          rows: rows.map((r) => ({ ...r, unit: 'ms' })),
          during: phaseJson(during),
          idle: phaseJson(idle),
          warnings: { rateLimited, errors },
        },
        null,
        2,
      ),
    );
    console.log(`\nwritten ${file}`);
  } finally {
    await ctx?.close().catch(() => {});
    await serve?.stop().catch(() => {});
  }
}

// ---- main ---------------------------------------------------------------------------------------------------------

if (!existsSync(join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
  log('No built renderer in out/renderer: run `npx electron-vite build` (or `npm run build`) first.');
  process.exit(1);
}

/** The dataset grid (first paint, scroll) and study rating figures on N images straight in the store. */
async function datasetsScenario(root: string): Promise<void> {
  let serve: ServeProcess | undefined;
  let ctx: BrowserContext | undefined;
  try {
    log(`building a data folder with ${N.toLocaleString('en-US')} images in ${root}…`);
    const { dataDir, datasetId, timings } = await buildDataDir(root);
    log(`  files ${(timings.filesMs! / 1000).toFixed(1)} s, database ${(timings.databaseMs! / 1000).toFixed(1)} s, thumbnails ${(timings.thumbsMs! / 1000).toFixed(1)} s`);

    log('starting serve mode…');
    const t = performance.now();
    serve = await startServe(['--backend', 'cpu'], { dataDir });
    const serveStartMs = performance.now() - t;
    const gridUrl = `${serve.url}#/datasets?id=${datasetId}`;
    ctx = await launchBrowser();

    log(`first paint of the grid, ${LOADS} loads…`);
    const loads: FirstPaint[] = [];
    const watches: PageWatch[] = [];
    for (let i = 0; i < LOADS; i++) {
      const r = await firstPaint(ctx, gridUrl);
      loads.push(r.load);
      watches.push(r.watch);
    }

    log(`scrolling the grid: ${WHEEL_NOTCHES} wheel notches, then top to bottom in ${SCROLL_MS / 1000} s…`);
    const page = await ctx.newPage();
    const scrollWatch = watch(page);
    await page.addInitScript({ content: FIRST_PAINT_PROBE });
    await page.addInitScript({ content: FRAME_RECORDER });
    await page.goto(gridUrl);
    await waitFor(page, 'window.__bench.screenful', 60_000, 'the grid');
    const userAgent = (await page.evaluate('navigator.userAgent')) as string;
    const cols = (await page.evaluate(`(() => { const r = document.querySelector('[data-testid=grid-item]').parentElement; return getComputedStyle(r).gridTemplateColumns.split(' ').length; })()`)) as number;
    // The wheel first, on the fresh page: the drag leaves a long queue of thumbnail requests behind it.
    const wheel = await wheelScroll(page, scrollWatch);
    const drag = await scrollDrag(page, scrollWatch, `img-${String(N).padStart(6, '0')}.jpg`);
    await page.close();
    watches.push(scrollWatch);

    log(`rating: ACR study of ${STUDY_SIZE} images, ${RATINGS} ratings…`);
    const rate = await rating(ctx, serve.url, datasetId);
    watches.push(rate.watch);

    // ---- report ----
    const warm = loads.slice(1);
    const rows: Row[] = [
      row('grid: first contentful paint (all loads)', loads.map((l) => l.fcp)),
      row('grid: first tile in DOM (all loads)', loads.map((l) => l.tileInDom), `cold load ${ms(loads[0]!.tileInDom)} ms`),
      row('grid: first tile painted (all loads)', loads.map((l) => l.tilePainted), `cold load ${ms(loads[0]!.tilePainted)} ms`),
      row('grid: first thumbnail painted (all loads)', loads.map((l) => l.thumbPainted), `cold load ${ms(loads[0]!.thumbPainted)} ms`),
      row('grid: first screenful of thumbnails (all loads)', loads.map((l) => l.screenful), `${loads[0]!.tiles} tiles; cold ${ms(loads[0]!.screenful)} ms`),
      ...(warm.length ? [row('grid: first tile painted (warm loads only)', warm.map((l) => l.tilePainted))] : []),
      frameRow(`scroll top→bottom, scrollTop per frame: frame time`, drag, `; ${(drag.scrollHeight / 1e6).toFixed(2)}M px in ${drag.seconds.toFixed(1)} s`),
      frameRow(`scroll by mouse wheel (100 px x ${WHEEL_NOTCHES}): frame time`, wheel, `; ${(wheel.scrolledPx / 1000).toFixed(0)}k px`),
      row('grid: images:list request while scrolling', scrollWatch.listMs, 'page of 200, sorted by name'),
      row('rate: keydown → next stimulus in DOM', rate.samples.map((s) => s.keyToDom)),
      row('rate: keydown → next stimulus loaded + painted', rate.samples.map((s) => s.keyToShown), `pauseMs 0, think ${THINK_MS} ms`),
      row('rate: rate:submit request (network timing)', rate.submitMs),
    ];

    console.log(`UI benchmark: ${N.toLocaleString('en-US')} images (${cols} columns), ${userAgent.match(/Chrom\w*\/[\d.]+/)?.[0] ?? 'Chromium'} headless 1400x900, thumbnails ${args['cold-thumbs'] ? 'cold' : 'cached'}; times in ms from navigation start / keydown`);
    printRows(rows);
    const errors = watches.flatMap((w) => w.errors);
    const rateLimited = watches.reduce((a, w) => a + w.rateLimited, 0);
    console.log('frame shares count missed vsyncs (>16.7ms: frames of 33.3 ms or more; >33.3ms: 50 ms or more); cells grey: mean share of rendered grid cells still placeholders');
    const apiLine = (l: FirstPaint) => l.api.filter((c) => c.start < l.tilePainted).map((c) => `${c.channel} ${ms(c.start)}→${ms(c.end)}`).join(', ');
    console.log(`\nAPI calls before the first tile painted (ms from navigation start): cold load: ${apiLine(loads[0]!)}`);
    if (loads.length > 1) console.log(`  last load: ${apiLine(loads[loads.length - 1]!)}`);
    const capped = (x: number | null) => (x === null ? `more than ${SETTLE_CAP_MS / 1000} s` : `${ms(x)} ms`);
    console.log(
      `\ntop→bottom scroll: ${drag.thumbRequests} thumbnail requests, ${drag.queuedAtBottom} still queued at the bottom; the last tile showed after ${capped(drag.lastTileMs)}, its thumbnail after ${capped(drag.lastThumbMs)}`,
    );
    if (rateLimited) console.log(`warning: ${rateLimited} responses were rate-limited (429)`);
    if (errors.length) console.log(`warning: ${errors.length} page errors, first: ${errors[0]}`);

    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg(), userAgent };
    mkdirSync(args.out!, { recursive: true });
    const file = join(args.out!, `ui-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          machine,
          options: { images: N, loads: LOADS, scrollSeconds: SCROLL_MS / 1000, wheelNotches: WHEEL_NOTCHES, studySize: STUDY_SIZE, ratings: RATINGS, thinkMs: THINK_MS, coldThumbs: args['cold-thumbs'] },
          setup: { ...timings, serveStartMs },
          rows: rows.map((r) => ({ ...r, unit: 'ms' })),
          scroll: {
            drag: { ...stats(drag.deltas), over16_7: overFrames(drag.deltas, 1), over33_3: overFrames(drag.deltas, 2), greyCells: mean(drag.blank), framesWithGrey: share(drag.blank, 0), longTasks: drag.longTasks.length, longTaskMs: drag.longTasks.reduce((a, b) => a + b, 0), seconds: drag.seconds, scrollHeight: drag.scrollHeight, thumbRequests: drag.thumbRequests, queuedAtBottom: drag.queuedAtBottom, lastTileMs: drag.lastTileMs, lastThumbMs: drag.lastThumbMs, apiCallsOnPage: scrollWatch.apiCalls },
            wheel: { ...stats(wheel.deltas), over16_7: overFrames(wheel.deltas, 1), over33_3: overFrames(wheel.deltas, 2), greyCells: mean(wheel.blank), framesWithGrey: share(wheel.blank, 0), longTasks: wheel.longTasks.length, seconds: wheel.seconds, scrolledPx: wheel.scrolledPx },
          },
          raw: { loads, rate: rate.samples, submitMs: rate.submitMs, listMs: scrollWatch.listMs, dragFrameMs: drag.deltas, wheelFrameMs: wheel.deltas },
          warnings: { rateLimited, errors },
        },
        null,
        2,
      ),
    );
    console.log(`\nwritten ${file}`);
  } finally {
    await ctx?.close().catch(() => {});
    await serve?.stop().catch(() => {});
  }
}

const root = await mkdtemp(join(tmpdir(), 'iqa-bench-ui-'));
try {
  if (SCENARIO !== 'library') await datasetsScenario(root);
  if (SCENARIO !== 'datasets') await libraryScenario(root);
} finally {
  if (args.keep) log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

// UI bench, datasets: a 100,000-image dataset written straight into the store; the grid's first paint and scroll frame times, and rating latency in a study.
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { StudyRaterLink, StudySummary } from '../../src-shared/api/schemas';
import { dataPaths } from '../../src-main/app/paths';
import { THUMB_SIZE, thumbnailFor } from '../../src-main/imaging/thumbnails';
import { openStore } from '../../src-main/store/store';
import { launchBrowser } from '../../tests/helpers/browser';
import { REPO_ROOT, startServe, type ServeProcess } from '../../tests/helpers/serve-process';
import { api, firstPaint, SETTLE_CAP_MS, scrollDrag, waitFor, watch, wheelScroll, type FirstPaint, type PageWatch } from './page';
import { FIRST_PAINT_PROBE, FRAME_RECORDER, RATE_PROBE } from './probes';
import { frameRow, log, machineInfo, mean, ms, overFrames, printRows, row, share, stats, writeResults, type Row } from './report';

export interface DatasetsBenchOptions {
  images: number;
  /** Page loads timed for the first paint. */
  loads: number;
  scrollMs: number;
  wheelNotches: number;
  studySize: number;
  ratings: number;
  thinkMs: number;
  /** No cached thumbnails: the server makes each one on demand. */
  coldThumbs: boolean;
  out: string;
}

const DISTORTIONS = ['gaussian_blur', 'jpeg', 'white_noise', 'contrast_change', 'pixelate'];

async function buildDataDir(root: string, o: DatasetsBenchOptions): Promise<{ dataDir: string; datasetId: number; timings: Record<string, number> }> {
  const N = o.images;
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
  if (!o.coldThumbs) {
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

interface RateSample {
  keyToDom: number;
  keyToShown: number;
}
async function rating(ctx: BrowserContext, base: string, datasetId: number, o: DatasetsBenchOptions): Promise<{ samples: RateSample[]; submitMs: number[]; watch: PageWatch }> {
  const { studySize: STUDY_SIZE, ratings: RATINGS, thinkMs: THINK_MS } = o;
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

/** The dataset grid (first paint, scroll) and study rating figures on N images straight in the store. */
export async function datasetsScenario(root: string, o: DatasetsBenchOptions): Promise<void> {
  const { images: N, loads: LOADS, scrollMs: SCROLL_MS, wheelNotches: WHEEL_NOTCHES, studySize: STUDY_SIZE, ratings: RATINGS, thinkMs: THINK_MS } = o;
  let serve: ServeProcess | undefined;
  let ctx: BrowserContext | undefined;
  try {
    log(`building a data folder with ${N.toLocaleString('en-US')} images in ${root}…`);
    const { dataDir, datasetId, timings } = await buildDataDir(root, o);
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
    const wheel = await wheelScroll(page, scrollWatch, WHEEL_NOTCHES);
    const drag = await scrollDrag(page, scrollWatch, `img-${String(N).padStart(6, '0')}.jpg`, SCROLL_MS);
    await page.close();
    watches.push(scrollWatch);

    log(`rating: ACR study of ${STUDY_SIZE} images, ${RATINGS} ratings…`);
    const rate = await rating(ctx, serve.url, datasetId, o);
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

    console.log(`UI benchmark: ${N.toLocaleString('en-US')} images (${cols} columns), ${userAgent.match(/Chrom\w*\/[\d.]+/)?.[0] ?? 'Chromium'} headless 1400x900, thumbnails ${o.coldThumbs ? 'cold' : 'cached'}; times in ms from navigation start / keydown`);
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

    const machine = { ...machineInfo(), userAgent };
    writeResults(o.out, 'ui', {
      machine,
      options: { images: N, loads: LOADS, scrollSeconds: SCROLL_MS / 1000, wheelNotches: WHEEL_NOTCHES, studySize: STUDY_SIZE, ratings: RATINGS, thinkMs: THINK_MS, coldThumbs: o.coldThumbs },
      setup: { ...timings, serveStartMs },
      rows: rows.map((r) => ({ ...r, unit: 'ms' })),
      scroll: {
        drag: { ...stats(drag.deltas), over16_7: overFrames(drag.deltas, 1), over33_3: overFrames(drag.deltas, 2), greyCells: mean(drag.blank), framesWithGrey: share(drag.blank, 0), longTasks: drag.longTasks.length, longTaskMs: drag.longTasks.reduce((a, b) => a + b, 0), seconds: drag.seconds, scrollHeight: drag.scrollHeight, thumbRequests: drag.thumbRequests, queuedAtBottom: drag.queuedAtBottom, lastTileMs: drag.lastTileMs, lastThumbMs: drag.lastThumbMs, apiCallsOnPage: scrollWatch.apiCalls },
        wheel: { ...stats(wheel.deltas), over16_7: overFrames(wheel.deltas, 1), over33_3: overFrames(wheel.deltas, 2), greyCells: mean(wheel.blank), framesWithGrey: share(wheel.blank, 0), longTasks: wheel.longTasks.length, seconds: wheel.seconds, scrolledPx: wheel.scrolledPx },
      },
      raw: { loads, rate: rate.samples, submitMs: rate.submitMs, listMs: scrollWatch.listMs, dragFrameMs: drag.deltas, wheelFrameMs: wheel.deltas },
      warnings: { rateLimited, errors },
    });
  } finally {
    await ctx?.close().catch(() => {});
    await serve?.stop().catch(() => {});
  }
}

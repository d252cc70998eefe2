// UI bench, library: real photos added through the Library screen, scored with the shipped model, scrolled and culled with star keys while it scores, then again idle.
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { AppInfo, DatasetSummary, PhotoStats } from '../../src-shared/api/schemas';
import { dataPaths } from '../../src-main/app/paths';
import { openStore } from '../../src-main/store/store';
import { launchBrowser } from '../../tests/helpers/browser';
import { startServe, type ServeProcess } from '../../tests/helpers/serve-process';
import { buildPhotoFolder } from '../photo-folder';
import { api, scrollDrag, waitFor, watch, wheelScroll, type Drag, type PageWatch } from './page';
import { CULL_PROBE, FRAME_RECORDER, GRID, PHOTO_SCREENFUL, SCORE_PROBE, SCORING_STATE, type ScoringState } from './probes';
import { frameRow, log, machineInfo, mean, ms, overFrames, printRows, row, stats, writeResults, type Frames, type Row } from './report';

export interface LibraryBenchOptions {
  photos: number;
  /** Star keys pressed in each phase. */
  ratings: number;
  scrollMs: number;
  wheelNotches: number;
  thinkMs: number;
  /** The tensor backend serve mode scores with. */
  backend: string;
  out: string;
}

interface CullSample {
  keyToStars: number;
  keyToPainted: number;
  keyToFocus: number;
  /** Scoring still ran when the sample ended. */
  scoring: boolean;
}

/** Rates `count` photos from the first unrated one with the star keys (auto-advance on), a think time between keys. */
async function cull(page: Page, count: number, THINK_MS: number): Promise<CullSample[]> {
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

async function libraryPhase(page: Page, w: PageWatch, rateMs: number[], lastName: string, o: LibraryBenchOptions): Promise<LibraryPhase> {
  const list0 = w.listMs.length;
  const rate0 = rateMs.length;
  const states: ScoringState[] = [];
  const state = async () => states.push((await page.evaluate(SCORING_STATE)) as ScoringState);
  await page.evaluate(`document.querySelector('${GRID}').scrollTop = 0`);
  await page.waitForTimeout(300);
  const wheel = await wheelScroll(page, w, o.wheelNotches, 5_000);
  await state();
  const drag = await scrollDrag(page, w, lastName, o.scrollMs, 5_000);
  await state();
  const culled = await cull(page, o.ratings, o.thinkMs);
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
export async function libraryScenario(root: string, o: LibraryBenchOptions): Promise<void> {
  const { photos: LIB_N, ratings: LIB_RATINGS, scrollMs: LIB_SCROLL_MS, wheelNotches: LIB_WHEEL, thinkMs: THINK_MS } = o;
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
    log(`library: serve mode, backend ${o.backend}…`);
    serve = await startServe(['--backend', o.backend], { dataDir });
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
    const during = await libraryPhase(page, w, rateMs, lastName, o);

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
    const idle = await libraryPhase(again.page, again.w, again.rateMs, lastName, o);

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

    const machine = { ...machineInfo(), userAgent, backend: info.backend };
    const frames = (f: Frames) => ({ ...stats(f.deltas), over16_7: overFrames(f.deltas, 1), over33_3: overFrames(f.deltas, 2), greyCells: mean(f.blank), longTasks: f.longTasks.length });
    const phaseJson = (p: LibraryPhase) => ({ wheel: { ...frames(p.wheel), seconds: p.wheel.seconds, scrolledPx: p.wheel.scrolledPx }, drag: { ...frames(p.drag), seconds: p.drag.seconds, scrollHeight: p.drag.scrollHeight, thumbRequests: p.drag.thumbRequests, lastThumbMs: p.drag.lastThumbMs }, states: p.states, raw: { cull: p.cull, listMs: p.listMs, rateMs: p.rateMs, wheelFrameMs: p.wheel.deltas, dragFrameMs: p.drag.deltas } });
    writeResults(o.out, 'ui-library', {
      machine,
      options: { photos: LIB_N, ratings: LIB_RATINGS, scrollSeconds: LIB_SCROLL_MS / 1000, wheelNotches: LIB_WHEEL, thinkMs: THINK_MS, backend: o.backend },
      folder: { source: folder.source, sources: folder.sources, megapixels: folder.megapixels, meanBytes: folder.meanBytes },
      setup: { addListedMs, addThumbsMs, reopenThumbsMs },
      scoring: { wallMs: scoreWallMs, firstScoreMs: done.firstScoreAt === null ? null : done.firstScoreAt - done.clickedAt, photosPerSecond: LIB_N / (scoreWallMs / 1000), status: done.text, scored: photoStats.scored },
      rows: rows.map((r) => ({ ...r, unit: 'ms' })),
      during: phaseJson(during),
      idle: phaseJson(idle),
      warnings: { rateLimited, errors },
    });
  } finally {
    await ctx?.close().catch(() => {});
    await serve?.stop().catch(() => {});
  }
}

// In-page probes of the UI bench (plain JavaScript strings: they run in Chromium, not in Node).

/** Installed before the app's scripts: paint entries, the first grid tile in the DOM and painted, the first screenful. */
export const FIRST_PAINT_PROBE = String.raw`(() => {
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
export const GRID = '[data-testid=image-grid], [data-testid=photo-grid]';

/** Scrolls the grid from top to bottom in durationMs (position by elapsed time), recording rAF deltas and long tasks. */
export const SCROLL_DRAG = String.raw`((durationMs) => new Promise((resolve) => {
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
export const FRAME_RECORDER = String.raw`(() => {
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
export const RATE_PROBE = String.raw`(() => {
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

/**
 * A star key in the Library grid: arm(name, stars) before the key; 'pending' resolves with when that photo's cell
 * showed the stars (DOM), when that was painted, and when the focus left it (auto-advance to the next photo).
 */
export const CULL_PROBE = String.raw`(() => {
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
export const SCORE_PROBE = String.raw`(() => {
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
export const SCORING_STATE = `(() => { const c = document.querySelector('[data-testid=score-count]'); return { running: !!document.querySelector('[data-testid=score-progress]'), count: c ? c.textContent.trim() : null }; })()`;
export type ScoringState = { running: boolean; count: string | null };

/** Every cell of the photo grid in view shows its thumbnail. */
export const PHOTO_SCREENFUL = String.raw`(() => {
  const g = document.querySelector('[data-testid=photo-grid]');
  if (!g) return false;
  const box = g.getBoundingClientRect();
  const cells = [...g.querySelectorAll('.cell')].filter((c) => { const r = c.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
  return cells.length > 0 && cells.every((c) => { const i = c.querySelector('img'); return !!(i && i.complete && i.naturalWidth > 0); });
})()`;

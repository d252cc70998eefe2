// The shared zoom as a view of the image: panes of different sizes and aspects show the same region; zoom about the cursor, pan, clamping.
import { describe, expect, it } from 'vitest';
import { FULL_VIEW, clampView, fitRect, panBy, paneTransform, visibleRegion, zoomAbout, type ImageView, type Size } from '../../../src-renderer/lib/components/zoom-map';

const IMAGE: Size = { width: 400, height: 300 };
/** Inspect's small panel, its swipe pane (both of the image's aspect), and Compare's letterboxing panes. */
const PANES: Size[] = [
  { width: 260, height: 195 },
  { width: 720, height: 540 },
  { width: 500, height: 200 },
  { width: 150, height: 400 },
];

/** Where an image point (fractions) lands in a pane, by the element box and transform the pane gets (origin 0 0). */
function project(view: ImageView, pane: Size, u: number, v: number): [number, number] {
  const t = paneTransform(view, pane, IMAGE);
  return [t.x + t.scale * u * t.width, t.y + t.scale * v * t.height];
}

describe('the shared zoom in image coordinates', () => {
  it('fits the image into panes of any aspect, centred', () => {
    expect(fitRect({ width: 260, height: 195 }, IMAGE)).toEqual({ x: 0, y: 0, width: 260, height: 195 });
    expect(fitRect({ width: 500, height: 200 }, IMAGE)).toMatchObject({ x: (500 - 200 * (4 / 3)) / 2, y: 0, height: 200 });
    expect(fitRect({ width: 150, height: 400 }, IMAGE)).toMatchObject({ x: 0, y: (400 - 112.5) / 2, width: 150, height: 112.5 });
    // Before the image has loaded: the element fills the pane.
    expect(fitRect({ width: 90, height: 60 }, null)).toEqual({ x: 0, y: 0, width: 90, height: 60 });
  });

  it('puts the view centre at every pane centre, and the same image region in panes of the image aspect whatever their size', () => {
    const view: ImageView = { scale: 3, cx: 0.3, cy: 0.6 };
    for (const pane of PANES) {
      const [x, y] = project(view, pane, view.cx, view.cy);
      expect(x).toBeCloseTo(pane.width / 2, 9);
      expect(y).toBeCloseTo(pane.height / 2, 9);
    }
    const small = visibleRegion(view, PANES[0]!, IMAGE);
    const large = visibleRegion(view, PANES[1]!, IMAGE);
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(small[k]).toBeCloseTo(large[k], 12);
    expect(small.x1 - small.x0).toBeCloseTo(1 / 3, 12);
    expect(small.x0).toBeCloseTo(0.3 - 1 / 6, 12);
    // The pane's own corners map back to the region's corners.
    const [x0, y0] = project(view, PANES[0]!, small.x0, small.y0);
    expect([x0, y0].map((v) => Math.abs(v) < 1e-9)).toEqual([true, true]);
  });

  it('zooms about the cursor: the image point under it stays, and the other panes follow to the same region', () => {
    const small = PANES[0]!;
    const big = PANES[1]!;
    const px = small.width * 0.8;
    const py = small.height * 0.3;
    // The image point under the cursor before the zoom.
    const fit = fitRect(small, IMAGE);
    const u = px / fit.width;
    const v = py / fit.height;
    const zoomed = zoomAbout(FULL_VIEW, 2.5, px, py, small, IMAGE);
    expect(zoomed.scale).toBeCloseTo(2.5, 12);
    const [x, y] = project(zoomed, small, u, v);
    expect(x).toBeCloseTo(px, 9);
    expect(y).toBeCloseTo(py, 9);
    // The same cursor position, as a share of the pane, over the big pane gives the same view.
    const fromBig = zoomAbout(FULL_VIEW, 2.5, big.width * 0.8, big.height * 0.3, big, IMAGE);
    expect(fromBig.cx).toBeCloseTo(zoomed.cx, 12);
    expect(fromBig.cy).toBeCloseTo(zoomed.cy, 12);
  });

  it('pans with the pointer: a drag of d px moves the image d px in the pane it was made in, and by the same share in the others', () => {
    const view: ImageView = { scale: 4, cx: 0.5, cy: 0.5 };
    const small = PANES[0]!;
    const moved = panBy(view, 26, -13, small, IMAGE);
    const [x0] = project(view, small, 0.4, 0.4);
    const [x1, y1] = project(moved, small, 0.4, 0.4);
    const [, y0] = project(view, small, 0.4, 0.4);
    expect(x1 - x0).toBeCloseTo(26, 9);
    expect(y1 - y0).toBeCloseTo(-13, 9);
    const big = PANES[1]!;
    const [bx0] = project(view, big, 0.4, 0.4);
    const [bx1] = project(moved, big, 0.4, 0.4);
    expect((bx1 - bx0) / big.width).toBeCloseTo(26 / small.width, 9);
  });

  it('keeps the zoom within 1..16 and the view inside the image', () => {
    expect(clampView({ scale: 0.2, cx: 0.9, cy: 0.1 })).toEqual(FULL_VIEW);
    expect(clampView({ scale: 40, cx: 0.5, cy: 0.5 }).scale).toBe(16);
    expect(clampView({ scale: 2, cx: 0.95, cy: -1 })).toEqual({ scale: 2, cx: 0.75, cy: 0.25 });
    expect(clampView({ scale: Number.NaN, cx: Number.NaN, cy: 0.5 })).toEqual(FULL_VIEW);
    // Dragging far past the edge stops with the image's edge at the pane's edge.
    const far = panBy({ scale: 2, cx: 0.5, cy: 0.5 }, 10_000, 0, PANES[0]!, IMAGE);
    expect(visibleRegion(far, PANES[0]!, IMAGE).x0).toBe(0);
    expect(zoomAbout(FULL_VIEW, 0.5, 10, 10, PANES[0]!, IMAGE)).toEqual(FULL_VIEW);
  });
});

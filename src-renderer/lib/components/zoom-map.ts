// Zoom and pan as a view of the IMAGE (the image point at each pane's centre and a zoom over the fitted image), mapped onto panes of any size and aspect.

export const MIN_SCALE = 1;
export const MAX_SCALE = 16;

/**
 * What every pane shows: the image point at the pane's centre (cx, cy as fractions of the image's width and height)
 * and the zoom over the image fitted into the pane (1 = the whole image fits). Panes of any size then show the same
 * part of the image.
 */
export interface ImageView {
  scale: number;
  cx: number;
  cy: number;
}

export interface Size {
  width: number;
  height: number;
}

export const FULL_VIEW: ImageView = { scale: 1, cx: 0.5, cy: 0.5 };

/** The image fitted (contained, centred) in the pane at zoom 1, in px of the pane; the whole pane when the image's size is not known yet. */
export function fitRect(pane: Size, image: Size | null): { x: number; y: number; width: number; height: number } {
  if (!image || !(image.width > 0) || !(image.height > 0)) return { x: 0, y: 0, width: pane.width, height: pane.height };
  const k = Math.min(pane.width / image.width, pane.height / image.height);
  const width = image.width * k;
  const height = image.height * k;
  return { x: (pane.width - width) / 2, y: (pane.height - height) / 2, width, height };
}

/** Zoom within [MIN_SCALE, MAX_SCALE]; the centre kept where a pane of the image's own aspect shows only image (centred when zoomed out). */
export function clampView(view: ImageView): ImageView {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, Number.isFinite(view.scale) ? view.scale : 1));
  const half = 1 / (2 * scale);
  const clamp = (c: number) => Math.min(1 - half, Math.max(half, Number.isFinite(c) ? c : 0.5));
  return { scale, cx: clamp(view.cx), cy: clamp(view.cy) };
}

/**
 * The image element's box and transform in a pane: the element is the fitted image's size at the pane's top left,
 * transformed by `translate(x, y) scale(scale)` with transform-origin 0 0.
 */
export interface PaneTransform {
  width: number;
  height: number;
  x: number;
  y: number;
  scale: number;
}

export function paneTransform(view: ImageView, pane: Size, image: Size | null): PaneTransform {
  const fit = fitRect(pane, image);
  return {
    width: fit.width,
    height: fit.height,
    x: pane.width / 2 - view.cx * fit.width * view.scale,
    y: pane.height / 2 - view.cy * fit.height * view.scale,
    scale: view.scale,
  };
}

export function transformCss(t: PaneTransform): string {
  return `translate(${t.x}px, ${t.y}px) scale(${t.scale})`;
}

/** The part of the image a pane shows, as fractions of the image's width and height (clipped to the image). */
export function visibleRegion(view: ImageView, pane: Size, image: Size | null): { x0: number; y0: number; x1: number; y1: number } {
  const fit = fitRect(pane, image);
  const hw = pane.width / (2 * fit.width * view.scale);
  const hh = pane.height / (2 * fit.height * view.scale);
  const c = (v: number) => Math.min(1, Math.max(0, v));
  return { x0: c(view.cx - hw), y0: c(view.cy - hh), x1: c(view.cx + hw), y1: c(view.cy + hh) };
}

/** Zooms by `factor` keeping the image point under (px, py), in px of the given pane, where it is. */
export function zoomAbout(view: ImageView, factor: number, px: number, py: number, pane: Size, image: Size | null): ImageView {
  const fit = fitRect(pane, image);
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
  const dx = px - pane.width / 2;
  const dy = py - pane.height / 2;
  const u = view.cx + dx / (fit.width * view.scale);
  const v = view.cy + dy / (fit.height * view.scale);
  return clampView({ scale, cx: u - dx / (fit.width * scale), cy: v - dy / (fit.height * scale) });
}

/** Pans by a drag of (dx, dy) px in the given pane: the image follows the pointer. */
export function panBy(view: ImageView, dx: number, dy: number, pane: Size, image: Size | null): ImageView {
  const fit = fitRect(pane, image);
  return clampView({ scale: view.scale, cx: view.cx - dx / (fit.width * view.scale), cy: view.cy - dy / (fit.height * view.scale) });
}

// The loupe's zoom: fit (the whole photo, never enlarged past 100%), 100% (one image pixel per screen pixel), wheel zoom about the cursor and drag to pan.

import { untrack } from 'svelte';

export const MAX_ZOOM = 8;

export interface LoupeGeometry {
  /** The stage, px. */
  w: number;
  h: number;
  /** The photo's natural size, px. */
  iw: number;
  ih: number;
}

/** The scale that shows the whole photo: fit into the stage, but never enlarged past 100% unless asked. */
export const fitScale = (g: LoupeGeometry): number => (g.iw && g.ih ? Math.min(1, g.w / g.iw, g.h / g.ih) : 1);

/** Keeps the photo over the stage: centred along an axis where it is smaller, else its edges never inside the stage. */
export function clampPan(scale: number, x: number, y: number, g: LoupeGeometry): { x: number; y: number } {
  const axis = (pos: number, view: number, size: number) => (size <= view ? (view - size) / 2 : Math.min(0, Math.max(view - size, pos)));
  return { x: axis(x, g.w, g.iw * scale), y: axis(y, g.h, g.ih * scale) };
}

export class LoupeView {
  geometry = $state<LoupeGeometry>({ w: 0, h: 0, iw: 0, ih: 0 });
  /** null: fit, following the stage's size; else a scale of the natural size with the photo's top-left at x, y. */
  zoom = $state<{ scale: number; x: number; y: number } | null>(null);

  readonly fit = $derived(fitScale(this.geometry));
  readonly scale = $derived(this.zoom?.scale ?? this.fit);
  readonly offset = $derived(this.zoom ? { x: this.zoom.x, y: this.zoom.y } : clampPan(this.fit, 0, 0, this.geometry));
  readonly transform = $derived(`translate(${this.offset.x}px, ${this.offset.y}px) scale(${this.scale})`);
  readonly percent = $derived(Math.round(this.scale * 100));

  /** Another photo starts fitted. */
  reset(iw: number, ih: number): void {
    this.geometry = { ...this.geometry, iw, ih };
    this.zoom = null;
  }

  resize(w: number, h: number): void {
    this.geometry = { ...this.geometry, w, h };
    if (this.zoom) this.zoom = { scale: this.zoom.scale, ...clampPan(this.zoom.scale, this.zoom.x, this.zoom.y, this.geometry) };
  }

  /** Scales to `scale` keeping the image point under (px, py) in place (the stage's centre by default). */
  zoomTo(scale: number, px = this.geometry.w / 2, py = this.geometry.h / 2): void {
    const s = Math.min(MAX_ZOOM, Math.max(Math.min(this.fit, 1), scale));
    const k = s / this.scale;
    const o = this.offset;
    this.zoom = { scale: s, ...clampPan(s, px - (px - o.x) * k, py - (py - o.y) * k, this.geometry) };
  }

  /** Z: fit ↔ 100% (about a point, as Lightroom's click-to-zoom). */
  toggle(px?: number, py?: number): void {
    if (this.zoom && Math.abs(this.zoom.scale - this.fit) > 1e-6) this.zoom = null;
    else this.zoomTo(1, px, py);
  }

  panBy(dx: number, dy: number): void {
    const s = this.scale;
    const o = this.offset;
    this.zoom = { scale: s, ...clampPan(s, o.x + dx, o.y + dy, this.geometry) };
  }

  /** A Svelte attachment on the stage: size tracking, wheel zoom about the cursor, drag to pan, double-click for Z. */
  attach = (node: HTMLElement): (() => void) => {
    // The attachment runs in an effect: reading the geometry it writes would re-run it forever.
    const measure = () => untrack(() => this.resize(node.clientWidth, node.clientHeight));
    const ro = new ResizeObserver(measure);
    ro.observe(node);
    measure();
    let drag: { id: number; x: number; y: number } | null = null;
    const at = (e: MouseEvent) => {
      const r = node.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top] as const;
    };
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      this.zoomTo(this.scale * Math.exp(-e.deltaY * 0.002), ...at(e));
    };
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
      node.setPointerCapture(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      this.panBy(e.clientX - drag.x, e.clientY - drag.y);
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
    };
    const onUp = (e: PointerEvent) => {
      if (drag?.id === e.pointerId) drag = null;
    };
    const onDbl = (e: MouseEvent) => this.toggle(...at(e));
    node.addEventListener('wheel', onWheel, { passive: false });
    node.addEventListener('pointerdown', onDown);
    node.addEventListener('pointermove', onMove);
    node.addEventListener('pointerup', onUp);
    node.addEventListener('pointercancel', onUp);
    node.addEventListener('dblclick', onDbl);
    return () => {
      ro.disconnect();
      node.removeEventListener('wheel', onWheel);
      node.removeEventListener('pointerdown', onDown);
      node.removeEventListener('pointermove', onMove);
      node.removeEventListener('pointerup', onUp);
      node.removeEventListener('pointercancel', onUp);
      node.removeEventListener('dblclick', onDbl);
    };
  };
}

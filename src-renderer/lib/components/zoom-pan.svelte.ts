// One zoom and pan shared by several image viewports (Inspect): wheel zooms about the cursor, drag pans, every viewport shows the same transform.

export const MIN_SCALE = 1;
export const MAX_SCALE = 16;

export interface ViewTransform {
  scale: number;
  /** Translation in px of the viewport, applied before the scale (transform-origin 0 0). */
  x: number;
  y: number;
}

/** Keeps the zoomed image covering a viewport of w x h px. */
export function clampView(next: ViewTransform, w: number, h: number): ViewTransform {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, next.scale));
  return {
    scale,
    x: Math.min(0, Math.max(w * (1 - scale), next.x)),
    y: Math.min(0, Math.max(h * (1 - scale), next.y)),
  };
}

/**
 * The transform every attached viewport's image shows. Attach a viewport with `{@attach zoom.attach}` and give its
 * images `style:transform={zoom.transform}`; viewports of the same size then stay in step.
 */
export class SharedZoom {
  view = $state<ViewTransform>({ scale: 1, x: 0, y: 0 });
  readonly transform = $derived(`translate(${this.view.x}px, ${this.view.y}px) scale(${this.view.scale})`);

  reset(): void {
    this.view = { scale: 1, x: 0, y: 0 };
  }

  /** Zooms by `factor` about a point (px in a viewport of w x h). */
  zoomAt(factor: number, px: number, py: number, w: number, h: number): void {
    const v = this.view;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
    const k = scale / v.scale;
    this.view = clampView({ scale, x: px - (px - v.x) * k, y: py - (py - v.y) * k }, w, h);
  }

  /** A Svelte attachment: wheel over the node zooms about the cursor, a drag pans; both change the one shared view. */
  attach = (node: HTMLElement): (() => void) => {
    let drag: { id: number; x: number; y: number } | null = null;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = node.getBoundingClientRect();
      this.zoomAt(Math.exp(-e.deltaY * 0.002), e.clientX - r.left, e.clientY - r.top, r.width, r.height);
    };
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
      node.setPointerCapture(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      const r = node.getBoundingClientRect();
      const v = this.view;
      this.view = clampView({ scale: v.scale, x: v.x + e.clientX - drag.x, y: v.y + e.clientY - drag.y }, r.width, r.height);
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
    };
    const onUp = (e: PointerEvent) => {
      if (drag?.id === e.pointerId) drag = null;
    };
    node.addEventListener('wheel', onWheel, { passive: false });
    node.addEventListener('pointerdown', onDown);
    node.addEventListener('pointermove', onMove);
    node.addEventListener('pointerup', onUp);
    node.addEventListener('pointercancel', onUp);
    return () => {
      node.removeEventListener('wheel', onWheel);
      node.removeEventListener('pointerdown', onDown);
      node.removeEventListener('pointermove', onMove);
      node.removeEventListener('pointerup', onUp);
      node.removeEventListener('pointercancel', onUp);
    };
  };
}

// One zoom and pan shared by several image viewports (Inspect, Compare): a view of the image, mapped onto each viewport by its own size, so every one shows the same region.
import { FULL_VIEW, clampView, panBy, paneTransform, transformCss, zoomAbout, type ImageView, type Size } from './zoom-map';

/**
 * The one view every attached viewport shows. Attach a viewport with `{@attach zoom.attach}`: the attachment measures
 * the viewport and its (first) image and sets `--zoom-w`, `--zoom-h` and `--zoom-transform` on it, which the
 * `.viewport img` rule of app.css applies. Wheel over a viewport zooms about the cursor, a drag pans; both change the
 * shared view, so viewports of different sizes and aspects stay on the same part of the image.
 */
export class SharedZoom {
  view = $state<ImageView>({ ...FULL_VIEW });

  reset(): void {
    this.view = { ...FULL_VIEW };
  }

  /** Zoom to `scale` about the image's centre (the keyboard's zoom). */
  zoomTo(scale: number): void {
    this.view = clampView({ ...this.view, scale });
  }

  attach = (node: HTMLElement): (() => void) => {
    let pane = $state<Size>({ width: node.clientWidth, height: node.clientHeight });
    let image = $state<Size | null>(null);
    const readImage = () => {
      const img = node.querySelector('img');
      image = img && img.naturalWidth > 0 ? { width: img.naturalWidth, height: img.naturalHeight } : null;
    };
    readImage();
    const resize = new ResizeObserver(() => (pane = { width: node.clientWidth, height: node.clientHeight }));
    resize.observe(node);

    $effect(() => {
      const t = paneTransform(this.view, pane, image);
      node.style.setProperty('--zoom-w', `${t.width}px`);
      node.style.setProperty('--zoom-h', `${t.height}px`);
      node.style.setProperty('--zoom-transform', transformCss(t));
    });

    let drag: { id: number; x: number; y: number } | null = null;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = node.getBoundingClientRect();
      this.view = zoomAbout(this.view, Math.exp(-e.deltaY * 0.002), e.clientX - r.left - node.clientLeft, e.clientY - r.top - node.clientTop, pane, image);
    };
    const onDown = (e: PointerEvent) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
      node.setPointerCapture(e.pointerId);
    };
    const onMove = (e: PointerEvent) => {
      if (!drag || drag.id !== e.pointerId) return;
      this.view = panBy(this.view, e.clientX - drag.x, e.clientY - drag.y, pane, image);
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY };
    };
    const onUp = (e: PointerEvent) => {
      if (drag?.id === e.pointerId) drag = null;
    };
    node.addEventListener('load', readImage, true);
    node.addEventListener('wheel', onWheel, { passive: false });
    node.addEventListener('pointerdown', onDown);
    node.addEventListener('pointermove', onMove);
    node.addEventListener('pointerup', onUp);
    node.addEventListener('pointercancel', onUp);
    return () => {
      resize.disconnect();
      node.removeEventListener('load', readImage, true);
      node.removeEventListener('wheel', onWheel);
      node.removeEventListener('pointerdown', onDown);
      node.removeEventListener('pointermove', onMove);
      node.removeEventListener('pointerup', onUp);
      node.removeEventListener('pointercancel', onUp);
    };
  };
}

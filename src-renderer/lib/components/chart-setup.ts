// Chart.js with only the parts the workbench uses registered (keeps the bundle small), themed from app.css variables.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip, Title);

export { Chart };

/** One line of a line chart: points by epoch (or any x). */
export interface LineSeries {
  label: string;
  points: { x: number; y: number }[];
  color: string;
  dashed?: boolean;
}

/** One point of a scatter chart: `name` labels it in tooltips, `id` is the image a click opens, `xErr` a horizontal error bar (±). */
export interface ScatterPoint {
  x: number;
  y: number;
  name?: string;
  id?: number;
  xErr?: number;
}

/** One group of points of a scatter chart. */
export interface ScatterGroup {
  label: string;
  points: ScatterPoint[];
  color: string;
}

/** Distinct colours that read on both dark and light panels, one per selected run. */
export const PALETTE = ['#5aa9ff', '#f5a524', '#58c48b', '#ef6b6b', '#b48cff', '#4fd1c5', '#f783ac', '#c0ca33', '#ff8a65', '#90a4ae'];

export function colourFor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** The app's text, muted and grid colours, read from the CSS variables so the charts follow the theme. */
export function themeColours(): { text: string; muted: string; grid: string } {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { text: v('--text', '#e6e8ee'), muted: v('--muted', '#9aa1b2'), grid: v('--line', '#2f3440') };
}

/** Axis options shared by the charts. */
export function axis(title: string, colours: ReturnType<typeof themeColours>, extra: Record<string, unknown> = {}) {
  return {
    type: 'linear' as const,
    title: { display: !!title, text: title, color: colours.muted },
    ticks: { color: colours.muted },
    grid: { color: colours.grid },
    border: { color: colours.grid },
    ...extra,
  };
}

/** A chart as a PNG data URL (toBase64Image), redrawn at `ratio`× pixel density and laid on the panel colour so it reads outside the app. */
export async function chartPng(chart: Chart, ratio = 3): Promise<string> {
  const prev = chart.options.devicePixelRatio;
  chart.options.devicePixelRatio = Math.max(ratio, window.devicePixelRatio || 1);
  chart.resize();
  const src = chart.toBase64Image('image/png', 1);
  chart.options.devicePixelRatio = prev;
  chart.resize();
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx) return src;
  const css = getComputedStyle(document.documentElement);
  ctx.fillStyle = css.getPropertyValue('--panel').trim() || '#1c1f26';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0);
  return canvas.toDataURL('image/png');
}

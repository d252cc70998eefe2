// UI bench figures: order statistics, missed-vsync shares, the printed table (one row per metric) and the JSON written beside it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Stats {
  n: number;
  median: number;
  p95: number;
  max: number;
}
export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN };
}
export const share = (xs: number[], over: number): number => (xs.length ? xs.filter((x) => x > over).length / xs.length : NaN);
/**
 * rAF deltas come in whole vsync intervals (16.7, 33.3, 50 ms…) plus ±0.1 ms of jitter, so "over 16.7 ms" means at
 * least one vsync missed (delta > 1.5 intervals) and "over 33.3 ms" at least two (delta > 2.5 intervals).
 */
const VSYNC = 1000 / 60;
export const overFrames = (xs: number[], frames: 1 | 2): number => share(xs, (frames + 0.5) * VSYNC);

export const ms = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export type Row = { metric: string; n: number; median: number; p95: number; max: number; extra: string };
export const row = (metric: string, xs: number[], extra = ''): Row => ({ metric, ...stats(xs), extra });
export function printRows(rows: Row[]): void {
  const widths = [52, 6, 8, 8, 8];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : i < widths.length ? c.padStart(widths[i]!) : `  ${c}`)).join(' ');
  console.log(line(['metric', 'n', 'median', 'p95', 'max', 'notes']));
  console.log('-'.repeat(widths.reduce((a, b) => a + b + 1, 0) + 40));
  for (const r of rows) console.log(line([r.metric, String(r.n), ms(r.median), ms(r.p95), ms(r.max), r.extra]));
}

export interface Frames {
  deltas: number[];
  longTasks: number[];
  /** Per frame: the share of the grid's rendered cells that were still grey placeholders (their page not loaded). */
  blank: number[];
}
export const frameRow = (metric: string, f: Frames, extra: string): Row =>
  row(
    metric,
    f.deltas,
    `>16.7ms ${pct(overFrames(f.deltas, 1))}, >33.3ms ${pct(overFrames(f.deltas, 2))}, long tasks ${f.longTasks.length}; cells grey ${pct(mean(f.blank))}${extra}`,
  );

export const log = (msg: string): boolean => process.stderr.write(`${msg}\n`);

/** The machine the figures were taken on. */
export const machineInfo = () => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', memGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg() });

/** Writes `<out>/<prefix>-<time>.json` (the date first) and says where. */
export function writeResults(out: string, prefix: string, results: Record<string, unknown>): void {
  mkdirSync(out, { recursive: true });
  const file = join(out, `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2));
  console.log(`\nwritten ${file}`);
}

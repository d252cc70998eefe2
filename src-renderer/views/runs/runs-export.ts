// The runs table as files: CSV with every metric at full precision, LaTeX (booktabs) with the best value in bold.
import type { RunDetail } from '../../../src-shared/api/schemas';
import { toCsv, toLatex, type Cell, type LatexColumn } from '../../lib/compare';
import { lastEpoch } from '../../lib/state/runs.svelte';
import type { RunRow } from './runs-table';

const METRIC_COLUMNS = ['srcc', 'plcc', 'krcc', 'rmse', 'plcc_fitted', 'rmse_fitted', 'train_loss'] as const;

/** Every unscoped metric of a run's last epoch (srcc, plcc, plcc_fitted, …), at full precision. */
export function lastMetrics(d: RunDetail | undefined): Record<string, number> {
  const last = lastEpoch(d);
  const out: Record<string, number> = {};
  if (d && last) for (const m of d.metrics) if (m.epoch === last.epoch && !m.name.includes('/')) out[m.name] = m.value;
  return out;
}

interface Table {
  header: string[];
  rows: Cell[][];
}

/** The runs table as shown (same order), with the database values of the last epoch. */
function runsTable(rows: readonly RunRow[], details: Record<number, RunDetail | undefined>): Table {
  const header = ['id', 'name', 'model', 'dataset', 'split', 'status', 'epoch', 'epochs', ...METRIC_COLUMNS];
  const out = rows.map((r) => {
    const d = details[r.run.id];
    const m = lastMetrics(d);
    return [r.run.id, r.run.name, r.run.model, r.dataset, d ? String(d.config.split ?? '') : '', r.run.status, r.last?.epoch ?? null, r.epochs, ...METRIC_COLUMNS.map((k) => m[k])];
  });
  return { header, rows: out };
}

export function runsCsv(rows: readonly RunRow[], details: Record<number, RunDetail | undefined>): string {
  const t = runsTable(rows, details);
  return toCsv(t.header, t.rows);
}

export function runsLatex(rows: readonly RunRow[], details: Record<number, RunDetail | undefined>): string {
  const t = runsTable(rows, details);
  const keep = ['id', 'name', 'model', 'dataset', 'epoch', 'srcc', 'plcc', 'krcc', 'rmse'];
  const idx = keep.map((k) => t.header.indexOf(k));
  const columns: LatexColumn[] = keep.map((k) => ({
    header: k === 'id' ? 'Run' : k.length <= 4 ? k.toUpperCase() : k[0]!.toUpperCase() + k.slice(1),
    numeric: ['srcc', 'plcc', 'krcc', 'rmse'].includes(k),
    best: k === 'rmse' ? 'min' : ['srcc', 'plcc', 'krcc'].includes(k) ? 'max' : undefined,
  }));
  columns[0]!.numeric = false;
  const body = t.rows.map((r) => idx.map((j) => r[j]));
  return toLatex(columns, body, 'Test-set results at the last epoch (best in bold).');
}

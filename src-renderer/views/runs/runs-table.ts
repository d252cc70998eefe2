// The runs table's columns and its sort: missing values last in either direction, ties newest first.
import type { RunSummary } from '../../../src-shared/api/schemas';
import type { EpochSummary } from '../../lib/state/runs.svelte';
import type { EpochFigures } from '../../../src-shared/metrics/epoch-figures';

export type SortKey = 'id' | 'name' | 'model' | 'dataset' | 'split' | 'variant' | 'status' | 'epoch' | 'srcc' | 'plcc' | 'krcc' | 'rmse';

export interface RunRow {
  run: RunSummary;
  dataset: string;
  split: string;
  /** The run's values of the ablation switches, e.g. "lr=0.001 · kernels=8". */
  variant: string;
  last: EpochSummary | null;
  /** The epoch of highest test SRCC (selected on the test set), or null before any epoch. */
  best: EpochFigures | null;
  epochs: number | null;
}

export const COLUMNS: { key: SortKey; label: string; numeric?: boolean; title?: string }[] = [
  { key: 'id', label: '#', numeric: true },
  { key: 'name', label: 'Name' },
  { key: 'model', label: 'Model' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'split', label: 'Split' },
  { key: 'variant', label: 'Switches', title: 'The ablation switches this run sets' },
  { key: 'status', label: 'Status' },
  { key: 'epoch', label: 'Epoch', numeric: true },
  { key: 'srcc', label: 'SRCC', numeric: true },
  { key: 'plcc', label: 'PLCC', numeric: true },
  { key: 'krcc', label: 'KRCC', numeric: true },
  { key: 'rmse', label: 'RMSE', numeric: true },
];

/** Clicking a new column sorts it best (or newest) first where that means descending. */
export const descendingFirst = (key: SortKey): boolean => key === 'id' || key === 'srcc' || key === 'plcc' || key === 'krcc' || key === 'epoch';

function sortValue(r: RunRow, key: SortKey): string | number | undefined {
  switch (key) {
    case 'id':
      return r.run.id;
    case 'name':
      return r.run.name.toLowerCase();
    case 'model':
      return r.run.model;
    case 'dataset':
      return r.dataset.toLowerCase();
    case 'split':
      return r.split;
    case 'variant':
      return r.variant;
    case 'status':
      return r.run.status;
    case 'epoch':
      return r.last?.epoch;
    default:
      return r.last?.[key];
  }
}

/** A sorted copy of `rows`. */
export function sortRows(rows: readonly RunRow[], key: SortKey, descending: boolean): RunRow[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === undefined && vb === undefined) return b.run.id - a.run.id;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    if (va === vb) return b.run.id - a.run.id;
    return (va < vb ? -1 : 1) * dir;
  });
}

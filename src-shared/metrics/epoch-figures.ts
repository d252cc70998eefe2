// A run's last-epoch and best-epoch test figures; the best epoch is picked by test SRCC, so it is flagged as selected on the test set (optimistic, as the official HyperIQA code reports it).

/** One stored metric point (MetricPoint of the runs schema). */
interface Point {
  epoch: number | null;
  name: string;
  value: number;
}

export interface EpochFigures {
  epoch: number;
  srcc?: number;
  plcc?: number;
  krcc?: number;
  rmse?: number;
}

export interface RunFigures {
  /** The last epoch's figures: the honest held-out result. */
  last: EpochFigures | null;
  /** The epoch of highest test SRCC (the earliest on a tie): chosen by looking at the test set. */
  best: EpochFigures | null;
}

/** What a best-epoch figure is: picked on the test images it is reported on. */
export const BEST_EPOCH_NOTE = 'selected on the test set';

const HEADLINE = ['srcc', 'plcc', 'krcc', 'rmse'] as const;

export function runFigures(metrics: readonly Point[]): RunFigures {
  const byEpoch = new Map<number, EpochFigures>();
  for (const m of metrics) {
    if (m.epoch === null || !(HEADLINE as readonly string[]).includes(m.name) || !Number.isFinite(m.value)) continue;
    const e = byEpoch.get(m.epoch) ?? { epoch: m.epoch };
    e[m.name as (typeof HEADLINE)[number]] = m.value;
    byEpoch.set(m.epoch, e);
  }
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const last = epochs[epochs.length - 1] ?? null;
  let best: EpochFigures | null = null;
  for (const e of epochs) if (e.srcc !== undefined && (!best || e.srcc > best.srcc!)) best = e;
  return { last, best };
}

/** "SRCC 0.812 (last, epoch 16) · best 0.830 at epoch 9, selected on the test set"; the best part only when it differs from the last. */
export function figuresText(f: RunFigures, digits = 3): string {
  if (!f.last) return 'no epoch yet';
  const v = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(digits));
  const last = `SRCC ${v(f.last.srcc)} (last, epoch ${f.last.epoch})`;
  if (!f.best || f.best.epoch === f.last.epoch) return `${last}; best epoch is the last`;
  return `${last} · best ${v(f.best.srcc)} at epoch ${f.best.epoch}, ${BEST_EPOCH_NOTE}`;
}

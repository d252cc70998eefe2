// Training runs for the Train and Runs screens: the run list, live progress from runs:progress, cached details, start/cancel/resume.
import type { InputOf } from '../../../src-shared/api/contract';
import type { MetricPoint, RunDetail, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { call, on } from '../api';
import { errorMessage } from '../handle-error';

export type RunStatus = RunSummary['status'];

/** What the UI knows about a run's progress: the latest of each field from its runs:progress events. */
export interface LiveProgress {
  status: RunStatus;
  epoch?: number;
  epochs?: number;
  step?: number;
  stepsPerEpoch?: number;
  loss?: number;
  etaSeconds?: number;
  /** Overall fraction done, 0..1. */
  fraction?: number;
  metrics?: Record<string, number>;
  error?: string;
}

/** The headline test metrics of one epoch. */
export interface EpochSummary {
  epoch: number;
  srcc?: number;
  plcc?: number;
  krcc?: number;
  rmse?: number;
  train_loss?: number;
}

export const RESUMABLE: readonly RunStatus[] = ['cancelled', 'failed', 'paused'];
export const isActive = (s: RunStatus) => s === 'running' || s === 'queued';

/** Per-epoch series of one metric, sorted by epoch. */
export function series(metrics: MetricPoint[], name: string): { x: number; y: number }[] {
  return metrics
    .filter((m) => m.name === name && m.epoch !== null)
    .map((m) => ({ x: m.epoch!, y: m.value }))
    .sort((a, b) => a.x - b.x);
}

/** The last recorded epoch's headline metrics, or null before the first epoch ends. */
export function lastEpoch(detail: RunDetail | undefined): EpochSummary | null {
  if (!detail) return null;
  let epoch = -1;
  for (const m of detail.metrics) if (m.epoch !== null && m.epoch > epoch) epoch = m.epoch;
  if (epoch < 0) return null;
  const out: EpochSummary = { epoch };
  for (const m of detail.metrics) {
    if (m.epoch !== epoch) continue;
    if (m.name === 'srcc' || m.name === 'plcc' || m.name === 'krcc' || m.name === 'rmse' || m.name === 'train_loss') out[m.name] = m.value;
  }
  return out;
}

/** Epochs configured for a run, from its stored config. */
export function configuredEpochs(detail: RunDetail | undefined): number | null {
  const hyper = detail?.config.hyper as { epochs?: unknown } | undefined;
  return typeof hyper?.epochs === 'number' ? hyper.epochs : null;
}

class RunsState {
  list = $state.raw<RunSummary[]>([]);
  loaded = $state(false);
  live = $state<Record<number, LiveProgress>>({});
  details = $state.raw<Record<number, RunDetail>>({});
  error = $state<string | null>(null);
  /** Runs ticked on Runs / Compare, in ticking order (kept while the user visits other screens). */
  checked = $state<number[]>([]);
  #started = false;
  /** Runs whose detail is being fetched. */
  #loading = new Set<number>();
  #detailTimers = new Map<number, ReturnType<typeof setTimeout>>();
  #listTimer: ReturnType<typeof setTimeout> | null = null;

  /** Subscribes to runs:progress once for the app's lifetime and loads the list. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    on('runs:progress', (p) => this.#onProgress(p));
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.list = await call('runs:list', {});
      this.loaded = true;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  /** Loads (or reloads) one run's detail with its metrics. */
  async loadDetail(id: number): Promise<RunDetail | null> {
    this.#loading.add(id);
    try {
      const d = await call('runs:get', { id });
      this.details = { ...this.details, [id]: d };
      return d;
    } catch (e) {
      this.error = errorMessage(e);
      return null;
    } finally {
      this.#loading.delete(id);
    }
  }

  /** Loads the details of the given runs that are not cached yet. */
  async ensureDetails(ids: number[]): Promise<void> {
    await Promise.all(ids.filter((id) => !this.details[id]).map((id) => this.loadDetail(id)));
  }

  status(id: number): RunStatus | undefined {
    return this.list.find((r) => r.id === id)?.status;
  }

  async startRun(input: InputOf<'runs:start'>): Promise<RunSummary> {
    const run = await call('runs:start', input);
    this.#upsert(run);
    // Progress events may have arrived before this answer: they are newer, so they win.
    this.live[run.id] = { status: run.status, fraction: 0, epochs: input.hyper?.epochs, ...this.live[run.id] };
    void this.loadDetail(run.id);
    return run;
  }

  /** The same config on N splits, one run after another: the first starts now, the service starts the rest. */
  async startSeries(input: InputOf<'runs:startSeries'>): Promise<{ first: RunSummary; splits: string[] }> {
    const series = await call('runs:startSeries', input);
    this.#upsert(series.first);
    this.live[series.first.id] = { status: series.first.status, fraction: 0, epochs: input.hyper?.epochs, ...this.live[series.first.id] };
    void this.loadDetail(series.first.id);
    return series;
  }

  async cancel(id: number): Promise<void> {
    await call('runs:cancel', { id });
  }

  async resume(id: number): Promise<RunSummary> {
    const run = await call('runs:resume', { id });
    this.#upsert(run);
    const prev = this.live[id];
    this.live[id] = { ...prev, status: run.status, step: undefined, loss: undefined, etaSeconds: undefined, error: undefined };
    void this.loadDetail(id);
    return run;
  }

  #upsert(run: RunSummary): void {
    const i = this.list.findIndex((r) => r.id === run.id);
    this.list = i < 0 ? [run, ...this.list] : this.list.map((r) => (r.id === run.id ? run : r));
  }

  #onProgress(p: RunProgress): void {
    const prev = this.live[p.runId];
    const next: LiveProgress = { ...prev, status: p.status };
    if (p.epochs !== undefined) next.epochs = p.epochs;
    if (p.epoch !== undefined) next.epoch = p.epoch;
    if (p.error !== undefined) next.error = p.error;
    if (p.step !== undefined && p.stepsPerEpoch) {
      next.step = p.step;
      next.stepsPerEpoch = p.stepsPerEpoch;
      if (p.loss !== undefined) next.loss = p.loss;
      if (p.etaSeconds !== undefined) next.etaSeconds = p.etaSeconds;
      if (p.epoch !== undefined && next.epochs) next.fraction = ((p.epoch - 1) * p.stepsPerEpoch + p.step) / (next.epochs * p.stepsPerEpoch);
    } else if (p.metrics && p.epoch !== undefined) {
      next.metrics = p.metrics;
      if (next.epochs) next.fraction = p.epoch / next.epochs;
    }
    if (p.status === 'completed') {
      next.fraction = 1;
      next.etaSeconds = 0;
    }
    if (p.status !== 'running') next.etaSeconds = undefined;
    this.live[p.runId] = next;

    const known = this.list.find((r) => r.id === p.runId);
    if (!known) this.#refreshListSoon();
    else if (known.status !== p.status) {
      if (p.status === 'running') this.list = this.list.map((r) => (r.id === p.runId ? { ...r, status: p.status } : r));
      else this.#refreshListSoon(); // finishedAt changes too
    }
    // A finished epoch or a status change: the curves and metrics in the database moved on.
    // A first load still in flight may have read the database before this event, so it is reloaded too.
    if ((p.metrics || p.status !== 'running') && (this.details[p.runId] || this.#loading.has(p.runId))) this.#reloadDetailSoon(p.runId);
  }

  #refreshListSoon(): void {
    if (this.#listTimer) return;
    this.#listTimer = setTimeout(() => {
      this.#listTimer = null;
      void this.refresh();
    }, 100);
  }

  #reloadDetailSoon(id: number): void {
    if (this.#detailTimers.has(id)) return;
    this.#detailTimers.set(
      id,
      setTimeout(() => {
        this.#detailTimers.delete(id);
        void this.loadDetail(id);
      }, 100),
    );
  }
}

export const runsState = new RunsState();

/** "1 h 02 min", "3 min 05 s", "12 s". */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** A metric to 3 decimals, or a dash. */
export function fmt(v: number | undefined | null, digits = 3): string {
  return v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

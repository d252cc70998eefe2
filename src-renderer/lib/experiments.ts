// Pure helpers of Runs / Compare's experiment views: runs grouped over splits, ablation switches and tables, the cross-dataset SRCC matrix.
import { flattenConfig } from './compare';

/** One run as the experiment views need it: its resolved config and its last epoch's test metrics. */
export interface ExpRun {
  id: number;
  name: string;
  model: string;
  datasetId: number | null;
  status: string;
  config: Record<string, unknown>;
  /** Unscoped metrics of the last epoch (srcc, plcc, krcc, rmse, …). */
  metrics: Record<string, number>;
}

export const GROUP_METRICS = ['srcc', 'plcc', 'krcc', 'rmse'] as const;
export type GroupMetric = (typeof GROUP_METRICS)[number];

/** Median, quartiles (linear interpolation, as numpy's default) and range of a metric over a group's splits. */
export interface Stats {
  n: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

export interface ExperimentGroup {
  key: string;
  model: string;
  datasetId: number | null;
  /** The flattened config every run of the group shares (split, backend and checkpoint paths left out). */
  config: Record<string, string>;
  /** Its runs, oldest first. */
  runs: ExpRun[];
  splits: string[];
  /** Over the group's completed runs. */
  stats: Record<GroupMetric, Stats>;
  /** Completed runs (those counted in the stats). */
  completed: number;
}

/** Config keys that do not make an experiment different: which split, which tensor backend, where a checkpoint lies. */
const IGNORED_KEYS = new Set(['split', 'backend', 'initFrom.checkpoint']);

/** A run's config as an experiment sees it: flattened, without the split and other run-only keys. */
export function experimentConfig(config: Record<string, unknown>): Record<string, string> {
  const flat = flattenConfig(config);
  for (const k of Object.keys(flat)) if (IGNORED_KEYS.has(k)) delete flat[k];
  return flat;
}

const familyKey = (model: string, datasetId: number | null) => `${model}|${datasetId ?? ''}`;

function groupKeyOf(run: ExpRun): string {
  const cfg = experimentConfig(run.config);
  const body = Object.keys(cfg)
    .sort()
    .map((k) => `${k}=${cfg[k]}`)
    .join(';');
  return `${familyKey(run.model, run.datasetId)}|${body}`;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(values: readonly number[]): Stats {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { n: 0, median: Number.NaN, q1: Number.NaN, q3: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { n: v.length, median: quantile(v, 0.5), q1: quantile(v, 0.25), q3: quantile(v, 0.75), min: v[0]!, max: v[v.length - 1]! };
}

/** Runs sharing model, dataset and resolved config (all but the split) form one group; groups come newest first. */
export function groupRuns(runs: readonly ExpRun[]): ExperimentGroup[] {
  const byKey = new Map<string, ExpRun[]>();
  for (const r of runs) {
    const k = groupKeyOf(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const groups = [...byKey.entries()].map(([key, members]): ExperimentGroup => {
    const sorted = [...members].sort((a, b) => a.id - b.id);
    const done = sorted.filter((r) => r.status === 'completed');
    return {
      key,
      model: sorted[0]!.model,
      datasetId: sorted[0]!.datasetId,
      config: experimentConfig(sorted[0]!.config),
      runs: sorted,
      splits: sorted.map((r) => String(r.config.split ?? '')),
      stats: Object.fromEntries(GROUP_METRICS.map((m) => [m, stats(done.map((r) => r.metrics[m] ?? Number.NaN))])) as Record<GroupMetric, Stats>,
      completed: done.length,
    };
  });
  return groups.sort((a, b) => b.runs[b.runs.length - 1]!.id - a.runs[a.runs.length - 1]!.id);
}

/**
 * Ablation switches: for each model and dataset with two or more groups, the config keys whose values differ
 * between those groups. Returned in key order, as one list (the table's extra columns).
 */
export function ablationSwitches(groups: readonly ExperimentGroup[]): string[] {
  const families = new Map<string, ExperimentGroup[]>();
  for (const g of groups) {
    const f = familyKey(g.model, g.datasetId);
    families.set(f, [...(families.get(f) ?? []), g]);
  }
  const keys = new Set<string>();
  for (const members of families.values()) {
    if (members.length < 2) continue;
    const all = new Set(members.flatMap((g) => Object.keys(g.config)));
    for (const k of all) if (new Set(members.map((g) => g.config[k])).size > 1) keys.add(k);
  }
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/** The keys on which two flattened configs differ (a key missing on one side counts). */
export function configDifferences(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort((x, y) => x.localeCompare(y));
}

export interface AblationRow {
  group: ExperimentGroup;
  /** The config key switched (empty for the baseline row). */
  switchKey: string;
  baselineValue: string;
  value: string;
  /** Medians over the group's splits; the change against the baseline is a paired comparison (runs:compareExperiments). */
  srcc: number;
  plcc: number;
  n: number;
  baseline: boolean;
}

/**
 * Keys that a switch changes along with it, so the pair still counts as one switch. HIQA: R_pre's epochs exist only
 * with the quality-aware loss, so `iqa ablation` gives a row without it that many epochs fewer.
 */
const COMPANION_KEYS: Record<string, string[]> = { 'hiqa:modelConfig.qualityAwareLoss': ['hyper.epochs'] };

/** The paper-style ablation table: the baseline, then every group of its model and dataset that differs from it by exactly one switch. */
export function ablationTable(baseline: ExperimentGroup, groups: readonly ExperimentGroup[]): AblationRow[] {
  const row = (g: ExperimentGroup, key: string): AblationRow => ({
    group: g,
    switchKey: key,
    baselineValue: key ? (baseline.config[key] ?? '—') : '',
    value: key ? (g.config[key] ?? '—') : '',
    srcc: g.stats.srcc.median,
    plcc: g.stats.plcc.median,
    n: g.stats.srcc.n,
    baseline: g === baseline,
  });
  const out: AblationRow[] = [];
  for (const g of groups) {
    if (g === baseline || g.model !== baseline.model || g.datasetId !== baseline.datasetId) continue;
    const diff = configDifferences(baseline.config, g.config);
    const switches = diff.filter((k) => !diff.some((s) => COMPANION_KEYS[`${g.model}:${s}`]?.includes(k)));
    if (switches.length === 1) out.push(row(g, switches[0]!));
  }
  out.sort((x, y) => x.switchKey.localeCompare(y.switchKey) || x.value.localeCompare(y.value));
  return [row(baseline, ''), ...out];
}

/** A stored evaluation of a run's checkpoint on a dataset (the fields the matrix reads). */
export interface EvalPoint {
  runId: number;
  datasetId: number;
  srcc: number;
  part: string;
  createdAt: string;
}

export interface MatrixRowInput {
  key: string;
  label: string;
  /** Dataset the row's runs were trained on. */
  datasetId: number | null;
  runs: ExpRun[];
}

export interface MatrixCell {
  /** Median SRCC over the row's runs that have a value here; NaN when none. */
  value: number;
  n: number;
  /** Runs of the row (completed, with a checkpoint to evaluate). */
  of: number;
  /**
   * 'test': the runs' own test split (in-dataset); 'whole': runs trained on every image of the row's dataset and tested
   * on every one of this dataset while training; 'eval': evaluated on another dataset's images afterwards; 'none': the
   * row's whole-dataset runs trained on this dataset's every image, so nothing of it is held out.
   */
  source: 'test' | 'whole' | 'eval' | 'none';
  /** Completed runs without a value here yet (to evaluate). */
  missing: number[];
}

/** The dataset a whole-dataset run tested on while training (config.testDatasetId), or null for a run on a split. */
export const wholeTestDataset = (r: ExpRun): number | null => (typeof r.config.testDatasetId === 'number' ? r.config.testDatasetId : null);

/**
 * Trained on the row's dataset, tested on each column's dataset: in-dataset cells are the median test-split SRCC
 * of the last epoch; a whole-dataset row's cell of its test dataset is the median of its last epoch's SRCC there, and
 * its own dataset's cell stays empty; other cells the median SRCC of the latest stored evaluation of each run there.
 */
export function crossMatrix(rows: readonly MatrixRowInput[], datasetIds: readonly number[], evals: readonly EvalPoint[]): MatrixCell[][] {
  const latest = new Map<string, EvalPoint>();
  for (const e of evals) {
    const k = `${e.runId}:${e.datasetId}`;
    const prev = latest.get(k);
    if (!prev || e.createdAt >= prev.createdAt) latest.set(k, e);
  }
  return rows.map((row) => {
    const done = row.runs.filter((r) => r.status === 'completed');
    const whole = done.length > 0 && done.every((r) => wholeTestDataset(r) !== null);
    return datasetIds.map((ds): MatrixCell => {
      const own = ds === row.datasetId;
      const source: MatrixCell['source'] = whole ? (own ? 'none' : done.every((r) => wholeTestDataset(r) === ds) ? 'whole' : 'eval') : own ? 'test' : 'eval';
      const values: number[] = [];
      const missing: number[] = [];
      for (const r of done) {
        if (source === 'none') break;
        const v = source === 'eval' ? latest.get(`${r.id}:${ds}`)?.srcc : r.metrics.srcc;
        if (v !== undefined && Number.isFinite(v)) values.push(v);
        else missing.push(r.id);
      }
      return { value: values.length ? stats(values).median : Number.NaN, n: values.length, of: done.length, source, missing: source === 'eval' ? missing : [] };
    });
  });
}

// `iqa train --config`, `iqa eval` and `iqa runs`: training runs (one split or the N-split protocol) and their evaluation.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { AppError } from '../../src-shared/api/errors';
import type { RunDetail, RunProgress, RunSummary, SplitSummary } from '../../src-shared/api/schemas';
import { BackendChoice, TrainHyperInput } from '../../src-shared/api/schemas';
import { describeIssues } from '../../src-shared/api/validate';
import { summarizeSplits } from '../../src-shared/metrics/index';
import { enoughToEvaluate, evaluateCheckpoint } from '../iqa/evaluate-checkpoint';
import type { Runtime } from '../runtime';
import { findDataset, withRuntime } from './datasets.command';
import { invokeOrThrow } from './run-job';
import { termPad } from './term';
import { getModel } from '../iqa/registry';
import { fromScratchWarnings } from '../../src-shared/models/from-scratch';
import { BEST_EPOCH_NOTE, figuresText, runFigures } from '../../src-shared/metrics/epoch-figures';

/** What a training config file holds (JSON). `splits: N` runs the N-split protocol and reports the median. */
export const TrainConfigFile = z
  .object({
    name: z.string().min(1).max(200).optional(),
    model: z.string().min(1),
    dataset: z.union([z.string().min(1), z.number().int().positive()]),
    split: z.string().min(1).optional(),
    splits: z.number().int().min(1).max(100).optional(),
    /** Whole-dataset training (cross-dataset tables): train on every labelled image of `dataset`, test on every one of this dataset (name or id). */
    testDataset: z.union([z.string().min(1), z.number().int().positive()]).optional(),
    modelConfig: z.record(z.string(), z.json()).default({}),
    hyper: TrainHyperInput.default({}),
    backend: BackendChoice.optional(),
    /** Start from this run's latest weights (fine-tuning, or continuing a finished run with a new schedule). */
    initFromRun: z.number().int().positive().optional(),
  })
  .strict();
export type TrainConfigFile = z.infer<typeof TrainConfigFile>;

export async function readConfig(file: string): Promise<TrainConfigFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new AppError('bad_input', `Cannot read config ${file}: ${(err as Error).message}`);
  }
  const r = TrainConfigFile.safeParse(raw);
  if (!r.success) throw new AppError('validation', `Invalid config ${file}: ${describeIssues(r.error).map((i) => `${i.path || '(top)'}: ${i.message}`).join('; ')}`);
  if (r.data.split && r.data.splits) throw new AppError('validation', `Invalid config ${file}: give "split" or "splits", not both`);
  if (r.data.testDataset !== undefined && (r.data.split || r.data.splits)) {
    throw new AppError('validation', `Invalid config ${file}: "testDataset" trains on every image of "dataset", so it takes no "split" or "splits"`);
  }
  return r.data;
}

function waitForEnd(rt: Runtime, runId: number, quiet: boolean): Promise<RunProgress> {
  let lastLine = 0;
  return new Promise((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      if (event !== 'runs:progress') return;
      const p = payload as RunProgress;
      if (p.runId !== runId) return;
      if (!quiet && p.metrics) {
        const m = p.metrics;
        const fmt = (k: string) => (m[k] === undefined ? '' : ` ${k} ${m[k]!.toFixed(4)}`);
        process.stderr.write(`run ${runId} epoch ${p.epoch}/${p.epochs}:${fmt('train_loss')}${fmt('srcc')}${fmt('plcc')}${fmt('krcc')}${fmt('rmse')}\n`);
      } else if (!quiet && p.step) {
        const line = `run ${runId} epoch ${p.epoch} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss?.toFixed(4)} ETA ${Math.round(p.etaSeconds ?? 0)}s`;
        if (process.stderr.isTTY) process.stderr.write(`\r${line}   \r`);
        else if (Date.now() - lastLine > 30_000) {
          // Logs (nohup, CI) get a line every 30 s instead of a rewritten one.
          lastLine = Date.now();
          process.stderr.write(`${line}\n`);
        }
      }
      if (p.status !== 'running') {
        off();
        resolve(p);
      }
    });
  });
}

const lastEpochMetrics = (detail: RunDetail): Record<string, number> => {
  const last = Math.max(0, ...detail.metrics.map((m) => m.epoch ?? 0));
  return Object.fromEntries(detail.metrics.filter((m) => m.epoch === last).map((m) => [m.name, m.value]));
};

export async function trainOne(rt: Runtime, cfg: TrainConfigFile, datasetId: number, split: string | undefined, quiet: boolean) {
  const testDatasetId = cfg.testDataset === undefined ? undefined : (await findDataset(rt, cfg.testDataset)).id;
  const run = (await invokeOrThrow(rt, 'runs:start', {
    ...(testDatasetId !== undefined ? { testDatasetId } : {}),
    model: cfg.model,
    datasetId,
    modelConfig: cfg.modelConfig,
    hyper: cfg.hyper,
    ...(cfg.name ? { name: split ? `${cfg.name} [${split}]` : cfg.name } : {}),
    ...(split ? { split } : {}),
    ...(cfg.backend ? { backend: cfg.backend } : {}),
    ...(cfg.initFromRun ? { initFromRun: cfg.initFromRun } : {}),
  })) as RunSummary;
  const sigint = () => void rt.invoke('runs:cancel', { id: run.id });
  process.once('SIGINT', sigint);
  const end = await waitForEnd(rt, run.id, quiet);
  process.off('SIGINT', sigint);
  const detail = (await invokeOrThrow(rt, 'runs:get', { id: run.id })) as RunDetail;
  if (end.status !== 'completed') throw new AppError('internal', `Run ${run.id} ${end.status}${end.error ? `: ${end.error}` : ''} (iqa runs; resume in the app or with runs:resume)`);
  return { run: detail, metrics: lastEpochMetrics(detail) };
}

/** The splits a config trains on: its `split`, or the first `splits` content-disjoint ones (made if missing). */
export async function configSplits(rt: Runtime, datasetId: number, cfg: TrainConfigFile): Promise<(string | undefined)[]> {
  if (!cfg.splits) return [cfg.split];
  let splits = ((await invokeOrThrow(rt, 'splits:list', { datasetId })) as SplitSummary[]).filter((s) => s.protocol === 'content-disjoint');
  if (splits.length < cfg.splits) splits = (await invokeOrThrow(rt, 'splits:create', { datasetId, repeats: cfg.splits })) as SplitSummary[];
  return splits.slice(0, cfg.splits).map((s) => s.name);
}

/** Says, before anything trains, which ImageNet-sized backbones of the config would start from random weights. */
export function warnFromScratch(cfg: TrainConfigFile): void {
  if (cfg.initFromRun) return;
  const parsed = getModel(cfg.model).configSchema.safeParse(cfg.modelConfig);
  if (!parsed.success) return; // the run's own validation explains it
  for (const w of fromScratchWarnings(cfg.model, parsed.data as Record<string, unknown>)) process.stderr.write(`warning: ${w}\n`);
}

export async function trainCommand(flags: { config: string; json: boolean; dataDir?: string }): Promise<void> {
  const cfg = await readConfig(flags.config);
  warnFromScratch(cfg);
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findDataset(rt, cfg.dataset);
    const splitNames = await configSplits(rt, ds.id, cfg);
    const results = [];
    for (const split of splitNames) results.push(await trainOne(rt, cfg, ds.id, split, flags.json));
    const summary = summarizeSplits(results.map((r) => r.metrics));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ runs: results.map((r) => ({ id: r.run.id, split: r.run.config.split, metrics: r.metrics, bestEpoch: bestOf(r.run) })), summary })}\n`);
      return;
    }
    for (const r of results) process.stdout.write(`run ${r.run.id} (${String(r.run.config.split)}): ${fmtMetrics(r.metrics)}\n  ${figuresText(runFigures(r.run.metrics), 4)}\n`);
    if (results.length > 1) {
      process.stdout.write(`median over ${results.length} splits: ${Object.entries(summary).filter(([k]) => !k.includes('/')).map(([k, s]) => `${k} ${s.median.toFixed(4)} (mean ${s.mean.toFixed(4)} ± ${s.std.toFixed(4)})`).join(', ')}\n`);
    }
  });
}

const MAIN_METRICS = ['srcc', 'krcc', 'plcc', 'plcc_fitted', 'rmse'];
const fmtMetrics = (m: Record<string, number>) => MAIN_METRICS.filter((k) => m[k] !== undefined).map((k) => `${k.toUpperCase()} ${m[k]!.toFixed(4)}`).join('  ');

export interface EvalFlags {
  run: number;
  dataset?: string;
  split?: string;
  all: boolean;
  json: boolean;
  backend: BackendChoice;
  dataDir?: string;
}

/** Scores a dataset's test images (or all) with a run's latest checkpoint and compares with the labels. */
export async function evalCommand(flags: EvalFlags): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const run = rt.ctx.store.runs.get(flags.run);
    if (!run) throw new AppError('not_found', `No run ${flags.run}`);
    if (!run.checkpointPath) throw new AppError('bad_input', `Run ${flags.run} has no checkpoint yet`);
    const ds = await findDataset(rt, flags.dataset ?? run.datasetId ?? '');
    const sameData = ds.id === run.datasetId;
    const splitName = flags.all ? null : (flags.split ?? (sameData ? String(run.config.split) : null));
    const rows = enoughToEvaluate(rt.ctx.store.splits.evaluationImages(ds.id, splitName), ds, splitName);
    const e = await evaluateCheckpoint(run.checkpointPath, rows, ds.direction === 'higher_better', (done, total) => {
      if (!flags.json && process.stderr.isTTY) process.stderr.write(`\rscoring ${done}/${total}${done === total ? '\n' : ''}`);
    });
    const { flippedDirection, perDistortion, ...metrics } = e;
    const result = { run: run.id, dataset: ds.name, split: splitName, part: splitName ? 'test' : 'all', flippedDirection, ...metrics, perDistortion };
    if (flags.json) return void process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `run ${run.id} on ${ds.name} (${splitName ? `${splitName}, test part` : 'all images'}, n=${e.n}): SRCC ${e.srcc.toFixed(4)}  KRCC ${e.krcc.toFixed(4)}  ` +
        `PLCC ${e.plcc.toFixed(4)} (fitted ${e.plccFitted.toFixed(4)})  RMSE ${e.rmse.toFixed(4)} (fitted ${e.rmseFitted.toFixed(4)})\n`,
    );
    for (const g of perDistortion) process.stdout.write(`  ${termPad(g.group, 28)} n=${String(g.n).padEnd(5)} SRCC ${g.srcc.toFixed(4)}\n`);
  }, flags.backend);
}

/** The best-epoch figures of a run (highest test SRCC), flagged as selected on the test set; null before any epoch. */
function bestOf(detail: RunDetail) {
  const { best } = runFigures(detail.metrics);
  return best ? { ...best, note: BEST_EPOCH_NOTE } : null;
}

/** `iqa runs`: every run with its last-epoch metrics and best epoch; `iqa runs <id>`: one run, both figures in full. */
export async function runsCommand(id: string | undefined, flags: { json: boolean; dataDir?: string }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    if (id !== undefined) {
      if (!/^\d+$/.test(id)) throw new AppError('validation', `iqa runs [show] <id>: "${id}" is not a run id`);
      const detail = (await invokeOrThrow(rt, 'runs:get', { id: Number(id) })) as RunDetail;
      const f = runFigures(detail.metrics);
      if (flags.json) return void process.stdout.write(`${JSON.stringify({ ...detail, metrics: lastEpochMetrics(detail), bestEpoch: bestOf(detail) })}\n`);
      const line = (label: string, e: typeof f.last) => (e ? `${label} (epoch ${e.epoch}): ${fmtMetrics(e as unknown as Record<string, number>)}` : `${label}: —`);
      process.stdout.write(`run ${detail.id} ${detail.name} · ${detail.model} · ${detail.status} · split ${String(detail.config.split ?? '—')}\n`);
      process.stdout.write(`${line('last epoch', f.last)}\n${line(`best epoch, ${BEST_EPOCH_NOTE}`, f.best)}\n`);
      return;
    }
    const runs = (await invokeOrThrow(rt, 'runs:list', {})) as RunSummary[];
    const details = await Promise.all(runs.map(async (r) => (await invokeOrThrow(rt, 'runs:get', { id: r.id })) as RunDetail));
    const rows = runs.map((r, i) => ({ ...r, lastEpoch: runFigures(details[i]!.metrics).last?.epoch ?? null, metrics: lastEpochMetrics(details[i]!), bestEpoch: bestOf(details[i]!) }));
    if (flags.json) return void process.stdout.write(`${JSON.stringify(rows)}\n`);
    for (const r of rows) {
      const best = r.bestEpoch && r.bestEpoch.epoch !== r.lastEpoch ? `  best SRCC ${r.bestEpoch.srcc?.toFixed(4)} @ epoch ${r.bestEpoch.epoch}*` : '';
      process.stdout.write(`${String(r.id).padStart(4)}  ${r.status.padEnd(10)} ${r.model.padEnd(10)} ${termPad(r.name.slice(0, 40), 40)} ${fmtMetrics(r.metrics)}${best}\n`);
    }
    if (rows.some((r) => r.bestEpoch && r.bestEpoch.epoch !== r.lastEpoch)) process.stdout.write(`* best epoch by test SRCC: ${BEST_EPOCH_NOTE}; the metrics before it are the last epoch's\n`);
  });
}

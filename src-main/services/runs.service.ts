// Training runs: resolve and store the config, train in a worker thread, record epochs, cancel, resume, recover after a crash.
import type { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { z } from 'zod';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import type { RunProgress } from '../../src-shared/api/schemas';
import { describeIssues } from '../../src-shared/api/validate';
import { randomSplitName } from '../datasets/splits';
import { createContentSplits, seriesSplits } from '../datasets/create-splits';
import type { Sample } from '../iqa/data/patch-source';
import { configFields } from '../iqa/config-fields';
import { fromNormalised, getModel, listModels, toNormalised } from '../iqa/registry';
import { QUALITY_MODEL_ID, QUALITY_MODEL_INFO } from '../iqa/quality/model';
import { shippedCheckpoint } from '../iqa/score/scorer';
import type { FromWorker, TrainJob } from '../iqa/train/protocol';
import { spawnWorker } from '../iqa/train/spawn-worker';
import type { TrainHyper } from '../iqa/train/trainer';
import { log } from '../app/logger';
import type { TrainingImage } from '../store/repos/splits.repo';
import type { ServiceContext } from './context';
import { epochMetrics } from './epoch-metrics';
import { checkClientFile, checkImportRoot } from './access';
import { readWeightsFile, type WeightsProvenance } from '../iqa/weights/read-weights';
import { fromScratchWarnings } from '../../src-shared/models/from-scratch';

export const DEFAULT_HYPER: TrainHyper = { epochs: 10, batchImages: 8, lr: 1e-3, weightDecay: 0, lrDecay: { every: 0, factor: 1 }, seed: 1 };

export interface ResolvedRunConfig {
  model: string;
  modelConfig: Record<string, unknown>;
  hyper: TrainHyper;
  datasetId: number;
  split: string;
  backend: TrainJob['backend'];
  /** Weight files the run started from (file name, SHA-256 and format of each `*Weights` field), read at start. */
  startWeights?: WeightsProvenance[];
  /** Networks that train from random weights although the paper starts from ImageNet ones. */
  fromScratch?: string[];
  /** Checkpoint the run started from (initFromRun), if any. */
  initFrom?: { runId: number; checkpoint: string } | null;
  scoreRange: [number, number];
  higherIsBetter: boolean;
  /** Whole-dataset training (the cross-dataset protocol): every labelled image of `datasetId` trains, every one of this dataset tests. */
  testDatasetId?: number;
  testScoreRange?: [number, number];
  testHigherIsBetter?: boolean;
}

/** The splits whole-dataset training uses: every readable image on one side. */
const WHOLE_TRAIN = 'whole_train';
const WHOLE_TEST = 'whole_test';

function parseOrExplain<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = describeIssues(r.error);
  throw new AppError('validation', `Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

export function createRunService(ctx: ServiceContext) {
  const { store } = ctx;
  const active = new Map<number, Worker>();
  const waiters = new Map<number, ((status: 'completed' | 'cancelled' | 'failed') => void)[]>();
  const emit = (p: RunProgress) => ctx.events.emit('runs:progress', p);
  const interrupted = store.runs.recoverInterrupted();
  if (interrupted) log.warn('runs', `${interrupted} run(s) were interrupted by a stop; resume them from their last checkpoint`);

  function splitFor(datasetId: number, requested: string | undefined, seed: number): { id: number; name: string; counts: { train: number } } {
    const splits = store.splits.list(datasetId);
    if (requested) {
      const s = splits.find((x) => x.name === requested);
      if (!s) throw new AppError('not_found', `Dataset ${datasetId} has no split "${requested}"; it has: ${splits.map((x) => x.name).join(', ') || 'none'}`);
      return s;
    }
    const usable = splits.filter((s) => s.counts.train > 0 && s.counts.test > 0);
    const preferred = usable.find((s) => s.name === 'official_split') ?? usable.find((s) => s.protocol === 'content-disjoint') ?? usable[0];
    if (preferred) return preferred;
    createContentSplits(store, { datasetId, trainRatio: 0.8, valRatio: 0, repeats: 1, seed });
    const name = randomSplitName(0.8, 0, seed, 1);
    return store.splits.list(datasetId).find((s) => s.name === name)!;
  }

  /** Whether the run's model learns the labels as they are (HyperIQA's official-code mode) rather than mapped to 0..1. */
  function rawLabels(cfg: ResolvedRunConfig): boolean {
    return getModel(cfg.model).rawLabels?.(cfg.modelConfig) ?? false;
  }

  /** A split of the dataset with every readable image on one side (made once, then reused). */
  function wholeSplit(datasetId: number, part: 'train' | 'test'): { id: number; name: string; counts: { train: number } } {
    const name = part === 'train' ? WHOLE_TRAIN : WHOLE_TEST;
    const existing = store.splits.list(datasetId).find((s) => s.name === name);
    if (existing) return existing;
    const members = new Map(store.splits.imagesToSplit(datasetId).map((i) => [i.imageId, part]));
    return { id: store.splits.save(datasetId, name, 'whole-dataset', null, members), name, counts: { train: part === 'train' ? members.size : 0 } };
  }

  /** Images of the run: its split's parts, or (whole-dataset) all of its dataset to train and all of the test dataset to test. */
  function runImages(cfg: ResolvedRunConfig, splitId: number): TrainingImage[] {
    if (cfg.testDatasetId === undefined) return store.splits.trainingImages(splitId, cfg.datasetId);
    const train = store.splits.trainingImages(splitId, cfg.datasetId).filter((i) => i.part === 'train');
    const test = store.splits.trainingImages(wholeSplit(cfg.testDatasetId, 'test').id, cfg.testDatasetId).filter((i) => i.part === 'test');
    return [...train, ...test];
  }

  /** A prediction in the label space of the images it was made on (the test dataset's, for whole-dataset training). */
  function toTestLabels(cfg: ResolvedRunConfig, score: number): number {
    const normalised = rawLabels(cfg) ? toNormalised(score, cfg.scoreRange, cfg.higherIsBetter) : score;
    if (cfg.testDatasetId !== undefined) return fromNormalised(normalised, cfg.testScoreRange!, cfg.testHigherIsBetter!);
    return rawLabels(cfg) ? score : fromNormalised(score, cfg.scoreRange, cfg.higherIsBetter);
  }

  function buildJob(runId: number, cfg: ResolvedRunConfig, splitId: number, resumeFrom: string | null): { job: TrainJob; labels: Map<number, TrainingImage> } {
    const protocol = getModel(cfg.model).input(cfg.modelConfig);
    const all = runImages(cfg, splitId);
    // Without a resize, an image smaller than the patch cannot be cropped: leave it out and say so.
    const fits = (i: TrainingImage) => protocol.resize || i.width === null || i.height === null || (i.width >= protocol.patch && i.height >= protocol.patch);
    const images = all.filter(fits);
    if (images.length < all.length) {
      log.warn('runs', `run ${runId}: ${all.length - images.length} image(s) smaller than the ${protocol.patch}px patch are left out (set a resize in the model config to keep them)`);
    }
    const raw = rawLabels(cfg);
    const toSample = (img: TrainingImage): Sample => ({ imageId: img.id, path: img.path, target: raw ? img.label : toNormalised(img.label, cfg.scoreRange, cfg.higherIsBetter), group: img.distortion, reference: img.reference });
    // Test images of another dataset: targets in its own 0..1 (only the worker's provisional metrics read them).
    const toTestSample = (img: TrainingImage): Sample =>
      cfg.testDatasetId === undefined ? toSample(img) : { ...toSample(img), target: toNormalised(img.label, cfg.testScoreRange!, cfg.testHigherIsBetter!) };
    const train = images.filter((i) => i.part === 'train').map(toSample);
    const test = images.filter((i) => i.part === 'test').map(toTestSample);
    if (!train.length || !test.length) {
      const what = cfg.testDatasetId === undefined ? `Split "${cfg.split}" needs labelled, readable images on both sides` : 'Whole-dataset training needs labelled, readable images in both datasets';
      throw new AppError('bad_input', `${what} (train ${train.length}, test ${test.length})`);
    }
    return {
      job: { runId, modelId: cfg.model, modelConfig: cfg.modelConfig, hyper: cfg.hyper, train, test, checkpointDir: join(ctx.paths.dataDir, 'runs', String(runId)), resumeFrom, initFrom: cfg.initFrom?.checkpoint ?? null, backend: cfg.backend, labels: { range: cfg.scoreRange, higherIsBetter: cfg.higherIsBetter, kind: cfg.higherIsBetter ? 'mos' : 'dmos', ...(raw ? { raw } : {}) } },
      labels: new Map(images.map((i) => [i.id, i])),
    };
  }

  function launch(runId: number, cfg: ResolvedRunConfig, job: TrainJob, labels: Map<number, TrainingImage>): void {
    const worker = spawnWorker('src-main/iqa/train/train.worker.ts', 'train-worker.js');
    active.set(runId, worker);
    store.runs.setStatus(runId, 'running');
    emit({ runId, status: 'running', epochs: cfg.hyper.epochs });
    let ended = false;
    let lastEmit = 0;
    const finish = (status: 'completed' | 'cancelled' | 'failed', error: string | null = null) => {
      if (ended) return;
      ended = true;
      active.delete(runId);
      store.runs.setStatus(runId, status, error);
      emit({ runId, status, ...(error ? { error } : {}) });
      for (const w of waiters.get(runId) ?? []) w(status);
      waiters.delete(runId);
    };
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'step': {
          const { epoch, step, stepsPerEpoch, loss, secondsPerStep } = msg.info;
          const remaining = (cfg.hyper.epochs - epoch) * stepsPerEpoch + (stepsPerEpoch - step);
          if (Date.now() - lastEmit > 250 || step === stepsPerEpoch) {
            lastEmit = Date.now();
            emit({ runId, status: 'running', epoch, epochs: cfg.hyper.epochs, step, stepsPerEpoch, loss, etaSeconds: remaining * secondsPerStep });
          }
          break;
        }
        case 'epoch': {
          const { result } = msg;
          const predictions = result.predictions.map((p) => ({ imageId: p.imageId, score: toTestLabels(cfg, p.score) }));
          const truth = predictions.map((p) => labels.get(p.imageId)!);
          const metrics = {
            ...result.metrics,
            train_loss: result.trainLoss,
            ...epochMetrics(predictions.map((p) => p.score), truth.map((t) => t.label), truth.map((t) => t.distortion)),
          };
          store.runs.recordEpoch(runId, cfg.model, result.epoch, result.epoch * job.train.length, metrics, predictions, msg.checkpoint);
          emit({ runId, status: 'running', epoch: result.epoch, epochs: cfg.hyper.epochs, metrics });
          break;
        }
        case 'done':
          finish('completed');
          break;
        case 'cancelled':
          finish('cancelled', 'cancelled by the user; resume continues from the last checkpoint');
          break;
        case 'error':
          finish('failed', msg.message);
          break;
        case 'ready':
          log.info('runs', `run ${runId} training on ${msg.backend}`);
          break;
        case 'note':
          log.info('runs', `run ${runId}: ${msg.message}`);
          break;
      }
    });
    worker.on('error', (err) => finish('failed', err.message));
    worker.on('exit', (code) => finish(code === 0 ? 'completed' : 'failed', code === 0 ? null : `training worker exited with code ${code}`));
    worker.postMessage({ type: 'start', job });
  }

  async function start(input: ParsedInputOf<'runs:start'>, parentRunId: number | null = null) {
    const spec = getModel(input.model);
    const modelConfig = parseOrExplain(spec.configSchema, input.modelConfig, `${spec.id} config`) as Record<string, unknown>;
    // Weight files named in a config (ImageNet backbones) are read by the server: same rules as imported folders.
    const startWeights: WeightsProvenance[] = [];
    for (const [key, value] of Object.entries(modelConfig)) {
      if (key.endsWith('Weights') && typeof value === 'string') {
        modelConfig[key] = await checkClientFile(ctx, value);
        // Read now, so that a bad or unsafe file fails here, and record which weights the run started from.
        const w = await readWeightsFile(modelConfig[key] as string);
        startWeights.push({ role: key, fileName: w.fileName, sha256: w.sha256, format: w.format });
      }
      if (key.endsWith('Folder') && typeof value === 'string') modelConfig[key] = await checkImportRoot(ctx, value);
    }
    const fromScratch = input.initFromRun === undefined ? fromScratchWarnings(spec.id, modelConfig) : [];
    for (const w of fromScratch) log.warn('runs', w);
    const base = { ...DEFAULT_HYPER, ...spec.defaultHyper };
    const hyper: TrainHyper = { ...base, ...input.hyper, lrDecay: input.hyper.lrDecay ?? base.lrDecay };
    const ds = store.datasets.get(input.datasetId) ?? AppError.notFound('dataset', input.datasetId);
    if (ds.labelKind === 'none' || ds.scoreMin === null || ds.scoreMax === null) {
      throw new AppError('bad_input', `Dataset "${ds.name}" has no labels to train on`);
    }
    let initFrom: ResolvedRunConfig['initFrom'] = null;
    if (input.initFromRun !== undefined) {
      const source = store.runs.get(input.initFromRun) ?? AppError.notFound('run', input.initFromRun);
      if (!source.checkpointPath) throw new AppError('bad_input', `Run ${source.id} has no checkpoint to start from`);
      if (source.model !== spec.id) throw new AppError('bad_input', `Run ${source.id} trained ${source.model}, not ${spec.id}`);
      initFrom = { runId: source.id, checkpoint: source.checkpointPath };
    }
    let test: { testDatasetId: number; testScoreRange: [number, number]; testHigherIsBetter: boolean } | null = null;
    if (input.testDatasetId !== undefined) {
      const t = store.datasets.get(input.testDatasetId) ?? AppError.notFound('dataset', input.testDatasetId);
      if (t.id === ds.id) throw new AppError('validation', `Whole-dataset training tests on another dataset; to test on "${ds.name}" itself, train on a split of it`);
      if (input.split) throw new AppError('validation', 'Give a split or a test dataset, not both: with a test dataset every image of the training dataset trains');
      if (t.labelKind === 'none' || t.scoreMin === null || t.scoreMax === null) throw new AppError('bad_input', `Dataset "${t.name}" has no labels to test on`);
      test = { testDatasetId: t.id, testScoreRange: [t.scoreMin, t.scoreMax], testHigherIsBetter: t.direction === 'higher_better' };
    }
    const split = test ? wholeSplit(ds.id, 'train') : splitFor(ds.id, input.split, hyper.seed);
    const cfg: ResolvedRunConfig = {
      model: spec.id,
      modelConfig,
      hyper: spec.resolveHyper ? spec.resolveHyper(modelConfig, hyper, split.counts.train) : hyper,
      datasetId: ds.id,
      split: split.name,
      backend: input.backend ?? 'auto',
      startWeights,
      fromScratch,
      initFrom,
      scoreRange: [ds.scoreMin, ds.scoreMax],
      higherIsBetter: ds.direction === 'higher_better',
      ...test,
    };
    const runId = store.runs.create({ name: input.name ?? `${spec.id} on ${ds.name}`, model: spec.id, datasetId: ds.id, splitId: split.id, config: cfg as unknown as Record<string, unknown>, parentRunId: initFrom?.runId ?? parentRunId });
    try {
      const { job, labels } = buildJob(runId, cfg, split.id, null);
      launch(runId, cfg, job, labels);
    } catch (err) {
      store.runs.setStatus(runId, 'failed', AppError.from(err).message);
      throw err;
    }
    return store.runs.list().find((r) => r.id === runId)!;
  }

  /** The same config on N content-disjoint splits, one run after another (see the contract). */
  async function startSeries(input: ParsedInputOf<'runs:startSeries'>) {
    const { splits: n, ...rest } = input;
    const ds = store.datasets.get(rest.datasetId) ?? AppError.notFound('dataset', rest.datasetId);
    const names = seriesSplits(store, ds.id, n);
    const base = rest.name ?? `${rest.model} on ${ds.name}`;
    const runOn = (split: string) => start({ ...rest, split, name: `${base} [${split}]` });
    const first = await runOn(names[0]!);
    void (async () => {
      let previous = first.id;
      for (const split of names.slice(1)) {
        const status = await waitFor(previous);
        if (status !== 'completed') {
          log.info('runs', `series "${base}" stopped after run ${previous} (${status}); ${split} and later splits not started`);
          return;
        }
        try {
          previous = (await runOn(split)).id;
        } catch (err) {
          log.error('runs', `series "${base}" could not start on ${split}`, err);
          return;
        }
      }
    })();
    return { first, splits: names };
  }

  function resume(id: number) {
    const run = store.runs.get(id) ?? AppError.notFound('run', id);
    if (active.has(id)) throw new AppError('conflict', `Run ${id} is already running`);
    if (run.status === 'completed') throw new AppError('conflict', `Run ${id} has completed; start a new run to train further`);
    const cfg = run.config as unknown as ResolvedRunConfig;
    if (run.splitId === null) throw new AppError('bad_input', `Run ${id} lost its split (deleted?) and cannot resume`);
    const checkpoint = run.checkpointPath;
    const epoch = checkpoint ? Number(/epoch-(\d+)$/.exec(checkpoint)?.[1] ?? 0) : 0;
    store.runs.dropMetricsAfter(id, epoch);
    const { job, labels } = buildJob(id, cfg, run.splitId, checkpoint);
    launch(id, cfg, job, labels);
    return store.runs.list().find((r) => r.id === id)!;
  }

  const handlers: Pick<Handlers, 'runs:list' | 'runs:get' | 'runs:start' | 'runs:startSeries' | 'runs:cancel' | 'runs:resume' | 'runs:predictions' | 'models:list'> = {
    'runs:list': () => store.runs.list(),
    'runs:get': ({ id }) => {
      const run = store.runs.get(id) ?? AppError.notFound('run', id);
      return { ...run, metrics: store.runs.metrics(id) };
    },
    'runs:start': (input) => start(input),
    'runs:startSeries': (input) => startSeries(input),
    'runs:cancel': ({ id }) => {
      const worker = active.get(id);
      if (!worker) return { cancelled: false };
      worker.postMessage({ type: 'cancel' });
      return { cancelled: true };
    },
    'runs:resume': ({ id }) => resume(id),
    'runs:predictions': ({ id }) => {
      if (!store.runs.get(id)) AppError.notFound('run', id);
      return store.runs.predictionsWithLabels(id);
    },
    'models:list': () => [
      // The default model first: what the Library and `iqa score` use when no model is named.
      { ...QUALITY_MODEL_INFO, shipped: shippedCheckpoint(QUALITY_MODEL_ID) !== null, hyper: DEFAULT_HYPER },
      ...listModels().map((m) => ({
        id: m.id, label: m.label, citation: m.citation, kind: m.kind ?? 'scorer', shipped: shippedCheckpoint(m.id) !== null, trainable: true,
        defaults: m.configSchema.parse({}) as Record<string, unknown>, fields: configFields(m), hyper: { ...DEFAULT_HYPER, ...m.defaultHyper },
      })),
    ],
  };
  /** Resolves when a run ends (at once for one that is not training). */
  function waitFor(id: number): Promise<'completed' | 'cancelled' | 'failed'> {
    if (!active.has(id)) {
      const status = store.runs.get(id)?.status;
      return Promise.resolve(status === 'completed' || status === 'cancelled' ? status : 'failed');
    }
    return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]));
  }

  return {
    handlers,
    start,
    waitFor,
    cancel: (id: number) => active.get(id)?.postMessage({ type: 'cancel' }),
    /** Stops every training worker (app shutdown); their runs resume from the last checkpoint. */
    async shutdown(): Promise<void> {
      await Promise.all([...active.values()].map((w) => w.terminate()));
    },
  };
}

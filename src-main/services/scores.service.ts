// Scoring a dataset with a model as a background job: weights from a run, a checkpoint or the shipped model; the model runs in a worker thread, results are written here in batches; progress, cancel.
import { dirname, join } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { log } from '../app/logger';
import { QUALITY_MODEL_ID } from '../iqa/quality/model';
import { getModel } from '../iqa/registry';
import type { BackendChoice } from '../iqa/backend';
import type { InferenceChoice } from '../iqa/onnx/engine';
import type { FromScoreWorker, ScoreOutcome, ToScoreWorker } from '../iqa/score/protocol';
import { shippedCheckpoint, type CropMode, type Scorer, type WeightsSource } from '../iqa/score/scorer';
import { spawnWorker } from '../iqa/train/spawn-worker';
import type { NewImageScore } from '../store/repos/scores.repo';
import type { ServiceContext } from './context';
import { checkClientFile } from './access';

/** Scores are written in transactions of this many images, so a cancel or a crash keeps what was scored. */
export const SCORE_BATCH = 50;
/** ...or after this long (ms), so the first scores reach the grid (and the disk) without waiting for a full batch. */
export const SCORE_FLUSH_MS = 1000;
/** At most this many per-file errors are listed in a job's result (all are counted). */
const MAX_LISTED_ERRORS = 100;
/** Threads a job with the default quality model runs on (it has no tensor backend to share; 2 cores here). */
export const QUALITY_WORKERS = 2;
/** The worker posts its results at least this often (ms), so progress moves with slow models too. */
const POST_MS = 100;

/** For tests: a pause after each image in the worker, to cancel a job of a tiny model part way. 0 in the app. */
export const scoreTuning = { pauseMs: 0 };

export interface ScoreFileError {
  imageId: number;
  name: string;
  error: string;
}

export interface ScoreJobResult {
  datasetId: number;
  model: string;
  source: string;
  scale: string;
  /** What ran the model: 'onnxruntime 1.31.1 · cpu · 2 threads · batch 4', or 'tfjs wasm'. */
  engine: string;
  /** Readable images of the dataset (unreadable ones at import are skipped). */
  total: number;
  scored: number;
  failed: number;
  skipped: number;
  errors: ScoreFileError[];
  /** Worker threads the job ran on. */
  threads: number;
}

interface ResolvedSource {
  weights: WeightsSource;
  runId: number | null;
  /** The model, where known before the worker loads the weights (a run's, or the one asked for). */
  modelId: string | null;
  /** Said in the job label, e.g. "run #3 (cnniqa)". */
  describe: string;
}

/** The scale a scorer's numbers are in, as stored with each score. */
export function scaleOf(scorer: Pick<Scorer, 'labels'>): string {
  const l = scorer.labels;
  return l ? `${l.kind} ${l.range[0]}-${l.range[1]} ${l.higherIsBetter ? 'higher' : 'lower'}` : 'raw';
}

export function createScoreService(ctx: ServiceContext) {
  const { store } = ctx;
  /**
   * The backend a worker starts: the one this process runs on (chosen at start: --backend, IQA_BACKEND), so scores
   * are those this process would compute; 'auto' when it started none.
   */
  const workerBackend = (): BackendChoice => ctx.backend()?.name ?? 'auto';
  const workerInference = (): InferenceChoice => (ctx.inference()?.engine === 'tfjs' ? 'tfjs' : 'auto');

  /** Which weights to use; fails fast (before any job starts) when there are none. */
  async function resolveSource(input: ParsedInputOf<'scores:start'>): Promise<ResolvedSource> {
    if (input.runId !== undefined && input.checkpoint !== undefined) {
      throw new AppError('validation', 'Give a run or a checkpoint, not both');
    }
    if (input.model !== undefined && input.model !== QUALITY_MODEL_ID) getModel(input.model);
    const model = input.model ? { model: input.model } : {};
    if (input.runId !== undefined) {
      const run = store.runs.get(input.runId) ?? AppError.notFound('run', input.runId);
      if (!run.checkpointPath) throw new AppError('validation', `Run #${run.id} has no checkpoint yet; score with it once it has finished an epoch`);
      if (input.model && input.model !== run.model) throw new AppError('validation', `Run #${run.id} trained a ${run.model} model, not ${input.model}`);
      return { weights: { checkpoint: run.checkpointPath }, runId: run.id, modelId: run.model, describe: `run #${run.id} (${run.model})` };
    }
    if (input.checkpoint !== undefined) {
      // A checkpoint folder is read by the server: the same rules as client-named files.
      const weights = await checkClientFile(ctx, join(input.checkpoint, 'weights.json')).catch((err: unknown) => {
        const e = AppError.from(err);
        throw e.code === 'bad_input' ? new AppError('validation', `Not a checkpoint folder (no weights.json): ${input.checkpoint}`) : e;
      });
      return { weights: { ...model, checkpoint: dirname(weights) }, runId: null, modelId: input.model ?? null, describe: `checkpoint ${input.checkpoint}` };
    }
    if (input.model !== undefined) {
      if (!shippedCheckpoint(input.model)) {
        throw new AppError('validation', `No trained weights ship for "${input.model}"; score with a completed training run or a checkpoint instead`);
      }
      return { weights: { model: input.model }, runId: null, modelId: input.model, describe: `shipped ${input.model}` };
    }
    throw new AppError('validation', 'Choose what to score with: a model (its shipped weights), a run or a checkpoint');
  }

  /** Running jobs: each stops its worker and writes what has arrived (at app shutdown, before the store closes). */
  const active = new Set<(why: string) => void>();

  const handlers: Pick<Handlers, 'scores:start' | 'scores:list'> = {
    'scores:start': async (input) => {
      const ds = store.datasets.get(input.datasetId) ?? AppError.notFound('dataset', input.datasetId);
      const source = await resolveSource(input);
      const crop: CropMode = { kind: 'grid', ...(input.crops ? { count: input.crops } : {}) };
      return ctx.jobs.start('score', `Score ${ds.name} with ${source.describe}`, async ({ signal, progress }) => {
        const images = store.images.toScore(ds.id);
        const readable = images.filter((i) => i.error === null);
        const names = new Map(readable.map((i) => [i.id, i.name]));
        progress(0, readable.length, 'loading the model');
        const result: ScoreJobResult = {
          datasetId: ds.id, model: source.modelId ?? '', source: '', scale: 'raw', engine: '', total: readable.length,
          scored: 0, failed: 0, skipped: images.length - readable.length, errors: [], threads: 1,
        };
        let done = 0;
        let pending: NewImageScore[] = [];
        let flushedAt = Date.now();
        const flush = () => {
          flushedAt = Date.now();
          store.scores.upsertMany(pending);
          result.scored += pending.length;
          pending = [];
        };
        const take = (items: ScoreOutcome[]) => {
          for (const item of items) {
            done++;
            let error = 'error' in item ? item.error : null;
            if (!('error' in item)) {
              if (!Number.isFinite(item.score)) error = `the model gave a non-finite score (${item.score})`;
              else {
                pending.push({
                  imageId: item.imageId, model: result.model, source: result.source, runId: source.runId, score: item.score, scale: result.scale, crops: item.crops,
                  ...(item.measures ? { measures: item.measures } : {}),
                });
              }
            }
            if (error !== null) {
              result.failed++;
              if (result.errors.length < MAX_LISTED_ERRORS) result.errors.push({ imageId: item.imageId, name: names.get(item.imageId) ?? `#${item.imageId}`, error });
            }
            if (pending.length >= SCORE_BATCH) flush();
          }
          if (pending.length && Date.now() - flushedAt >= SCORE_FLUSH_MS) flush();
          progress(done, readable.length, `${result.scored + pending.length} scored${result.failed ? `, ${result.failed} failed` : ''}`);
        };

        // The model runs in worker threads, so this thread stays free for requests; results come back in batches. The
        // quality model is plain JavaScript on the CPU, so its photos are dealt over QUALITY_WORKERS threads.
        const parts = source.modelId === QUALITY_MODEL_ID ? Math.max(1, Math.min(QUALITY_WORKERS, readable.length)) : 1;
        const workers = Array.from({ length: parts }, () => spawnWorker('src-main/iqa/score/score.worker.ts', 'score-worker.js'));
        result.threads = parts;
        let stoppedBecause = null as string | null;
        try {
          await new Promise<void>((resolve, reject) => {
            let ended = false;
            let finished = 0;
            const end = (err: unknown) => {
              if (ended) return;
              ended = true;
              active.delete(stop);
              signal.removeEventListener('abort', onAbort);
              for (const w of workers) void w.terminate();
              if (err) reject(err);
              else resolve();
            };
            // A cancel (even from inside a progress listener) ends the job now; the results that arrived are kept.
            const stop = (why: string) => {
              stoppedBecause = why;
              end(null);
              try {
                flush();
              } catch (err) {
                log.error('scores', 'could not write the last scores', err);
              }
            };
            const onAbort = () => stop('cancelled');
            active.add(stop);
            signal.addEventListener('abort', onAbort);
            if (signal.aborted) onAbort();
            workers.forEach((worker, k) => {
              let workerDone = false;
              worker.on('message', (msg: FromScoreWorker) => {
                if (ended) return;
                try {
                  if (msg.type === 'ready') {
                    if (k === 0) log.info('scores', `scoring ${readable.length} image(s) with ${msg.modelId} on ${msg.backend}${parts > 1 ? ` in ${parts} threads` : ''}`);
                    result.model = msg.modelId;
                    result.source = source.weights.checkpoint ? msg.source : `shipped:${msg.modelId}`;
                    result.scale = scaleOf(msg);
                    result.engine = msg.backend;
                  } else if (msg.type === 'results') take(msg.items);
                  else if (msg.type === 'done') {
                    workerDone = true;
                    if (++finished === parts) end(null);
                  } else end(new AppError(msg.code, msg.message));
                } catch (err) {
                  end(err);
                }
              });
              worker.on('error', (err) => end(err));
              worker.on('exit', (code) => {
                if (!workerDone) end(new AppError('internal', `the scoring worker stopped (exit code ${code}) before it finished`));
              });
              const start: ToScoreWorker = {
                type: 'start',
                job: {
                  weights: source.weights, crop, backend: workerBackend(), inference: workerInference(), images: readable.filter((_, i) => i % parts === k).map(({ id, path }) => ({ id, path })),
                  postEvery: SCORE_BATCH, postMs: POST_MS, pauseMs: scoreTuning.pauseMs,
                },
              };
              worker.postMessage(start);
            });
          });
          flush();
        } finally {
          // Whatever ends the loop (a cancel, a database error, a failed worker), the finished scores are kept and the grid refreshes.
          try {
            flush();
          } catch (err) {
            log.error('scores', 'could not write the last scores', err);
          }
          if (result.scored) ctx.events.emit('datasets:changed', { datasetId: ds.id });
        }
        if (stoppedBecause !== null) {
          const why = stoppedBecause === 'cancelled' ? 'Cancelled' : `Stopped (${stoppedBecause})`;
          throw new AppError('cancelled', `${why} after scoring ${result.scored} of ${result.total} images; those scores are kept`, result);
        }
        return result;
      });
    },
    'scores:list': ({ imageId }) => {
      if (!store.datasets.getImage(imageId)) AppError.notFound('image', imageId);
      return store.scores.listForImage(imageId);
    },
  };

  return {
    handlers,
    /** Stops every scoring worker (app shutdown), writing the scores that have arrived; their jobs end cancelled. */
    shutdown(): void {
      for (const stop of [...active]) stop('the app is closing');
    },
  };
}

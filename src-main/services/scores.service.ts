// Scoring a dataset with a model as a background job: weights from a run, a checkpoint or the shipped model; batched writes, progress, cancel.
import { dirname, join } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { log } from '../app/logger';
import { getModel } from '../iqa/registry';
import { loadScorer, shippedCheckpoint, type CropMode, type Scorer, type WeightsSource } from '../iqa/score/scorer';
import type { NewImageScore } from '../store/repos/scores.repo';
import type { ServiceContext } from './context';
import { notFound } from './datasets.service';
import { checkClientFile } from './import.service';

/** Scores are written in transactions of this many images, so a cancel or a crash keeps what was scored. */
export const SCORE_BATCH = 50;
/** At most this many per-file errors are listed in a job's result (all are counted). */
const MAX_LISTED_ERRORS = 100;

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
  /** Readable images of the dataset (unreadable ones at import are skipped). */
  total: number;
  scored: number;
  failed: number;
  skipped: number;
  errors: ScoreFileError[];
}

interface ResolvedSource {
  weights: WeightsSource;
  runId: number | null;
  /** Said in the job label, e.g. "run #3 (cnniqa)". */
  describe: string;
}

/** The scale a scorer's numbers are in, as stored with each score. */
export function scaleOf(scorer: Pick<Scorer, 'labels'>): string {
  const l = scorer.labels;
  return l ? `${l.kind} ${l.range[0]}-${l.range[1]} ${l.higherIsBetter ? 'higher' : 'lower'}` : 'raw';
}

export function scoreHandlers(ctx: ServiceContext): Pick<Handlers, 'scores:start' | 'scores:list'> {
  const { store } = ctx;

  /** Which weights to use; fails fast (before any job starts) when there are none. */
  async function resolveSource(input: ParsedInputOf<'scores:start'>): Promise<ResolvedSource> {
    if (input.runId !== undefined && input.checkpoint !== undefined) {
      throw new AppError('validation', 'Give a run or a checkpoint, not both');
    }
    if (input.model !== undefined) getModel(input.model);
    const model = input.model ? { model: input.model } : {};
    if (input.runId !== undefined) {
      const run = store.runs.get(input.runId) ?? notFound('run', input.runId);
      if (!run.checkpointPath) throw new AppError('validation', `Run #${run.id} has no checkpoint yet; score with it once it has finished an epoch`);
      if (input.model && input.model !== run.model) throw new AppError('validation', `Run #${run.id} trained a ${run.model} model, not ${input.model}`);
      return { weights: { checkpoint: run.checkpointPath }, runId: run.id, describe: `run #${run.id} (${run.model})` };
    }
    if (input.checkpoint !== undefined) {
      // A checkpoint folder is read by the server: the same rules as client-named files.
      const weights = await checkClientFile(ctx, join(input.checkpoint, 'weights.json')).catch((err: unknown) => {
        const e = AppError.from(err);
        throw e.code === 'bad_input' ? new AppError('validation', `Not a checkpoint folder (no weights.json): ${input.checkpoint}`) : e;
      });
      return { weights: { ...model, checkpoint: dirname(weights) }, runId: null, describe: `checkpoint ${input.checkpoint}` };
    }
    if (input.model !== undefined) {
      if (!shippedCheckpoint(input.model)) {
        throw new AppError('validation', `No trained weights ship for "${input.model}"; score with a completed training run or a checkpoint instead`);
      }
      return { weights: { model: input.model }, runId: null, describe: `shipped ${input.model}` };
    }
    throw new AppError('validation', 'Choose what to score with: a model (its shipped weights), a run or a checkpoint');
  }

  return {
    'scores:start': async (input) => {
      const ds = store.datasets.get(input.datasetId) ?? notFound('dataset', input.datasetId);
      const source = await resolveSource(input);
      const crop: CropMode = { kind: 'grid', ...(input.crops ? { count: input.crops } : {}) };
      return ctx.jobs.start('score', `Score ${ds.name} with ${source.describe}`, async ({ signal, progress }) => {
        const images = store.db
          .prepare('SELECT id, path, name, error FROM images WHERE dataset_id = ? ORDER BY id')
          .all(ds.id) as { id: number; path: string; name: string; error: string | null }[];
        const readable = images.filter((i) => i.error === null);
        progress(0, readable.length, 'loading the model');
        const scorer = await loadScorer(source.weights);
        const scale = scaleOf(scorer);
        const sourceKey = source.weights.checkpoint ? scorer.source : `shipped:${scorer.modelId}`;
        const result: ScoreJobResult = {
          datasetId: ds.id, model: scorer.modelId, source: sourceKey, scale, total: readable.length,
          scored: 0, failed: 0, skipped: images.length - readable.length, errors: [],
        };
        let pending: NewImageScore[] = [];
        const flush = () => {
          store.scores.upsertMany(pending);
          result.scored += pending.length;
          pending = [];
        };
        try {
          for (const [n, img] of readable.entries()) {
            if (signal.aborted) break;
            try {
              const r = await scorer.scoreFile(img.path, crop);
              if (!Number.isFinite(r.score)) throw new AppError('bad_input', `the model gave a non-finite score (${r.score})`);
              pending.push({ imageId: img.id, model: scorer.modelId, source: sourceKey, runId: source.runId, score: r.score, scale, crops: r.crops });
            } catch (err) {
              result.failed++;
              if (result.errors.length < MAX_LISTED_ERRORS) result.errors.push({ imageId: img.id, name: img.name, error: AppError.from(err).message });
            }
            if (pending.length >= SCORE_BATCH) flush();
            progress(n + 1, readable.length, `${result.scored + pending.length} scored${result.failed ? `, ${result.failed} failed` : ''}`);
          }
          flush();
        } finally {
          // Whatever ends the loop (a cancel, a database error), the finished scores are kept and the grid refreshes.
          try {
            flush();
          } catch (err) {
            log.error('scores', 'could not write the last scores', err);
          }
          scorer.dispose();
          if (result.scored) ctx.events.emit('datasets:changed', { datasetId: ds.id });
        }
        if (signal.aborted) {
          throw new AppError('cancelled', `Cancelled after scoring ${result.scored} of ${result.total} images; those scores are kept`, result);
        }
        return result;
      });
    },
    'scores:list': ({ imageId }) => {
      if (!store.datasets.getImage(imageId)) notFound('image', imageId);
      return store.scores.listForImage(imageId);
    },
  };
}

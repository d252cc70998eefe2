// The same image across runs (Inspect): one run's score of one image (its test prediction, a stored score of its checkpoint, or scored now), and an image's neighbours in its dataset.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { ImageNeighbours, RunImageScore } from '../../src-shared/api/schemas';
import type { ScorerCache } from '../iqa/score/scorer-cache';
import type { RunRecord } from '../store/repos/runs.repo';
import type { ServiceContext } from './context';
import { scaleOf } from './scores.service';

/** Scores computed here are remembered (per checkpoint and image) up to this many. */
const SCORES_KEPT = 5000;

/** The scale of a run's stored predictions: its training labels' (the same words as scores:start). */
function runScale(run: RunRecord): string {
  const range = run.config.scoreRange;
  const higherIsBetter = run.config.higherIsBetter;
  if (!Array.isArray(range) || range.length !== 2 || typeof higherIsBetter !== 'boolean') return 'raw';
  return scaleOf({ labels: { range: [Number(range[0]), Number(range[1])], higherIsBetter, kind: higherIsBetter ? 'mos' : 'dmos' } });
}

export function createAcrossRunsService(ctx: ServiceContext, scorers: ScorerCache) {
  const { store } = ctx;
  const computed = new Map<string, RunImageScore>();
  let closed = false;

  async function scoreNow(run: RunRecord, checkpoint: string, imageId: number, path: string): Promise<RunImageScore> {
    const key = `${checkpoint}\n${imageId}`;
    const known = computed.get(key);
    if (known) return known;
    if (closed) throw new AppError('cancelled', 'The app is shutting down');
    const { scorer, r } = await scorers.use(checkpoint, async (scorer) => ({ scorer, r: await scorer.scoreFile(path, { kind: 'grid' }) }));
    if (!Number.isFinite(r.score)) throw new AppError('bad_input', `Run #${run.id} gave a non-finite score (${r.score}) for image ${imageId}`);
    const out: RunImageScore = { runId: run.id, imageId, model: scorer.modelId, score: r.score, source: 'scored', scale: scaleOf(scorer), crops: r.crops };
    computed.set(key, out);
    if (computed.size > SCORES_KEPT) computed.delete(computed.keys().next().value!);
    return out;
  }

  const handlers: Pick<Handlers, 'runs:scoreImage' | 'images:neighbours'> = {
    'runs:scoreImage': ({ id, imageId }) => {
      const run = store.runs.get(id) ?? AppError.notFound('run', id);
      const image = store.datasets.getImage(imageId) ?? AppError.notFound('image', imageId);
      const prediction = store.runs.prediction(run.id, image.id);
      if (prediction !== null) return { runId: run.id, imageId: image.id, model: run.model, score: prediction, source: 'prediction', scale: runScale(run), crops: null };
      const checkpoint = run.checkpointPath;
      if (!checkpoint) throw new AppError('validation', `Run #${run.id} has no checkpoint yet; it scores images once it has finished an epoch`);
      const stored = store.scores.listForImage(image.id).find((s) => s.runId === run.id && s.source === checkpoint);
      if (stored) return { runId: run.id, imageId: image.id, model: stored.model, score: stored.score, source: 'stored', scale: stored.scale, crops: stored.crops };
      if (image.error) throw new AppError('bad_input', `Image ${image.id} cannot be scored: ${image.error}`);
      return scoreNow(run, checkpoint, image.id, image.path);
    },
    'images:neighbours': ({ imageId }): ImageNeighbours => {
      const image = store.datasets.getImage(imageId) ?? AppError.notFound('image', imageId);
      const { prev, next, before, total } = store.images.neighbours(image);
      return { imageId: image.id, datasetId: image.datasetId, prev, next, index: image.error ? 0 : before + 1, total };
    },
  };

  return {
    handlers,
    shutdown(): void {
      closed = true;
      computed.clear();
    },
  };
}
export type AcrossRunsService = ReturnType<typeof createAcrossRunsService>;

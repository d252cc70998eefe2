// Cross-dataset evaluation of a run's checkpoint as a job (runs:evaluate), as `iqa eval` does, stored for the Runs matrix (runs:evaluations).
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { RunEvaluation } from '../../src-shared/api/schemas';
import { evaluate, perGroupSrcc } from '../../src-shared/metrics/index';
import { loadScorer } from '../iqa/score/scorer';
import type { ServiceContext } from './context';
import { notFound } from './datasets.service';

interface EvalImage {
  id: number;
  path: string;
  label: number;
  distortion: string | null;
}

export function evaluationHandlers(ctx: ServiceContext): Pick<Handlers, 'runs:evaluate' | 'runs:evaluations'> {
  const { store } = ctx;
  return {
    'runs:evaluate': ({ id, datasetId }) => {
      const run = store.runs.get(id) ?? notFound('run', id);
      const ds = store.datasets.get(datasetId) ?? notFound('dataset', datasetId);
      const checkpoint = run.checkpointPath;
      if (!checkpoint) throw new AppError('bad_input', `Run #${run.id} has no checkpoint yet; evaluate it once it has finished an epoch`);
      if (ds.labelKind === 'none') throw new AppError('bad_input', `Dataset "${ds.name}" has no labels to evaluate against`);
      // On its own dataset a run is tested on its split's test part (its training images would flatter it); elsewhere on every labelled image.
      const splitName = ds.id === run.datasetId ? String(run.config.split ?? '') || null : null;
      const images = store.db
        .prepare(
          splitName
            ? `SELECT i.id, i.path, i.label, i.distortion FROM images i JOIN split_members m ON m.image_id = i.id JOIN splits s ON s.id = m.split_id
               WHERE i.dataset_id = ? AND s.dataset_id = i.dataset_id AND s.name = ? AND m.part = 'test' AND i.label IS NOT NULL AND i.error IS NULL ORDER BY i.id`
            : 'SELECT i.id, i.path, i.label, i.distortion FROM images i WHERE i.dataset_id = ? AND i.label IS NOT NULL AND i.error IS NULL ORDER BY i.id',
        )
        .all(...(splitName ? [ds.id, splitName] : [ds.id])) as EvalImage[];
      if (images.length < 3) throw new AppError('bad_input', `Too few labelled images to evaluate (${images.length}) in ${ds.name}${splitName ? ` / ${splitName} test part` : ''}`);
      return ctx.jobs.start('evaluate', `Evaluate run #${run.id} on ${ds.name}`, async ({ signal, progress }): Promise<RunEvaluation> => {
        progress(0, images.length, 'loading the model');
        const scorer = await loadScorer({ checkpoint });
        const pred: number[] = [];
        try {
          for (const [i, img] of images.entries()) {
            if (signal.aborted) throw new AppError('cancelled', 'Evaluation cancelled');
            pred.push((await scorer.scoreFile(img.path)).score);
            progress(i + 1, images.length, `${i + 1} / ${images.length} scored`);
          }
        } finally {
          scorer.dispose();
        }
        // A model trained on MOS evaluated on DMOS data (or the reverse) is compared after flipping its direction, as `iqa eval` does.
        const flip = scorer.labels !== null && scorer.labels.higherIsBetter !== (ds.direction === 'higher_better');
        const p = flip ? pred.map((v) => -v) : pred;
        const labels = images.map((r) => r.label);
        const e = evaluate(p, labels);
        const perDistortion = perGroupSrcc(p, labels, images.map((r) => r.distortion ?? 'none')).filter((g) => g.group !== 'none');
        return store.runs.saveEvaluation({
          runId: run.id, datasetId: ds.id, part: splitName ? 'test' : 'all', split: splitName, checkpointPath: checkpoint, flippedDirection: flip, perDistortion,
          n: e.n, srcc: e.srcc, krcc: e.krcc, plcc: e.plcc, plccFitted: e.plccFitted, rmse: e.rmse, rmseFitted: e.rmseFitted,
        });
      });
    },
    'runs:evaluations': ({ runId }) => store.runs.evaluations(runId),
  };
}

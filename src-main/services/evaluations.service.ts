// Cross-dataset evaluation of a run's checkpoint as a job (runs:evaluate), as `iqa eval` does, stored for the Runs matrix (runs:evaluations).
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { RunEvaluation } from '../../src-shared/api/schemas';
import { enoughToEvaluate, evaluateCheckpoint } from '../iqa/evaluate-checkpoint';
import type { ServiceContext } from './context';

export function evaluationHandlers(ctx: ServiceContext): Pick<Handlers, 'runs:evaluate' | 'runs:evaluations'> {
  const { store } = ctx;
  return {
    'runs:evaluate': ({ id, datasetId }) => {
      const run = store.runs.get(id) ?? AppError.notFound('run', id);
      const ds = store.datasets.get(datasetId) ?? AppError.notFound('dataset', datasetId);
      const checkpoint = run.checkpointPath;
      if (!checkpoint) throw new AppError('bad_input', `Run #${run.id} has no checkpoint yet; evaluate it once it has finished an epoch`);
      if (ds.labelKind === 'none') throw new AppError('bad_input', `Dataset "${ds.name}" has no labels to evaluate against`);
      // On its own dataset a run is tested on its split's test part (its training images would flatter it); elsewhere on every labelled image.
      const splitName = ds.id === run.datasetId ? String(run.config.split ?? '') || null : null;
      const images = enoughToEvaluate(store.splits.evaluationImages(ds.id, splitName), ds, splitName);
      return ctx.jobs.start('evaluate', `Evaluate run #${run.id} on ${ds.name}`, async ({ signal, progress }): Promise<RunEvaluation> => {
        const cancelled = () => new AppError('cancelled', 'Evaluation cancelled');
        if (signal.aborted) throw cancelled();
        progress(0, images.length, 'loading the model');
        const e = await evaluateCheckpoint(checkpoint, images, ds.direction === 'higher_better', (done, total) => {
          progress(done, total, `${done} / ${total} scored`);
          if (signal.aborted && done < total) throw cancelled();
        });
        return store.runs.saveEvaluation({
          runId: run.id, datasetId: ds.id, part: splitName ? 'test' : 'all', split: splitName, checkpointPath: checkpoint, flippedDirection: e.flippedDirection,
          perDistortion: e.perDistortion, n: e.n, srcc: e.srcc, krcc: e.krcc, plcc: e.plcc, plccFitted: e.plccFitted, rmse: e.rmse, rmseFitted: e.rmseFitted,
        });
      });
    },
    'runs:evaluations': ({ runId }) => store.runs.evaluations(runId),
  };
}

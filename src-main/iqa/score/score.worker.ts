// Scoring worker thread: loads the scorer, prepares the next images while the model runs on this one, posts results in batches.
import { parentPort } from 'node:worker_threads';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../src-shared/api/errors';
import type { FromScoreWorker, ScoreJob, ScoreOutcome, ToScoreWorker } from './protocol';
import { scoreInOrder } from './pipelined';
import { isShippedQuality, loadQualityScorer } from './quality-scorer';
import type { Scorer } from './scorer-types';

const port = parentPort;
if (!port) throw new Error('score.worker must run in a worker thread');
const send = (msg: FromScoreWorker) => port.postMessage(msg);

/**
 * The default quality model is plain TypeScript: its workers load neither tfjs nor ONNX Runtime (seconds of start-up
 * per worker, paid again by every job). Other models start the tensor backend and the inference engine first.
 */
async function loadJobScorer(job: ScoreJob): Promise<Scorer> {
  if (isShippedQuality(job.weights)) return loadQualityScorer();
  const [{ initBackend }, { initInference }, { loadScorer }] = await Promise.all([import('../backend'), import('../onnx/engine'), import('./scorer')]);
  await initBackend(job.backend);
  await initInference(job.inference);
  return loadScorer(job.weights);
}

async function run(job: ScoreJob): Promise<void> {
  const scorer = await loadJobScorer(job);
  try {
    send({ type: 'ready', backend: scorer.engine.label, modelId: scorer.modelId, source: scorer.source, labels: scorer.labels });
    let items: ScoreOutcome[] = [];
    let lastPost = Date.now();
    const post = () => {
      if (items.length) send({ type: 'results', items });
      items = [];
      lastPost = Date.now();
    };
    for await (const r of scoreInOrder(scorer, job.images.map((img) => img.path), job.crop)) {
      const imageId = job.images[r.index]!.id;
      items.push('error' in r ? { imageId, error: AppError.from(r.error).message } : { imageId, score: r.score.score, crops: r.score.crops, ...(r.score.measures ? { measures: r.score.measures } : {}) });
      if (items.length >= job.postEvery || Date.now() - lastPost >= job.postMs) post();
      // A turn of the event loop: a prepare is a chain of steps (open, header, decode), each started from this
      // thread, so each waiting one moves on before the next model run blocks the thread again.
      if (job.pauseMs) await sleep(job.pauseMs);
      else await nextTurn();
    }
    post();
    send({ type: 'done' });
  } finally {
    scorer.dispose();
  }
}

port.on('message', (msg: ToScoreWorker) => {
  if (msg.type !== 'start') return;
  run(msg.job).then(
    () => process.exit(0),
    (err: unknown) => {
      const e = AppError.from(err);
      send({ type: 'error', code: e.code, message: e.message });
      process.exit(1);
    },
  );
});

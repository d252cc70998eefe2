// Scoring worker thread: loads the scorer, prepares the next images while the model runs on this one, posts results in batches.
import { parentPort } from 'node:worker_threads';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../src-shared/api/errors';
import { initBackend } from '../backend';
import { initInference } from '../onnx/engine';
import type { FromScoreWorker, ScoreJob, ScoreOutcome, ToScoreWorker } from './protocol';
import { scoreInOrder } from './pipelined';
import { loadScorer } from './scorer';

const port = parentPort;
if (!port) throw new Error('score.worker must run in a worker thread');
const send = (msg: FromScoreWorker) => port.postMessage(msg);

async function run(job: ScoreJob): Promise<void> {
  await initBackend(job.backend);
  await initInference(job.inference);
  const scorer = await loadScorer(job.weights);
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

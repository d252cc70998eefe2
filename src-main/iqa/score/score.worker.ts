// Scoring worker thread: loads the scorer, prepares the next images while the model runs on this one, posts results in batches.
import { parentPort } from 'node:worker_threads';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../../src-shared/api/errors';
import { initBackend } from '../backend';
import type { FromScoreWorker, ScoreJob, ScoreOutcome, ToScoreWorker } from './protocol';
import { loadScorer, type PreparedImage } from './scorer';

const port = parentPort;
if (!port) throw new Error('score.worker must run in a worker thread');
const send = (msg: FromScoreWorker) => port.postMessage(msg);

type Prepared = { batch: PreparedImage } | { error: unknown };

/**
 * Images prepared ahead of the one the model runs on. Two beat one on 2 cores (HyperIQA on wasm, 2 MP JPEGs: 81 ms
 * per photo one after the other, 75 with one ahead, 70 with two); each holds its crops (HyperIQA: 2.4 MB).
 */
const PREFETCH = 2;

async function run(job: ScoreJob): Promise<void> {
  const backend = await initBackend(job.backend);
  const scorer = await loadScorer(job.weights);
  try {
    send({ type: 'ready', backend: backend.name, modelId: scorer.modelId, source: scorer.source, labels: scorer.labels });
    let items: ScoreOutcome[] = [];
    let lastPost = Date.now();
    const post = () => {
      if (items.length) send({ type: 'results', items });
      items = [];
      lastPost = Date.now();
    };
    // Never rejects, so a prefetch that fails is reported with its image and not as an unhandled rejection.
    const prepare = (i: number): Promise<Prepared> =>
      scorer.prepare(job.images[i]!.path, job.crop).then((batch) => ({ batch }), (error: unknown) => ({ error }));
    const ahead: Promise<Prepared>[] = [];
    let queued = 0;
    for (const [i, img] of job.images.entries()) {
      // Prefetch: the next images are decoded and cropped (sharp, on its own threads) while the model runs on this one.
      while (queued < job.images.length && queued <= i + PREFETCH) ahead.push(prepare(queued++));
      const got = await ahead.shift()!;
      try {
        if ('error' in got) throw got.error;
        const r = scorer.predict(got.batch);
        items.push({ imageId: img.id, score: r.score, crops: r.crops, ...(r.measures ? { measures: r.measures } : {}) });
      } catch (err) {
        items.push({ imageId: img.id, error: AppError.from(err).message });
      }
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

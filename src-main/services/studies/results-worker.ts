// The results worker seen from the main thread: one lazily started worker thread, jobs answered in order; a database only this process can see (in memory) computes in-process instead.
import type { Worker } from 'node:worker_threads';
import type { StudyResults } from '../../../src-shared/api/schemas';
import { spawnWorker } from '../../iqa/train/spawn-worker';
import type { ResultsJob, ResultsReply } from './results.worker';

type Outcome = { res: StudyResults; votes: number };

export function createResultsWorker(file: string) {
  if (file === ':memory:') return null;
  let worker: Worker | null = null;
  let next = 0;
  const waiting = new Map<number, { ok: (o: Outcome) => void; fail: (err: Error) => void }>();

  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.fail(err);
    waiting.clear();
    worker = null;
  };
  return {
    compute(job: Omit<ResultsJob, 'job'>): Promise<Outcome> {
      worker ??= spawn();
      const id = ++next;
      return new Promise<Outcome>((ok, fail) => {
        waiting.set(id, { ok, fail });
        worker!.postMessage({ ...job, job: id } satisfies ResultsJob);
      });
    },
    close(): void {
      void worker?.terminate();
      worker = null;
    },
  };

  function spawn(): Worker {
    const w = spawnWorker('src-main/services/studies/results.worker.ts', 'results-worker.js', { file });
    w.unref();
    w.on('message', (reply: ResultsReply) => {
      const asked = waiting.get(reply.job);
      waiting.delete(reply.job);
      if (!asked) return;
      if (reply.ok) asked.ok({ res: reply.res, votes: reply.votes });
      else asked.fail(new Error(reply.message));
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`The results worker stopped (exit ${code})`)));
    return w;
  }
}

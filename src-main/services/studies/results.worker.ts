// Computes a study's results off the main thread, on its own read-only connection (WAL lets it read while votes commit), so a dashboard's reload at 100,000 items never stalls the votes.
import { parentPort, workerData } from 'node:worker_threads';
import type { StudyResults } from '../../../src-shared/api/schemas';
import { openStore } from '../../store/store';
import { aggregateStudy } from '../../studies/aggregate';

export interface ResultsJob {
  job: number;
  studyId: number;
  screening: 'none' | 'bt500';
  zscore: boolean;
  model: 'mos' | 'mle';
}
export type ResultsReply = { job: number; ok: true; res: StudyResults; votes: number } | { job: number; ok: false; message: string };

const store = openStore((workerData as { file: string }).file, { readonly: true });
const studies = store.studies;

function compute({ studyId, screening, zscore, model }: ResultsJob): { res: StudyResults; votes: number } {
  // One read transaction: the ratings, raters and names are one snapshot.
  return store.transaction(() => {
    const study = studies.get(studyId);
    if (!study) throw new Error(`No study ${studyId}`);
    const names = studies.itemImageNames(studyId);
    const contents = model === 'mle' ? studies.itemContents(studyId) : null;
    const ratings = studies.ratings(studyId);
    const res = aggregateStudy({
      studyId,
      method: study.method,
      ratings,
      raters: studies.raters(studyId),
      imageName: (imageId) => names.get(imageId) ?? String(imageId),
      screening,
      zscore,
      model,
      contentOf: (imageId) => contents?.get(imageId) ?? null,
    });
    return { res, votes: ratings.length };
  });
}

parentPort!.on('message', (job: ResultsJob) => {
  let reply: ResultsReply;
  try {
    reply = { job: job.job, ok: true, ...compute(job) };
  } catch (err) {
    reply = { job: job.job, ok: false, message: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});

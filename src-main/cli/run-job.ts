// Runs a contract call that starts a job, shows its progress on stderr, and resolves with its result.
import type { JobInfo } from '../../src-shared/api/schemas';
import { AppError } from '../../src-shared/api/errors';
import type { Runtime } from '../runtime';

export async function invokeOrThrow(rt: Runtime, channel: string, input: unknown): Promise<unknown> {
  const envelope = await rt.invoke(channel, input);
  if (!envelope.ok) throw AppError.from(envelope.error);
  return envelope.result;
}

/** IQA_PROGRESS=lines prints one progress line per update to stderr even when it is not a terminal (for scripts). */
const progressLines = () => process.env.IQA_PROGRESS === 'lines';

export async function runJob(rt: Runtime, channel: string, input: unknown, opts: { quiet?: boolean } = {}): Promise<unknown> {
  let jobId: string | null = null;
  const early: JobInfo[] = [];
  const finished = new Promise<JobInfo>((resolve) => {
    const onJob = (job: JobInfo) => {
      if (job.jobId !== jobId) return;
      if (!opts.quiet && job.total && (process.stderr.isTTY || progressLines())) {
        const text = `${job.label}: ${job.done}/${job.total}${job.message ? ` ${job.message}` : ''}`;
        process.stderr.write(process.stderr.isTTY ? `\r${text}   ` : `${text}\n`);
      }
      if (job.state !== 'running') {
        if (!opts.quiet && process.stderr.isTTY) process.stderr.write('\n');
        resolve(job);
      }
    };
    rt.services.events.subscribe((event, payload) => {
      if (event !== 'jobs:progress') return;
      if (jobId === null) early.push(payload as JobInfo);
      else onJob(payload as JobInfo);
    });
    void invokeOrThrow(rt, channel, input).then((started) => {
      jobId = (started as JobInfo).jobId;
      early.forEach(onJob);
    }, (err: unknown) => resolve({ jobId: '', kind: '', label: '', state: 'failed', done: 0, total: null, startedAt: '', error: AppError.from(err).toJSON() }));
  });
  const sigint = () => {
    if (jobId) void rt.invoke('jobs:cancel', { jobId });
  };
  process.once('SIGINT', sigint);
  const job = await finished;
  process.off('SIGINT', sigint);
  if (job.state !== 'done') throw AppError.from(job.error ?? { code: 'internal', message: `job ${job.state}` });
  return job.result;
}

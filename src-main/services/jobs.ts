// Background jobs (imports, scoring, training launches): progress events, cancel, and a record of how each ended.
import { randomUUID } from 'node:crypto';
import { AppError, type SerializedError } from '../../src-shared/api/errors';
import type { JobInfo } from '../../src-shared/api/schemas';
import type { CsvCell } from '../../src-shared/csv';
import { log } from '../app/logger';
import type { DataPaths } from '../app/paths';
import { removeReport, writeReport, type JobReport } from './reports';
import type { EventBus } from './events';

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  progress(done: number, total: number | null, message?: string): void;
  /** Writes a long list (all of an import's problems) to a CSV report kept with the job, instead of into the job. */
  report(header: string[], rows: readonly (readonly CsvCell[])[]): Promise<JobReport>;
}

const PROGRESS_INTERVAL_MS = 100;
const KEEP_FINISHED = 50;

export function createJobs(events: EventBus, paths?: DataPaths) {
  const jobs = new Map<string, JobInfo & { controller: AbortController; lastEmit: number }>();
  const withReport = new Set<string>();

  const snapshot = (j: JobInfo): JobInfo => ({
    jobId: j.jobId, kind: j.kind, label: j.label, state: j.state, done: j.done, total: j.total,
    ...(j.message !== undefined ? { message: j.message } : {}),
    ...(j.result !== undefined ? { result: j.result } : {}),
    ...(j.error !== undefined ? { error: j.error } : {}),
    startedAt: j.startedAt,
  });
  const emit = (j: JobInfo) => events.emit('jobs:progress', snapshot(j));

  function prune(): void {
    const finished = [...jobs.values()].filter((j) => j.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) {
      jobs.delete(j.jobId);
      if (paths && withReport.delete(j.jobId)) void removeReport(paths, j.jobId);
    }
  }

  return {
    start<T>(kind: string, label: string, run: (ctx: JobContext) => Promise<T>): JobInfo {
      const controller = new AbortController();
      const job = {
        jobId: randomUUID(), kind, label, state: 'running' as JobInfo['state'], done: 0, total: null as number | null,
        startedAt: new Date().toISOString(), controller, lastEmit: 0,
      } as JobInfo & { controller: AbortController; lastEmit: number };
      jobs.set(job.jobId, job);
      const ctx: JobContext = {
        jobId: job.jobId,
        signal: controller.signal,
        async report(header, rows) {
          if (!paths) throw new AppError('internal', 'jobs were created without a data folder for reports');
          withReport.add(job.jobId);
          return writeReport(paths, job.jobId, header, rows);
        },
        progress(done, total, message) {
          job.done = done;
          job.total = total;
          if (message !== undefined) job.message = message;
          const now = Date.now();
          if (now - job.lastEmit >= PROGRESS_INTERVAL_MS || (total !== null && done >= total)) {
            job.lastEmit = now;
            emit(job);
          }
        },
      };
      emit(job);
      // Deferred so the caller gets the job id before any work (and any synchronous failure) happens.
      setImmediate(() => {
        run(ctx).then(
          (result) => {
            job.state = 'done';
            job.result = result;
            emit(job);
            prune();
          },
          (err: unknown) => {
            const appErr = AppError.from(err);
            job.state = controller.signal.aborted || appErr.code === 'cancelled' ? 'cancelled' : 'failed';
            job.error = appErr.toJSON() as SerializedError;
            if (job.state === 'failed' && appErr.code === 'internal') log.error('jobs', `${kind} failed`, err);
            emit(job);
            prune();
          },
        );
      });
      return snapshot(job);
    },
    cancel(jobId: string): boolean {
      const job = jobs.get(jobId);
      if (!job || job.state !== 'running') return false;
      job.controller.abort();
      return true;
    },
    get(jobId: string): JobInfo | undefined {
      const j = jobs.get(jobId);
      return j && snapshot(j);
    },
    list(): JobInfo[] {
      return [...jobs.values()].map(snapshot);
    },
  };
}
export type Jobs = ReturnType<typeof createJobs>;

// Live state of background jobs (imports, scoring, training), fed by jobs:progress events.
import type { JobInfo } from '../../../src-shared/api/schemas';
import { call, on } from '../api';

class JobsState {
  byId = $state<Record<string, JobInfo>>({});
  #started = false;

  start(): void {
    if (this.#started) return;
    this.#started = true;
    on('jobs:progress', (job) => (this.byId[job.jobId] = job));
    void call('jobs:list', {}).then((list) => {
      for (const j of list) this.byId[j.jobId] ??= j;
    });
  }

  track(job: JobInfo): void {
    this.start();
    this.byId[job.jobId] ??= job;
  }

  async cancel(jobId: string): Promise<void> {
    await call('jobs:cancel', { jobId });
  }
}

export const jobsState = new JobsState();

// Builds every service handler from one context; the shells only ever call `invoke`.
import type { Handlers } from '../../src-shared/api/contract';
import { appInfo } from './app.service';
import type { ServiceContext } from './context';
import { datasetHandlers } from './datasets.service';
import { createFileService } from './files.service';
import { importHandlers } from './import.service';

export function createHandlers(ctx: ServiceContext): Handlers {
  return {
    'app:info': () => appInfo(ctx),
    ...datasetHandlers(ctx),
    ...importHandlers(ctx),
    'jobs:list': () => ctx.jobs.list(),
    'jobs:cancel': ({ jobId }) => ({ cancelled: ctx.jobs.cancel(jobId) }),
    'runs:list': () => ctx.store.runs.list(),
    'settings:get': ({ key }) => ctx.store.settings.get(key) ?? null,
    'settings:set': ({ key, value }) => {
      ctx.store.settings.set(key, value);
      return { key };
    },
  };
}

export function createServices(ctx: ServiceContext) {
  return { handlers: createHandlers(ctx), files: createFileService(ctx), events: ctx.events };
}
export type Services = ReturnType<typeof createServices>;

// Builds every service handler from one context; the shells only ever call `invoke`.
import type { Handlers } from '../../src-shared/api/contract';
import { createScorerCache } from '../iqa/score/scorer-cache';
import { createAcrossRunsService } from './across-runs.service';
import { appInfo } from './app.service';
import type { ServiceContext } from './context';
import { datasetDeleteHandler } from './dataset-delete.service';
import { datasetHandlers } from './datasets.service';
import { evaluationHandlers } from './evaluations.service';
import { createFileService } from './files.service';
import { folderHandlers } from './folders.service';
import { importHandlers } from './import.service';
import { libraryHandlers } from './library.service';
import { photoGroupHandlers } from './photo-groups.service';
import { createMapService } from './maps.service';
import { createRunService } from './runs.service';
import { createRunStatsService } from './run-stats';
import { createScoreService } from './scores.service';
import { siblingHandlers } from './siblings.service';
import { createStudyService } from './studies.service';
import { createTtlService } from './ttl.service';

/** Checkpoints kept loaded between requests: flipping images over a few runs must not reload them each time. */
export const SCORERS_KEPT = 3;

export function createHandlers(
  ctx: ServiceContext,
  runs: ReturnType<typeof createRunService>,
  maps: ReturnType<typeof createMapService>,
  studies: ReturnType<typeof createStudyService>,
  acrossRuns: ReturnType<typeof createAcrossRunsService>,
  scores: ReturnType<typeof createScoreService>,
): Handlers {
  return {
    ...studies.handlers,
    ...runs.handlers,
    ...createRunStatsService(ctx).handlers,
    ...evaluationHandlers(ctx),
    ...createTtlService(ctx, runs).handlers,
    ...maps.handlers,
    'app:info': () => appInfo(ctx),
    ...datasetHandlers(ctx),
    ...datasetDeleteHandler(ctx, studies.votesCsv),
    ...importHandlers(ctx),
    ...folderHandlers(ctx),
    ...scores.handlers,
    ...siblingHandlers(ctx),
    ...libraryHandlers(ctx),
    ...photoGroupHandlers(ctx),
    'jobs:list': () => ctx.jobs.list(),
    'jobs:cancel': ({ jobId }) => ({ cancelled: ctx.jobs.cancel(jobId) }),
    'settings:get': ({ key }) => ctx.store.settings.get(key) ?? null,
    'settings:set': ({ key, value }) => {
      ctx.store.settings.set(key, value);
      return { key };
    },
    ...acrossRuns.handlers,
  };
}

export function createServices(ctx: ServiceContext) {
  const runs = createRunService(ctx);
  // One set of loaded checkpoints for Inspect's maps and Across runs: a HIQA run's maps and score load it once.
  const scorers = createScorerCache(SCORERS_KEPT);
  const maps = createMapService(ctx, scorers);
  const studies = createStudyService(ctx);
  const acrossRuns = createAcrossRunsService(ctx, scorers);
  const scores = createScoreService(ctx);
  return {
    handlers: createHandlers(ctx, runs, maps, studies, acrossRuns, scores),
    files: createFileService(ctx, maps.resolveFile, studies.rateFile),
    /** Whether a rater link's token is known (serve limits its calls per rater). */
    isRaterToken: studies.isRaterToken,
    events: ctx.events,
    shutdown: async () => {
      // Synchronous: runs before the store closes, so a scoring job writes the scores that have arrived.
      scores.shutdown();
      maps.shutdown();
      acrossRuns.shutdown();
      scorers.close();
      studies.close();
      await runs.shutdown();
    },
  };
}
export type Services = ReturnType<typeof createServices>;

// Opens everything a shell needs — store, demo data, tensor backend, services — from one set of options.
import { join } from 'node:path';
import { setRawCacheDir } from './imaging/raw-files';
import { endExifTool } from './photo/exif';
import { dataPaths, resolveDataDir } from './app/paths';
import { log } from './app/logger';
import { currentBackend, initBackend, type BackendChoice } from './iqa/backend';
import { currentInference, initInference, type InferenceChoice } from './iqa/onnx/engine';
import { seedDemo, seedSyntheticDemo } from './services/demo';
import { createDispatcher } from './services/dispatch';
import { createEventBus } from './services/events';
import { createJobs } from './services/jobs';
import { createServices } from './services/index';
import { sweepReports } from './services/reports';
import type { ServiceContext } from './services/context';
import { openStore } from './store/store';

export interface RuntimeOptions {
  dataDir?: string;
  shell: ServiceContext['shell'];
  /** Tensor backend to start; false skips it (commands that need no tensors). */
  backend?: BackendChoice | false;
  /** Inference engine for scoring (started with the backend): ONNX Runtime when installed, else tfjs; IQA_INFERENCE overrides 'auto'. */
  inference?: InferenceChoice;
  seedDemo?: boolean;
  /** Also build the labelled demo (distorted demo photos) in a background job on first start (app shells). */
  demoDistortions?: boolean;
  /** Folders clients may import from; null = any (see ServiceContext.importRoots). */
  importRoots?: string[] | null;
}

export async function openRuntime(opts: RuntimeOptions) {
  const paths = dataPaths(resolveDataDir(opts.dataDir));
  const store = openStore(paths.databaseFile);
  setRawCacheDir(join(paths.cacheDir, 'raw'));
  try {
    if (opts.seedDemo !== false) await seedDemo(store);
    if (opts.backend !== false) {
      const info = await initBackend(opts.backend ?? 'auto');
      log.info('backend', `tensor backend: ${info.name}`);
      const inf = await initInference(opts.inference ?? 'auto');
      log.info('backend', `inference: ${inf.engine}${inf.provider ? ` (${inf.provider})` : ''}`);
    }
  } catch (err) {
    store.close();
    throw err;
  }
  const events = createEventBus();
  const ctx: ServiceContext = {
    store,
    paths,
    events,
    jobs: createJobs(events, paths),
    shell: opts.shell,
    backend: currentBackend,
    inference: currentInference,
    importRoots: opts.importRoots ?? null,
  };
  const services = createServices(ctx);
  void sweepReports(paths);
  if (opts.seedDemo !== false && opts.demoDistortions && !store.settings.get('demo.synthetic.seeded')) {
    ctx.jobs.start('demo', 'Build the demo distortions', async ({ signal, progress }) => {
      const datasetId = await seedSyntheticDemo(store, paths.dataDir, { signal, onProgress: (d, t) => progress(d, t) });
      ctx.events.emit('datasets:changed', { datasetId });
      return { datasetId };
    });
  }
  return {
    ctx,
    services,
    invoke: createDispatcher(services.handlers),
    close: () => {
      void services.shutdown();
      void endExifTool();
      store.close();
    },
  };
}
export type Runtime = Awaited<ReturnType<typeof openRuntime>>;

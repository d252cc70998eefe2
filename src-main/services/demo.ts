// Seeds the bundled demo datasets into a new database, once: the photos in resources/demo, and distortions made from them.
import { join } from 'node:path';
import { resourcesDir } from '../app/paths';
import { commitImport } from '../datasets/importers/commit';
import { buildSyntheticDataset } from '../datasets/synth/build-synthetic';
import type { Store } from '../store/store';
import { importFolder } from './import-folder';

export const DEMO_DATASET_NAME = 'Demo photos';
export const DEMO_SYNTHETIC_NAME = 'Demo distortions';
const SEEDED_KEY = 'demo.seeded';
const SYNTHETIC_SEEDED_KEY = 'demo.synthetic.seeded';

/** Imports the demo photos unless this database has had them before (deleting the demo keeps it deleted). */
export async function seedDemo(store: Store, demoDir = join(resourcesDir(), 'demo')): Promise<number | null> {
  if (store.settings.get(SEEDED_KEY)) return null;
  const result = await importFolder(store, demoDir, {
    name: DEMO_DATASET_NAME,
    kind: 'demo',
    description: 'Six photos bundled with the app (credits in resources/demo/CREDITS.md).',
  });
  store.settings.set(SEEDED_KEY, true);
  return result.datasetId;
}

/**
 * Builds the labelled demo: each demo photo downscaled to 448 px (so 224 px crops fit), 4 seeded distortion types at
 * levels 1, 3 and 5, labelled with the synthetic builder's documented pseudo-MOS. Written under the data folder.
 */
export async function seedSyntheticDemo(
  store: Store,
  dataDir: string,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; demoDir?: string } = {},
): Promise<number | null> {
  if (store.settings.get(SYNTHETIC_SEEDED_KEY)) return null;
  const build = await buildSyntheticDataset({
    sourceDir: opts.demoDir ?? join(resourcesDir(), 'demo'),
    outDir: join(dataDir, 'demo-distortions'),
    maxSide: 448,
    perImage: 4,
    levels: [1, 3, 5],
    seed: 1,
    // One photo at a time, so the first start stays responsive while it builds.
    concurrency: 1,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: (d: number, t: number) => opts.onProgress!(d, t) } : {}),
  });
  const result = await commitImport(store, build.root, build.parsed, {
    name: DEMO_SYNTHETIC_NAME,
    description: 'The demo photos with seeded KADID-style distortions and a pseudo-MOS from full-reference metrics (see README.md in its folder).',
  });
  store.settings.set(SYNTHETIC_SEEDED_KEY, true);
  return result.datasetId;
}

// Seeds the bundled demo dataset (photos in resources/demo) into a new database, once.
import { join } from 'node:path';
import { resourcesDir } from '../app/paths';
import type { Store } from '../store/store';
import { importFolder } from './import-folder';

export const DEMO_DATASET_NAME = 'Demo photos';
const SEEDED_KEY = 'demo.seeded';

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

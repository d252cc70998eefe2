// The store: one open database and its repositories; services read and write through the repositories only.
import { openDatabase, type Db, type OpenOptions } from './db';
import { getUserVersion } from './migrate';
import { createDatasetsRepo } from './repos/datasets.repo';
import { createImagesRepo } from './repos/images.repo';
import { createPhotoCullingRepo } from './repos/photo-culling.repo';
import { createPhotosRepo } from './repos/photos.repo';
import { createRunsRepo } from './repos/runs.repo';
import { createScoresRepo } from './repos/scores.repo';
import { createSettingsRepo } from './repos/settings.repo';
import { createSplitsRepo } from './repos/splits.repo';
import { createStudiesRepo } from './repos/studies.repo';

const databases = new WeakMap<object, Db>();

export function openStore(file: string, options: OpenOptions = {}) {
  const db = openDatabase(file, options);
  const store = {
    /**
     * @deprecated The raw database, left for src-main/services/studies.service.ts alone until its SQL moves into
     * repos/studies.repo.ts; then this property goes. Nothing else may use it (tests/unit/store/sql-boundary.test.ts).
     */
    db,
    file,
    schemaVersion: () => getUserVersion(db),
    datasets: createDatasetsRepo(db),
    images: createImagesRepo(db),
    settings: createSettingsRepo(db),
    runs: createRunsRepo(db),
    splits: createSplitsRepo(db),
    scores: createScoresRepo(db),
    studies: createStudiesRepo(db),
    photos: createPhotosRepo(db),
    culling: createPhotoCullingRepo(db),
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    close(): void {
      if (db.open) db.close();
    },
  };
  databases.set(store, db);
  return store;
}
export type Store = ReturnType<typeof openStore>;
export type { Db };

/** The database under a store, for tests that check what the repositories wrote (integrity, table dumps); never for app code. */
export function databaseOf(store: Store): Db {
  const db = databases.get(store);
  if (!db) throw new Error('Not a store opened by openStore');
  return db;
}

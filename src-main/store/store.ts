// The store: one open database and its repositories.
import { openDatabase, type Db, type OpenOptions } from './db';
import { getUserVersion } from './migrate';
import { createDatasetsRepo } from './repos/datasets.repo';
import { createPhotoCullingRepo } from './repos/photo-culling.repo';
import { createPhotosRepo } from './repos/photos.repo';
import { createRunsRepo } from './repos/runs.repo';
import { createScoresRepo } from './repos/scores.repo';
import { createSettingsRepo } from './repos/settings.repo';
import { createSplitsRepo } from './repos/splits.repo';
import { createStudiesRepo } from './repos/studies.repo';

export function openStore(file: string, options: OpenOptions = {}) {
  const db = openDatabase(file, options);
  return {
    db,
    file,
    schemaVersion: () => getUserVersion(db),
    datasets: createDatasetsRepo(db),
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
}
export type Store = ReturnType<typeof openStore>;
export type { Db };

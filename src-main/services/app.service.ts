// App-level facts: versions, shell, database, tensor backend.
import type { AppInfo } from '../../src-shared/api/schemas';
import { appVersion, libraryVersions } from '../app/version';
import type { ServiceContext } from './context';

export function appInfo(ctx: ServiceContext): AppInfo {
  return {
    app: 'iqa-workbench',
    version: appVersion(),
    shell: ctx.shell,
    node: process.versions.node,
    electron: process.versions.electron ?? null,
    versions: libraryVersions(),
    databasePath: ctx.store.file,
    schemaVersion: ctx.store.schemaVersion(),
    dataDir: ctx.paths.dataDir,
    backend: ctx.backend(),
    inference: ctx.inference(),
    platform: `${process.platform}-${process.arch}`,
  };
}

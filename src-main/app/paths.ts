// Where the app keeps its database, caches and bundled resources.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DataPaths {
  dataDir: string;
  databaseFile: string;
  cacheDir: string;
  thumbsDir: string;
}

/** The data folder: --data-dir, else IQA_DATA_DIR, else the platform's per-user data folder. */
export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  if (process.env.IQA_DATA_DIR) return resolve(process.env.IQA_DATA_DIR);
  if (process.platform === 'win32' && process.env.APPDATA) return join(process.env.APPDATA, 'iqa-workbench');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'iqa-workbench');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'iqa-workbench');
}

export function dataPaths(dataDir: string): DataPaths {
  return {
    dataDir,
    databaseFile: join(dataDir, 'iqa.sqlite'),
    cacheDir: join(dataDir, 'cache'),
    thumbsDir: join(dataDir, 'cache', 'thumbs'),
  };
}

/** The repository / install root (holds package.json), found by walking up from this file. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('Could not find the app root (package.json beside resources/)');
}

export const resourcesDir = (): string => join(appRoot(), 'resources');
export const rendererDistDir = (): string => join(appRoot(), 'out', 'renderer');

// Starts a worker thread for a worker module, from TypeScript sources (via tsx) or from the built bundle.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot } from '../../app/paths';

/**
 * `sourceRelative` is the module path from the repo root (e.g. src-main/iqa/train/train.worker.ts); `bundled` the
 * file name electron-vite gives it next to the main bundle.
 */
export function spawnWorker(sourceRelative: string, bundled: string, data: Record<string, unknown> = {}): Worker {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return new Worker(join(appRoot(), 'bin', 'ts-worker.js'), { workerData: { ...data, entry: join(appRoot(), sourceRelative) } });
  }
  const file = join(dirname(here), bundled);
  if (!existsSync(file)) throw new Error(`worker bundle missing: ${file}`);
  return new Worker(file, { workerData: data });
}

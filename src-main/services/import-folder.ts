// Imports a folder of images as a dataset: probe every file first, then write everything in one transaction.
import { basename, relative, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { AppError } from '../../src-shared/api/errors';
import { probeImage, type ImageProbe } from '../imaging/probe';
import { listImageFiles } from '../imaging/scan';
import type { Store } from '../store/store';
import { mapLimit } from '../util/map-limit';

export interface FolderImportOptions {
  name: string;
  kind?: string;
  description?: string;
  recursive?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface FolderImportResult {
  datasetId: number;
  imported: number;
  failed: { path: string; error: string }[];
}

export async function importFolder(store: Store, folder: string, opts: FolderImportOptions): Promise<FolderImportResult> {
  const root = resolve(folder);
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new AppError('bad_input', `Not a folder: ${root}`);
  if (store.datasets.findByName(opts.name)) {
    throw new AppError('conflict', `A dataset named "${opts.name}" already exists`);
  }
  const files = await listImageFiles(root, opts.recursive ?? true);
  if (!files.length) throw new AppError('bad_input', `No images found in ${root}`);

  let done = 0;
  const probes = await mapLimit(files, 8, async (path): Promise<{ path: string; probe: ImageProbe }> => {
    if (opts.signal?.aborted) throw new AppError('cancelled', 'Import cancelled; nothing was imported');
    const probe = await probeImage(path);
    opts.onProgress?.(++done, files.length);
    return { path, probe };
  });
  if (opts.signal?.aborted) throw new AppError('cancelled', 'Import cancelled; nothing was imported');

  const datasetId = store.transaction(() => {
    const id = store.datasets.create({
      name: opts.name,
      kind: opts.kind ?? 'folder',
      root,
      description: opts.description ?? '',
    });
    for (const { path, probe } of probes) {
      store.datasets.addImage(id, { path, name: relative(root, path) || basename(path), ...probe });
    }
    return id;
  });
  const failed = probes.filter((p) => p.probe.error).map((p) => ({ path: p.path, error: p.probe.error! }));
  return { datasetId, imported: probes.length - failed.length, failed };
}

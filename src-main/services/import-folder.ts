// Imports a folder of images as a dataset, and rescans one for photos added since: probe every new file first, then write them in one transaction.
import { basename, relative, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { AppError } from '../../src-shared/api/errors';
import { probeImage, type ImageProbe } from '../imaging/probe';
import { listImageFiles } from '../imaging/scan';
import type { Store } from '../store/store';
import { mapLimit } from '../util/map-limit';
import { readExif } from '../photo/exif';
import { pairRawFiles } from '../photo/raw-pairs';

/** EXIF is read on import for up to this many new photos; a larger import gets it when grouped. */
const EXIF_ON_IMPORT = 3000;

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

type Probed = { path: string; probe: ImageProbe; raw?: string };

async function probeAll(files: string[], opts: Pick<FolderImportOptions, 'onProgress' | 'signal'>, cancelled: string) {
  let done = 0;
  const probes = await mapLimit(files, 8, async (path): Promise<Probed> => {
    if (opts.signal?.aborted) throw new AppError('cancelled', cancelled);
    const probe = await probeImage(path);
    opts.onProgress?.(++done, files.length);
    return { path, probe };
  });
  if (opts.signal?.aborted) throw new AppError('cancelled', cancelled);
  return probes;
}

/** Adds probed files to a dataset, named by their path under `root` (call inside a transaction); returns their ids. */
function addProbed(store: Store, datasetId: number, root: string, probes: readonly Probed[]): number[] {
  return probes.map(({ path, probe }) => store.datasets.addImage(datasetId, { path, name: relative(root, path) || basename(path), ...probe }));
}

/** Lists a folder's images with RAW+JPEG pairs as one (the JPEG, its RAW noted). */
async function listPaired(root: string, recursive: boolean): Promise<{ files: string[]; rawOf: Map<string, string> }> {
  return pairRawFiles(await listImageFiles(root, recursive));
}

/** Stores the camera EXIF (from the RAW when paired) and the RAW companion of newly added photos. */
async function addExif(store: Store, probes: readonly Probed[], ids: readonly number[], signal?: AbortSignal): Promise<void> {
  const readable = probes.map((p, i) => ({ p, id: ids[i]! })).filter(({ p }) => !p.probe.error);
  const read = readable.length <= EXIF_ON_IMPORT;
  const rows = await mapLimit(readable, 4, async ({ p, id }) => {
    const exif = read && !signal?.aborted ? await readExif(p.raw ?? p.path).catch(() => null) : null;
    return exif || p.raw ? { imageId: id, capturedAt: null, camera: null, lens: null, focalLength: null, iso: null, shutter: null, aperture: null, ...exif, rawPath: p.raw ?? null, dhash: null } : null;
  });
  store.culling.saveExif(rows.filter((r) => r !== null));
}

const failuresOf = (probes: readonly Probed[]) => probes.filter((p) => p.probe.error).map((p) => ({ path: p.path, error: p.probe.error! }));

export async function importFolder(store: Store, folder: string, opts: FolderImportOptions): Promise<FolderImportResult> {
  const root = resolve(folder);
  const st = await stat(root).catch(() => null);
  if (!st?.isDirectory()) throw new AppError('bad_input', `Not a folder: ${root}`);
  if (store.datasets.findByName(opts.name)) {
    throw new AppError('conflict', `A dataset named "${opts.name}" already exists`);
  }
  const { files, rawOf } = await listPaired(root, opts.recursive ?? true);
  if (!files.length) throw new AppError('bad_input', `No images found in ${root}`);

  const probes = (await probeAll(files, opts, 'Import cancelled; nothing was imported')).map((p) => ({ ...p, raw: rawOf.get(p.path) }));

  let ids: number[] = [];
  const datasetId = store.transaction(() => {
    const id = store.datasets.create({
      name: opts.name,
      kind: opts.kind ?? 'folder',
      root,
      description: opts.description ?? '',
    });
    ids = addProbed(store, id, root, probes);
    return id;
  });
  await addExif(store, probes, ids, opts.signal);
  const failed = failuresOf(probes);
  return { datasetId, imported: probes.length - failed.length, failed };
}

export interface RescanResult {
  datasetId: number;
  /** New image files found and added (unreadable ones included, marked with their error). */
  added: number;
  failed: { path: string; error: string }[];
  /** Photos in the collection whose file is gone; they stay, with their stars and scores, until removed. */
  missing: number;
  missingNames: string[];
}

/** Adds the images that appeared under a folder collection's root since it was added; touches nothing already there. */
export async function rescanFolder(store: Store, datasetId: number, opts: Pick<FolderImportOptions, 'recursive' | 'onProgress' | 'signal'> = {}): Promise<RescanResult> {
  const ds = store.datasets.get(datasetId);
  if (!ds) throw new AppError('not_found', `No collection ${datasetId}`);
  if (!ds.root) throw new AppError('bad_input', `"${ds.name}" has no folder to rescan`);
  const root = ds.root;
  if (!(await stat(root).catch(() => null))?.isDirectory()) throw new AppError('bad_input', `The folder of "${ds.name}" is gone: ${root}`);
  const known = new Map(store.datasets.imagePaths(datasetId).map((r) => [r.path, r.name]));
  const { files, rawOf } = await listPaired(root, opts.recursive ?? true);
  const onDisk = new Set([...files, ...rawOf.values()]);
  const fresh = files.filter((f) => !known.has(f));
  const probes = (await probeAll(fresh, opts, 'Rescan cancelled; nothing was added')).map((p) => ({ ...p, raw: rawOf.get(p.path) }));
  const ids = store.transaction(() => addProbed(store, datasetId, root, probes));
  await addExif(store, probes, ids, opts.signal);
  const gone: string[] = [];
  for (const [path, name] of known) if (!onDisk.has(path) && !(await stat(path).catch(() => null))) gone.push(name);
  const failed = failuresOf(probes);
  return { datasetId, added: probes.length, failed: failed.slice(0, 50), missing: gone.length, missingNames: gone.slice(0, 50) };
}

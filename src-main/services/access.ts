// The one guard for paths from clients and files sent to them: real paths (symlinks resolved) checked against the allowed roots.
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import { resourcesDir } from '../app/paths';
import { resolveLabelFile, type LabelFile } from '../datasets/importers/label-file';
import { insideAny, realPathOrNull } from '../util/real-path';
import type { ServiceContext } from './context';

/** The allowed roots as real paths; null when any folder is allowed (the desktop app, the CLI, loopback serve mode). */
export async function allowedRoots(ctx: ServiceContext): Promise<string[] | null> {
  return ctx.importRoots ? Promise.all(ctx.importRoots.map((r) => realpath(r).catch(() => resolve(r)))) : null;
}

/** Whether a real path is one of the real roots or lies under one (a sibling such as /photos-private is not under /photos). */
export const insideRoots = insideAny;

/** A file a client names (e.g. backbone weights): absolute, existing, and really inside an allowed root when roots are set. */
export async function checkClientFile(ctx: ServiceContext, file: string): Promise<string> {
  if (!isAbsolute(file)) throw new AppError('validation', `Give the file as an absolute path (got "${file}")`);
  const real = await realPathOrNull(file);
  if (!real || !(await stat(real)).isFile()) throw new AppError('bad_input', `Not a file: ${file}`);
  const allowed = await allowedRoots(ctx);
  if (allowed && !insideRoots(allowed, real)) {
    throw new AppError('forbidden', `This server reads client-named files only under ${allowed.join(', ') || 'no folder (start it with --allow-root)'}; ${file} is outside`);
  }
  return real;
}

/** The real folder to import (or rescan), after checking it exists and really lies inside an allowed root. */
export async function checkImportRoot(ctx: ServiceContext, root: string): Promise<string> {
  if (!isAbsolute(root)) throw new AppError('validation', `Give the dataset folder as an absolute path (got "${root}")`);
  const real = await realPathOrNull(resolve(root));
  if (!real || !(await stat(real)).isDirectory()) throw new AppError('bad_input', `Not a folder: ${root}`);
  const allowed = await allowedRoots(ctx);
  if (allowed && !insideRoots(allowed, real)) {
    throw new AppError(
      'forbidden',
      allowed.length
        ? `This server imports only from ${allowed.join(', ')}; ${root} is outside`
        : 'This server was started without --allow-root, so it imports no folders from clients',
    );
  }
  return real;
}

/**
 * Where an import may read files (label files, and the images its rows name) after symlinks: the real dataset
 * folder and the allowed roots; null (anywhere) when the shell allows any folder.
 */
export async function importFileRoots(ctx: ServiceContext, realRoot: string): Promise<string[] | null> {
  const allowed = await allowedRoots(ctx);
  return allowed ? [realRoot, ...allowed] : null;
}

/** Checks a client-named label file before an import job starts: inside the dataset folder (or the allowed roots), existing. */
export async function checkLabelFile(ctx: ServiceContext, realRoot: string, file: string): Promise<LabelFile> {
  return resolveLabelFile(realRoot, file, await importFileRoots(ctx, realRoot));
}

function bundledResources(): string {
  try {
    return resourcesDir();
  } catch {
    return '';
  }
}

/**
 * A stored image or reference path about to be sent to a client. Off loopback (allowed roots set) its real path must
 * lie in its dataset's folder, an allowed root, the data folder or the bundled resources: a symlink planted or
 * swapped in a dataset folder after import cannot reach the rest of the disk. Always a regular file.
 */
export async function checkServedFile(ctx: ServiceContext, path: string, datasetRoot: string | null): Promise<string> {
  const real = await realPathOrNull(path);
  const st = real ? await stat(real).catch(() => null) : null;
  if (!real || !st) throw new AppError('not_found', 'The image file is missing on disk');
  if (!st.isFile()) throw new AppError('bad_input', 'The image path is not a regular file');
  const allowed = await allowedRoots(ctx);
  if (allowed) {
    const own = datasetRoot ? await realPathOrNull(datasetRoot) : null;
    const data = await realPathOrNull(ctx.paths.dataDir);
    const bundled = await realPathOrNull(bundledResources());
    const roots = [...allowed, ...[own, data, bundled].filter((r): r is string => !!r)];
    if (!insideRoots(roots, real)) throw new AppError('forbidden', 'This file lies (or links) outside the dataset folder and the folders this server allows');
  }
  return real;
}

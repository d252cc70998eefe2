// The label files an importer reads (CSV, txt, xlsx, mat): resolved to real paths inside the dataset folder (and a server's allowed roots), regular files only, size-capped.
import { isAbsolute } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { insideAny, NotRegularFileError, readRegularFile, realPathOrNull } from '../../util/real-path';
import { resolveInside } from './paths';

/** The largest label file read (KonIQ's scores CSV is 1 MB, the largest pyiqa meta-info CSVs a few MB). */
export const MAX_LABEL_FILE_BYTES = 64 * 1024 * 1024;

export interface LabelFile {
  /** The real path (symlinks resolved) that is read. */
  path: string;
  /** The name as given or found, for messages. */
  name: string;
}

/**
 * Resolves a label file named relative to the dataset folder `root` (a real path), or absolute. A relative name may
 * not climb out of the folder; when `fileRoots` is given (a server with --allow-root) the real path, after every
 * symlink, must lie inside one of them. Nothing is read here, so a refusal can never echo the file's contents.
 */
export async function resolveLabelFile(root: string, given: string, fileRoots: readonly string[] | null): Promise<LabelFile> {
  if (!given || given.includes('\0')) throw new AppError('validation', 'The label file name is empty or holds a NUL byte');
  const full = isAbsolute(given) ? given : resolveInside(root, given);
  if (!full) throw new AppError('validation', `The label file "${given}" leaves the dataset folder; give a file inside ${root} (or an absolute path)`);
  const real = await realPathOrNull(full);
  if (!real) throw new AppError('bad_input', `Missing file: ${given}`);
  if (fileRoots && !insideAny(fileRoots, real)) {
    throw new AppError('forbidden', `This server reads label files only inside the dataset folder and the folders it allows (--allow-root); "${given}" is, or links to, a file outside them`);
  }
  return { path: real, name: given };
}

/** The bytes of a resolved label file: a regular file (no FIFO, device or folder) of at most MAX_LABEL_FILE_BYTES. */
export async function readLabelFile(path: string, name = path): Promise<Buffer> {
  try {
    return await readRegularFile(path, MAX_LABEL_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof NotRegularFileError)) throw new AppError('bad_input', `Cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    if (err.reason === 'missing') throw new AppError('bad_input', `Missing file: ${name}`);
    if (err.reason === 'not_regular') throw new AppError('bad_input', `${name} is not a regular file (a folder, device or pipe); give the label file itself`);
    throw new AppError('bad_input', `${name} is larger than ${MAX_LABEL_FILE_BYTES / 1024 / 1024} MB, too large for a label file`);
  }
}

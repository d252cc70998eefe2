// Path confinement on real paths (symlinks resolved): is a file inside a folder, and reading a regular file with a size cap.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

/** Whether the real path `real` is the real folder `root` or lies under it (`/photos-private` is not under `/photos`). */
export function isInside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** Whether a real path lies inside any of the real folders. */
export function insideAny(roots: readonly string[], real: string): boolean {
  return roots.some((r) => isInside(r, real));
}

/** The real path (every symlink resolved), or null when it does not exist or cannot be resolved. */
export function realPathOrNull(path: string): Promise<string | null> {
  return realpath(path).catch(() => null);
}

export class NotRegularFileError extends Error {
  constructor(readonly path: string, readonly reason: 'missing' | 'not_regular' | 'too_large', readonly size?: number) {
    super(reason === 'missing' ? `Missing file: ${path}` : reason === 'not_regular' ? `Not a regular file: ${path}` : `File too large: ${path}`);
  }
}

/**
 * Reads a regular file of at most `maxBytes`. Opened non-blocking and checked on the open handle, so a FIFO or a
 * device (/dev/zero) is refused without a read, and a file that grows while read stops at the cap.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotRegularFileError(path, 'missing');
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, 'not_regular');
    if (st.size > maxBytes) throw new NotRegularFileError(path, 'too_large', st.size);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let length = 0;
    while (length < buf.length) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new NotRegularFileError(path, 'too_large', length);
    return buf.subarray(0, length);
  } finally {
    await handle.close();
  }
}

// Browses the server's folders for the Add-folder and Import forms: subfolders and image counts, inside the allowed roots.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { FolderListing } from '../../src-shared/api/schemas';
import { isImageEntry } from '../imaging/scan';
import type { ServiceContext } from './context';
import { allowedRoots, insideRoots } from './access';

/** Subfolders listed at most, and of those, how many get their contents counted (one readdir each). */
export const MAX_FOLDERS = 2000;
export const MAX_COUNTED = 300;

const isFolder = (e: Dirent) => e.isDirectory() && !e.name.startsWith('.');
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;

/** The folder itself when it exists, else its nearest existing parent: what a half-typed path should open on. */
async function nearestFolder(path: string): Promise<string> {
  for (let p = resolve(path); ; p = dirname(p)) {
    const real = await realpath(p).catch(() => null);
    if (real && (await stat(real)).isDirectory()) return real;
    if (dirname(p) === p) throw new AppError('bad_input', `No folder at or above ${path}`);
  }
}

/** Images and visible subfolders directly inside a folder; nulls when it cannot be read. */
async function counts(dir: string): Promise<{ images: number | null; folders: number | null }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  return entries ? { images: entries.filter(isImageEntry).length, folders: entries.filter(isFolder).length } : { images: null, folders: null };
}

export function folderHandlers(ctx: ServiceContext): Pick<Handlers, 'folders:browse'> {
  return {
    'folders:browse': async ({ path }): Promise<FolderListing> => {
      const roots = await allowedRoots(ctx);
      if (roots && !roots.length) throw new AppError('forbidden', 'This server was started without --allow-root, so it shows no folders to clients');
      if (path !== undefined && !isAbsolute(path)) throw new AppError('validation', `Give an absolute path (got "${path}")`);
      const dir = await nearestFolder(path ?? roots?.[0] ?? homedir());
      if (roots && !insideRoots(roots, dir)) throw new AppError('forbidden', `This server shows only folders under ${roots.join(', ')}; ${path} is outside`);
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        throw new AppError('bad_input', `Cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const subfolders = entries.filter(isFolder).map((e) => e.name).sort(byName);
      const listed = subfolders.slice(0, MAX_FOLDERS);
      const folders = await Promise.all(
        listed.map(async (name, k) => ({ name, path: join(dir, name), ...(k < MAX_COUNTED ? await counts(join(dir, name)) : { images: null, folders: null }) })),
      );
      const up = dirname(dir);
      const parent = up !== dir && (!roots || insideRoots(roots, up)) ? up : null;
      return { path: dir, parent, images: entries.filter(isImageEntry).length, folders, truncated: subfolders.length > listed.length, roots: roots ?? [] };
    },
  };
}

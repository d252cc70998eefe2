// Lists image files under a folder (recursively, sorted), skipping hidden entries and symlinked folders.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from './probe';

/** A regular file with an image extension (hidden entries are left to the caller). */
export const isImageEntry = (e: Dirent): boolean => e.isFile() && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase());

export async function listImageFiles(root: string, recursive = true): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (recursive) await walk(full);
      } else if (isImageEntry(e)) {
        out.push(full);
      }
    }
  }
  await walk(root);
  return out;
}

// Thumbnails in the cache folder, keyed by the source's path, size and mtime, made once with sharp.
import { openImage } from './open-image';
import { createHash } from 'node:crypto';
import { mkdir, rename, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const THUMB_SIZE = 256;

/** Thumbnails being made, by cache file: a second request for one waits for the first instead of racing on its temp file. */
const making = new Map<string, Promise<string>>();

export async function thumbnailFor(source: string, thumbsDir: string, size = THUMB_SIZE): Promise<string> {
  const st = await stat(source);
  const key = createHash('sha1').update(`${source}\0${st.size}\0${st.mtimeMs}\0${size}`).digest('hex');
  const file = join(thumbsDir, key.slice(0, 2), `${key}.webp`);
  if (existsSync(file)) return file;
  let pending = making.get(file);
  if (!pending) {
    pending = makeThumbnail(source, file, join(thumbsDir, key.slice(0, 2)), size).finally(() => making.delete(file));
    making.set(file, pending);
  }
  return pending;
}

async function makeThumbnail(source: string, file: string, dir: string, size: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await (await openImage(source))
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toFile(tmp);
  await rename(tmp, file);
  return file;
}

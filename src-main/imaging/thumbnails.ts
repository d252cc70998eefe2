// Thumbnails in the cache folder, keyed by the source's path, size and mtime, made once with sharp.
import { openImage } from './open-image';
import { createHash } from 'node:crypto';
import { mkdir, rename, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const THUMB_SIZE = 256;

export async function thumbnailFor(source: string, thumbsDir: string, size = THUMB_SIZE): Promise<string> {
  const st = await stat(source);
  const key = createHash('sha1').update(`${source}\0${st.size}\0${st.mtimeMs}\0${size}`).digest('hex');
  const file = join(thumbsDir, key.slice(0, 2), `${key}.webp`);
  if (existsSync(file)) return file;
  await mkdir(join(thumbsDir, key.slice(0, 2)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await (await openImage(source))
    .rotate()
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toFile(tmp);
  await rename(tmp, file);
  return file;
}

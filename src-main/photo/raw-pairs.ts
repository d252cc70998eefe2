// RAW+JPEG pairs: a camera's IMG_0001.CR2 and IMG_0001.JPG are one photo, listed as the JPEG with its RAW beside it.
import { basename, dirname, extname, join } from 'node:path';
import { isRawPath } from '../imaging/raw-files';

export interface Paired {
  /** The files to list: each JPEG (or other rendered file) and each RAW without one. */
  files: string[];
  /** The RAW of a listed file, by that file's path. */
  rawOf: Map<string, string>;
}

/** Pairs files of the same folder and name that differ only in extension (case-insensitive). */
export function pairRawFiles(files: readonly string[]): Paired {
  const stem = (f: string) => join(dirname(f), basename(f, extname(f))).toLowerCase();
  const rawByStem = new Map<string, string>();
  for (const f of files) if (isRawPath(f)) rawByStem.set(stem(f), f);
  const rawOf = new Map<string, string>();
  const shown = new Set<string>();
  for (const f of files) {
    if (isRawPath(f)) continue;
    const raw = rawByStem.get(stem(f));
    if (raw && !shown.has(raw)) {
      rawOf.set(f, raw);
      shown.add(raw);
    }
  }
  return { files: files.filter((f) => !shown.has(f)), rawOf };
}

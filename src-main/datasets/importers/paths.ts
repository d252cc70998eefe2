// Dataset-relative paths: normalised, and refused when they would leave the dataset folder.
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';

/** Resolves `file` (relative, / or \ separated) inside `root`; null when absolute or escaping. */
export function resolveInside(root: string, file: string): string | null {
  if (!file || file.includes('\0')) return null;
  const cleaned = file.replace(/\\/g, '/');
  if (isAbsolute(cleaned) || /^[a-zA-Z]:/.test(cleaned)) return null;
  const full = resolve(root, normalize(cleaned));
  const rel = relative(resolve(root), full);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..') ? full : null;
}

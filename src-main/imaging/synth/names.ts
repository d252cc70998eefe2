// File-name helpers for synthetic datasets: safe, unique reference names from source paths.
import { extname, relative } from 'node:path';

/** A file-system- and CSV-safe name for a source photo: its path under the source folder, without extension. */
export function safeName(sourceDir: string, file: string): string {
  const rel = relative(sourceDir, file);
  const stem = rel.slice(0, rel.length - extname(rel).length);
  const clean = stem
    .replace(/[\\/]+/g, '_')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[._]+|[._]+$/g, '');
  return clean || 'image';
}

/** Names for all files, suffixed -2, -3 ... where two would clash (case-insensitively, for Windows and macOS). */
export function uniqueNames(sourceDir: string, files: readonly string[]): string[] {
  const used = new Set<string>();
  return files.map((f) => {
    const base = safeName(sourceDir, f);
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    used.add(name.toLowerCase());
    return name;
  });
}

// Versions of the app and of the libraries it reports in `iqa info` and the About panel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from './paths';
import { sqliteVersion } from '../store/sqlite-version';

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** A dependency's version from its package.json, found beside the app even where its exports hide that file. */
function packageVersion(name: string): string | null {
  const file = join(appRoot(), 'node_modules', ...name.split('/'), 'package.json');
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

export function libraryVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['better-sqlite3', 'sharp', '@tensorflow/tfjs', 'zod', 'ws', 'svelte']) {
    const v = packageVersion(name);
    if (v) out[name] = v;
  }
  out.sqlite = sqliteVersion();
  return out;
}

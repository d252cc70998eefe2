// Versions of the app and of the libraries it reports in `iqa info` and the About panel.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from './paths';

// Not named `require`: the bundler declares its own `require` in ESM chunks, and two in one chunk do not load.
const requireHere = createRequire(import.meta.url);

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

function sqliteVersion(): string {
  const Database = requireHere('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

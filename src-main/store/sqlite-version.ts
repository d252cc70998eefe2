// The SQLite library's version, for `iqa info` and the About panel (asked of a throw-away in-memory database).
import { createRequire } from 'node:module';

// Not named `require`: the bundler declares its own `require` in ESM chunks, and two in one chunk do not load.
const requireHere = createRequire(import.meta.url);

export function sqliteVersion(): string {
  const Database = requireHere('better-sqlite3') as typeof import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

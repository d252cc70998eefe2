// Opens the SQLite store with WAL, foreign keys and a busy timeout, then migrates it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** Skip migrations (tests that drive migrations themselves). */
  migrate?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // FULL so a committed rating survives power loss, not only a crash of the app.
    db.pragma('synchronous = FULL');
    if (options.migrate !== false && !options.readonly) migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

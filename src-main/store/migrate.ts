// Applies pending migrations in one transaction, tracked by PRAGMA user_version, refusing databases from a newer app.
import type { Database } from 'better-sqlite3';
import { AppError } from '../../src-shared/api/errors';
import { MIGRATIONS, type Migration } from './migrations';

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length ? migrations[migrations.length - 1]!.version : 0;
}

export function getUserVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function assertMonotonic(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration list is not contiguous: position ${i + 1} holds version ${m.version}`);
    }
  });
}

/** Brings the schema to `target` (default: latest). Returns the versions applied. */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  target = latestVersion(migrations),
): number[] {
  assertMonotonic(migrations);
  const current = getUserVersion(db);
  const newest = latestVersion(migrations);
  if (current > newest) {
    throw new AppError(
      'unsupported',
      `This database has schema version ${current}, but this version of the app knows only up to ${newest}. ` +
        'It was written by a newer release; update the app, or open another database.',
      { databaseVersion: current, appVersion: newest },
    );
  }
  const pending = migrations.filter((m) => m.version > current && m.version <= target);
  if (!pending.length) return [];
  // PRAGMA foreign_keys is a no-op inside a transaction: a table rebuild turns them off around it.
  const keysOff = pending.some((m) => m.foreignKeysOff) && db.pragma('foreign_keys', { simple: true }) === 1;
  if (keysOff) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      }
      if (keysOff) {
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`Migration left ${broken.length} broken foreign key(s); nothing was changed`);
      }
    })();
  } finally {
    if (keysOff) db.pragma('foreign_keys = ON');
  }
  return pending.map((m) => m.version);
}

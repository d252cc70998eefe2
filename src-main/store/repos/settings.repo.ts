// Key/value settings stored as JSON.
import type { Db } from '../db';

export function createSettingsRepo(db: Db) {
  const getStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
  const setStmt = db.prepare(`
    INSERT INTO settings (key, value) VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`);
  return {
    get<T = unknown>(key: string): T | undefined {
      const row = getStmt.get(key) as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    set(key: string, value: unknown): void {
      setStmt.run(key, JSON.stringify(value));
    },
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;

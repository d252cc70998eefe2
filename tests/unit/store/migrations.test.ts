// Migration runner and migration 0001: schema, pragmas, STRICT typing, the newer-database guard, rollback.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { openDatabase } from '../../../src-main/store/db';
import { getUserVersion, latestVersion, migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS, type Migration } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

const dir = tempDir();
const REQUIRED_TABLES = [
  'datasets', 'reference_images', 'images', 'labels', 'raters', 'ratings',
  'splits', 'split_members', 'runs', 'run_metrics', 'predictions', 'settings',
];

describe('migration 0001 (initial)', () => {
  const db = openDatabase(join(dir, 'm1.sqlite'), { migrate: false });
  it('starts at version 0 and migrates to 1', () => {
    expect(getUserVersion(db)).toBe(0);
    expect(migrate(db, MIGRATIONS, 1)).toEqual([1]);
    expect(getUserVersion(db)).toBe(1);
  });

  it('creates every first table, each STRICT', () => {
    const rows = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").all() as { name: string; sql: string }[];
    const names = rows.map((r) => r.name);
    for (const t of REQUIRED_TABLES) expect(names).toContain(t);
    for (const r of rows) expect(r.sql, r.name).toMatch(/\)\s*STRICT/);
  });

  it('runs with WAL and foreign keys on', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('enforces column types, foreign keys and NaN-free labels', () => {
    expect(() => db.prepare("INSERT INTO datasets (name, kind, higher_is_better) VALUES ('x', 'folder', 'yes')").run()).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => db.prepare("INSERT INTO images (dataset_id, path, name) VALUES (999, '/a.png', 'a.png')").run()).toThrow(/FOREIGN KEY/);
    const ds = db.prepare("INSERT INTO datasets (name, kind) VALUES ('d', 'folder')").run().lastInsertRowid;
    const img = db.prepare("INSERT INTO images (dataset_id, path, name) VALUES (?, '/a.png', 'a.png')").run(ds).lastInsertRowid;
    expect(() => db.prepare("INSERT INTO labels (image_id, value) VALUES (?, ?)").run(img, NaN)).toThrow();
    db.prepare("INSERT INTO labels (image_id, value) VALUES (?, 3.5)").run(img);
    db.prepare('DELETE FROM datasets WHERE id = ?').run(ds);
    expect(db.prepare('SELECT count(*) AS n FROM labels').get()).toEqual({ n: 0 });
  });

  it('is idempotent once applied', () => {
    expect(migrate(db, MIGRATIONS, 1)).toEqual([]);
  });

  it('uses the index for listing a dataset by name', () => {
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM images WHERE dataset_id = 1 ORDER BY name").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX images_dataset_name/);
  });
});

describe('migration runner', () => {
  it('refuses a database written by a newer version, and leaves it untouched', () => {
    const file = join(dir, 'future.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${latestVersion() + 5}`);
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('unsupported');
    expect((caught as AppError).message).toMatch(/newer release/);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(latestVersion() + 5);
    check.close();
  });

  it('rolls back every step of a failing batch', () => {
    const db = openDatabase(join(dir, 'rollback.sqlite'), { migrate: false });
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'broken', up: (d) => d.exec('CREATE TABLE oops (x INTEGER) STRICT; INSERT INTO nope VALUES (1);') },
    ];
    expect(() => migrate(db, broken)).toThrow(/no such table: nope/);
    expect(getUserVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name IN ('datasets', 'oops')").get()).toEqual({ n: 0 });
    db.close();
  });

  it('rejects a migration list with a gap', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ ...MIGRATIONS[0]!, version: 2 }])).toThrow(/not contiguous/);
  });
});

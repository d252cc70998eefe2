// SQL lives in src-main/store only: no statement, raw database handle or SQLite import in the rest of the back end.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src-main');

/** The one file still allowed the raw database (Store.db) until its SQL moves into repos/studies.repo.ts. */
const ESCAPES = new Set(['src-main/services/studies.service.ts']);

const RULES: { what: string; re: RegExp }[] = [
  { what: 'an SQL statement', re: /\b(SELECT\s[\s\S]{0,400}?\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)\s|DROP\s+TABLE\s|PRAGMA\s)/ },
  { what: "the store's raw database (store.db)", re: /\bstore\??\.db\b|\bdatabaseOf\(/ },
  { what: 'a SQLite import', re: /from\s+['"]better-sqlite3['"]|require\w*\(\s*['"]better-sqlite3['"]\s*\)|from\s+['"][./]*\/?store\/(db|migrate)['"]/ },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

const outside = sources(SRC)
  .map((f) => relative(ROOT, f).split('\\').join('/'))
  .filter((f) => !f.startsWith('src-main/store/'));

describe('SQL only in the store', () => {
  it('finds the back end sources it checks', () => {
    expect(outside.length).toBeGreaterThan(50);
    expect(outside).toContain('src-main/services/runs.service.ts');
  });

  it('has no SQL statement, store.db or SQLite import outside src-main/store (but the one documented escape)', () => {
    const found: string[] = [];
    for (const file of outside) {
      if (ESCAPES.has(file)) continue;
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const { what, re } of RULES) {
        const m = re.exec(text);
        if (m) found.push(`${file}:${text.slice(0, m.index).split('\n').length}: ${what}: ${m[0].slice(0, 60)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('keeps the escape only while it is needed', () => {
    for (const file of ESCAPES) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // When this fails, the file no longer uses the raw database: delete Store.db and this entry of ESCAPES.
      expect(/\bstore\.db\b/.test(text), `${file} still uses store.db`).toBe(true);
    }
  });

  it('catches what it is meant to catch', () => {
    const hit = (s: string) => RULES.some(({ re }) => re.test(s));
    expect(hit("db.prepare('SELECT id FROM images WHERE x = ?')")).toBe(true);
    expect(hit('const q = `\n  INSERT INTO labels (a) VALUES (?)`')).toBe(true);
    expect(hit("store.db.prepare('x')")).toBe(true);
    expect(hit("import Database from 'better-sqlite3';")).toBe(true);
    expect(hit("import type { Db } from '../store/db';")).toBe(true);
    expect(hit("scorer.prepare(paths[i]!, crop)")).toBe(false);
    expect(hit('const m = /^img(\\d+)\\.bmp$/i.exec(f);')).toBe(false);
    expect(hit("throw new AppError('validation', 'Select a dataset from the list')")).toBe(false);
  });
});

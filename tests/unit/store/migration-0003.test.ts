// Migration 0003: image_scores (finite scores, one per image and source, cascade) and images.score kept by triggers, sorted through its index.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0003 (image scores)', () => {
  const db = openDatabase(join(tempDir(), 'm3.sqlite'), { migrate: false });
  migrate(db, MIGRATIONS, 2);
  const ds = db.prepare("INSERT INTO datasets (name, kind) VALUES ('d', 'folder')").run().lastInsertRowid;
  const img = (n: string) => db.prepare('INSERT INTO images (dataset_id, path, name) VALUES (?, ?, ?)').run(ds, `/x/${n}`, n).lastInsertRowid;
  const a = img('a.png');
  const b = img('b.png');
  const score = (id: number | bigint) => (db.prepare('SELECT score FROM images WHERE id = ?').get(id) as { score: number | null }).score;
  const insert = {
    run: (image: number | bigint, source: string, value: number, at: string) =>
      db.prepare("INSERT INTO image_scores (image_id, model, source, score, scale, scored_at) VALUES (?, 'cnniqa', ?, ?, 'mos 1-5 higher', ?)").run(image, source, value, at),
  };

  it('adds the table and an empty score column to images that existed before', () => {
    expect(migrate(db, MIGRATIONS, 3)).toEqual([3]);
    expect(score(a)).toBeNull();
    const sql = (db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'image_scores'").get() as { sql: string }).sql;
    expect(sql).toMatch(/\)\s*STRICT/);
  });

  it('refuses non-finite scores and a second score from the same source', () => {
    expect(() => insert.run(a, 's', NaN, '2024-01-01T00:00:00.000Z')).toThrow(/NOT NULL/);
    expect(() => insert.run(a, 's', Infinity, '2024-01-01T00:00:00.000Z')).toThrow(/CHECK/);
    expect(() => insert.run(a, 's', -Infinity, '2024-01-01T00:00:00.000Z')).toThrow(/CHECK/);
    insert.run(a, 's', 3, '2024-01-01T00:00:00.000Z');
    expect(() => insert.run(a, 's', 4, '2024-01-02T00:00:00.000Z')).toThrow(/UNIQUE/);
    expect(() => insert.run(999, 's', 4, '2024-01-02T00:00:00.000Z')).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM image_scores').run();
    expect(score(a)).toBeNull();
  });

  it('keeps images.score on the latest score through insert, update and delete', () => {
    insert.run(b, 'old', 2, '2024-01-01T00:00:00.000Z');
    expect(score(b)).toBe(2);
    insert.run(b, 'new', 4, '2024-02-01T00:00:00.000Z');
    expect(score(b)).toBe(4);
    // An older row written again (a rescore) becomes the latest.
    db.prepare("UPDATE image_scores SET score = 1.5, scored_at = '2024-03-01T00:00:00.000Z' WHERE image_id = ? AND source = 'old'").run(b);
    expect(score(b)).toBe(1.5);
    db.prepare("DELETE FROM image_scores WHERE image_id = ? AND source = 'old'").run(b);
    expect(score(b)).toBe(4);
    db.prepare("DELETE FROM image_scores WHERE image_id = ? AND source = 'new'").run(b);
    expect(score(b)).toBeNull();
    expect(score(a)).toBeNull();
  });

  it('drops an image’s scores with the image, and clears run_id when the run goes', () => {
    const run = db.prepare("INSERT INTO runs (name, model) VALUES ('r', 'cnniqa')").run().lastInsertRowid;
    db.prepare("INSERT INTO image_scores (image_id, model, source, run_id, score) VALUES (?, 'cnniqa', 'ck', ?, 3)").run(a, run);
    db.prepare('DELETE FROM runs WHERE id = ?').run(run);
    expect(db.prepare('SELECT run_id, scale FROM image_scores WHERE image_id = ?').get(a)).toEqual({ run_id: null, scale: 'raw' });
    db.prepare('DELETE FROM images WHERE id = ?').run(a);
    expect(db.prepare('SELECT count(*) AS n FROM image_scores WHERE image_id = ?').get(a)).toEqual({ n: 0 });
  });

  it('sorts a dataset by score through the index, without a temp b-tree', () => {
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT id FROM images i WHERE dataset_id = 1 ORDER BY i.score DESC LIMIT 200').all() as { detail: string }[])
      .map((p) => p.detail)
      .join(' | ');
    expect(plan).toMatch(/USING (COVERING )?INDEX images_dataset_score/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});

// Migration 0002: labels copied onto images (backfilled and kept by triggers), and the label sort uses its index.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0002 (image label column)', () => {
  const db = openDatabase(join(tempDir(), 'm2.sqlite'), { migrate: false });
  migrate(db, MIGRATIONS, 1);
  const ds = db.prepare("INSERT INTO datasets (name, kind) VALUES ('d', 'csv')").run().lastInsertRowid;
  const img = (n: string) => db.prepare('INSERT INTO images (dataset_id, path, name) VALUES (?, ?, ?)').run(ds, `/x/${n}`, n).lastInsertRowid;
  const a = img('a.png');
  const b = img('b.png');
  db.prepare("INSERT INTO labels (image_id, source, value, std) VALUES (?, 'imported', 3.5, 0.2)").run(a);

  it('backfills labels of images that existed before', () => {
    expect(migrate(db, MIGRATIONS, 2)).toEqual([2]);
    expect(db.prepare('SELECT label, label_std FROM images WHERE id = ?').get(a)).toEqual({ label: 3.5, label_std: 0.2 });
    expect(db.prepare('SELECT label FROM images WHERE id = ?').get(b)).toEqual({ label: null });
  });

  it('keeps the column in step on insert, update and delete, first label winning', () => {
    db.prepare("INSERT INTO labels (image_id, source, value) VALUES (?, 'imported', 2)").run(b);
    expect(db.prepare('SELECT label FROM images WHERE id = ?').get(b)).toEqual({ label: 2 });
    db.prepare("INSERT INTO labels (image_id, source, value) VALUES (?, 'aggregated', 4)").run(b);
    expect(db.prepare('SELECT label FROM images WHERE id = ?').get(b)).toEqual({ label: 2 });
    db.prepare("UPDATE labels SET value = 2.5 WHERE image_id = ? AND source = 'imported'").run(b);
    expect(db.prepare('SELECT label FROM images WHERE id = ?').get(b)).toEqual({ label: 2.5 });
    db.prepare("DELETE FROM labels WHERE image_id = ? AND source = 'imported'").run(b);
    expect(db.prepare('SELECT label FROM images WHERE id = ?').get(b)).toEqual({ label: 4 });
  });

  it('sorts a dataset by label through the index, without a temp b-tree', () => {
    const plan = (db.prepare('EXPLAIN QUERY PLAN SELECT id FROM images i WHERE dataset_id = 1 ORDER BY i.label DESC LIMIT 200').all() as { detail: string }[])
      .map((p) => p.detail)
      .join(' | ');
    expect(plan).toMatch(/USING (COVERING )?INDEX images_dataset_label/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });
});

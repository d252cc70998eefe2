// Migration 0013: the datasets table rebuilt with AUTOINCREMENT keeps every dataset, its id and everything that references it; a deleted id is not given out again.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0013 (dataset ids never reused)', () => {
  it('keeps datasets, their ids and every row that references them, with foreign keys on again', () => {
    const db = openDatabase(join(tempDir(), 'm13.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 12);
    db.exec(`INSERT INTO datasets (id, name, kind, description) VALUES (1, 'a', 'folder', 'first'), (3, 'c', 'csv', 'third');
             INSERT INTO datasets (id, name, kind, parent_id) VALUES (4, 'c-child', 'csv', 3);
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/p/1.jpg', '1.jpg'), (3, '/p/3.jpg', '3.jpg');
             INSERT INTO splits (dataset_id, name, protocol) VALUES (3, 's', 'random');
             INSERT INTO runs (name, model, dataset_id) VALUES ('r', 'hyperiqa', 3);
             INSERT INTO studies (name, dataset_id, method) VALUES ('st', 1, 'acr');`);
    const before = db.prepare('SELECT * FROM datasets ORDER BY id').all();
    expect(migrate(db, MIGRATIONS, 13)).toEqual([13]);
    expect(db.prepare('SELECT * FROM datasets ORDER BY id').all()).toEqual(before);
    expect(db.prepare('SELECT dataset_id FROM images ORDER BY id').all()).toEqual([{ dataset_id: 1 }, { dataset_id: 3 }]);
    expect(db.prepare('SELECT dataset_id FROM splits').get()).toEqual({ dataset_id: 3 });
    expect(db.prepare('SELECT dataset_id FROM runs').get()).toEqual({ dataset_id: 3 });
    expect(db.prepare('SELECT dataset_id FROM studies').get()).toEqual({ dataset_id: 1 });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'datasets'").get() as { sql: string }).sql).toMatch(/id INTEGER PRIMARY KEY AUTOINCREMENT/);
    // The name is still unique, and cascades still work on the rebuilt table.
    expect(() => db.exec("INSERT INTO datasets (name, kind) VALUES ('a', 'folder')")).toThrow(/UNIQUE/);
    db.exec('DELETE FROM datasets WHERE id = 4');
    db.exec("INSERT INTO datasets (name, kind) VALUES ('after', 'folder')");
    expect(db.prepare("SELECT id FROM datasets WHERE name = 'after'").get()).toEqual({ id: 5 });
    db.exec('DELETE FROM datasets WHERE id = 3');
    expect(db.prepare('SELECT count(*) AS n FROM images WHERE dataset_id = 3').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT dataset_id FROM runs').get()).toEqual({ dataset_id: null });
    db.close();
  });

  it('rolls back when it would leave a broken foreign key', () => {
    const db = openDatabase(join(tempDir(), 'm13-broken.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 12);
    // A dangling reference written with the checks off: the migration must not commit on top of it.
    db.pragma('foreign_keys = OFF');
    db.exec("INSERT INTO images (dataset_id, path, name) VALUES (99, '/p/x.jpg', 'x.jpg')");
    db.pragma('foreign_keys = ON');
    expect(() => migrate(db, MIGRATIONS, 13)).toThrow(/broken foreign key/);
    expect(db.pragma('user_version', { simple: true })).toBe(12);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });
});

// Migration 0006: photo_ratings (stars 0-5 or none, reject, predicted stars) and photo_calibrations, both removed with their photo or collection.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0006 (photo ratings)', () => {
  it('adds photo ratings and calibrations without touching existing images', () => {
    const db = openDatabase(join(tempDir(), 'm6.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 5);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('photos', 'folder');
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/p/a.jpg', 'a.jpg'), (1, '/p/b.jpg', 'b.jpg');`);
    expect(migrate(db, MIGRATIONS, 6)).toEqual([6]);
    expect((db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n).toBe(2);

    db.exec(`INSERT INTO photo_ratings (image_id, stars, rejected) VALUES (1, 5, 0);
             INSERT INTO photo_ratings (image_id, predicted) VALUES (2, 3);`);
    expect(db.prepare('SELECT image_id, stars, rejected, predicted FROM photo_ratings ORDER BY image_id').all()).toEqual([
      { image_id: 1, stars: 5, rejected: 0, predicted: null },
      { image_id: 2, stars: null, rejected: 0, predicted: 3 },
    ]);
    const bad = (sql: string) => expect(() => db.prepare(sql).run()).toThrow(/CHECK|UNIQUE|FOREIGN|cannot store/);
    bad('INSERT INTO photo_ratings (image_id, stars) VALUES (1, 4)');
    bad('UPDATE photo_ratings SET stars = 6 WHERE image_id = 1');
    bad('UPDATE photo_ratings SET stars = -1 WHERE image_id = 1');
    bad('UPDATE photo_ratings SET rejected = 2 WHERE image_id = 1');
    bad("UPDATE photo_ratings SET stars = 'four' WHERE image_id = 1");
    bad('INSERT INTO photo_ratings (image_id, stars) VALUES (99, 1)');
    bad("INSERT INTO photo_calibrations (dataset_id, fit) VALUES (1, 'not json')");

    db.exec(`INSERT INTO photo_calibrations (dataset_id, fit) VALUES (1, '{"bands":[]}')`);
    db.exec('DELETE FROM images WHERE id = 1');
    expect((db.prepare('SELECT count(*) AS n FROM photo_ratings').get() as { n: number }).n).toBe(1);
    db.exec('DELETE FROM datasets');
    expect((db.prepare('SELECT count(*) AS n FROM photo_ratings').get() as { n: number }).n).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM photo_calibrations').get() as { n: number }).n).toBe(0);
    db.close();
  });
});

// Migration 0010: the pick flag beside the reject, EXIF per photo, burst groups; each bounded and removed with its image.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0010 (picks, EXIF, groups)', () => {
  it('adds picked (0 for ratings already there), photo_exif and photo_groups, with checks and cascades', () => {
    const db = openDatabase(join(tempDir(), 'm10.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 9);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('a', 'folder');
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/p/1.jpg', '1.jpg');
             INSERT INTO photo_ratings (image_id, stars) VALUES (1, 3);`);
    expect(migrate(db, MIGRATIONS)).toEqual([10]);
    expect(db.prepare('SELECT picked FROM photo_ratings').get()).toEqual({ picked: 0 });
    expect(() => db.exec('UPDATE photo_ratings SET picked = 2')).toThrow(/CHECK/);
    db.exec("INSERT INTO photo_exif (image_id, captured_at, iso, dhash) VALUES (1, '2024-05-01T10:00:00', 400, '00ff00ff00ff00ff')");
    expect(() => db.exec("UPDATE photo_exif SET dhash = 'abc'")).toThrow(/CHECK/);
    expect(() => db.exec('UPDATE photo_exif SET iso = 0')).toThrow(/CHECK/);
    db.exec('INSERT INTO photo_groups (image_id, dataset_id, group_no, size, best) VALUES (1, 1, 1, 2, 1)');
    expect(() => db.exec('UPDATE photo_groups SET size = 1')).toThrow(/CHECK/);
    db.exec('DELETE FROM images');
    expect(db.prepare('SELECT (SELECT count(*) FROM photo_exif) + (SELECT count(*) FROM photo_groups) AS n').get()).toEqual({ n: 0 });
    db.close();
  });
});

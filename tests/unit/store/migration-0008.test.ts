// Migration 0008: photo_ratings gains a colour label, limited to the five label colours; existing ratings keep their values.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0008 (photo colour labels)', () => {
  it('adds the colour column without touching existing ratings, and refuses unknown colours', () => {
    const db = openDatabase(join(tempDir(), 'm8.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 7);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('a', 'folder');
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/p/1.jpg', '1.jpg'), (1, '/p/2.jpg', '2.jpg');
             INSERT INTO photo_ratings (image_id, stars, rejected) VALUES (1, 4, 0);`);
    expect(migrate(db, MIGRATIONS, 8)).toEqual([8]);
    expect(db.prepare('SELECT image_id, stars, rejected, color FROM photo_ratings').all()).toEqual([{ image_id: 1, stars: 4, rejected: 0, color: null }]);
    db.exec("UPDATE photo_ratings SET color = 'red' WHERE image_id = 1; INSERT INTO photo_ratings (image_id, color) VALUES (2, 'purple');");
    expect(db.prepare('SELECT color FROM photo_ratings ORDER BY image_id').all()).toEqual([{ color: 'red' }, { color: 'purple' }]);
    expect(() => db.prepare("UPDATE photo_ratings SET color = 'Red' WHERE image_id = 1").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE photo_ratings SET color = 'orange' WHERE image_id = 1").run()).toThrow(/CHECK/);
    db.close();
  });
});

// Migration 0009: image_measures holds one row of technical measures per image, bounded, removed with its image.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0009 (image measures)', () => {
  it('adds image_measures, refuses out-of-range values and cascades deletes', () => {
    const db = openDatabase(join(tempDir(), 'm9.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 8);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('a', 'folder');
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/p/1.jpg', '1.jpg');`);
    expect(migrate(db, MIGRATIONS, 9)).toEqual([9]);
    const insert = db.prepare('INSERT INTO image_measures (image_id, sharpness, noise, clipped_highlights, clipped_shadows, mean_luminance, compression) VALUES (?, ?, ?, ?, ?, ?, ?)');
    insert.run(1, 80, 1.5, 0.2, 0, 45, 0.1);
    expect(db.prepare('SELECT sharpness, noise, mean_luminance FROM image_measures').get()).toEqual({ sharpness: 80, noise: 1.5, mean_luminance: 45 });
    expect(() => insert.run(1, 120, 1, 0, 0, 50, 0)).toThrow(/CHECK|UNIQUE/);
    db.exec('DELETE FROM image_measures');
    expect(() => insert.run(1, 50, -1, 0, 0, 50, 0)).toThrow(/CHECK/);
    expect(() => insert.run(1, 50, 1, 0, 101, 50, 0)).toThrow(/CHECK/);
    insert.run(1, 50, 1, 0, 0, 50, 0);
    db.exec('DELETE FROM images WHERE id = 1');
    expect(db.prepare('SELECT count(*) AS n FROM image_measures').get()).toEqual({ n: 0 });
    db.close();
  });
});

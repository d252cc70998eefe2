// Migration 0005: study tables; existing ratings keep their rows and gain a null study item; one vote per rater and item.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0005 (studies)', () => {
  it('adds studies, items and study raters, and ties ratings to items without losing old ones', () => {
    const db = openDatabase(join(tempDir(), 'm5.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 4);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('d', 'folder');
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/x.png', 'x.png');
             INSERT INTO raters (name) VALUES ('r');
             INSERT INTO ratings (rater_id, image_id, method, value) VALUES (1, 1, 'acr', 4);`);
    expect(migrate(db, MIGRATIONS, 5)).toEqual([5]);
    expect(db.prepare('SELECT value, study_item_id FROM ratings').get()).toEqual({ value: 4, study_item_id: null });
    db.exec(`INSERT INTO studies (name, dataset_id, method) VALUES ('s', 1, 'acr');
             INSERT INTO study_items (study_id, position, role, image_id) VALUES (1, 0, 'test', 1);
             INSERT INTO study_raters (study_id, rater_id, seed) VALUES (1, 1, 7);
             INSERT INTO ratings (rater_id, image_id, method, value, study_item_id) VALUES (1, 1, 'acr', 3, 1);`);
    expect(() => db.prepare("INSERT INTO ratings (rater_id, image_id, method, value, study_item_id) VALUES (1, 1, 'acr', 2, 1)").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO studies (name, dataset_id, method) VALUES ('bad', 1, 'stars')").run()).toThrow(/CHECK/);
    db.exec('DELETE FROM studies');
    expect((db.prepare('SELECT count(*) AS n FROM ratings').get() as { n: number }).n).toBe(1);
    db.close();
  });
});

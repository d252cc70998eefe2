// Migration 0011: ranks of rated items in position order, per-rater vote counters and last vote time backfilled from stored ratings.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0011 (study scale)', () => {
  it('ranks rated items, skips training items, and backfills each rater\'s votes', () => {
    const db = openDatabase(join(tempDir(), 'm11.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 10);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('a', 'folder');
             INSERT INTO images (dataset_id, path, name) VALUES (1, '/p/1.jpg', '1.jpg'), (1, '/p/2.jpg', '2.jpg'), (1, '/p/3.jpg', '3.jpg');
             INSERT INTO studies (name, dataset_id, method) VALUES ('s', 1, 'acr');
             INSERT INTO study_items (study_id, position, role, image_id) VALUES (1, 0, 'training', 1), (1, 1, 'test', 2), (1, 2, 'test', 3), (1, 3, 'gold', 1);
             INSERT INTO raters (name, token_hash) VALUES ('ann', 'h1'), ('bob', 'h2');
             INSERT INTO study_raters (study_id, rater_id, seed) VALUES (1, 1, 5), (1, 2, 6);
             INSERT INTO ratings (rater_id, image_id, method, value, study_item_id, created_at) VALUES (1, 2, 'acr', 3, 2, '2026-01-01T00:00:01Z'), (1, 3, 'acr', 4, 3, '2026-01-01T00:00:02Z');`);
    expect(migrate(db, MIGRATIONS, 11)).toEqual([11]);
    expect(db.prepare('SELECT position, rank FROM study_items ORDER BY position').all()).toEqual([
      { position: 0, rank: null },
      { position: 1, rank: 0 },
      { position: 2, rank: 1 },
      { position: 3, rank: 2 },
    ]);
    expect(db.prepare('SELECT rated_items FROM studies').get()).toEqual({ rated_items: 3 });
    expect(db.prepare('SELECT rater_id, votes, cursor, last_at FROM study_raters ORDER BY rater_id').all()).toEqual([
      { rater_id: 1, votes: 2, cursor: 0, last_at: '2026-01-01T00:00:02Z' },
      { rater_id: 2, votes: 0, cursor: 0, last_at: null },
    ]);
    expect(() => db.exec("INSERT INTO study_items (study_id, position, rank, role, image_id) VALUES (1, 9, 2, 'test', 2)")).toThrow(/UNIQUE/);
    db.close();
  });
});

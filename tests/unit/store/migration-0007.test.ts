// Migration 0007: run_evaluations (a run's checkpoint evaluated on a dataset), unique per run, dataset and part, removed with either.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { tempDir } from '../../helpers/temp';

describe('migration 0007 (run evaluations)', () => {
  it('adds run evaluations without touching existing runs', () => {
    const db = openDatabase(join(tempDir(), 'm7.sqlite'), { migrate: false });
    migrate(db, MIGRATIONS, 6);
    db.exec(`INSERT INTO datasets (name, kind) VALUES ('a', 'folder'), ('b', 'folder');
             INSERT INTO runs (name, model, dataset_id, config) VALUES ('r', 'cnniqa', 1, '{}');`);
    expect(migrate(db, MIGRATIONS, 7)).toEqual([7]);
    expect((db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(1);

    db.exec(`INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n, srcc) VALUES (1, 2, 'all', '/c', 24, 0.5);
             INSERT INTO run_evaluations (run_id, dataset_id, part, split_name, checkpoint_path, n, srcc, flipped) VALUES (1, 1, 'test', 's', '/c', 4, 0.9, 0);`);
    expect(db.prepare('SELECT dataset_id, part, n, srcc, flipped, per_distortion FROM run_evaluations ORDER BY id').all()).toEqual([
      { dataset_id: 2, part: 'all', n: 24, srcc: 0.5, flipped: 0, per_distortion: '[]' },
      { dataset_id: 1, part: 'test', n: 4, srcc: 0.9, flipped: 0, per_distortion: '[]' },
    ]);
    const bad = (sql: string) => expect(() => db.prepare(sql).run()).toThrow(/CHECK|UNIQUE|FOREIGN|cannot store|NOT NULL/);
    bad("INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n) VALUES (1, 2, 'all', '/c', 3)");
    bad("INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n) VALUES (1, 2, 'train', '/c', 3)");
    bad("INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n) VALUES (9, 2, 'test', '/c', 3)");
    bad("INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n, flipped) VALUES (1, 2, 'test', '/c', 3, 2)");
    bad("INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n, per_distortion) VALUES (1, 2, 'test', '/c', 3, 'x')");
    bad("INSERT INTO run_evaluations (run_id, dataset_id, part, checkpoint_path, n) VALUES (1, 2, 'test', NULL, 3)");

    db.exec('DELETE FROM datasets WHERE id = 2');
    expect((db.prepare('SELECT count(*) AS n FROM run_evaluations').get() as { n: number }).n).toBe(1);
    db.exec('DELETE FROM runs');
    expect((db.prepare('SELECT count(*) AS n FROM run_evaluations').get() as { n: number }).n).toBe(0);
    db.close();
  });
});

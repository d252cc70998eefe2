// Migration 0004: runs record their owning process; recovery marks only runs whose process is gone as interrupted.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/store/db';
import { migrate } from '../../../src-main/store/migrate';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { openStore, databaseOf } from '../../../src-main/store/store';
import { tempDir } from '../../helpers/temp';

describe('migration 0004 (run owner)', () => {
  it('adds owner columns to an existing runs table, keeping its rows', () => {
    const file = join(tempDir(), 'm4.sqlite');
    const db = openDatabase(file, { migrate: false });
    migrate(db, MIGRATIONS, 3);
    db.prepare("INSERT INTO runs (name, model, status, config) VALUES ('r', 'cnniqa', 'running', '{}')").run();
    expect(migrate(db, MIGRATIONS, 4)).toEqual([4]);
    expect(db.prepare('SELECT name, owner_host, owner_pid FROM runs').get()).toEqual({ name: 'r', owner_host: null, owner_pid: null });
    db.close();
  });

  it('recovers runs of dead or unknown processes and leaves runs of live ones alone', () => {
    const store = openStore(join(tempDir(), 'm4b.sqlite'));
    const add = (name: string, host: string | null, pid: number | null) =>
      databaseOf(store).prepare("INSERT INTO runs (name, model, status, config, owner_host, owner_pid) VALUES (?, 'cnniqa', 'running', '{}', ?, ?)").run(name, host, pid);
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!; // exited by now
    const alive = process.ppid; // the process that runs this test runner: certainly alive
    add('legacy', null, null);
    add('dead', hostname(), dead);
    add('alive', hostname(), alive);
    add('elsewhere', 'another-host', 1234);
    expect(store.runs.recoverInterrupted()).toBe(2);
    const status = Object.fromEntries((databaseOf(store).prepare('SELECT name, status FROM runs').all() as { name: string; status: string }[]).map((r) => [r.name, r.status]));
    expect(status).toEqual({ legacy: 'cancelled', dead: 'cancelled', alive: 'running', elsewhere: 'running' });
    store.close();
  });
});

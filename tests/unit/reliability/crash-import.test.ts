// Crash safety: kill -9 the CLI mid-import (on its progress report) and at several timed moments; the database stays sound, holds the whole dataset or none of it, and the import can be run again.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeTestImage } from '../../helpers/images';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const IQA = join(REPO_ROOT, 'bin/iqa.js');
const PHOTOS = 3000;

function datasetState(dbFile: string): { integrity: string; datasets: number; images: number } | null {
  if (!existsSync(dbFile)) return null;
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    // Killed before the first migration committed: an empty database.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'images'").get()) return { integrity, datasets: 0, images: 0 };
    return {
      integrity,
      datasets: (db.prepare("SELECT count(*) AS n FROM datasets WHERE name = 'big'").get() as { n: number }).n,
      images: (db.prepare("SELECT count(*) AS n FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.name = 'big'").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

describe('kill -9 during an import', () => {
  it('leaves a sound database with all of the dataset or none of it, at every moment tried', async () => {
    const photos = tempDir('iqa-crash-import-photos-');
    const seeds = [join(photos, 'seed0.png'), join(photos, 'seed1.png')];
    await writeTestImage(seeds[0]!, 64, 48);
    await writeTestImage(seeds[1]!, 48, 64);
    for (let i = 0; i < PHOTOS; i++) {
      const dir = join(photos, `d${Math.floor(i / 500)}`);
      mkdirSync(dir, { recursive: true });
      copyFileSync(seeds[i % 2]!, join(dir, `p${i}.png`));
    }
    const outcomes: string[] = [];
    const importArgs = (dataDir: string) => [IQA, 'import', photos, '--format', 'folder', '--name', 'big', '--data-dir', dataDir];
    const check = async (dataDir: string): Promise<ReturnType<typeof datasetState>> => {
      const state = datasetState(join(dataDir, 'iqa.sqlite'));
      if (state) {
        expect(state.integrity).toBe('ok');
        // All or nothing: the seeds count too (PHOTOS + 2 files in the folder).
        expect([0, PHOTOS + 2]).toContain(state.images);
        expect(state.datasets).toBe(state.images ? 1 : 0);
      }
      if (!state?.images) {
        await run(process.execPath, importArgs(dataDir), { cwd: REPO_ROOT });
        expect(datasetState(join(dataDir, 'iqa.sqlite'))).toMatchObject({ integrity: 'ok', datasets: 1, images: PHOTOS + 2 });
      }
      return state;
    };

    // Mid-import for certain: killed as soon as the import reports having probed some files but not half of them
    // (IQA_PROGRESS=lines prints the job's progress on stderr); the dataset is committed only after the last probe.
    {
      const dataDir = tempDir('iqa-crash-import-');
      const child = spawn(process.execPath, importArgs(dataDir), { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, IQA_PROGRESS: 'lines' } });
      const progress = await new Promise<[number, number] | null>((ok) => {
        let buffered = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          for (const m of buffered.matchAll(/Import big: (\d+)\/(\d+)/g)) {
            const [done, total] = [Number(m[1]), Number(m[2])];
            if (done > 0 && done <= total / 2) return ok([done, total]);
          }
        });
        child.once('exit', () => ok(null));
      });
      expect(progress, 'the import reported progress before it finished').not.toBeNull();
      const exited = new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok(null) : child.once('exit', ok)));
      child.kill('SIGKILL');
      await exited;
      // The kill landed: the process did not end by itself, and nothing was committed.
      expect([child.exitCode, child.signalCode]).toEqual([null, 'SIGKILL']);
      expect(datasetState(join(dataDir, 'iqa.sqlite'))).toMatchObject({ integrity: 'ok', datasets: 0, images: 0 });
      await check(dataDir);
      outcomes.push(`mid-import (${progress![0]}/${progress![1]} probed)`);
    }

    // Timed kills, counted from the moment the database file appears (start-up takes a variable while): while
    // probing files, around the single commit, and after the import finished.
    for (const killAfterMs of [0, 150, 400, 800, 3000]) {
      const dataDir = tempDir('iqa-crash-import-');
      const child = spawn(process.execPath, importArgs(dataDir), { cwd: REPO_ROOT, stdio: 'ignore' });
      const deadline = Date.now() + 30_000;
      while (!existsSync(join(dataDir, 'iqa.sqlite')) && child.exitCode === null && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
      await new Promise((ok) => setTimeout(ok, killAfterMs));
      const exited = new Promise((ok) => (child.exitCode !== null || child.signalCode !== null ? ok(null) : child.once('exit', ok)));
      child.kill('SIGKILL');
      await exited;
      const state = await check(dataDir);
      outcomes.push(state === null ? 'no database yet' : state.images ? 'complete' : 'nothing');
    }
    console.info(`kill -9 outcomes: ${outcomes.join(', ')}`);
  }, 240_000);
});

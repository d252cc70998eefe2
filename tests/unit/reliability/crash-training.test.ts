// Crash safety: kill -9 the CLI mid-training; the database stays sound and the run resumes from its last checkpoint.
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RunDetail, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { openRuntime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

const run = promisify(execFile);
const IQA = join(REPO_ROOT, 'bin/iqa.js');

function epochsRecorded(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COALESCE(MAX(epoch), 0) AS e FROM run_metrics WHERE name = 'srcc'").get() as { e: number }).e;
  } finally {
    db.close();
  }
}

describe('kill -9 during training', () => {
  it('loses no committed epoch, passes integrity_check, and resumes from the last checkpoint', async () => {
    const dataDir = tempDir('iqa-crash-');
    const data = tempDir('iqa-crash-data-');
    await writeBlurDataset(data);
    await run(process.execPath, [IQA, 'import', data, '--format', 'csv', '--file', 'labels.csv', '--range', '1,5', '--name', 'blur', '--data-dir', dataDir], { cwd: REPO_ROOT });
    const cfg = join(data, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ model: 'cnniqa', dataset: 'blur', modelConfig: { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null }, hyper: { epochs: 40, batchImages: 4, seed: 5 } }));

    const child = spawn(process.execPath, [IQA, 'train', '--config', cfg, '--data-dir', dataDir], { cwd: REPO_ROOT, stdio: 'ignore' });
    const dbFile = join(dataDir, 'iqa.sqlite');
    const deadline = Date.now() + 120_000;
    while (epochsRecorded(dbFile) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = epochsRecorded(dbFile);
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(40);

    const rt = await openRuntime({ dataDir, shell: 'cli', backend: false, seedDemo: false });
    try {
      expect(databaseOf(rt.ctx.store).pragma('integrity_check', { simple: true })).toBe('ok');
      const listed = await rt.invoke('runs:list', {});
      if (!listed.ok) throw new Error(listed.error.message);
      const runs = listed.result as RunSummary[];
      expect(runs).toHaveLength(1);
      expect(runs[0]!.status).toBe('cancelled');
      const got = await rt.invoke('runs:get', { id: runs[0]!.id });
      if (!got.ok) throw new Error(got.error.message);
      const detail = got.result as RunDetail;
      expect(detail.error).toMatch(/interrupted/);
      // Every recorded epoch has its checkpoint (they are written in one transaction with the metrics).
      const ckptEpoch = Number(/epoch-(\d+)$/.exec(detail.checkpointPath ?? '')?.[1]);
      expect(ckptEpoch).toBe(before);

      // Resume with fewer epochs left to keep the test short: cancel once it has gone one epoch further.
      const done = new Promise<RunProgress>((resolve) => {
        rt.services.events.subscribe((event, payload) => {
          const p = payload as RunProgress;
          if (event !== 'runs:progress' || p.runId !== detail.id) return;
          if (p.metrics && p.epoch === before + 1) void rt.invoke('runs:cancel', { id: detail.id });
          if (p.status !== 'running') resolve(p);
        });
      });
      const resumed = await rt.invoke('runs:resume', { id: detail.id });
      expect(resumed.ok).toBe(true);
      expect((await done).status).toBe('cancelled');
      const after = await rt.invoke('runs:get', { id: detail.id });
      if (!after.ok) throw new Error(after.error.message);
      const epochs = (after.result as RunDetail).metrics.filter((m) => m.name === 'srcc').map((m) => m.epoch);
      // Contiguous from 1, no epoch lost or duplicated across the crash.
      expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
      expect(epochs.length).toBeGreaterThanOrEqual(before + 1);
    } finally {
      rt.close();
    }
  }, 240_000);
});

// Issue 18, items 1-2: label files and image rows stay inside the dataset folder and the allowed roots (real paths, symlinks resolved), nothing outside is read or echoed, and /files/ never sends a file outside.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { MAX_LABEL_FILE_BYTES } from '../../../src-main/datasets/importers/label-file';
import { startServer } from '../../../src-main/shells/serve/server';
import { FIXTURES } from '../../helpers/fixture-copy';
import { tempDir } from '../../helpers/temp';

const base = tempDir('iqa-confine-');
const photos = join(base, 'photos');
cpSync(join(FIXTURES, 'datasets/csv'), photos, { recursive: true });
const SECRET = 'db_password,hunter2-secret\nroot,0\n';
writeFileSync(join(base, 'secret.txt'), SECRET);
// A sibling whose name starts with the root's: a prefix check would let it through.
mkdirSync(join(base, 'photos-private'));
writeFileSync(join(base, 'photos-private', 'labels.csv'), 'path,score\nimages/a.png,3\n');
mkdirSync(join(base, 'outside'));
cpSync(join(photos, 'images', 'a.png'), join(base, 'outside', 'real.png'));

const runtimes: Runtime[] = [];
async function runtime(importRoots: string[] | null) {
  const rt = await openRuntime({ dataDir: tempDir('iqa-confine-rt-'), shell: 'serve', backend: false, seedDemo: false, importRoots });
  runtimes.push(rt);
  return rt;
}
afterAll(() => runtimes.forEach((r) => r.close()));

function waitForJob(rt: Runtime, jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const done = rt.ctx.jobs.get(jobId);
    if (done && done.state !== 'running') return resolve(done);
    rt.services.events.subscribe((event, payload) => {
      const job = payload as JobInfo;
      if (event === 'jobs:progress' && job.jobId === jobId && job.state !== 'running') resolve(job);
    });
  });
}

/** The error of an import: refused up front, or the failed job's. */
async function importError(rt: Runtime, input: Record<string, unknown>) {
  const r = await rt.invoke('datasets:import', { format: 'csv', root: photos, name: `n${Math.random()}`, ...input });
  if (!r.ok) return r.error;
  const end = await waitForJob(rt, (r.result as JobInfo).jobId);
  return end.state === 'done' ? null : end.error!;
}

describe('item 1: the CSV file field cannot leave the import root', async () => {
  const rt = await runtime([photos]);

  it('refuses an absolute file outside the allowed roots without reading or echoing it', async () => {
    const err = await importError(rt, { file: join(base, 'secret.txt') });
    expect(err).toMatchObject({ code: 'forbidden' });
    expect(JSON.stringify(err)).not.toMatch(/hunter2|db_password/);
  });

  it('refuses a relative file that climbs out of the dataset folder', async () => {
    const err = await importError(rt, { file: '../secret.txt' });
    expect(err).toMatchObject({ code: 'validation', message: expect.stringMatching(/leaves the dataset folder/) });
    expect(JSON.stringify(err)).not.toMatch(/hunter2|db_password/);
  });

  it('refuses a sibling folder that only shares the root as a name prefix (/photos-private next to /photos)', async () => {
    expect(await importError(rt, { file: join(base, 'photos-private', 'labels.csv') })).toMatchObject({ code: 'forbidden' });
  });

  it('refuses a label file inside the root that is a symlink to a file outside', async () => {
    symlinkSync(join(base, 'secret.txt'), join(photos, 'link.csv'));
    try {
      const err = await importError(rt, { file: 'link.csv' });
      expect(err).toMatchObject({ code: 'forbidden' });
      expect(JSON.stringify(err)).not.toMatch(/hunter2|db_password/);
    } finally {
      rmSync(join(photos, 'link.csv'));
    }
  });

  it('refuses the default label file of a standard importer when it links outside (KADID dmos.csv)', async () => {
    const kadid = join(base, 'photos', 'kadid');
    mkdirSync(join(kadid, 'images'), { recursive: true });
    symlinkSync(join(base, 'secret.txt'), join(kadid, 'dmos.csv'));
    const err = await importError(rt, { format: 'kadid10k', root: kadid });
    expect(err).toMatchObject({ code: 'forbidden' });
    expect(JSON.stringify(err)).not.toMatch(/hunter2|db_password/);
  });

  it('still imports a label file inside the root', async () => {
    expect(await importError(rt, { file: 'labels.csv', scoreRange: [1, 5] })).toBeNull();
  });
});

describe('item 1: label files are regular files of bounded size (desktop, any folder allowed)', async () => {
  const rt = await runtime(null);

  it('refuses /dev/zero instead of reading it', async () => {
    const e0 = await importError(rt, { file: '/dev/zero' });
    expect(e0).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/not a regular file/) });
  });

  it('refuses a FIFO inside the dataset folder without blocking on it', async () => {
    execFileSync('mkfifo', [join(photos, 'pipe.csv')]);
    try {
      expect(await importError(rt, { file: 'pipe.csv' })).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/not a regular file/) });
    } finally {
      rmSync(join(photos, 'pipe.csv'));
    }
  });

  it('refuses a label file over the size cap', async () => {
    const big = join(photos, 'huge.csv');
    writeFileSync(big, 'path,score\n');
    truncateSync(big, MAX_LABEL_FILE_BYTES + 1); // sparse: nothing is written to disk
    try {
      expect(await importError(rt, { file: 'huge.csv' })).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/too large for a label file/) });
    } finally {
      rmSync(big);
    }
  });
});

describe('item 2: symlinks in a dataset folder cannot reach outside the allowed roots', async () => {
  const rt = await runtime([photos]);

  it('refuses a CSV row naming a symlink that points outside, with a counted problem, and imports nothing', async () => {
    symlinkSync(join(base, 'outside', 'real.png'), join(photos, 'images', 'evil.png'));
    writeFileSync(join(photos, 'evil.csv'), 'path,score\nimages/a.png,3\nimages/evil.png,4\n');
    const count = async () => ((await rt.invoke('datasets:list', {})) as { result: unknown[] }).result.length;
    const before = await count();
    try {
      const err = await importError(rt, { file: 'evil.csv', scoreRange: [1, 5] });
      expect(err).toMatchObject({ code: 'bad_input', message: expect.stringMatching(/1 problem; nothing was imported\.\n {2}images\/evil\.png.*links to a file outside/) });
      expect(await count()).toBe(before);
    } finally {
      rmSync(join(photos, 'images', 'evil.png'));
      rmSync(join(photos, 'evil.csv'));
    }
  });

  it('does not send a file that was swapped for a symlink to outside after the import (/files/image, /files/thumb)', async () => {
    const dir = join(photos, 'swap');
    mkdirSync(dir);
    cpSync(join(photos, 'images', 'b.png'), join(dir, 'b.png'));
    const r = await rt.invoke('datasets:import', { format: 'folder', root: dir, name: 'swap' });
    const end = await waitForJob(rt, (r as { result: JobInfo }).result.jobId);
    const datasetId = (end.result as { datasetId: number }).datasetId;
    const page = (await rt.invoke('images:list', { datasetId })) as { result: { items: { id: number }[] } };
    const id = page.result.items[0]!.id;
    const server = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir: base, port: 0 });
    try {
      expect((await fetch(`${server.url}files/image/${id}`)).status).toBe(200);
      rmSync(join(dir, 'b.png'));
      symlinkSync(join(base, 'outside', 'real.png'), join(dir, 'b.png'));
      for (const kind of ['image', 'thumb']) {
        const res = await fetch(`${server.url}files/${kind}/${id}`);
        expect(res.status).toBe(403);
      }
    } finally {
      await server.close();
    }
  });

  it('refuses to rescan a collection whose folder became a symlink to outside', async () => {
    const dir = join(photos, 'moved');
    mkdirSync(dir);
    cpSync(join(photos, 'images', 'd.png'), join(dir, 'd.png'));
    const r = await rt.invoke('datasets:import', { format: 'folder', root: dir, name: 'moved' });
    const datasetId = ((await waitForJob(rt, (r as { result: JobInfo }).result.jobId)).result as { datasetId: number }).datasetId;
    rmSync(dir, { recursive: true });
    symlinkSync(join(base, 'outside'), dir);
    const rescan = await rt.invoke('library:rescan', { datasetId });
    expect(rescan.ok ? null : rescan.error).toMatchObject({ code: 'forbidden' });
  });

  it('folder browse refuses a sibling that shares the root as a name prefix', async () => {
    const res = await rt.invoke('folders:browse', { path: join(base, 'photos-private') });
    expect(res.ok ? null : res.error).toMatchObject({ code: 'forbidden' });
  });
});

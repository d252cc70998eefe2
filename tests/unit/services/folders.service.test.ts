// folders:browse: subfolders with image counts, the nearest existing folder of a half-typed path, and the allowed roots.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FolderListing } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { tempDir } from '../../helpers/temp';

const tree = tempDir('iqa-folders-');
mkdirSync(join(tree, 'photos/2024/day 10'), { recursive: true });
mkdirSync(join(tree, 'photos/2024/day 9'), { recursive: true });
mkdirSync(join(tree, 'photos/.cache'), { recursive: true });
mkdirSync(join(tree, 'outside'), { recursive: true });
for (const f of ['a.jpg', 'b.PNG', 'notes.txt']) writeFileSync(join(tree, 'photos', f), 'x');
writeFileSync(join(tree, 'photos/2024/c.jpeg'), 'x');
symlinkSync(join(tree, 'outside'), join(tree, 'photos/link'));

const runtimes: Runtime[] = [];
async function browse(importRoots: string[] | null, path?: string) {
  const rt = await openRuntime({ dataDir: tempDir('iqa-folders-rt-'), shell: 'serve', backend: false, seedDemo: false, importRoots });
  runtimes.push(rt);
  return rt.invoke('folders:browse', path === undefined ? {} : { path });
}
afterAll(() => runtimes.forEach((rt) => rt.close()));

describe('folders:browse', () => {
  it('lists subfolders in natural order with their image counts, leaving out hidden folders and symlinks', async () => {
    const res = await browse(null, join(tree, 'photos'));
    expect(res.ok).toBe(true);
    const l = res.ok ? (res.result as FolderListing) : null;
    expect(l).toMatchObject({ path: join(tree, 'photos'), parent: tree, images: 2, truncated: false, roots: [] });
    expect(l!.folders).toEqual([{ name: '2024', path: join(tree, 'photos/2024'), images: 1, folders: 2 }]);
    const sub = await browse(null, join(tree, 'photos/2024'));
    expect(sub.ok && (sub.result as FolderListing).folders.map((f) => f.name)).toEqual(['day 9', 'day 10']);
  });

  it('opens a half-typed path on its nearest existing folder, and the home folder by default', async () => {
    const typed = await browse(null, join(tree, 'photos/20'));
    expect(typed.ok && (typed.result as FolderListing).path).toBe(join(tree, 'photos'));
    const home = await browse(null);
    expect(home.ok && (home.result as FolderListing).path).toBe(homedir());
  });

  it('stays inside the allowed roots: starts at the first, stops going up there, refuses outside', async () => {
    const roots = [join(tree, 'photos')];
    const start = await browse(roots);
    expect(start.ok && (start.result as FolderListing)).toMatchObject({ path: join(tree, 'photos'), parent: null, roots });
    const inner = await browse(roots, join(tree, 'photos/2024'));
    expect(inner.ok && (inner.result as FolderListing).parent).toBe(join(tree, 'photos'));
    const out = await browse(roots, join(tree, 'outside'));
    expect(out).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/only folders under/) } });
    const none = await browse([], join(tree, 'photos'));
    expect(none).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/without --allow-root/) } });
  });

  it('refuses a relative path and a NUL byte with a validation error', async () => {
    expect(await browse(null, 'photos')).toMatchObject({ ok: false, error: { code: 'validation', message: expect.stringMatching(/absolute path/) } });
    expect(await browse(null, '/tmp/\0x')).toMatchObject({ ok: false, error: { code: 'validation' } });
  });
});

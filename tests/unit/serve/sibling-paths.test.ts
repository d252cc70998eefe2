// Path guards against a sibling folder whose name starts with the allowed one (/photos vs /photos-private): the
// renderer folder of serve mode, import roots, and folder browsing. A plain string-prefix check would let them through.
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { startServer, type RunningServer } from '../../../src-main/shells/serve/server';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';

const top = tempDir('iqa-sibling-');
const photos = join(top, 'photos');
const privateDir = join(top, 'photos-private');
await writeTestImage(join(photos, 'a.png'), 16, 16);
await writeTestImage(join(privateDir, 'b.png'), 16, 16);
writeFileSync(join(privateDir, 'secret.txt'), 'top secret');

const runtimes: Runtime[] = [];
const servers: RunningServer[] = [];
async function runtime(importRoots: string[] | null) {
  const rt = await openRuntime({ dataDir: tempDir('iqa-sibling-rt-'), shell: 'serve', backend: false, seedDemo: false, importRoots });
  runtimes.push(rt);
  return rt;
}
afterAll(async () => {
  for (const s of servers) await s.close();
  runtimes.forEach((r) => r.close());
});

describe('serve mode: the renderer folder', () => {
  it('does not serve a file from a sibling folder that shares its name as a prefix', async () => {
    // The renderer folder is .../photos; its sibling .../photos-private holds a secret.
    writeFileSync(join(photos, 'index.html'), '<!doctype html><title>app</title>');
    const rt = await runtime(null);
    const s = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir: photos, port: 0 });
    servers.push(s);
    for (const p of [`..%2f${basename(privateDir)}%2fsecret.txt`, `%2e%2e%2f${basename(privateDir)}%2fsecret.txt`]) {
      const res = await fetch(`${s.url}${p}`);
      expect(await res.text(), p).not.toContain('top secret');
    }
    // The guard is not simply closed: a file inside the folder is served.
    expect(await (await fetch(`${s.url}index.html`)).text()).toContain('<title>app</title>');
  });
});

describe('import roots', () => {
  it('refuses to import a sibling folder of an allowed root, and imports inside it', async () => {
    const rt = await runtime([photos]);
    const sibling = await rt.invoke('datasets:import', { format: 'folder', root: privateDir, name: 'private' });
    expect(sibling.ok ? null : sibling.error).toMatchObject({ code: 'forbidden', message: /imports only from/ });
    const viaDots = await rt.invoke('datasets:import', { format: 'folder', root: join(photos, '..', basename(privateDir)), name: 'private' });
    expect(viaDots.ok ? null : viaDots.error).toMatchObject({ code: 'forbidden' });
    const done = new Promise<string>((ok) =>
      rt.services.events.subscribe((event, payload) => {
        const job = payload as JobInfo;
        if (event === 'jobs:progress' && job.state !== 'running') ok(job.state);
      }),
    );
    const inside = await rt.invoke('datasets:import', { format: 'folder', root: photos, name: 'mine' });
    expect(inside.ok).toBe(true);
    expect(await done).toBe('done');
  });

  it('does not list a sibling folder of an allowed root, nor offer it as the parent', async () => {
    const rt = await runtime([photos]);
    const sibling = await rt.invoke('folders:browse', { path: privateDir });
    expect(sibling.ok ? null : sibling.error).toMatchObject({ code: 'forbidden' });
    const inside = await rt.invoke('folders:browse', { path: photos });
    expect(inside.ok ? inside.result : null).toMatchObject({ path: photos, parent: null, images: 1 });
  });
});

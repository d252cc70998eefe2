// Issue 18, item 13, without an Electron binary: the app:// bundle protocol stays in its folder, iqa:// URLs name only kind and id, the CSP, the back end's launch (utilityProcess, allow-listed environment) and the fuses.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getCurrentFuseWire, FuseState, FuseV1Options } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFuses, FUSES } from '../../../scripts/package/fuses';
import { parseIqaUrl, PRIVILEGED_SCHEMES, resolveAppFile } from '../../../src-main/shells/electron/app-protocol';
import { forkChannel, startBackend } from '../../../src-main/shells/electron/backend-bridge';
import { backendEnv, backendLaunch, electronLaunchEnv } from '../../../src-main/shells/electron/backend-launch';
import { RENDERER_CSP, RENDERER_URL } from '../../../src-main/shells/electron/window-options';
import { SECURITY_HEADERS } from '../../../src-main/shells/serve/security';
import { RENDERER_META_CSP } from '../../../src-shared/csp';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

describe('app:// serves the renderer bundle and nothing else', async () => {
  const base = tempDir('iqa-app-proto-');
  const dir = join(base, 'renderer');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  mkdirSync(join(base, 'renderer-private'));
  writeFileSync(join(base, 'renderer-private', 'x.js'), 'x');
  symlinkSync(join(base, 'secret.txt'), join(dir, 'link.txt'));

  it('resolves the index and assets with the CSP and nosniff', async () => {
    const index = await resolveAppFile(dir, 'app://bundle/');
    expect(index?.path).toBe(join(dir, 'index.html'));
    expect(index?.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff' });
    expect((await resolveAppFile(dir, RENDERER_URL))?.path).toBe(join(dir, 'index.html'));
    expect((await resolveAppFile(dir, 'app://bundle/assets/app.js?v=1'))?.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
  });

  it('refuses paths out of the folder, symlinks out, sibling prefixes, folders, other hosts and schemes, bad encodings', async () => {
    for (const url of [
      'app://bundle/../secret.txt',
      'app://bundle/%2e%2e/secret.txt',
      'app://bundle/..%2fsecret.txt',
      'app://bundle/..%5csecret.txt',
      'app://bundle/%2e%2e/renderer-private/x.js',
      'app://bundle/link.txt',
      'app://bundle/assets',
      'app://bundle/missing.js',
      'app://bundle/a%00b',
      'app://bundle/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(await resolveAppFile(dir, url), url).toBeNull();
    }
  });

  it('registers app:// and iqa:// as standard secure schemes', () => {
    expect(PRIVILEGED_SCHEMES.map((s) => s.scheme)).toEqual(['app', 'iqa']);
    for (const s of PRIVILEGED_SCHEMES) expect(s.privileges).toMatchObject({ standard: true, secure: true });
  });
});

describe('iqa:// URLs', () => {
  it('name a file kind and an id, nothing more', () => {
    expect(parseIqaUrl('iqa://thumb/42')).toEqual({ kind: 'thumb', id: '42' });
    expect(parseIqaUrl('iqa://rate/abc~1~a')).toEqual({ kind: 'rate', id: 'abc~1~a' });
    for (const bad of ['iqa://thumb/', 'iqa://thumb/1/2', 'iqa://thumb/1?x=1', 'app://thumb/1', 'iqa://u:p@thumb/1', 'iqa://Thumb1/1', 'nope']) expect(parseIqaUrl(bad), bad).toBeNull();
  });
});

describe('the renderer CSP on app://', () => {
  it("allows nothing by default, scripts only from the bundle, images also from iqa:", () => {
    const directives = Object.fromEntries(RENDERER_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:', 'iqa:']);
    expect(RENDERER_CSP).not.toMatch(/file:|\*/);
  });

  it('is the one policy: serve sends it too, and index.html carries it as its <meta> (frame-ancestors only in headers)', () => {
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(RENDERER_CSP);
    const html = readFileSync(join(REPO_ROOT, 'src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];
    expect(meta).toBe(RENDERER_META_CSP);
    expect(RENDERER_CSP).toBe(`${RENDERER_META_CSP}; frame-ancestors 'none'`);
  });

  it('main.ts loads the bundle from app:// and starts the back end as a utilityProcess', () => {
    const main = readFileSync(join(REPO_ROOT, 'src-main/shells/electron/main.ts'), 'utf8');
    expect(main).toContain('win.loadURL(RENDERER_URL)');
    expect(main).toContain('utilityProcess.fork(launch.modulePath, [], launch.options)');
    expect(main).not.toMatch(/loadFile\(|pathToFileURL|\?\? 'node'|execPath: 'node'/);
  });
});

describe('the back end launch', () => {
  const env = {
    HOME: '/home/me', PATH: '/usr/bin', LANG: 'de_DE.UTF-8', IQA_DATA_DIR: '/data', IQA_BACKEND: 'wasm',
    NODE_OPTIONS: '--require /tmp/evil.js', NODE_PATH: '/tmp', ELECTRON_RUN_AS_NODE: '1', AWS_SECRET_ACCESS_KEY: 'k', IQA_BACKEND_NODE: process.execPath,
  };

  it('passes only the allow-listed environment (no NODE_OPTIONS, ELECTRON_*, secrets)', () => {
    expect(backendEnv(env)).toEqual({ HOME: '/home/me', PATH: '/usr/bin', LANG: 'de_DE.UTF-8', IQA_DATA_DIR: '/data', IQA_BACKEND: 'wasm' });
  });

  it("runs a packaged app's back end in a utilityProcess, whatever the environment says", () => {
    const l = backendLaunch({ isPackaged: true, env, modulePath: '/app/out/main/backend-host.js' });
    expect(l).toEqual({
      mode: 'utility',
      modulePath: '/app/out/main/backend-host.js',
      options: { serviceName: 'IQA Workbench back end', env: backendEnv(env), execArgv: [], stdio: 'inherit' },
    });
  });

  it('uses a Node binary only in development and only by absolute path, never `node` from PATH', () => {
    expect(backendLaunch({ isPackaged: false, env, modulePath: 'm.js' })).toMatchObject({ mode: 'node', execPath: process.execPath, env: backendEnv(env) });
    expect(backendLaunch({ isPackaged: false, env: { ...env, IQA_BACKEND_NODE: 'node' }, modulePath: 'm.js' }).mode).toBe('utility');
    expect(backendLaunch({ isPackaged: false, env: { ...env, IQA_BACKEND_NODE: '/no/such/node' }, modulePath: 'm.js' }).mode).toBe('utility');
  });

  it('`iqa start` gives Electron no NODE_OPTIONS or ELECTRON_RUN_AS_NODE, and its own Node for the back end', () => {
    const out = electronLaunchEnv(env, '/usr/local/bin/node22', '/my/data');
    expect(out).toMatchObject({ HOME: '/home/me', IQA_BACKEND_NODE: '/usr/local/bin/node22', IQA_DATA_DIR: '/my/data' });
    for (const k of ['NODE_OPTIONS', 'NODE_PATH', 'ELECTRON_RUN_AS_NODE']) expect(out).not.toHaveProperty(k);
  });

  describe('backend-host under a utilityProcess-style parentPort, with the allow-listed environment', async () => {
    const require = createRequire(import.meta.url);
    const backend = await startBackend({
      channel: forkChannel({
        modulePath: join(REPO_ROOT, 'tests/helpers/parent-port-shim.ts'),
        execPath: process.execPath,
        execArgv: ['--import', require.resolve('tsx')],
        env: { ...backendEnv(process.env), IQA_DATA_DIR: tempDir('iqa-utility-'), IQA_BACKEND: 'cpu', IQA_LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
      }),
      onEvent: () => {},
    });
    afterAll(() => backend.stop());

    it('answers contract calls and file requests over parentPort', async () => {
      const info = await backend.invoke('app:info', {});
      expect(info.ok && (info.result as { shell: string }).shell).toBe('electron');
      const file = await backend.file('thumb', '1');
      expect(file.contentType).toBe('image/webp');
      await expect(backend.file('thumb', '../../etc/passwd')).rejects.toMatchObject({ code: 'validation' });
    });
  });
});

/** The marker Electron binaries carry before their fuse wire (@electron/fuses' SENTINEL). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

describe('Electron fuses', () => {
  it('are all set explicitly: RunAsNode, NODE_OPTIONS and inspect off; cookie encryption, asar-only and asar integrity on', () => {
    expect(FUSES.strictlyRequireAllFuses).toBe(true);
    expect(FUSES).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
  });

  it('are written into an Electron binary by the packaging script (a stand-in binary with the fuse wire)', async () => {
    const bin = join(tempDir('iqa-fuses-'), 'electron');
    // Some bytes, the sentinel, wire version 1, 9 fuses all enabled ('1'), more bytes: the layout Electron ships.
    writeFileSync(bin, Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(FUSE_SENTINEL), Buffer.from([1, 9]), Buffer.from('111111111'), Buffer.alloc(4096, 9)]));
    await applyFuses(bin);
    const wire = await getCurrentFuseWire(bin);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
  });
});

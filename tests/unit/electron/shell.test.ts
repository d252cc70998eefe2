// The Electron shell without an Electron binary: the backend child over IPC, the preload's surface, window security.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../../src-shared/api/channels';
import { forkChannel, startBackend } from '../../../src-main/shells/electron/backend-bridge';
import { RENDERER_CSP, RENDERER_URL, dialogDefaultPath, isTrustedRendererUrl, secureWebPreferences } from '../../../src-main/shells/electron/window-options';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const exposed: Record<string, unknown> = {};
const invoked: [string, unknown][] = [];
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: {
    invoke: (channel: string, input: unknown) => (invoked.push([channel, input]), Promise.resolve({ ok: true, result: null })),
    on: vi.fn(),
    removeListener: vi.fn(),
  },
}));

describe('preload', async () => {
  await import('../../../src-main/shells/electron/preload');
  const api = exposed.iqa as {
    invoke: Record<string, (input: unknown) => Promise<unknown>>;
    pickFolder: (defaultPath?: unknown) => Promise<unknown>;
    on: (event: string, cb: () => void) => () => void;
  };

  it('exposes exactly one function per contract channel, and nothing generic', async () => {
    expect(Object.keys(exposed)).toEqual(['iqa']);
    expect(Object.keys(api.invoke).sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pickFolder']);
    await api.invoke['datasets:get']!({ id: 3 });
    expect(invoked).toEqual([['datasets:get', { id: 3 }]]);
  });

  it('asks the main process for the folder dialog, passing only a string as its start', async () => {
    invoked.length = 0;
    await api.pickFolder('/home/me/Pictures');
    await api.pickFolder({ evil: true });
    expect(invoked).toEqual([['shell:pickFolder', '/home/me/Pictures'], ['shell:pickFolder', undefined]]);
  });

  it('subscribes only to known events', () => {
    expect(() => api.on('evil:event', () => {})).toThrow(/Unknown event/);
    expect(typeof api.on(EVENT_CHANNELS[0], () => {})).toBe('function');
  });
});

describe('window security', () => {
  it('uses context isolation, the sandbox and no Node integration', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
  it('has a strict CSP: scripts only from the app itself', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(RENDERER_CSP).toContain("object-src 'none'");
  });
  it('trusts only the bundled renderer page as an IPC sender', () => {
    const own = RENDERER_URL;
    expect(own).toBe('app://bundle/index.html');
    expect(isTrustedRendererUrl('app://bundle/index.html#/datasets', own)).toBe(true);
    expect(isTrustedRendererUrl('file:///app/out/renderer/index.html', own)).toBe(false);
    expect(isTrustedRendererUrl('app://other/index.html', own)).toBe(false);
    expect(isTrustedRendererUrl('https://example.com/', own)).toBe(false);
    expect(isTrustedRendererUrl('file:///tmp/evil.html', own)).toBe(false);
    expect(isTrustedRendererUrl('not a url', own)).toBe(false);
  });
  it('starts the folder dialog only at an absolute path the renderer gives', () => {
    expect(dialogDefaultPath('/home/me/Pictures')).toBe('/home/me/Pictures');
    expect(dialogDefaultPath('C:\\Users\\me')).toBe('C:\\Users\\me');
    for (const bad of ['Pictures', '', '/a\0b', 42, null, 'x'.repeat(5000)]) expect(dialogDefaultPath(bad)).toBeUndefined();
  });
});

describe('backend child process', async () => {
  const require = createRequire(import.meta.url);
  const events: [string, unknown][] = [];
  const backend = await startBackend({
    channel: forkChannel({
      modulePath: join(REPO_ROOT, 'src-main/shells/electron/backend-host.ts'),
      execPath: process.execPath,
      execArgv: ['--import', require.resolve('tsx')],
      env: { ...process.env, IQA_DATA_DIR: tempDir('iqa-bridge-'), IQA_BACKEND: 'cpu', IQA_LOG_LEVEL: 'warn' },
    }),
    onEvent: (e, p) => events.push([e, p]),
  });
  afterAll(() => backend.stop());

  it('answers contract calls through the same dispatcher', async () => {
    const info = await backend.invoke('app:info', {});
    expect(info.ok && (info.result as { shell: string }).shell).toBe('electron');
    const list = await backend.invoke('datasets:list', {});
    expect(list.ok && (list.result as unknown[]).length).toBe(1);
    const bad = await backend.invoke('datasets:get', { id: 'x' });
    expect(!bad.ok && bad.error.code).toBe('validation');
  });

  it('resolves files by id for the iqa:// protocol', async () => {
    const file = await backend.file('thumb', '1');
    expect(file.contentType).toBe('image/webp');
    await expect(backend.file('thumb', '../../etc/passwd')).rejects.toMatchObject({ code: 'validation' });
  });
});

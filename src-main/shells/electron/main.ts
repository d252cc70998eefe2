// Electron shell: a sandboxed window on the app:// bundle, IPC handlers that forward to the back end (a utilityProcess), and the iqa:// file protocol.
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell, utilityProcess, type WebContents } from 'electron';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { INVOKE_CHANNELS, PICK_FOLDER_CHANNEL } from '../../../src-shared/api/channels';
import { PRIVILEGED_SCHEMES, parseIqaUrl, resolveAppFile } from './app-protocol';
import { forkChannel, startBackend, type BackendBridge, type BackendChannel } from './backend-bridge';
import { backendLaunch } from './backend-launch';
import type { HostMessage } from './backend-protocol';
import { APP_SCHEME, RENDERER_CSP, RENDERER_URL, dialogDefaultPath, isSafeExternalUrl, isTrustedRendererUrl, type SecureWebPreferences } from './window-options';

protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));

const rendererDir = join(__dirname, '../renderer');
const rendererUrl = RENDERER_URL;
let mainWindow: BrowserWindow | null = null;

/** The renderer bundle over app://bundle/: only files really inside out/renderer, each with the CSP. */
function registerAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = await resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(await readFile(file.path), { headers: file.headers });
  });
}

/** The back end in Electron's own Node (utilityProcess) with an allow-listed environment (backend-launch.ts). */
function launchBackend(): BackendChannel {
  const launch = backendLaunch({ isPackaged: app.isPackaged, env: process.env, modulePath: join(__dirname, 'backend-host.js') });
  if (launch.mode === 'node') return forkChannel({ modulePath: launch.modulePath, execPath: launch.execPath, env: launch.env });
  const child = utilityProcess.fork(launch.modulePath, [], launch.options);
  return {
    post: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', (m: HostMessage) => l(m)),
    onExit: (l) => void child.on('exit', (code) => l(code)),
    onError: (l) => void child.on('error', (type, location) => l(new Error(`backend ${type} at ${location}`))),
    stop: () => void child.kill(),
  };
}

function registerIpc(backend: BackendBridge): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedRendererUrl(event.senderFrame?.url ?? '', rendererUrl)) {
        return { ok: false, error: { code: 'forbidden', message: 'Untrusted sender' } };
      }
      return backend.invoke(channel, input);
    });
  }
  ipcMain.handle(PICK_FOLDER_CHANNEL, async (event, defaultPath: unknown) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    if (!win || !isTrustedRendererUrl(event.senderFrame?.url ?? '', rendererUrl)) return null;
    const startAt = dialogDefaultPath(defaultPath);
    const picked = await dialog.showOpenDialog(win, { properties: ['openDirectory'], ...(startAt ? { defaultPath: startAt } : {}) });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  });
  protocol.handle('iqa', async (request) => {
    const named = parseIqaUrl(request.url);
    if (!named) return new Response('not found', { status: 404 });
    try {
      // The back end resolves the id to a real path it has checked (services/access.ts); no path comes from the page.
      const file = await backend.file(named.kind, named.id);
      // Read here rather than through file://, which the fuses leave without extra privileges.
      const body = Readable.toWeb(createReadStream(file.path)) as unknown as ReadableStream;
      return new Response(body, { headers: { 'Content-Type': file.contentType, 'X-Content-Type-Options': 'nosniff' } });
    } catch (err) {
      return new Response(err instanceof Error ? err.message : 'not found', { status: 404 });
    }
  });
}

/** Every web contents (the window, and anything it could ever create) stays on the bundled page. */
function lockDown(contents: WebContents): void {
  const stayHome = (event: Electron.Event<{ url: string }>) => {
    if (!isTrustedRendererUrl(event.url, rendererUrl)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-frame-navigate', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'IQA Workbench',
    backgroundColor: '#15171c',
    // Spelled out here rather than returned by a helper so that `npm run security` (a static scanner) reads them at
    // the BrowserWindow call; `satisfies` holds them to secureWebPreferences(), which the unit tests check.
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    } satisfies SecureWebPreferences,
  });
  void win.loadURL(RENDERER_URL);
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  // The app needs no permission (camera, notifications, clipboard reads...): every request and check is refused.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  registerAppProtocol();
  const backend = await startBackend({
    channel: launchBackend(),
    onEvent: (event, payload) => mainWindow?.webContents.send(event, payload),
    onExit: (code) => {
      if (code) app.exit(code);
    },
  });
  registerIpc(backend);
  mainWindow = createWindow();
  app.on('window-all-closed', () => {
    backend.stop();
    app.quit();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  app.exit(1);
});

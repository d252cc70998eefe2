// Electron shell: a sandboxed window, IPC handlers that forward to the backend child, and the iqa:// file protocol.
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INVOKE_CHANNELS } from '../../../src-shared/api/channels';
import { startBackend, type BackendBridge } from './backend-bridge';
import { RENDERER_CSP, isTrustedRendererUrl, secureWebPreferences } from './window-options';

protocol.registerSchemesAsPrivileged([
  { scheme: 'iqa', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

const rendererIndex = join(__dirname, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).toString();
let mainWindow: BrowserWindow | null = null;

function registerIpc(backend: BackendBridge): void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedRendererUrl(event.senderFrame?.url ?? '', rendererUrl)) {
        return { ok: false, error: { code: 'forbidden', message: 'Untrusted sender' } };
      }
      return backend.invoke(channel, input);
    });
  }
  protocol.handle('iqa', async (request) => {
    const url = new URL(request.url);
    try {
      const file = await backend.file(url.host, url.pathname.replace(/^\//, ''));
      return net.fetch(pathToFileURL(file.path).toString());
    } catch (err) {
      return new Response(err instanceof Error ? err.message : 'not found', { status: 404 });
    }
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'IQA Workbench',
    backgroundColor: '#15171c',
    webPreferences: secureWebPreferences(join(__dirname, '../preload/index.cjs')),
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url, rendererUrl)) event.preventDefault();
  });
  void win.loadFile(rendererIndex);
  return win;
}

async function main(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  const backend = await startBackend({
    modulePath: join(__dirname, 'backend-host.js'),
    execPath: process.env.IQA_NODE ?? 'node',
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

// `iqa start` (npm start): the Electron app when its binary is installed, otherwise serve mode in a browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { appRoot, rendererDistDir } from '../app/paths';
import { log } from '../app/logger';
import type { BackendChoice } from '../iqa/backend';
import { electronLaunchEnv } from '../shells/electron/backend-launch';
import { serveCommand } from './serve.command';

const require = createRequire(import.meta.url);

/** Path of the Electron executable, or null when the package or its binary is missing. */
export function electronBinary(): string | null {
  try {
    const path = require('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export async function startCommand(opts: { port: number; dataDir?: string; backend: BackendChoice }) {
  const electron = electronBinary();
  const mainBundle = join(appRoot(), 'out', 'main', 'index.js');
  if (electron && existsSync(mainBundle) && !process.env.IQA_NO_ELECTRON) {
    log.info('start', 'launching the desktop app');
    // No NODE_OPTIONS or ELECTRON_RUN_AS_NODE for Electron; its back end runs on this Node (node_modules are built for it).
    const env = electronLaunchEnv(process.env, process.execPath, opts.dataDir);
    const child = spawn(electron, [appRoot()], { stdio: 'inherit', env });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  if (!existsSync(join(rendererDistDir(), 'index.html'))) {
    throw new Error('The UI is not built yet: run "npm run build" (the setup script does this).');
  }
  log.info('start', electron ? 'desktop bundle not built; using serve mode' : 'Electron is not installed here; using serve mode');
  await serveCommand({ host: '127.0.0.1', port: opts.port, open: true, backend: opts.backend, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
}

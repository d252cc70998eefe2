// scripts/setup-electron.sh says "installed" only when the Electron binary is really there afterwards.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);

// electron's index.js in short: the binary's path comes from path.txt, and a missing path.txt throws.
const INDEX_JS = `const fs = require('fs'); const path = require('path');
const p = path.join(__dirname, 'path.txt');
if (!fs.existsSync(p)) throw new Error('Electron failed to install correctly');
module.exports = path.join(__dirname, 'dist', fs.readFileSync(p, 'utf8'));
`;
// electron's install.js in short: exit 0 at once under ELECTRON_SKIP_BINARY_DOWNLOAD, otherwise "download".
const INSTALL_DOWNLOADS = `const fs = require('fs');
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0);
fs.mkdirSync('dist'); fs.writeFileSync('dist/electron', ''); fs.writeFileSync('path.txt', 'electron');
`;
// An install.js that exits 0 and leaves no binary (what an offline mirror with a swallowed error looks like).
const INSTALL_SILENT_NOTHING = `process.exit(0);\n`;

function fakeProject(installJs: string): string {
  const dir = tempDir('setup-electron-');
  const pkg = join(dir, 'node_modules', 'electron');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'index.js'), INDEX_JS);
  writeFileSync(join(pkg, 'package.json'), '{"name":"electron","main":"index.js"}');
  writeFileSync(join(pkg, 'install.js'), installJs);
  return dir;
}

async function setupElectron(project: string): Promise<string> {
  // setup.sh exports ELECTRON_SKIP_BINARY_DOWNLOAD for npm ci, so the step runs with it set.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  const { stdout } = await run('bash', [join(REPO_ROOT, 'scripts', 'setup-electron.sh'), project], { env });
  return stdout;
}

describe('scripts/setup-electron.sh', () => {
  it('downloads with ELECTRON_SKIP_BINARY_DOWNLOAD lifted, and says installed only once the binary exists', async () => {
    const project = fakeProject(INSTALL_DOWNLOADS);
    expect(await setupElectron(project)).toMatch(/Electron binary installed/);
    expect(await setupElectron(project)).toMatch(/already installed/);
  });

  it('says it could not download when install.js exits 0 without a binary', async () => {
    const out = await setupElectron(fakeProject(INSTALL_SILENT_NOTHING));
    expect(out).toMatch(/could not be downloaded/);
    expect(out).not.toMatch(/installed/);
  });
});

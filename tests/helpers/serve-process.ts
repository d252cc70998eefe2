// Starts the real `iqa serve` as a child process on a free port with a fresh data folder, for e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface ServeProcess {
  url: string;
  openUrl: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

export async function startServe(extraArgs: string[] = [], opts: { dataDir?: string; nodeArgs?: string[] } = {}): Promise<ServeProcess> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'iqa-e2e-')));
  const child = spawn(
    process.execPath,
    [...(opts.nodeArgs ?? []), join(REPO_ROOT, 'bin', 'iqa.js'), 'serve', '--port', '0', '--data-dir', dataDir, ...extraArgs],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IQA_LOG_LEVEL: 'warn' } },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const openUrl = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /serving at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${out}`)));
  });
  const url = openUrl.replace(/\?.*$/, '');
  return {
    url,
    openUrl,
    dataDir,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await exited;
      }
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

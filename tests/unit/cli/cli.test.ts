// The `iqa` command run as a user would: info (text and JSON) and argument errors.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT });
const dataDir = tempDir('iqa-cli-');

describe('iqa info', () => {
  it('prints versions, the tensor backend and the database path as JSON', async () => {
    const { stdout } = await iqa('info', '--json', '--data-dir', dataDir, '--backend', 'cpu');
    const info = JSON.parse(stdout) as { databasePath: string; backend: { name: string }; versions: Record<string, string>; schemaVersion: number };
    expect(info.databasePath).toBe(join(dataDir, 'iqa.sqlite'));
    expect(info.backend.name).toBe('cpu');
    expect(info.schemaVersion).toBe(1);
    expect(Object.keys(info.versions)).toEqual(expect.arrayContaining(['sharp', 'better-sqlite3', '@tensorflow/tfjs', 'sqlite']));
  });

  it('picks the best available backend by default and says what it skipped', async () => {
    const { stdout } = await iqa('info', '--data-dir', dataDir);
    expect(stdout).toMatch(/tensor\s+(wasm|tensorflow|tensorflow-gpu|cpu)/);
    expect(stdout).toContain(join(dataDir, 'iqa.sqlite'));
  });

  it('rejects an unknown backend with a clear message', async () => {
    await expect(iqa('info', '--backend', 'quantum')).rejects.toMatchObject({
      stderr: expect.stringMatching(/argument 'quantum' is invalid. Allowed choices are auto, tensorflow-gpu/),
    });
  });
});

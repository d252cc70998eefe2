// `iqa synth` run as a user would: builds a small synthetic dataset, stores it, lists it, and rejects bad arguments.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT });

describe('iqa synth', () => {
  const dataDir = tempDir('iqa-cli-synth-');
  const src = tempDir('iqa-cli-synth-src-');
  const out = join(tempDir('iqa-cli-synth-out-'), 'tiny-synth');
  copyFileSync(join(REPO_ROOT, 'resources/demo/calf.jpg'), join(src, 'calf.jpg'));

  it('builds, stores and reports a dataset as JSON', async () => {
    const { stdout } = await iqa('synth', src, '--out', out, '--types', 'jpeg,white_noise', '--levels', '1,5', '--max-side', '256', '--seed', '2', '--json', '--data-dir', dataDir);
    const res = JSON.parse(stdout) as { datasetId: number; name: string; images: number; references: number; failed: unknown[]; csv: string };
    expect(res).toMatchObject({ name: 'tiny-synth', images: 4, references: 1, failed: [] });
    expect(existsSync(join(out, 'dist/calf__jpeg__5.png'))).toBe(true);
    expect(readFileSync(res.csv, 'utf8').trim().split('\n')).toHaveLength(5);
    expect((await iqa('datasets', '--data-dir', dataDir)).stdout).toMatch(/tiny-synth\s+synthetic\s+4 images\s+mos \[1, 5\] ↑/);
  });

  it('prints a summary line, and refuses a name already taken', async () => {
    const { stdout } = await iqa('synth', src, '--out', join(out, '..', 'second'), '--types', 'pixelate', '--levels', '3', '--max-side', '200', '--data-dir', dataDir);
    expect(stdout).toMatch(/^Built "second" \(id \d+, synthetic\) in .*second: 1 distorted images of 1 references, pseudo-MOS [\d.]+-[\d.]+ on \[1, 5\]/);
    await expect(iqa('synth', src, '--out', out, '--types', 'jpeg', '--data-dir', dataDir)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/A dataset named "tiny-synth" already exists/),
    });
  });

  it('rejects unknown types, bad levels, a too small --max-side and a missing --out', async () => {
    await expect(iqa('synth', src, '--out', out, '--types', 'jpeg,blurry')).rejects.toMatchObject({ stderr: expect.stringMatching(/unknown distortion "blurry"; known: gaussian_blur/) });
    await expect(iqa('synth', src, '--out', out, '--levels', '0,6')).rejects.toMatchObject({ stderr: expect.stringMatching(/expected levels 1-5/) });
    await expect(iqa('synth', src, '--out', out, '--max-side', '100')).rejects.toMatchObject({ stderr: expect.stringMatching(/at least 176/) });
    await expect(iqa('synth', src)).rejects.toMatchObject({ stderr: expect.stringMatching(/required option '--out <dir>'/) });
  });
});

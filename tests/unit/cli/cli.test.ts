// The `iqa` command run as a user would: info (text and JSON) and argument errors.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/serve-process';
import { MIGRATIONS } from '../../../src-main/store/migrations';
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
    expect(info.schemaVersion).toBe(MIGRATIONS.at(-1)!.version);
    expect(Object.keys(info.versions)).toEqual(expect.arrayContaining(['sharp', 'better-sqlite3', '@tensorflow/tfjs', 'sqlite']));
  });

  it('picks the best available backend by default and says what it skipped', async () => {
    const { stdout } = await iqa('info', '--data-dir', dataDir);
    expect(stdout).toMatch(/tensor\s+(wasm|tensorflow|tensorflow-gpu|cpu)/);
    expect(stdout).toContain(join(dataDir, 'iqa.sqlite'));
  });

  it('names the inference engine: ONNX Runtime and its provider, the GPU providers skipped with why; tfjs when asked', async () => {
    const { stdout } = await iqa('info', '--data-dir', dataDir);
    const line = /inference\s+onnxruntime 1\.\d+\.\d+ · (\w+) · \d+ threads/.exec(stdout);
    expect(line, stdout).not.toBeNull();
    // Every provider tried before the CPU either runs or is skipped with a reason.
    for (const p of ['tensorrt', 'cuda', 'dml', 'coreml']) if (line![1] !== p) expect(stdout).toMatch(new RegExp(`skipped\\s+${p}: \\S`));
    const env = { ...process.env, IQA_INFERENCE: 'tfjs' };
    const json = await run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), 'info', '--json', '--data-dir', dataDir], { cwd: REPO_ROOT, env });
    expect((JSON.parse(json.stdout) as { inference: { engine: string } }).inference.engine).toBe('tfjs');
  });

  it('rejects an unknown backend with a clear message', async () => {
    await expect(iqa('info', '--backend', 'quantum')).rejects.toMatchObject({
      stderr: expect.stringMatching(/argument 'quantum' is invalid. Allowed choices are auto, tensorflow-gpu/),
    });
  });
});

describe('iqa import / datasets / splits', () => {
  const dir = tempDir('iqa-cli-import-');
  it('imports a generic CSV dataset and prints JSON', async () => {
    const { stdout } = await iqa(
      'import',
      '--format',
      'csv',
      '--file',
      'labels.csv',
      '--range',
      '1,5',
      '--name',
      'tiny',
      '--json',
      '--data-dir',
      dir,
      join(REPO_ROOT, 'tests/fixtures/datasets/csv'),
    );
    const out = JSON.parse(stdout) as { dataset: { name: string; imageCount: number; labelKind: string }; images: number };
    expect(out.dataset).toMatchObject({ name: 'tiny', imageCount: 4, labelKind: 'mos' });
  });
  it('lists it and makes splits', async () => {
    expect((await iqa('datasets', '--data-dir', dir)).stdout).toMatch(/tiny\s+csv\s+4 images\s+mos \[1, 5\]/);
    const { stdout } = await iqa('splits', 'tiny', '--repeats', '2', '--data-dir', dir);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['csv_split', 'ratio802_seed123_split01', 'ratio802_seed123_split02']);
    expect(stdout).toMatch(/ratio802_seed123_split01\s+content-disjoint\s+train 2\s+val 0\s+test 2/);
  });
  it('fails with the problem list and exit code 1 on a bad CSV', async () => {
    await expect(
      iqa('import', '--format', 'csv', '--file', 'nope.csv', '--data-dir', dir, join(REPO_ROOT, 'tests/fixtures/datasets/csv')),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Missing file: .*nope\.csv/),
    });
  });
});

describe('iqa fr', () => {
  const a = join(REPO_ROOT, 'tests/fixtures/datasets/csv/images/a.png');
  const b = join(REPO_ROOT, 'tests/fixtures/datasets/csv/images/b.png');
  it('prints {"metric", "score"} for two files of equal size', async () => {
    const out = JSON.parse((await iqa('fr', '--metric', 'psnr', '--json', a, b)).stdout) as { metric: string; score: number };
    expect(out.metric).toBe('psnr');
    expect(out.score).toBeCloseTo(6.2433, 3);
  });
  it('says why a metric cannot run', async () => {
    await expect(iqa('fr', '--metric', 'ms-ssim', a, b)).rejects.toMatchObject({ stderr: expect.stringMatching(/MS-SSIM needs both sides at least 176 px/) });
    await expect(iqa('fr', a, join(REPO_ROOT, 'resources/demo/bee.jpg'))).rejects.toMatchObject({
      stderr: expect.stringMatching(/differ in size: 8x8 vs 943x530/),
    });
  });
});

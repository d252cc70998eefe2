// `iqa weights inspect|convert` run as a user would, and the from-scratch warning of `iqa train`.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../../src-main/iqa/weights/safetensors';
import { readWeightsFile } from '../../../src-main/iqa/weights/read-weights';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT });
const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'torch-checkpoints');

describe('iqa weights', () => {
  it('inspects a legacy checkpoint: format, wrapper, architecture, dtypes, its epoch', async () => {
    const { stdout } = await iqa('weights', 'inspect', join(FIX, 'hyperiqa-small-legacy.pkl'));
    expect(stdout).toMatch(/format\s+torch-legacy \(state dict under 'state_dict'\)/);
    expect(stdout).toMatch(/architecture\s+HyperIQA \(ResNet-10 backbone, width 16\)/);
    expect(stdout).toMatch(/tensors\s+109 \(45 F16, 24 BF16, 28 F32, 12 I64\)/);
    expect(stdout).toMatch(/epoch\s+16/);
    const json = JSON.parse((await iqa('weights', 'inspect', '--json', join(FIX, 'resnet10-w16.pth'))).stdout) as { architecture: string; format: string };
    expect(json).toMatchObject({ architecture: 'torchvision ResNet-10', format: 'torch-zip' });
  });

  it('converts a .pth to .safetensors with the same values, and refuses to overwrite without --force', async () => {
    const out = join(tempDir('iqa-weights-'), 'formats.safetensors');
    const { stdout } = await iqa('weights', 'convert', join(FIX, 'formats.pth'), out);
    expect(stdout).toMatch(/wrote .*formats\.safetensors: 12 tensors from formats\.pth \(torch-zip/);
    expect(stdout).toMatch(/1 F64 tensor\(s\) rounded to F32: f64/);
    const before = await readWeightsFile(join(FIX, 'formats.pth'));
    const after = await readSafetensors(out);
    for (const [name, t] of before.tensors) {
      const got = after.get(name)!;
      expect(got.shape, name).toEqual(t.shape);
      expect(Array.from(got.data as ArrayLike<number | bigint>, Number), name).toEqual(Array.from(t.data as ArrayLike<number | bigint>, Number));
    }
    await expect(iqa('weights', 'convert', join(FIX, 'formats.pth'), out)).rejects.toMatchObject({ stderr: expect.stringMatching(/exists; pass --force/) });
  });

  it('refuses a checkpoint that would run code, naming the Python function', async () => {
    await expect(iqa('weights', 'inspect', join(FIX, 'evil.pth'))).rejects.toMatchObject({ stderr: expect.stringMatching(/"posix\.system".*refused/) });
  });

  it('iqa train warns before a ResNet-50 HyperIQA trains from scratch', async () => {
    const dir = tempDir('iqa-weights-train-');
    const config = join(dir, 'train.json');
    writeFileSync(config, JSON.stringify({ model: 'hyperiqa', dataset: 'no-such-dataset', modelConfig: {} }));
    const err = (await iqa('train', '--config', config, '--data-dir', dir).catch((e: unknown) => e)) as { stderr: string };
    expect(err.stderr).toMatch(/warning: HyperIQA's ResNet-50 backbone will train from scratch.*backboneWeights/);
    writeFileSync(config, JSON.stringify({ model: 'hyperiqa', dataset: 'no-such-dataset', modelConfig: { backbone: 'small' } }));
    const small = (await iqa('train', '--config', config, '--data-dir', dir).catch((e: unknown) => e)) as { stderr: string };
    expect(small.stderr).not.toMatch(/warning/);
  });
});

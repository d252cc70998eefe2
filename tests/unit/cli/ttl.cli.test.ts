// `iqa ttl` runs TTL-IQA's whole chain from the command line at tiny size on 2 splits, and `iqa score` refuses its DT-GAN run.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDetail, TtlChainResult } from '../../../src-shared/api/schemas';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20 });

describe('iqa ttl', () => {
  const dataDir = tempDir('iqa-cli-ttl-');
  const data = tempDir('iqa-cli-ttl-blur-');
  beforeAll(async () => {
    await writeBlurDataset(data);
    await iqa('import', data, '--format', 'csv', '--file', 'labels.csv', '--range', '1,5', '--name', 'blur', '--data-dir', dataDir);
    // Seeds 125 and 126 hold out different scenes of the six, so the two splits differ.
    await iqa('splits', 'blur', '--repeats', '2', '--seed', '125', '--data-dir', dataDir);
  }, 60_000);

  it('runs DT-GAN → auxiliary dataset → stage 1 → stage 2 and the direct baseline on 2 splits, with both held-out SRCCs and their means', async () => {
    const pristine = join(REPO_ROOT, 'resources/demo');
    const { stdout } = await iqa('ttl', 'blur', '--scale', 'tiny', '--levels', '2', '--no-attention', '--pristine', pristine, '--splits', '2',
      '--dtgan-epochs', '1', '--stage1-epochs', '1', '--stage2-epochs', '1', '--json', '--data-dir', dataDir);
    const result = JSON.parse(stdout) as TtlChainResult;
    expect(result.directRunId).not.toBeNull();
    expect(result.splits).toHaveLength(2);
    expect(result.splits.map((s) => s.split)).toEqual(['ratio802_seed125_split01', 'ratio802_seed125_split02']);
    expect(result.stage2RunId).toBe(result.splits[0]!.stage2RunId);
    for (const part of result.splits.flatMap((s) => [s.ttl, s.direct])) {
      expect(part?.srcc).toBeGreaterThanOrEqual(-1);
      expect(part?.srcc).toBeLessThanOrEqual(1);
    }
    const srcc = result.splits.map((s) => s.ttl.srcc!);
    expect(result.mean?.ttl.srcc).toMatchObject({ n: 2, mean: (srcc[0]! + srcc[1]!) / 2 });
    expect(result.mean!.ttl.srcc!.lo).toBeLessThanOrEqual(result.mean!.ttl.srcc!.hi);
    expect(result.mean?.gain?.mean).toBeCloseTo((srcc[0]! - result.splits[0]!.direct!.srcc! + srcc[1]! - result.splits[1]!.direct!.srcc!) / 2, 12);
    const runs = JSON.parse((await iqa('runs', '--json', '--data-dir', dataDir)).stdout) as Pick<RunDetail, 'id' | 'model' | 'status'>[];
    expect(runs.map((r) => [r.id, r.model, r.status]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(
      result.splits.flatMap((s) => [
        [s.dtganRunId, 'dtgan', 'completed'],
        [s.stage1RunId, 'sftnet', 'completed'],
        [s.stage2RunId, 'sftnet', 'completed'],
        [s.directRunId, 'sftnet', 'completed'],
      ]),
    );

    const stage2 = (await iqa('score', '--run', String(result.stage2RunId), '--json', join(pristine, 'bee.jpg'), '--data-dir', dataDir)).stdout;
    expect(Number.isFinite((JSON.parse(stage2.trim()) as { score: number }).score)).toBe(true);
    await expect(iqa('score', '--run', String(result.dtganRunId), join(pristine, 'bee.jpg'), '--data-dir', dataDir)).rejects.toMatchObject({
      stderr: expect.stringMatching(/translates images and gives no quality score/),
    });
  }, 600_000);
});

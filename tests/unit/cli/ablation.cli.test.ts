// `iqa ablation` trains HIQA's ladder rows from one base config on the same split and prints their table.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AblationRowResult } from '../../../src-main/cli/ablation.command';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20 });

describe('iqa ablation', () => {
  const dataDir = tempDir('iqa-cli-ablation-');
  const config = join(tempDir('iqa-cli-ablation-cfg-'), 'base.json');
  beforeAll(async () => {
    await iqa('synth', join(REPO_ROOT, 'resources/demo'), '--out', tempDir('iqa-cli-ablation-synth-'), '--name', 'synth', '--max-side', '176',
      '--types', 'gaussian_blur,white_noise', '--levels', '1,5', '--seed', '2', '--data-dir', dataDir);
    writeFileSync(config, JSON.stringify({
      name: 'abl', model: 'hiqa', dataset: 'synth', splits: 1,
      modelConfig: { scale: 'tiny', generatorOutput: 'residual', trainCrops: 1, testCrops: 1, schedule: { rpreEpochs: 1, warmupEpochs: 0, regressorEpochs: 1 } },
      hyper: { epochs: 3, batchImages: 4, seed: 1 },
    }));
  }, 60_000);

  it('runs the chosen rows with their switches and the same G/R epochs, and reports SRCC and the hallucination PSNR', async () => {
    const { stdout } = await iqa('ablation', '--config', config, '--only', 'bl,hcm_qpl', '--json', '--data-dir', dataDir);
    const out = JSON.parse(stdout) as { splits: string[]; rows: AblationRowResult[] };
    expect(out.rows.map((r) => r.label)).toEqual(['BL', 'BL+HCM+QPL']);
    for (const r of out.rows) {
      expect(r.srcc).toBeGreaterThanOrEqual(-1);
      expect(r.srcc).toBeLessThanOrEqual(1);
      // The residual G starts as the identity: before training it is exactly as far from I_r as I_d.
      expect(r.psnrInit).toBeCloseTo(r.psnrInput, 3);
      expect(Number.isFinite(r.psnrEnd)).toBe(true);
    }
    // Δ against the first row on the split both ran on, from their test predictions: with one split the stored SRCCs' difference.
    expect(out.rows[0]!.vsFirst).toBeNull();
    const vs = out.rows[1]!.vsFirst!;
    expect(vs.srcc.splits.map((s) => s.split)).toEqual([out.splits[0]]);
    expect(vs.srcc.diff).toBeCloseTo(out.rows[1]!.srcc - out.rows[0]!.srcc, 9);
    expect(vs.srcc.withinNoise).toBe(vs.srcc.degenerate === null && vs.srcc.lo <= 0 && vs.srcc.hi >= 0);
    const db = new Database(join(dataDir, 'iqa.sqlite'), { readonly: true });
    const stored = out.rows.map((r) => {
      const row = db.prepare('SELECT status, config FROM runs WHERE id = ?').get(r.runs[0]!.id) as { status: string; config: string };
      const c = JSON.parse(row.config) as { split: string; modelConfig: { discrepancy: boolean; qualityAwareLoss: boolean }; hyper: { epochs: number } };
      return [row.status, c.split, c.modelConfig.discrepancy, c.modelConfig.qualityAwareLoss, c.hyper.epochs];
    });
    db.close();
    // BL has no R_pre epoch: 2 epochs against 3, the same joint and R-only ones.
    expect(stored).toEqual([
      ['completed', out.splits[0], false, false, 2],
      ['completed', out.splits[0], true, true, 3],
    ]);

    const table = (await iqa('ablation', '--config', config, '--only', 'bl', '--data-dir', dataDir)).stdout;
    expect(table).toMatch(/^\| row \| held-out SRCC/);
    expect(table).toMatch(/\n\| BL \| -?\d\.\d{3} \|/);
    await expect(iqa('ablation', '--config', config, '--only', 'nope', '--data-dir', dataDir)).rejects.toMatchObject({ stderr: expect.stringMatching(/Unknown ladder row\(s\) nope/) });
  }, 300_000);
});

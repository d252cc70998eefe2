// `iqa score`, `iqa train`, `iqa eval` and `iqa runs` run as a user would, including the HyperIQA parity command.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEASURE_CSV_COLUMNS } from '../../../src-shared/api/schemas';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { REPO_ROOT } from '../../helpers/serve-process';
import { HYPERIQA_PARITY_DIR as PARITY, parityExpected, writeParityWeights } from '../../helpers/hyperiqa-fixture';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20 });

describe('iqa score: HyperIQA parity with the official PyTorch code', () => {
  const expected = parityExpected().scores;
  let weights: string;
  beforeAll(async () => {
    weights = (await writeParityWeights(tempDir('iqa-parity-'))).path;
  }, 60_000);

  it('prints one {"path", "score"} line per image, each within 2e-4 of the official score', async () => {
    const files = Object.keys(expected).map((f) => join(PARITY, f));
    const { stdout } = await iqa('score', '--model', 'hyperiqa', '--weights', weights, '--crop', 'none', '--json', ...files);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { path: string; score: number });
    expect(lines.map((l) => l.path)).toEqual(files);
    for (const l of lines) {
      const want = expected[l.path.split('/').pop()!]!;
      expect(Math.abs(l.score - want), `${l.path}: ${l.score} vs ${want}`).toBeLessThanOrEqual(2e-4);
    }
  }, 120_000);

  it('refuses --crop none on an image that is not 224x224, per file, and goes on with the rest', async () => {
    const dir = tempDir('iqa-score-');
    const { writeTestImage } = await import('../../helpers/images');
    await writeTestImage(join(dir, 'small.png'), 64, 48);
    const err = await iqa('score', '--model', 'hyperiqa', '--weights', weights, '--crop', 'none', '--json', join(dir, 'small.png'), join(PARITY, 'img_0.png')).catch((e: { stdout: string; code: number }) => e);
    const lines = (err as { stdout: string }).stdout.trim().split('\n').map((l) => JSON.parse(l) as { path: string; score?: number; error?: string });
    expect((err as { code: number }).code).toBe(1);
    expect(lines[0]!.error).toMatch(/224x224.*64x48/);
    expect(Math.abs(lines[1]!.score! - expected['img_0.png']!)).toBeLessThanOrEqual(2e-4);
  }, 120_000);

  it('refuses weights that do not fit the model, naming the tensor', async () => {
    await expect(iqa('score', '--model', 'hyperiqa', '--backend', 'cpu', '--weights', weights, '--crop', 'none', join(PARITY, 'img_0.png'), '--json').then(() => 'ok')).resolves.toBe('ok');
    const dir = tempDir('iqa-badw-');
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, Buffer.from([1, 2, 3]));
    await expect(iqa('score', '--model', 'hyperiqa', '--weights', bad, join(PARITY, 'img_0.png'))).rejects.toMatchObject({ stderr: expect.stringMatching(/safetensors|too short|header/i) });
  }, 120_000);
});

describe('iqa score with the shipped models', () => {
  it('scores a demo photo out of the box with the HyperIQA model in resources/, on the MOS 1-5 scale', async () => {
    const photo = join(REPO_ROOT, 'resources/demo/bee.jpg');
    const { stdout, stderr } = await iqa('score', '--model', 'hyperiqa', photo);
    expect(stderr).toMatch(/hyperiqa \(.*resources\/models\/hyperiqa\); scores: MOS 1-5, higher is better; crops: grid/);
    const score = Number(stdout.trim().split('\t')[1]);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(6);
  }, 120_000);

  it('scores with the default quality model when none is named, with its measures in JSON and CSV', async () => {
    const dir = tempDir('iqa-cli-quality-');
    const sharpPhoto = join(dir, 'sharp.jpg');
    const softPhoto = join(dir, 'soft.jpg');
    await sharp(join(REPO_ROOT, 'resources/demo/calf.jpg')).resize(1200).jpeg({ quality: 92 }).toFile(sharpPhoto);
    await sharp(join(REPO_ROOT, 'resources/demo/calf.jpg')).resize(1200).blur(6).jpeg({ quality: 92 }).toFile(softPhoto);
    const { stdout, stderr } = await iqa('score', '--json', sharpPhoto, softPhoto);
    expect(stderr).toBe('');
    const [a, b] = stdout.trim().split('\n').map((l) => JSON.parse(l) as { path: string; score: number; measures: Record<string, number> });
    expect(Object.keys(a!.measures)).toEqual(['sharpness', 'noise', 'clippedHighlights', 'clippedShadows', 'meanLuminance', 'compression']);
    expect(a!.score).toBeGreaterThan(b!.score);
    expect(a!.measures.sharpness).toBeGreaterThan(b!.measures.sharpness! + 20);
    const csv = (await iqa('score', '--csv', sharpPhoto)).stdout.trim().split('\n');
    expect(csv[0]).toBe('path,score,crops,error,sharpness,noise,clipped_highlights_pct,clipped_shadows_pct,mean_luminance_pct,compression');
    expect(csv[1]!.split(',').slice(4).map(Number).every(Number.isFinite)).toBe(true);
    const table = (await iqa('score', softPhoto)).stderr;
    expect(table).toMatch(/^quality \(.*resources\/models\/quality\/model\.json\); scores: MOS 1-5, higher is better/);
  }, 120_000);
});

describe('iqa train / runs / eval / score on a trained run', () => {
  const dataDir = tempDir('iqa-cli-train-');
  const data = tempDir('iqa-cli-blur-');
  beforeAll(async () => {
    await writeBlurDataset(data);
    await iqa('import', data, '--format', 'csv', '--file', 'labels.csv', '--range', '1,5', '--name', 'blur', '--data-dir', dataDir);
  }, 60_000);

  it('trains over 2 content-disjoint splits and prints per-run metrics and the median', async () => {
    const cfg = join(data, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ model: 'cnniqa', dataset: 'blur', splits: 2, modelConfig: { kernels: 8, hidden: 32, trainCrops: 8, testCrops: 4, resize: null }, hyper: { epochs: 2, batchImages: 4 } }));
    const { stdout } = await iqa('train', '--config', cfg, '--json', '--data-dir', dataDir);
    const out = JSON.parse(stdout) as { runs: { id: number; split: string; metrics: Record<string, number> }[]; summary: Record<string, { median: number; n: number }> };
    expect(out.runs).toHaveLength(2);
    expect(new Set(out.runs.map((r) => r.split)).size).toBe(2);
    expect(out.summary.srcc!.n).toBe(2);
    expect(Number.isFinite(out.summary.srcc!.median)).toBe(true);

    const runs = JSON.parse((await iqa('runs', '--json', '--data-dir', dataDir)).stdout) as { id: number; status: string; bestEpoch: { epoch: number; srcc: number; note: string } }[];
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    // Every run reports its best epoch (by test SRCC) apart from the last, flagged as selected on the test set.
    expect(runs[0]!.bestEpoch).toMatchObject({ note: 'selected on the test set' });
    expect([1, 2]).toContain(runs[0]!.bestEpoch.epoch);
    const shown = (await iqa('runs', 'show', String(out.runs[0]!.id), '--data-dir', dataDir)).stdout;
    expect(shown).toMatch(/^last epoch \(epoch 2\): SRCC -?\d\.\d{4}/m);
    expect(shown).toMatch(/^best epoch, selected on the test set \(epoch [12]\): SRCC -?\d\.\d{4}/m);
    // RMSE is in the labels' own units (MOS 1-5): predictions mapped back from 0..1 before it is taken.
    for (const r of out.runs) {
      expect(r.metrics.rmse).toBeGreaterThan(0);
      expect(r.metrics.rmse).toBeLessThan(4);
    }

    const evalOut = JSON.parse((await iqa('eval', '--run', String(out.runs[0]!.id), '--all', '--json', '--data-dir', dataDir)).stdout) as { n: number; srcc: number; plccFitted: number };
    expect(evalOut.n).toBe(24);
    expect(evalOut.srcc).toBeGreaterThan(-1);

    const scored = (await iqa('score', '--run', String(out.runs[0]!.id), '--csv', join(data, 'img'), '--data-dir', dataDir)).stdout.trim().split('\n');
    expect(scored[0]).toBe(`path,score,crops,error,${MEASURE_CSV_COLUMNS.join(',')}`);
    expect(scored).toHaveLength(25);
    const scores = scored.slice(1).map((l) => Number(l.split(',')[1]));
    expect(scores.every((s) => Number.isFinite(s))).toBe(true);
  }, 240_000);

  it('rejects a config with an unknown key or a bad value, naming it', async () => {
    const cfg = join(data, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ model: 'cnniqa', dataset: 'blur', hyper: { epochs: 0 }, colour: 'red' }));
    await expect(iqa('train', '--config', cfg, '--data-dir', dataDir)).rejects.toMatchObject({ stderr: expect.stringMatching(/epochs|colour/) });
  }, 60_000);
});

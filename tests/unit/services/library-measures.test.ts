// The default quality model in the Library: scoring stores each photo's measures; they sort, filter, export to CSV and XMP; the loupe's focus map.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, PhotoItem, PhotoPage, SharpnessMap } from '../../../src-shared/api/schemas';
import { ANALYSIS_MAX_SIDE } from '../../../src-main/iqa/quality/features';
import { resourcesDir } from '../../../src-main/app/paths';
import { readSidecar } from '../../../src-main/photo/xmp';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
let dir: string;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}
async function finish(job: JobInfo): Promise<JobInfo> {
  while (rt.ctx.jobs.get(job.jobId)!.state === 'running') await new Promise((r) => setTimeout(r, 25));
  return rt.ctx.jobs.get(job.jobId)!;
}
const list = async (q: Record<string, unknown>) => (await call<PhotoPage>('library:list', { datasetId, ...q })).items;

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-measures-rt-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  dir = join(tempDir('iqa-measures-'), 'Roll');
  mkdirSync(dir);
  // One real photo as shot, and three copies with one defect each: out of focus, underexposed, noisy.
  const src = join(resourcesDir(), 'demo', 'crab.jpg');
  await sharp(src).resize(1200).jpeg({ quality: 92 }).toFile(join(dir, 'a-sharp.jpg'));
  await sharp(src).resize(1200).blur(6).jpeg({ quality: 92 }).toFile(join(dir, 'b-soft.jpg'));
  await sharp(src).resize(1200).linear(0.25, 0).jpeg({ quality: 92 }).toFile(join(dir, 'c-dark.jpg'));
  const { data, info } = await sharp(src).resize(1200).raw().toBuffer({ resolveWithObject: true });
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((s / 2147483647) - 0.5) * 160));
  }
  await sharp(data, { raw: info }).jpeg({ quality: 92 }).toFile(join(dir, 'd-noisy.jpg'));
  const imported = await finish(await call<JobInfo>('datasets:import', { format: 'folder', root: dir, name: 'Roll' }));
  datasetId = (imported.result as { datasetId: number }).datasetId;
  const scored = await finish(await call<JobInfo>('scores:start', { datasetId, model: 'quality' }));
  expect(scored.state).toBe('done');
  // The quality model's photos are dealt over two threads; every photo is scored once.
  expect(scored.result).toMatchObject({ model: 'quality', threads: 2, scored: 4, failed: 0 });
}, 120_000);
afterAll(() => rt.close());

describe('technical measures in the Library', () => {
  it('stores the measures with the score, and the defects show in the right measure', async () => {
    const byName = Object.fromEntries((await list({})).map((p) => [p.name, p]));
    for (const p of Object.values(byName)) {
      expect(p.score).not.toBeNull();
      expect(p.measures).not.toBeNull();
    }
    const m = (n: string) => byName[n]!.measures!;
    expect(m('b-soft.jpg').sharpness).toBeLessThan(m('a-sharp.jpg').sharpness - 20);
    expect(m('c-dark.jpg').meanLuminance).toBeLessThan(m('a-sharp.jpg').meanLuminance / 2);
    expect(m('d-noisy.jpg').noise).toBeGreaterThan(m('a-sharp.jpg').noise + 3);
    expect(byName['a-sharp.jpg']!.score).toBeGreaterThan(byName['b-soft.jpg']!.score!);
    expect(byName['a-sharp.jpg']!.score).toBeGreaterThan(byName['d-noisy.jpg']!.score!);
  });

  it('sorts and filters by a measure', async () => {
    expect((await list({ sort: 'sharpness', descending: false })).map((p) => p.name)[0]).toBe('b-soft.jpg');
    expect((await list({ sort: 'noise', descending: true })).map((p) => p.name)[0]).toBe('d-noisy.jpg');
    expect((await list({ sort: 'meanLuminance' })).map((p) => p.name)[0]).toBe('c-dark.jpg');
    const soft = (await list({})).find((p) => p.name === 'b-soft.jpg')!.measures!.sharpness;
    expect((await list({ measures: [{ key: 'sharpness', max: soft + 1 }] })).map((p) => p.name)).toEqual(['b-soft.jpg']);
    const dark = (await list({})).find((p) => p.name === 'c-dark.jpg')!.measures!.meanLuminance;
    expect((await list({ measures: [{ key: 'meanLuminance', min: dark + 1 }] })).map((p) => p.name)).not.toContain('c-dark.jpg');
    await expect(call('library:list', { datasetId, measures: [{ key: 'focus', min: 1 }] })).rejects.toMatchObject({ code: 'validation' });
  });

  it('exports the measures in the CSV and writes them to XMP in the iqa namespace', async () => {
    const { csv } = await call<{ csv: string }>('library:exportCsv', { datasetId });
    const [head, ...rows] = csv.trim().split('\n');
    expect(head!.split(',').slice(8)).toEqual(['sharpness', 'noise', 'clipped_highlights_pct', 'clipped_shadows_pct', 'mean_luminance_pct', 'compression']);
    for (const r of rows) expect(r.split(',').slice(8).every((v) => v !== '' && Number.isFinite(Number(v)))).toBe(true);
    const photo = (await list({})).find((p) => p.name === 'b-soft.jpg')!;
    const job = await finish(await call<JobInfo>('library:writeXmp', { datasetId, naming: 'darktable', includeScore: true, imageIds: [photo.id] }));
    expect(job.state).toBe('done');
    const side = await readSidecar(join(dir, 'b-soft.jpg.xmp'));
    expect(side.measures?.sharpness).toBeCloseTo(photo.measures!.sharpness, 2);
    expect(side.measures?.noise).toBeCloseTo(photo.measures!.noise, 2);
    expect(side.raw).toMatch(/iqa:MeanLuminance/);
  });

  it('gives the loupe a focus map of the photo: soft everywhere on the blurred copy', async () => {
    const [sharpOne, soft] = ['a-sharp.jpg', 'b-soft.jpg'].map((n) => list({}).then((ps) => ps.find((p: PhotoItem) => p.name === n)!));
    const a = await call<SharpnessMap>('library:sharpnessMap', { imageId: (await sharpOne)!.id });
    const b = await call<SharpnessMap>('library:sharpnessMap', { imageId: (await soft)!.id });
    expect(a.values).toHaveLength(a.cols * a.rows);
    expect(Math.max(a.width, a.height)).toBe(ANALYSIS_MAX_SIDE);
    const mean = (m: SharpnessMap) => {
      const v = m.values.filter((x): x is number => x !== null);
      return v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
    };
    expect(mean(b)).toBeLessThan(mean(a));
    await expect(call('library:sharpnessMap', { imageId: 99999 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

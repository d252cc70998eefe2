// images:maps with a tiny HIQA run: five views for an image with a reference, PNGs of the crop's size, PSNR/SSIM, cached reuse, and the map file route.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageMaps, RunProgress, RunSummary } from '../../../src-shared/api/schemas';
import { resourcesDir } from '../../../src-main/app/paths';
import { commitImport } from '../../../src-main/datasets/importers/commit';
import { buildSyntheticDataset } from '../../../src-main/datasets/synth/build-synthetic';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { startServer, type RunningServer } from '../../../src-main/shells/serve/server';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

let rt: Runtime;
let datasetId: number;
let runId: number;
let server: RunningServer | undefined;

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-maps-'), shell: 'serve', backend: 'cpu', seedDemo: false });
  const build = await buildSyntheticDataset({
    sourceDir: join(resourcesDir(), 'demo'),
    outDir: tempDir('iqa-maps-synth-'),
    maxSide: 192,
    distortions: ['gaussian_blur', 'white_noise'],
    levels: [1, 5],
    seed: 3,
  });
  datasetId = (await commitImport(rt.ctx.store, build.root, build.parsed, { name: 'synth' })).datasetId;
  const started = await rt.invoke('runs:start', {
    model: 'hiqa',
    datasetId,
    modelConfig: { scale: 'tiny', trainCrops: 2, testCrops: 2, schedule: { rpreEpochs: 1, regressorEpochs: 1 } },
    hyper: { epochs: 3, batchImages: 4, seed: 2 },
  });
  if (!started.ok) throw new Error(started.error.message);
  runId = (started.result as RunSummary).id;
  const end = await new Promise<RunProgress>((resolve) => {
    rt.services.events.subscribe((event, payload) => {
      const p = payload as RunProgress;
      if (event === 'runs:progress' && p.runId === runId && p.status !== 'running') resolve(p);
    });
  });
  expect(end.status, end.error).toBe('completed');
}, 300_000);

afterAll(async () => {
  await server?.close();
  rt?.close();
});

async function maps(imageId: number): Promise<ImageMaps> {
  const r = await rt.invoke('images:maps', { imageId, runId });
  if (!r.ok) throw new Error(r.error.message);
  return r.result as ImageMaps;
}

describe('images:maps', () => {
  it('gives the five views of an image with a reference, as PNGs of the crop, with PSNR/SSIM against the true reference', async () => {
    const image = databaseOf(rt.ctx.store)
      .prepare('SELECT id FROM images WHERE dataset_id = ? AND reference_id IS NOT NULL ORDER BY id LIMIT 1')
      .get(datasetId) as { id: number };
    const m = await maps(image.id);
    expect(m.views.map((v) => v.kind)).toEqual(['distorted', 'hallucinated', 'discrepancy', 'reference', 'difference']);
    expect(m.views.map((v) => v.fileId)).toEqual(m.views.map((v) => `${runId}-${image.id}-${v.kind}`));
    expect(m.width % 8).toBe(0);
    expect(Number.isFinite(m.psnr)).toBe(true);
    expect(m.ssim).toBeGreaterThan(-1);
    expect(m.ssim).toBeLessThanOrEqual(1);
    expect(m.discrepancyGain).toBe(4);
    // The |d| maps: each auto-scaled (white at its 99th percentile) with a fixed-gain file beside it.
    expect(m.scales.map((x) => [x.kind, x.fixedFileId])).toEqual([
      ['discrepancy', `${runId}-${image.id}-discrepancy-fixed`],
      ['difference', `${runId}-${image.id}-difference-fixed`],
    ]);
    const mapDir = join(rt.ctx.paths.cacheDir, 'maps', String(runId));
    for (const x of m.scales) {
      expect(x.max).toBeGreaterThanOrEqual(x.p99);
      expect(x.gain).toBeCloseTo(1 / (x.p99 > 0 ? x.p99 : x.max), 6);
      const [auto, fixed] = await Promise.all([`${image.id}.${x.kind}.png`, `${image.id}.${x.kind}.fixed.png`].map((f) => sharp(join(mapDir, f)).raw().toBuffer()));
      // Auto: white is reached; for G's continuous |d| only the ~1 % above the 99th percentile saturate.
      expect(auto!.reduce((a, v) => Math.max(a, v), 0), x.kind).toBeGreaterThanOrEqual(250);
      if (x.kind === 'discrepancy') expect(auto!.reduce((n, v) => n + (v === 255 ? 1 : 0), 0) / auto!.length).toBeLessThanOrEqual(0.02);
      if (x.kind === 'difference') {
        // |I_d − I_r| from the saved views themselves: every byte is round(|d| · gain · 255), clipped.
        const [d, r] = await Promise.all(['distorted', 'reference'].map((k) => sharp(join(mapDir, `${image.id}.${k}.png`)).raw().toBuffer()));
        for (let i = 0; i < auto!.length; i++) {
          const want = Math.min(255, Math.round((Math.abs(d![i]! - r![i]!) / 255) * x.gain * 255));
          if (Math.abs(auto![i]! - want) > 1) throw new Error(`difference byte ${i}: ${auto![i]} != ${want}`);
        }
      }
      // Fixed: round(|d| · 4 · 255), the same |d| the auto view shows at its own gain.
      for (let i = 0; i < auto!.length; i += 97) {
        if (auto![i]! < 255 && fixed![i]! < 255) expect(Math.abs(fixed![i]! / 4 - auto![i]! / (x.gain))).toBeLessThanOrEqual(1);
      }
    }
    for (const v of m.views) {
      const file = join(rt.ctx.paths.cacheDir, 'maps', String(runId), `${image.id}.${v.kind}.png`);
      expect(existsSync(file), file).toBe(true);
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', m.width, m.height]);
    }
    // The distorted crop and the true reference's crop line up: they differ by a level-1 or level-5 distortion only.
    const dir = join(rt.ctx.paths.cacheDir, 'maps', String(runId));
    const [d, r] = await Promise.all(['distorted', 'reference'].map((k) => sharp(join(dir, `${image.id}.${k}.png`)).raw().toBuffer()));
    let sad = 0;
    for (let i = 0; i < d!.length; i++) sad += Math.abs(d![i]! - r![i]!);
    expect(sad / d!.length).toBeLessThan(40);

    // Asked again for the same checkpoint, the cached views come back unchanged.
    expect(await maps(image.id)).toEqual(m);
  }, 120_000);

  it('refuses a run that does not exist and an image that does not exist', async () => {
    const image = databaseOf(rt.ctx.store).prepare('SELECT id FROM images WHERE dataset_id = ? LIMIT 1').get(datasetId) as { id: number };
    const noRun = await rt.invoke('images:maps', { imageId: image.id, runId: 9999 });
    expect(noRun.ok ? null : noRun.error.code).toBe('not_found');
    const noImage = await rt.invoke('images:maps', { imageId: 999999, runId });
    expect(noImage.ok ? null : noImage.error.code).toBe('not_found');
    const bad = await rt.invoke('images:maps', { imageId: image.id, runId: '1; DROP' });
    expect(bad.ok ? null : bad.error.code).toBe('validation');
  });

  it('serves map PNGs by token only, and 404s anything else', async () => {
    const staticDir = mkdtempSync(join(tmpdir(), 'iqa-maps-static-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    server = await startServer({ invoke: rt.invoke, events: rt.services.events, files: rt.services.files, staticDir, port: 0 });
    const image = databaseOf(rt.ctx.store)
      .prepare('SELECT id FROM images WHERE dataset_id = ? AND reference_id IS NOT NULL ORDER BY id LIMIT 1')
      .get(datasetId) as { id: number };
    const ok = await fetch(`${server.url}files/map/${runId}-${image.id}-hallucinated`);
    expect(ok.status).toBe(200);
    expect((await fetch(`${server.url}files/map/${runId}-${image.id}-discrepancy-fixed`)).status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await ok.arrayBuffer())).metadata()).format).toBe('png');
    for (const token of [
      `${runId}-${image.id}-secret`,
      `${runId}-${image.id}-distorted.png`,
      `${runId}-${image.id}-distorted-fixed`,
      `${runId}-${image.id}-discrepancy-fixed-fixed`,
      `0${runId}-${image.id}-distorted`,
      `${runId}-${image.id + 1000}-distorted`,
      `9999-${image.id}-distorted`,
      `..%2f..%2fetc%2fpasswd`,
      `${runId}-${image.id}-..%2f..%2fiqa.sqlite`,
      '',
    ]) {
      expect((await fetch(`${server.url}files/map/${token}`)).status, token).toBe(404);
    }
    // A map never computed for an existing image and run is not there either.
    const other = databaseOf(rt.ctx.store).prepare('SELECT max(id) AS id FROM images WHERE dataset_id = ?').get(datasetId) as { id: number };
    if (other.id !== image.id) expect((await fetch(`${server.url}files/map/${runId}-${other.id}-distorted`)).status).toBe(404);
  });
});

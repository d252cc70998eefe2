// `npx tsx scripts/ui-shots.ts [out-dir]`: screenshots of Runs / Compare, Inspect's across-runs view and the Library at 1440×900 and 1024×700 in headless Chromium, over a data folder seeded with finished runs (their curves and predictions are made up; the photos are the demo's), to look at the layout.
import sharp from 'sharp';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { dataPaths, resourcesDir } from '../src-main/app/paths';
import { openStore } from '../src-main/store/store';
import { evaluate } from '../src-shared/metrics/index';
import { launchBrowser } from '../tests/helpers/browser';
import { startServe } from '../tests/helpers/serve-process';

const PHOTOS = ['alpaca', 'bee', 'butterfly', 'calf', 'cheetah', 'crab'];
const LEVELS = [0, 1, 2, 4];
const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];

/** Made-up noise in [0, 1), the same on every run so each screenshot shows the same numbers. */
function noise(seed: number): () => number {
  let i = seed * 1000;
  return () => {
    const x = Math.sin(++i * 12.9898) * 43758.5453;
    return x - Math.floor(x);
  };
}

/** A blur dataset of the demo photos (label = 5 − level), a content-disjoint split and eight finished runs with long names and ablation switches. */
async function seed(dataDir: string): Promise<{ runs: number[]; testImages: number[] }> {
  const imgDir = join(dataDir, 'blur');
  mkdirSync(imgDir, { recursive: true });
  const store = openStore(dataPaths(dataDir).databaseFile);
  try {
    const datasetId = store.datasets.create({ name: 'blur-demo (6 photos × 4 levels)', kind: 'csv', root: imgDir, labelKind: 'mos', scoreMin: 1, scoreMax: 5 });
    const parts = new Map<number, 'train' | 'val' | 'test'>();
    const test: { id: number; label: number; distortion: string }[] = [];
    for (const [p, photo] of PHOTOS.entries()) {
      const refPath = join(imgDir, `${photo}_ref.png`);
      await sharp(join(resourcesDir(), 'demo', `${photo}.jpg`)).resize(96, 72, { fit: 'cover' }).png().toFile(refPath);
      const refId = store.datasets.addReference(datasetId, photo, refPath, 96, 72);
      for (const [level, sigma] of LEVELS.entries()) {
        const name = `img/${photo}_${level}.png`;
        const path = join(imgDir, `${photo}_${level}.png`);
        let img = sharp(join(resourcesDir(), 'demo', `${photo}.jpg`)).resize(96, 72, { fit: 'cover' });
        if (sigma) img = img.blur(sigma);
        await img.png().toFile(path);
        const distortion = level === 0 ? 'none' : level < 3 ? 'gaussian_blur' : 'motion_blur';
        const id = store.datasets.addImage(datasetId, { path, name, referenceId: refId, distortion, level, width: 96, height: 72, format: 'png' });
        store.datasets.setLabel(id, 5 - level);
        const part = p < 4 ? 'train' : 'test';
        parts.set(id, part);
        if (part === 'test') test.push({ id, label: 5 - level, distortion });
      }
    }
    const split = 'content_disjoint_80_0_seed1_1';
    const splitId = store.splits.save(datasetId, split, 'content-disjoint', 1, parts);
    const runs: number[] = [];
    const models = ['hyperiqa', 'hiqa', 'cnniqa', 'hyperiqa', 'hyperiqa', 'ttl-sftnet', 'cnniqa', 'hyperiqa'];
    for (let k = 0; k < models.length; k++) {
      const rnd = noise(k + 1);
      const model = models[k]!;
      const lr = [1e-4, 2e-5, 1e-3][k % 3]!;
      const name = `${model} on blur-demo, lr ${lr}, batch ${8 << (k % 2)}${k === 4 ? ' (resumed from epoch 6 after a crash)' : ''}`;
      const config = { model, split, scoreRange: [1, 5], higherIsBetter: true, hyper: { epochs: 12, batchImages: 8 << (k % 2), lr, seed: k + 1 }, modelConfig: { patch: 224, hidden: 112 } };
      const id = store.runs.create({ name, model, datasetId, splitId, config });
      store.runs.setStatus(id, 'running');
      const quality = 0.55 + 0.4 * rnd();
      const epochs = k === 7 ? 5 : 12;
      for (let e = 1; e <= epochs; e++) {
        const t = 1 - Math.exp(-e / 3);
        const srcc = quality * t + 0.03 * (rnd() - 0.5);
        const predictions = test.map((img) => ({ imageId: img.id, score: img.label + (1 - srcc) * 2.5 * (rnd() - 0.5) }));
        const metrics: Record<string, number> = {
          train_loss: 0.9 * Math.exp(-e / 4) + 0.05 * rnd(),
          srcc,
          plcc: srcc * 0.97,
          krcc: srcc * 0.8,
          rmse: 1.2 - srcc,
          plcc_fitted: srcc * 0.99,
          rmse_fitted: 1.1 - srcc,
          'srcc/gaussian_blur': srcc * 0.9,
          'srcc/motion_blur': srcc * 0.8,
        };
        store.runs.recordEpoch(id, model, e, e * 10, metrics, predictions, null);
      }
      store.runs.setStatus(id, k === 7 ? 'running' : k === 6 ? 'failed' : 'completed', k === 6 ? 'out of memory' : null);
      runs.push(id);
    }
    seedAblation(store, datasetId, split, splitId, parts, test);
    // A second labelled dataset (the same images on 0..100), for the Train screen's whole-dataset "Test on".
    const copy = store.datasets.create({ name: 'blur-demo on 0–100', kind: 'csv', root: imgDir, labelKind: 'mos', scoreMin: 0, scoreMax: 100 });
    for (let k = 0; k < parts.size; k++) {
      const img = store.datasets.addImage(copy, { path: join(imgDir, `copy_${k}.png`), name: `copy_${k}`, referenceId: null, distortion: null, level: null, width: 96, height: 72, format: 'png' });
      store.datasets.setLabel(img, 20 * (5 - (k % 4)));
    }
    return { runs, testImages: test.map((t) => t.id) };
  } finally {
    store.close();
  }
}

/**
 * An ablation for the Ablation tab: a CNNIQA baseline on two splits, a row with a lower lr on the first split only
 * (Δ over one shared split), one with more kernels on both, and one whose predictions equal the baseline's (a
 * degenerate interval).
 */
function seedAblation(store: ReturnType<typeof openStore>, datasetId: number, split1: string, split1Id: number, parts1: Map<number, 'train' | 'val' | 'test'>, test1: { id: number; label: number }[]): void {
  const ids = [...parts1.keys()];
  const parts2 = new Map<number, 'train' | 'val' | 'test'>(ids.map((id, i) => [id, i < 8 ? 'test' : 'train']));
  const test2 = ids.slice(0, 8).map((id, i) => ({ id, label: 5 - (i % 4) }));
  const split2 = 'content_disjoint_80_0_seed1_2';
  const split2Id = store.splits.save(datasetId, split2, 'content-disjoint', 1, parts2);
  const make = (name: string, lr: number, kernels: number, hidden: number, split: string, splitId: number, test: { id: number; label: number }[], noiseK: number, seedK: number) => {
    const rnd = noise(seedK);
    const config = { model: 'cnniqa', split, scoreRange: [1, 5], higherIsBetter: true, hyper: { epochs: 4, batchImages: 8, lr, seed: 1 }, modelConfig: { kernels, hidden } };
    const id = store.runs.create({ name, model: 'cnniqa', datasetId, splitId, config });
    const predictions = test.map((img) => ({ imageId: img.id, score: img.label + noiseK * (rnd() - 0.5) }));
    // The stored figures are those of the predictions, as a real run's are.
    const e = evaluate(predictions.map((p) => p.score), test.map((t) => t.label), { logistic: false });
    store.runs.recordEpoch(id, 'cnniqa', 4, 40, { srcc: e.srcc, plcc: e.plcc, krcc: e.krcc, rmse: e.rmse }, predictions, null);
    store.runs.setStatus(id, 'completed');
  };
  make('cnniqa ablation baseline [split 1]', 1e-3, 8, 64, split1, split1Id, test1, 1.5, 101);
  make('cnniqa ablation baseline [split 2]', 1e-3, 8, 64, split2, split2Id, test2, 3, 102);
  make('cnniqa ablation lr 3e-4 [split 1]', 3e-4, 8, 64, split1, split1Id, test1, 2.5, 103);
  make('cnniqa ablation kernels 16 [split 1]', 1e-3, 16, 64, split1, split1Id, test1, 1.4, 104);
  make('cnniqa ablation kernels 16 [split 2]', 1e-3, 16, 64, split2, split2Id, test2, 2.6, 105);
  // The same made-up predictions as the baseline's on split 1: an interval of zero width.
  make('cnniqa ablation hidden 32 [split 1]', 1e-3, 8, 32, split1, split1Id, test1, 1.5, 101);
}

/** Screenshots at each viewport; `top` (a selector) is scrolled to the top of the window first. */
async function shoot(page: Page, outDir: string, name: string, top?: string): Promise<void> {
  for (const v of VIEWPORTS) {
    await page.setViewportSize(v);
    await page.waitForTimeout(600);
    if (top) await page.locator(top).first().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(outDir, `${name}-${v.width}x${v.height}.png`) });
    process.stderr.write(`${name}-${v.width}x${v.height}.png\n`);
  }
}

const outDir = resolve(process.argv[2] ?? 'test-results/ui-shots');
mkdirSync(outDir, { recursive: true });
const dataDir = await mkdtemp(join(tmpdir(), 'iqa-ui-shots-'));
const { runs, testImages } = await seed(dataDir);
const serve = await startServe([], { dataDir });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.setViewportSize(VIEWPORTS[0]!);
  await page.goto(`${serve.url}#/runs?id=${runs[0]}`);
  await page.getByTestId('run-row').nth(runs.length - 1).waitFor();
  for (const id of runs.slice(1, 3)) await page.locator(`[data-testid=run-row][data-run-id="${id}"] [data-testid=run-check]`).check();
  await page.getByTestId('run-metrics').waitFor();
  await shoot(page, outDir, 'runs-detail');
  await page.getByTestId('tab-distortion').click();
  await shoot(page, outDir, 'runs-distortion', '[role=tablist]');
  await page.getByTestId('tab-groups').click();
  await shoot(page, outDir, 'runs-groups', '[role=tablist]');
  await page.getByTestId('tab-errors').click();
  await shoot(page, outDir, 'runs-errors', '[role=tablist]');
  await page.getByTestId('tab-ablation').click();
  await page.locator('[data-testid=ablation-delta][data-status=degenerate]').first().waitFor({ timeout: 30_000 });
  await shoot(page, outDir, 'ablation', '[role=tablist]');
  await page.getByTestId('tab-matrix').click();
  await page.getByTestId('matrix-row').first().waitFor();
  await page.waitForTimeout(1500);
  await shoot(page, outDir, 'matrix', '[role=tablist]');
  await page.goto(`${serve.url}#/train`);
  await page.getByTestId('train-test-dataset').waitFor();
  await page.getByTestId('train-dataset').selectOption({ label: 'blur-demo (6 photos × 4 levels) (24 labelled)' });
  await page.getByTestId('train-test-dataset').selectOption({ label: 'all of blur-demo on 0–100' });
  await shoot(page, outDir, 'train-whole-dataset', '[data-testid=train-dataset]');
  await page.goto(`${serve.url}#/inspect?mode=across&runs=${runs.slice(0, 3).join(',')}&images=${testImages.slice(0, 4).join(',')}`);
  await page.waitForTimeout(2500);
  await shoot(page, outDir, 'inspect-across');
  // The Library on the demo collection that serve builds at first start.
  await page.goto(`${serve.url}#/library`);
  await page.getByTestId('photo-cell').first().waitFor({ timeout: 120_000 });
  await page.waitForTimeout(1500);
  await shoot(page, outDir, 'library');
} finally {
  await browser.close();
  await serve.stop();
  await rm(dataDir, { recursive: true, force: true });
}

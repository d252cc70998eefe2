// `iqa synth`: builds a synthetic KADID-10k-style dataset from a folder of pristine photos and stores it.
import { basename, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { AppError } from '../../src-shared/api/errors';
import { commitImport } from '../datasets/importers/commit';
import { buildSyntheticDataset } from '../datasets/synth/build-synthetic';
import { DISTORTION_IDS } from '../imaging/distortions/index';
import { MS_SSIM_MIN_SIDE } from '../imaging/fr-metrics';
import { openRuntime } from '../runtime';
import { termSafe } from './term';

export interface SynthFlags {
  out: string;
  name?: string;
  maxSide: number;
  types?: string[];
  levels?: number[];
  perImage?: number;
  seed: number;
  json: boolean;
  dataDir?: string;
}

/** --types a,b,c: known distortion ids. */
export function parseTypes(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !DISTORTION_IDS.includes(id));
  if (!ids.length || unknown.length) {
    throw new InvalidArgumentError(`unknown distortion ${unknown.map((u) => `"${u}"`).join(', ') || '(none given)'}; known: ${DISTORTION_IDS.join(', ')}`);
  }
  return ids;
}

/** --levels 1,2,3: integers 1..5. */
export function parseLevels(value: string): number[] {
  const levels = value.split(',').map((s) => Number(s.trim()));
  if (!levels.length || levels.some((l) => !Number.isInteger(l) || l < 1 || l > 5)) throw new InvalidArgumentError('expected levels 1-5 separated by commas, e.g. 1,3,5');
  return levels;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function parseMaxSide(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < MS_SSIM_MIN_SIDE) throw new InvalidArgumentError(`must be an integer of at least ${MS_SSIM_MIN_SIDE} (MS-SSIM needs it)`);
  return n;
}

export function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
}

export async function synthCommand(sourceDir: string, flags: SynthFlags): Promise<void> {
  const root = resolve(flags.out);
  const name = flags.name ?? (basename(root) || 'synthetic');
  const rt = await openRuntime({ dataDir: flags.dataDir, shell: 'cli', backend: false, seedDemo: false });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const tty = process.stderr.isTTY;
  try {
    const store = rt.ctx.store;
    // Fail before the (long) build rather than after it.
    if (store.datasets.findByName(name)) throw new AppError('conflict', `A dataset named "${name}" already exists (choose another with --name)`);
    const started = Date.now();
    const build = await buildSyntheticDataset({
      sourceDir,
      outDir: root,
      maxSide: flags.maxSide,
      ...(flags.types ? { distortions: flags.types } : {}),
      ...(flags.levels ? { levels: flags.levels } : {}),
      ...(flags.perImage ? { perImage: flags.perImage } : {}),
      seed: flags.seed,
      signal: abort.signal,
      onProgress: (done, total) => {
        if (!flags.json && tty) process.stderr.write(`\rsynthesising: ${done}/${total} images   `);
      },
    });
    if (!flags.json && tty) process.stderr.write('\n');
    const result = await commitImport(store, build.root, build.parsed, {
      name,
      description: `Synthetic KADID-10k-style distortions of ${build.references.length} photo(s) from ${resolve(sourceDir)}; pseudo-MOS labels (README.md in ${build.root}).`,
      signal: abort.signal,
    });
    const seconds = (Date.now() - started) / 1000;
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({
          datasetId: result.datasetId,
          name,
          root: build.root,
          images: result.images,
          references: result.references,
          failed: build.failed,
          csv: build.csvFile,
          seconds,
        })}\n`,
      );
      return;
    }
    const mos = build.rows.map((r) => r.mos);
    process.stdout.write(
      `Built "${name}" (id ${result.datasetId}, synthetic) in ${build.root}: ${result.images} distorted images of ` +
        `${result.references} references, pseudo-MOS ${Math.min(...mos).toFixed(2)}-${Math.max(...mos).toFixed(2)} on [1, 5], ${seconds.toFixed(1)} s\n`,
    );
    for (const f of build.failed) process.stdout.write(`  skipped ${termSafe(f.file)}: ${termSafe(f.error)}\n`);
  } finally {
    process.off('SIGINT', onSigint);
    rt.close();
  }
}

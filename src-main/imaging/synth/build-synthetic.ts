// Builds a synthetic IQA set on disk: pristine photos downscaled, distorted KADID-10k style, labelled with a pseudo-MOS (datasets/synth turns it into an import).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { applyDistortion, createRng, DISTORTION_IDS, getDistortion, seedFrom, type RgbImage } from '../distortions/index';
import { msSsim, MS_SSIM_MIN_SIDE, psnr, ssim } from '../fr-metrics';
import { openImage, orientedSize } from '../open-image';
import { saveRgb } from '../raw-image';
import { listImageFiles } from '../scan';
import { mapLimit } from '../../util/map-limit';
import { pseudoMos } from './pseudo-mos';
import { toCsv } from '../../../src-shared/csv';
import { uniqueNames } from './names';
import { syntheticReadme } from './readme';

export const SYNTHETIC_CSV = 'synthetic.csv';
export const SYNTHETIC_SCORE_RANGE: [number, number] = [1, 5];

export interface SyntheticOptions {
  /** Folder of pristine photos (searched recursively; hidden files and outDir are skipped). */
  sourceDir: string;
  /** Where refs/, dist/, synthetic.csv and README.md go (created if missing; existing files are overwritten). */
  outDir: string;
  /**
   * Longest side after downscaling (never enlarged). Default 384; at least 176, MS-SSIM's minimum. Panoramas keep
   * a short side of at least 176 px instead; photos smaller than that are skipped.
   */
  maxSide?: number;
  /** Distortion ids (default: all). */
  distortions?: readonly string[];
  /** Levels 1..5 (default: all five). */
  levels?: readonly number[];
  /** How many of the distortion types each reference gets, picked by the seed (default: all). */
  perImage?: number;
  /**
   * Leaves out the first `skipTypes` of each reference's seeded pick, so a second set with the same seed adds types
   * that one built with perImage = skipTypes lacks (its images are the ones a set with every type would hold). Default 0.
   */
  skipTypes?: number;
  /** Seeds every random choice; the same inputs and seed give byte-identical files. Default 1. */
  seed?: number;
  /** Photos processed at once (default 2). */
  concurrency?: number;
  onProgress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
}

export interface SyntheticRow {
  distName: string;
  refName: string;
  /** Content id shared by a reference and its distortions. */
  reference: string;
  mos: number;
  distortion: string;
  level: number;
  psnr: number;
  ssim: number;
  msSsim: number;
}

export interface SyntheticSet {
  root: string;
  rows: SyntheticRow[];
  references: { name: string; file: string; source: string; width: number; height: number }[];
  /** Source photos that could not be used (unreadable, too small); the build goes on without them. */
  failed: { file: string; error: string }[];
  csvFile: string;
  readmeFile: string;
  /** The options after defaults. */
  settings: { maxSide: number; distortions: string[]; levels: number[]; perImage: number; seed: number };
}

function checkOptions(o: SyntheticOptions) {
  const maxSide = o.maxSide ?? 384;
  if (!Number.isInteger(maxSide) || maxSide < MS_SSIM_MIN_SIDE) {
    throw new AppError('validation', `maxSide must be an integer of at least ${MS_SSIM_MIN_SIDE} (MS-SSIM needs it), got ${maxSide}`);
  }
  const distortions = [...new Set(o.distortions?.length ? o.distortions : DISTORTION_IDS)];
  for (const id of distortions) getDistortion(id);
  const levels = [...new Set(o.levels?.length ? o.levels : [1, 2, 3, 4, 5])].sort((a, b) => a - b);
  for (const l of levels) if (!Number.isInteger(l) || l < 1 || l > 5) throw new AppError('validation', `levels must be integers 1-5, got ${l}`);
  const perImage = o.perImage ?? distortions.length;
  if (!Number.isInteger(perImage) || perImage < 1) throw new AppError('validation', `perImage must be a positive integer, got ${perImage}`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new AppError('validation', `seed must be an integer, got ${seed}`);
  return { maxSide, distortions, levels, perImage: Math.min(perImage, distortions.length), seed };
}

/**
 * Decodes a photo upright (EXIF orientation applied), over white, sRGB, fitted inside maxSide x maxSide, never
 * enlarged. A wide panorama would end up with a short side below MS-SSIM's minimum; it is then scaled so that the
 * short side is exactly that minimum instead (its long side exceeds maxSide).
 */
async function loadDownscaled(file: string, maxSide: number): Promise<RgbImage> {
  const { width: w, height: h } = await orientedSize(file);
  let scale = Math.min(1, maxSide / Math.max(w, h));
  if (Math.min(w, h) * scale < MS_SSIM_MIN_SIDE) scale = Math.min(1, MS_SSIM_MIN_SIDE / Math.min(w, h));
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(h * scale));
  const { data, info } = await (await openImage(file))
    .rotate()
    .resize({ width, height, fit: 'fill' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** The distortion types for one reference: all of them, or `perImage` picked by a seeded shuffle. */
export function typesFor(all: readonly string[], perImage: number, seed: number, name: string, skip = 0): string[] {
  if (perImage >= all.length && skip === 0) return [...all];
  const rng = createRng(seedFrom(seed, name, 'types'));
  const pool = [...all];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const picked = new Set(pool.slice(skip, skip + perImage));
  return all.filter((id) => picked.has(id));
}

const cancelled = () => new AppError('cancelled', 'Synthetic dataset build cancelled; files written so far are left in the output folder');

export async function buildSyntheticSet(options: SyntheticOptions): Promise<SyntheticSet> {
  const { maxSide, distortions, levels, perImage, seed } = checkOptions(options);
  const sourceDir = resolve(options.sourceDir);
  const root = resolve(options.outDir);
  const inside = (dir: string, f: string) => f === dir || f.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  const files = (await listImageFiles(sourceDir, true).catch((err: unknown) => {
    throw new AppError('bad_input', `Cannot read the source folder ${sourceDir}: ${err instanceof Error ? err.message : String(err)}`);
  })).filter((f) => !inside(root, f));
  if (!files.length) throw new AppError('bad_input', `No images found in ${sourceDir}`);
  const names = uniqueNames(sourceDir, files);
  await mkdir(join(root, 'refs'), { recursive: true });
  await mkdir(join(root, 'dist'), { recursive: true });

  const plan = files.map((file, i) => ({ file, name: names[i]!, types: typesFor(distortions, perImage, seed, names[i]!, options.skipTypes ?? 0) }));
  const total = plan.reduce((s, p) => s + p.types.length * levels.length, 0);
  let done = 0;
  const failed: SyntheticSet['failed'] = [];
  const references: SyntheticSet['references'] = [];

  const perPhoto = await mapLimit(plan, options.concurrency ?? 2, async ({ file, name, types }) => {
    if (options.signal?.aborted) throw cancelled();
    const steps = types.length * levels.length;
    let ref: RgbImage;
    try {
      ref = await loadDownscaled(file, maxSide);
      if (Math.min(ref.width, ref.height) < MS_SSIM_MIN_SIDE) {
        throw new Error(`${ref.width}x${ref.height} is too small: MS-SSIM needs at least ${MS_SSIM_MIN_SIDE} px on the short side`);
      }
    } catch (err) {
      failed.push({ file: relative(sourceDir, file), error: err instanceof Error ? err.message : String(err) });
      done += steps;
      options.onProgress?.(done, total, `skipped ${name}`);
      return [];
    }
    const refName = `refs/${name}.png`;
    await saveRgb(ref, join(root, refName));
    references.push({ name, file: refName, source: relative(sourceDir, file), width: ref.width, height: ref.height });
    const rows: SyntheticRow[] = [];
    for (const type of types) {
      // One seed per reference and type, shared by its levels, so the levels differ only in strength.
      const typeSeed = seedFrom(seed, name, type);
      for (const level of levels) {
        if (options.signal?.aborted) throw cancelled();
        const dist = await applyDistortion(type, ref, level, typeSeed);
        const distName = `dist/${name}__${type}__${level}.png`;
        await saveRgb(dist, join(root, distName));
        const p = psnr(ref, dist);
        const m = msSsim(ref, dist);
        rows.push({ distName, refName, reference: name, mos: pseudoMos(m, p), distortion: type, level, psnr: p, ssim: ssim(ref, dist), msSsim: m });
        options.onProgress?.(++done, total, distName);
      }
    }
    return rows;
  });
  const rows = perPhoto.flat();
  if (!rows.length) {
    throw new AppError('bad_input', `None of the ${files.length} source images could be used: ${failed.map((f) => `${f.file}: ${f.error}`).join('; ')}`);
  }
  references.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  failed.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  // An identical distortion has PSNR Infinity, written as such.
  const round = (v: number, d: number) => (Number.isFinite(v) ? Number(v.toFixed(d)) : String(v));
  const header = ['dist_name', 'ref_name', 'mos', 'distortion', 'level', 'psnr', 'ssim', 'ms_ssim'];
  const csv = toCsv(header, rows.map((r) => [r.distName, r.refName, round(r.mos, 4), r.distortion, r.level, round(r.psnr, 4), round(r.ssim, 6), round(r.msSsim, 6)]));
  const csvFile = join(root, SYNTHETIC_CSV);
  await writeFile(csvFile, csv);
  const readmeFile = join(root, 'README.md');
  await writeFile(readmeFile, syntheticReadme({ sourceDir, maxSide, distortions, levels, perImage, seed, references, rows, failed }));

  return { root, rows, references, failed, csvFile, readmeFile, settings: { maxSide, distortions, levels, perImage, seed } };
}

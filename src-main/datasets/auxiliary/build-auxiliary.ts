// TTL-IQA's auxiliary domain D_a (Yang, Li & Liu, TMM 2021, §IV-D): pristine photos translated by a trained DT-GAN to every quality level, labelled by level.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { openImage } from '../../imaging/open-image';
import { loadRgb, saveRgb, type RawImage } from '../../imaging/raw-image';
import { levelName } from '../../iqa/models/ttl/levels';
import type { Translator } from '../../iqa/score/translator';
import type { ImportedImage, ParsedDataset } from '../importers/types';
import { toCsv } from '../../../src-shared/csv';
import { uniqueNames } from '../../imaging/synth/names';

export const AUXILIARY_CSV = 'auxiliary.csv';

export interface AuxiliaryOptions {
  translator: Translator;
  /** Pristine photo files (I_hq); `sourceDir` names them. */
  pristine: readonly string[];
  sourceDir: string;
  /** Where pristine/, level1/ … levelK/, auxiliary.csv and README.md go. */
  outDir: string;
  /**
   * Size of the translated images, never enlarged [U: the paper runs D-Gnet at an unstated size]: the shorter side
   * (so a crop fits any aspect ratio) or the longest side.
   */
  size: { shortSide: number } | { maxSide: number };
  /** Photos whose shorter side ends below this are skipped (a model's crop must fit). */
  minSide: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface AuxiliaryBuild {
  root: string;
  parsed: ParsedDataset;
  levels: number;
  pristine: number;
  failed: { file: string; error: string }[];
}

async function downscaled(file: string, size: AuxiliaryOptions['size']): Promise<RawImage> {
  const [side, fit] = 'shortSide' in size ? [size.shortSide, 'outside' as const] : [size.maxSide, 'inside' as const];
  const buf = await (await openImage(file)).rotate().resize(side, side, { fit, withoutEnlargement: true }).png().toBuffer();
  return loadRgb(buf);
}

/** How the size rule reads in the dataset's README and notes. */
function sizeRule(size: AuxiliaryOptions['size']): string {
  return 'shortSide' in size ? `shorter side ${size.shortSide}px` : `longest side ${size.maxSide}px`;
}

/**
 * Runs D-Gnet of every level on each pristine photo (fully convolutional: the whole downscaled photo), writes the
 * images, and returns them as a dataset: label = level (1 = High … K = Low, lower is better), content id = the photo,
 * so content-disjoint splits keep a photo's levels together.
 */
export async function buildAuxiliaryDataset(opts: AuxiliaryOptions): Promise<AuxiliaryBuild> {
  const root = resolve(opts.outDir);
  const K = opts.translator.levels;
  if (!opts.pristine.length) throw new AppError('bad_input', 'No pristine photos to translate');
  const names = uniqueNames(opts.sourceDir, opts.pristine);
  await mkdir(join(root, 'pristine'), { recursive: true });
  for (let k = 1; k <= K; k++) await mkdir(join(root, `level${k}`), { recursive: true });
  const images: ImportedImage[] = [];
  const failed: AuxiliaryBuild['failed'] = [];
  let pristine = 0;
  for (const [i, file] of opts.pristine.entries()) {
    if (opts.signal?.aborted) throw new AppError('cancelled', 'Building the auxiliary dataset was cancelled; nothing was imported');
    const name = names[i]!;
    try {
      const img = await downscaled(file, opts.size);
      if (Math.min(img.width, img.height) < opts.minSide) throw new Error(`${img.width}x${img.height} after downscaling is smaller than the ${opts.minSide}px crop`);
      const refFile = `pristine/${name}.png`;
      await saveRgb(img, join(root, refFile));
      for (let k = 1; k <= K; k++) {
        const out = await opts.translator.translate(img, k);
        const f = `level${k}/${name}.png`;
        await saveRgb(out, join(root, f));
        images.push({ file: f, reference: name, referenceFile: refFile, distortion: 'dtgan', level: k, score: k });
      }
      pristine++;
    } catch (err) {
      if (err instanceof AppError && err.code === 'cancelled') throw err;
      failed.push({ file: relative(opts.sourceDir, file), error: (err as Error).message });
    }
    opts.onProgress?.(i + 1, opts.pristine.length);
    // Translation is synchronous tensor work: let requests and progress events through between photos.
    await new Promise((r) => setImmediate(r));
  }
  if (!images.length) throw new AppError('bad_input', `None of the ${opts.pristine.length} pristine photo(s) could be translated: ${failed[0]?.error ?? ''}`);
  const csv = toCsv(['file', 'reference', 'level', 'label'], images.map((r) => [r.file, r.reference!, levelName(r.level!, K), r.score]));
  await writeFile(join(root, AUXILIARY_CSV), csv);
  await writeFile(
    join(root, 'README.md'),
    `# Auxiliary domain (TTL-IQA)\n\n${pristine} pristine photo(s) translated by a DT-GAN (${opts.translator.modelId}) to ${K} quality levels ` +
      `(level 1 = ${levelName(1, K)} … level ${K} = ${levelName(K, K)}), ${sizeRule(opts.size)} (never enlarged).\n` +
      `Labels are the level (lower is better); pristine/ holds the downscaled sources, the content ids of the splits.\n`,
  );
  return {
    root,
    levels: K,
    pristine,
    failed,
    parsed: {
      format: 'ttl-auxiliary',
      labelKind: 'level',
      scoreRange: [1, K],
      higherIsBetter: false,
      images,
      notes: [`DT-GAN auxiliary domain: ${pristine} photos × ${K} levels, ${sizeRule(opts.size)}`, ...failed.map((f) => `skipped ${f.file}: ${f.error}`)],
    },
  };
}

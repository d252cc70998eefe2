// A synthetic IQA dataset ready to import: the set imaging/synth writes, with its images as a ParsedDataset.
import { buildSyntheticSet, SYNTHETIC_SCORE_RANGE, type SyntheticOptions, type SyntheticSet } from '../../imaging/synth/build-synthetic';
import type { ImportedImage, ParsedDataset } from '../importers/types';

export interface SyntheticBuild extends SyntheticSet {
  /** Ready for commitImport(store, root, parsed, ...). */
  parsed: ParsedDataset;
}

export async function buildSyntheticDataset(options: SyntheticOptions): Promise<SyntheticBuild> {
  const set = await buildSyntheticSet(options);
  const { references, rows, failed } = set;
  const { maxSide, distortions, levels, perImage, seed } = set.settings;
  const images: ImportedImage[] = rows.map((r) => ({
    file: r.distName,
    reference: r.reference,
    referenceFile: r.refName,
    distortion: r.distortion,
    level: r.level,
    score: r.mos,
  }));
  const parsed: ParsedDataset = {
    format: 'synthetic',
    labelKind: 'mos',
    scoreRange: SYNTHETIC_SCORE_RANGE,
    higherIsBetter: true,
    images,
    notes: [
      `Synthetic: ${references.length} references x ${perImage === distortions.length ? distortions.length : `${perImage} of ${distortions.length}`} distortion types x ${levels.length} levels, seed ${seed}, max side ${maxSide} px.`,
      'Labels are a pseudo-MOS computed from MS-SSIM and PSNR against the reference (see README.md in the dataset folder), not human opinions.',
      ...(failed.length ? [`${failed.length} source image(s) skipped: ${failed.map((f) => f.file).join(', ')}.`] : []),
    ],
  };
  return { ...set, parsed };
}

// The default quality model's input: a photo decoded at analysis size, its measures and the feature vector the regressor reads.
import { decodeError, openImage } from '../../imaging/open-image';
import { analyseRgb, type Analysis } from './measures';
import { brisqueFeatures } from './nss';
import type { Plane } from './planes';
import { blockZeroing, fineReblur, histogramComb } from './relative';
import { edgeSteepness } from './edges';

/**
 * Longest side the photo is analysed at: the size of the held-out sets (`iqa synth --max-side 400`); the training
 * photos are 320-400 px. A larger photo is scaled down to this first (sharp's shrink-on-load makes that cheap for
 * JPEG), so a 2-MP and a 24-MP photo are judged at the same scale.
 */
export const ANALYSIS_MAX_SIDE = 400;

export interface AnalysisImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** The file's own size, before scaling. */
  sourceWidth: number;
  sourceHeight: number;
}

/** Decodes a file upright, over white, sRGB, fitted inside ANALYSIS_MAX_SIDE (never enlarged). */
export async function decodeForAnalysis(path: string): Promise<AnalysisImage> {
  try {
    const img = await openImage(path);
    const { data, info } = await img
      .rotate()
      .resize({ width: ANALYSIS_MAX_SIDE, height: ANALYSIS_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const meta = await img.metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      sourceWidth: (swap ? meta.height : meta.width) ?? info.width,
      sourceHeight: (swap ? meta.width : meta.height) ?? info.height,
    };
  } catch (err) {
    throw decodeError(err, path);
  }
}

const STAT_NAMES = [
  'sharp_global', 'sharp_p50', 'sharp_p90', 'sharp_p98', 'textured_share', 'grad_p50', 'grad_p90', 'grad1', 'detail_12', 'detail_24', 'dir_min', 'dir_max', 'dir_spread', 'edge_w25', 'edge_w50', 'edge_w75', 'edge_count',
  'noise_y_p05', 'noise_y_p20', 'noise_y_p50', 'noise_c_p05', 'noise_c_p20', 'noise_dark', 'noise_bright', 'noise_y2_p20', 'impulses', 'equal_neighbours',
  'lum_mean', 'lum_p01', 'lum_p05', 'lum_p25', 'lum_p50', 'lum_p75', 'lum_p95', 'lum_p99', 'lum_std', 'blown', 'black', 'empty_levels',
  'grid8', 'grid4', 'grid16c', 'colourfulness', 'saturation', 'chroma_detail',
  'grid16', 'grid8c', 'flat4_aligned', 'flat8_aligned', 'tone_grad_dark', 'tone_grad_mid', 'tone_grad_bright', 'lum_entropy',
] as const;

const BRISQUE_NAMES = (scale: number) => [
  'ggd_alpha', 'ggd_var',
  ...['h', 'v', 'd1', 'd2'].flatMap((o) => [`${o}_alpha`, `${o}_eta`, `${o}_varl`, `${o}_varr`]),
].map((n) => `brisque${scale}_${n}`);

/** Round 3: statistics relative to the photo's own content (relative.ts), for mild defects on unseen content. */
const RELATIVE_NAMES = [
  'zero8_ratio', 'zero8', 'zero4_ratio', 'zero4', 'reblur_once', 'reblur_twice', 'lap_octave', 'comb_dark', 'comb_mid', 'comb_bright', 'noise_ratio_12', 'noise_c_over_y',
] as const;

/** Round 4: edge steepness at the strongest edges (edges.ts), a sub-pixel focus cue for the mildest blurs. */
export const ROUND4_NAMES = ['steep_p50', 'steep_p90', 'steep_axis', 'steep_count'] as const;

/** The names of the feature vector's entries, in order. */
export const FEATURE_NAMES: readonly string[] = [...STAT_NAMES, ...BRISQUE_NAMES(1), ...BRISQUE_NAMES(2), ...RELATIVE_NAMES, ...ROUND4_NAMES];

export interface Features {
  analysis: Analysis;
  values: Float64Array;
}

export function featuresOf(img: { width: number; height: number; data: Uint8Array }): Features {
  const analysis = analyseRgb(img.data, img.width, img.height);
  const { y, y2 } = analysis.planes;
  const values = Float64Array.from([...STAT_NAMES.map((n) => analysis.stats[n]!), ...brisqueFeatures(y), ...brisqueFeatures(y2), ...relativeFeatures(img.data, y, y2, analysis.stats), ...round4Features(y)]);
  return { analysis, values };
}

/** The ROUND4_NAMES entries, in order, from the photo's luma (scripts/quality/add-features.ts appends them to older caches). */
export function round4Features(y: Plane): number[] {
  const e = edgeSteepness(y);
  return [e.p50, e.p90, e.axisRatio, e.count];
}

/** The RELATIVE_NAMES entries, in order. */
function relativeFeatures(rgb: Uint8Array, y: Plane, y2: Plane, stats: Record<string, number>): number[] {
  const z8 = blockZeroing(y, 8);
  const z4 = blockZeroing(y, 4);
  const rb = fineReblur(y, y2);
  // Noise in flat blocks at full over half scale: white noise halves with each octave, texture and grain do not.
  const noiseRatio = (stats.noise_y_p20! + 0.05) / (stats.noise_y2_p20! + 0.05);
  const chromaOverLuma = (stats.noise_c_p20! + 0.05) / (stats.noise_y_p20! + 0.05);
  return [z8.ratio, z8.aligned, z4.ratio, z4.aligned, rb.once, rb.twice, rb.octave, ...histogramComb(rgb), noiseRatio, chromaOverLuma];
}

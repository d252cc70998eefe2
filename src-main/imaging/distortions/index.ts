// Registry of the KADID-10k-style synthetic distortions (25 types x 5 levels) and a seeded applyDistortion().
import { AppError } from '../../../src-shared/api/errors';
import { BLUR_DISTORTIONS } from './blur';
import { BRIGHTNESS_DISTORTIONS } from './brightness';
import { COLOR_DISTORTIONS } from './color';
import { COMPRESSION_DISTORTIONS } from './compression';
import { NOISE_DISTORTIONS } from './noise';
import { createRng } from './rng';
import { SHARPNESS_CONTRAST_DISTORTIONS } from './sharpness-contrast';
import { SPATIAL_DISTORTIONS } from './spatial';
import type { Distortion, RgbImage } from './types';

export type { Distortion, RgbImage } from './types';
export { createRng, seedFrom } from './rng';

/**
 * All distortion types, in KADID-10k's order (its type 9, JPEG2000, is replaced by WebP: see compression.ts).
 * Level 1 is the mildest and 5 the strongest.
 */
export const DISTORTIONS: readonly Distortion[] = [
  ...BLUR_DISTORTIONS,
  ...COLOR_DISTORTIONS,
  ...COMPRESSION_DISTORTIONS,
  ...NOISE_DISTORTIONS,
  ...BRIGHTNESS_DISTORTIONS,
  ...SPATIAL_DISTORTIONS,
  ...SHARPNESS_CONTRAST_DISTORTIONS,
];

export const DISTORTION_IDS: readonly string[] = DISTORTIONS.map((d) => d.id);

export function getDistortion(id: string): Distortion {
  const d = DISTORTIONS.find((x) => x.id === id);
  if (!d) throw new AppError('validation', `Unknown distortion "${id}"; known: ${DISTORTION_IDS.join(', ')}`);
  return d;
}

/**
 * Distorts a copy of `img` with distortion `id` at `level` (1..5). Deterministic: the same image, id, level and
 * seed give byte-identical output; with one seed, the random choices (noise fields, directions, patch places)
 * are the same at every level, so levels differ only in strength.
 */
export async function applyDistortion(id: string, img: RgbImage, level: number, seed: number): Promise<RgbImage> {
  const d = getDistortion(id);
  if (!Number.isInteger(level) || level < 1 || level > d.levels) {
    throw new AppError('validation', `Distortion level must be an integer 1-${d.levels}, got ${level}`);
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new AppError('bad_input', `image ${img.width}x${img.height} should hold ${img.width * img.height * 3} RGB bytes, has ${img.data.length}`);
  }
  return d.apply(img, level, createRng(seed));
}

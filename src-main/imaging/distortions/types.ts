// The shape of a registered distortion (id, family, five levels, apply) and small shared helpers.
import type { RawImage } from '../raw-image';
import type { Rng } from './rng';

/** 8-bit interleaved RGB, as loadRgb returns it. */
export type RgbImage = RawImage;

/** KADID-10k's seven groups of distortions. */
export type DistortionFamily = 'blur' | 'color' | 'compression' | 'noise' | 'brightness' | 'spatial' | 'sharpness_contrast';

export interface Distortion {
  /** Stable id, used in file names and stored with each image, e.g. 'gaussian_blur'. */
  id: string;
  label: string;
  family: DistortionFamily;
  levels: 5;
  /** The parameter behind each level (1 = mildest .. 5 = strongest), for READMEs and help text. */
  params: readonly [number, number, number, number, number];
  /** What `params` means, e.g. 'sigma (px at 512 px)'. */
  paramName: string;
  /**
   * Distorts a copy of `img` (never modifies it). Everything random comes from `rng`, so a given image, level
   * and seed always give the same bytes; random choices are drawn in the same order at every level, so the
   * levels of one seed are nested (level 5 adds to level 4's damage rather than drawing new damage).
   */
  apply(img: RgbImage, level: number, rng: Rng): RgbImage | Promise<RgbImage>;
}

/** The level's parameter; throws on a level outside 1..5. */
export function param(params: readonly number[], level: number): number {
  const v = Number.isInteger(level) ? params[level - 1] : undefined;
  if (v === undefined) throw new RangeError(`distortion level must be an integer 1-5, got ${level}`);
  return v;
}

/**
 * Spatial parameters (blur radii, shifts, patch sizes) are KADID-10k's, which were set for 512x384 images; they
 * are multiplied by this factor, max(width, height) / 512 limited to [0.5, 4], so a distortion looks about the
 * same on a downscaled or larger photo.
 */
export function spatialScale(img: RgbImage): number {
  return Math.min(4, Math.max(0.5, Math.max(img.width, img.height) / 512));
}

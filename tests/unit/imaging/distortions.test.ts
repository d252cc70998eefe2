// KADID-10k-style distortions: every type keeps the size, is seeded-deterministic, changes the image and grows with the level.
import sharp from 'sharp';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { psnr } from '../../../src-main/imaging/fr-metrics';
import {
  applyDistortion,
  createRng,
  DISTORTION_IDS,
  DISTORTIONS,
  getDistortion,
  seedFrom,
  type RgbImage,
} from '../../../src-main/imaging/distortions/index';
import { REPO_ROOT } from '../../helpers/serve-process';

/** Types whose PSNR need not fall at every step (tone changes clip, patches move); only level 5 < level 1 is required. */
const LOOSE = new Set(['non_eccentricity_patch', 'contrast_change', 'mean_shift']);

let photo: RgbImage;

beforeAll(async () => {
  // A real photo (bee, 943x530) downscaled to 240x135: natural texture, edges and colours, yet quick.
  const { data, info } = await sharp(join(REPO_ROOT, 'resources/demo/bee.jpg'))
    .resize({ width: 240, height: 240, fit: 'inside' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  photo = { width: info.width, height: info.height, data: new Uint8Array(data) };
});

describe('distortion registry', () => {
  it('has at least 23 KADID-10k types in 7 families, 5 levels each, unique ids', () => {
    expect(DISTORTIONS.length).toBeGreaterThanOrEqual(23);
    expect(new Set(DISTORTION_IDS).size).toBe(DISTORTION_IDS.length);
    expect(new Set(DISTORTIONS.map((d) => d.family)).size).toBe(7);
    for (const d of DISTORTIONS) {
      expect(d.levels).toBe(5);
      expect(d.params).toHaveLength(5);
    }
    expect(DISTORTION_IDS).toEqual(
      expect.arrayContaining([
        'gaussian_blur', 'lens_blur', 'motion_blur', 'color_diffusion', 'color_shift', 'color_saturation_1',
        'color_saturation_2', 'jpeg', 'webp', 'white_noise', 'white_noise_color', 'impulse_noise',
        'multiplicative_noise', 'denoise', 'brighten', 'darken', 'mean_shift', 'jitter', 'non_eccentricity_patch',
        'pixelate', 'quantization', 'color_block', 'high_sharpen', 'contrast_change',
      ]),
    );
  });

  it('refuses unknown ids and levels outside 1..5', async () => {
    expect(() => getDistortion('jpeg2000')).toThrow(/Unknown distortion "jpeg2000"; known: gaussian_blur/);
    await expect(applyDistortion('jpeg', photo, 0, 1)).rejects.toThrow(AppError);
    await expect(applyDistortion('jpeg', photo, 6, 1)).rejects.toThrow(/integer 1-5, got 6/);
    await expect(applyDistortion('jpeg', photo, 2.5, 1)).rejects.toThrow(/integer 1-5/);
  });
});

describe.each(DISTORTIONS.map((d) => d.id))('%s', (id) => {
  it('keeps the size, leaves the input alone, is byte-identical for a seed, and gets worse with the level', async () => {
    const before = new Uint8Array(photo.data);
    const scores: number[] = [];
    for (let level = 1; level <= 5; level++) {
      const a = await applyDistortion(id, photo, level, 42);
      const b = await applyDistortion(id, photo, level, 42);
      expect([a.width, a.height, a.data.length]).toEqual([photo.width, photo.height, photo.data.length]);
      expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
      scores.push(psnr(photo, a));
    }
    expect(Buffer.from(photo.data).equals(Buffer.from(before))).toBe(true);
    // Level 1 changes the image (PSNR is Infinity only for identical images).
    expect(scores[0]).toBeLessThan(Infinity);
    if (LOOSE.has(id)) {
      expect(scores[4]!).toBeLessThan(scores[0]!);
    } else {
      for (let l = 1; l < 5; l++) expect(scores[l]!, `PSNR ${scores.map((s) => s.toFixed(2)).join(' > ')}`).toBeLessThanOrEqual(scores[l - 1]! + 0.05);
      expect(scores[4]!).toBeLessThan(scores[0]! - 1);
    }
  });
});

describe('seeds', () => {
  it('a different seed gives different noise, the same seed the same', async () => {
    const a = await applyDistortion('white_noise', photo, 3, 1);
    const b = await applyDistortion('white_noise', photo, 3, 2);
    const c = await applyDistortion('white_noise', photo, 3, 1);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(false);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(true);
  });

  it('mulberry32 matches the reference implementation; normals look normal; seedFrom is stable', () => {
    const rng = createRng(1);
    expect([rng.next(), rng.next(), rng.next()].map((v) => v.toFixed(8))).toEqual(['0.62707394', '0.00273572', '0.52744704']);
    const g = createRng(7);
    const normals = Array.from({ length: 20000 }, () => g.normal());
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    const variance = normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeCloseTo(1, 1);
    expect(seedFrom(1, 'bee', 'jpeg')).toBe(seedFrom(1, 'bee', 'jpeg'));
    expect(seedFrom(1, 'bee', 'jpeg')).not.toBe(seedFrom(1, 'bee', 'webp'));
  });
});

// The content-relative statistics on a real photo and its level-1 distortions: each tells the mildest defect of its
// family from the clean photo, and stays near its neutral value on the clean photo.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { applyDistortion } from '../../../../src-main/imaging/distortions/index';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf, ROUND4_NAMES } from '../../../../src-main/iqa/quality/features';
import { lumaChroma } from '../../../../src-main/iqa/quality/planes';
import { blockZeroing, fineReblur, histogramComb } from '../../../../src-main/iqa/quality/relative';
import { seededRandom } from '../../../../src-main/util/random';

describe('content-relative statistics', { timeout: 180_000 }, async () => {
  const photos = await Promise.all(['cheetah.jpg', 'bee.jpg'].map((f) => decodeForAnalysis(join(resourcesDir(), 'demo', f))));
  const lumaOf = (img: { width: number; height: number; data: Uint8Array }) => lumaChroma(img.data, img.width, img.height).y;
  const distorted = (img: (typeof photos)[number], id: string, level: number) => applyDistortion(id, img, level, 7);

  it('block zeroing: about 1 on a clean photo, above it after JPEG (8x8) and WebP (4x4) at their mildest level', async () => {
    for (const img of photos) {
      const ref8 = blockZeroing(lumaOf(img), 8).ratio;
      const ref4 = blockZeroing(lumaOf(img), 4).ratio;
      expect(Math.abs(ref8 - 1)).toBeLessThan(0.1);
      expect(Math.abs(ref4 - 1)).toBeLessThan(0.1);
      expect(blockZeroing(lumaOf(await distorted(img, 'jpeg', 1)), 8).ratio).toBeGreaterThan(ref8 + 0.2);
      expect(blockZeroing(lumaOf(await distorted(img, 'webp', 1)), 4).ratio).toBeGreaterThan(ref4 + 0.03);
    }
  });

  it('block zeroing is blind to a grid that is not there: a shifted JPEG grid scores near 1', async () => {
    const img = photos[0]!;
    const j = await distorted(img, 'jpeg', 2);
    // Drop 4 columns and rows: the codec's blocks now start at 4, so the "aligned" grid straddles them.
    const w = j.width - 4;
    const h = j.height - 4;
    const data = new Uint8Array(w * h * 3);
    for (let yy = 0; yy < h; yy++) data.set(j.data.subarray(((yy + 4) * j.width + 4) * 3, ((yy + 4) * j.width + 4 + w) * 3), yy * w * 3);
    expect(blockZeroing(lumaOf({ width: w, height: h, data }), 8).ratio).toBeLessThan(1);
  });

  it('fine re-blur rises and the top octave falls with the mildest gaussian, lens and motion blur', async () => {
    for (const img of photos) {
      const ref = fineReblur(lumaOf(img));
      for (const id of ['gaussian_blur', 'lens_blur', 'motion_blur']) {
        const b = fineReblur(lumaOf(await distorted(img, id, 1)));
        expect(b.once, id).toBeGreaterThan(ref.once + 0.02);
        expect(b.twice, id).toBeGreaterThan(ref.twice);
        expect(b.octave, id).toBeLessThan(ref.octave);
      }
    }
  });

  it('histogram comb: near 1 on a smooth histogram, far above after an 8-bit tone curve', () => {
    const random = seededRandom(3);
    const n = 200_000;
    const smooth = new Uint8Array(3 * n);
    for (let i = 0; i < smooth.length; i++) smooth[i] = Math.min(255, Math.floor(256 * random()));
    for (const c of histogramComb(smooth)) expect(Math.abs(c - 1)).toBeLessThan(0.25);
    // Gamma 0.8 in 8 bits: stretches the shadows (empty levels) and squeezes the highlights (doubled levels).
    const curved = smooth.map((v) => Math.round(255 * (v / 255) ** 0.8));
    const [dark, mid, bright] = histogramComb(curved);
    expect(dark).toBeGreaterThan(3);
    expect(mid).toBeGreaterThan(2);
    expect(bright).toBeGreaterThan(2);
  });

  it('darken and brighten at their mildest level comb the histogram of a real photo', async () => {
    for (const img of photos) {
      const ref = histogramComb(img.data);
      const dark = histogramComb((await distorted(img, 'darken', 1)).data);
      const bright = histogramComb((await distorted(img, 'brighten', 1)).data);
      expect(Math.max(...dark.map((v, k) => v - ref[k]!))).toBeGreaterThan(1);
      expect(Math.max(...bright.map((v, k) => v - ref[k]!))).toBeGreaterThan(0.1);
    }
  });

  it('enters the feature vector by name: noise at full over half scale rises with white noise', async () => {
    const at = (name: string) => FEATURE_NAMES.indexOf(name);
    expect(at('zero8_ratio')).toBeGreaterThan(0);
    expect(at('noise_c_over_y')).toBe(FEATURE_NAMES.length - 1 - ROUND4_NAMES.length);
    for (const img of photos) {
      const ref = featuresOf(img).values;
      const noisy = featuresOf(await distorted(img, 'white_noise', 1)).values;
      expect(noisy[at('noise_ratio_12')]).toBeGreaterThan(ref[at('noise_ratio_12')]! + 0.3);
      expect([...noisy].every(Number.isFinite)).toBe(true);
    }
  });
});

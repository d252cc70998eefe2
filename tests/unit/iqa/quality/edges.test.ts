// Edge steepness (round 4): crisp edges put most of their rise into one pixel step, the mildest blur spreads it, on drawn edges and real photos.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { applyDistortion } from '../../../../src-main/imaging/distortions/index';
import { gaussianBlur } from '../../../../src-main/imaging/distortions/blur';
import { convolve2d, fromFloat, toFloat } from '../../../../src-main/imaging/distortions/ops';
import { motionKernel } from '../../../../src-main/imaging/distortions/blur';
import { edgeSteepness } from '../../../../src-main/iqa/quality/edges';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf, ROUND4_NAMES } from '../../../../src-main/iqa/quality/features';
import { lumaChroma, plane } from '../../../../src-main/iqa/quality/planes';

type Rgb = { width: number; height: number; data: Uint8Array };
const lumaOf = (img: Rgb) => lumaChroma(img.data, img.width, img.height).y;

/** Grey squares of `cell` px (levels lo / hi), each edge placed `offset` px (0..1) past a pixel boundary, pixel-integrated. */
function checkerboard(size: number, cell: number, lo: number, hi: number, offset = 0): Rgb {
  const data = new Uint8Array(size * size * 3);
  // Coverage of pixel [p, p+1) by the squares whose edges sit at k·cell + offset.
  const cover = (p: number) => {
    const inside = (x: number) => Math.floor((x - offset) / cell) % 2 === 0;
    const edge = Math.floor((p + 1 - offset) / cell) * cell + offset;
    if (edge <= p || inside(p) === inside(p + 0.999)) return inside(p + 0.5) ? 1 : 0;
    return inside(p) ? edge - p : p + 1 - edge;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = cover(x);
      const cy = cover(y);
      // XOR of the two stripe patterns, by coverage.
      const a = cx * (1 - cy) + cy * (1 - cx);
      data.fill(Math.round(lo + (hi - lo) * a), 3 * (y * size + x), 3 * (y * size + x) + 3);
    }
  }
  return { width: size, height: size, data };
}

describe('edge steepness', { timeout: 180_000 }, () => {
  it('a pixel-aligned step puts its whole rise in one step; a Gaussian of σ 0.5 px spreads it', () => {
    const sharp = checkerboard(160, 20, 40, 200);
    const s = edgeSteepness(lumaOf(sharp));
    expect(s.p50).toBeCloseTo(1, 5);
    expect(s.count).toBeGreaterThan(0);
    const soft = edgeSteepness(lumaOf(gaussianBlur(sharp, 0.5)));
    expect(soft.p50).toBeLessThan(0.8);
    expect(soft.p90).toBeLessThan(s.p90);
  });

  it('an edge between two pixels still counts as crisp, and the measure ignores the contrast', () => {
    for (const offset of [0.25, 0.5, 0.75]) {
      const sub = edgeSteepness(lumaOf(checkerboard(160, 20, 40, 200, offset)));
      expect(sub.p50, `offset ${offset}`).toBeGreaterThanOrEqual(0.5);
      expect(sub.p50, `offset ${offset}`).toBeGreaterThan(edgeSteepness(lumaOf(gaussianBlur(checkerboard(160, 20, 40, 200, offset), 0.8))).p50);
    }
    const high = edgeSteepness(lumaOf(gaussianBlur(checkerboard(160, 20, 20, 230), 0.7)));
    const low = edgeSteepness(lumaOf(gaussianBlur(checkerboard(160, 20, 90, 170), 0.7)));
    expect(Math.abs(high.p50 - low.p50)).toBeLessThan(0.05);
  });

  it('a motion blur along x flattens the edges it crosses only: the axis ratio falls', () => {
    const img = checkerboard(160, 20, 40, 200);
    const before = edgeSteepness(lumaOf(img));
    expect(before.axisRatio).toBeCloseTo(1, 5);
    const moved = fromFloat(img.width, img.height, convolve2d(toFloat(img), img.width, img.height, 3, motionKernel(3, 0)));
    expect(edgeSteepness(lumaOf(moved)).axisRatio).toBeLessThan(0.7);
  });

  it('says nothing on a flat or faint image instead of failing', () => {
    const flat = edgeSteepness(plane(64, 64, new Float32Array(64 * 64).fill(128)));
    expect(flat).toEqual({ p50: 0, p90: 0, axisRatio: 1, count: 0 });
    // Rises below 24 grey levels are too faint to measure.
    expect(edgeSteepness(lumaOf(checkerboard(96, 16, 120, 140))).count).toBe(0);
  });

  it('on real photos: the mildest gaussian, lens and motion blur lower the steepness of the strongest edges', async () => {
    const photos = await Promise.all(['cheetah.jpg', 'bee.jpg'].map((f) => decodeForAnalysis(join(resourcesDir(), 'demo', f))));
    for (const img of photos) {
      const ref = edgeSteepness(lumaOf(img));
      expect(ref.count).toBeGreaterThan(1);
      for (const id of ['gaussian_blur', 'lens_blur', 'motion_blur']) {
        const b = edgeSteepness(lumaOf(await applyDistortion(id, img, 1, 7)));
        expect(b.p50, id).toBeLessThan(ref.p50 - 0.03);
        expect(b.p90, id).toBeLessThan(ref.p90);
      }
      // Entered at the end of the feature vector, by name.
      const v = featuresOf(img).values;
      expect(FEATURE_NAMES.slice(-ROUND4_NAMES.length)).toEqual([...ROUND4_NAMES]);
      expect(v[FEATURE_NAMES.indexOf('steep_p90')]).toBe(ref.p90);
      expect(v.length).toBe(FEATURE_NAMES.length);
    }
  });
});

// The technical measures on a real photo and its synthetic distortions: each moves the way its name says.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { applyDistortion } from '../../../../src-main/imaging/distortions/index';
import { ANALYSIS_MAX_SIDE, decodeForAnalysis, FEATURE_NAMES, featuresOf } from '../../../../src-main/iqa/quality/features';
import { analyseRgb, TILE } from '../../../../src-main/iqa/quality/measures';

const photo = join(resourcesDir(), 'demo', 'cheetah.jpg');

describe('technical measures', async () => {
  const img = await decodeForAnalysis(photo);
  const base = analyseRgb(img.data, img.width, img.height);
  const at = async (id: string, level: number) => {
    const d = await applyDistortion(id, img, level, 7);
    return analyseRgb(d.data, d.width, d.height).measures;
  };

  it('decodes at analysis size, upright, keeping the source size', () => {
    expect(Math.max(img.width, img.height)).toBe(ANALYSIS_MAX_SIDE);
    expect(img.sourceWidth).toBeGreaterThan(img.width);
    expect(img.data.length).toBe(img.width * img.height * 3);
  });

  it('sharpness falls with every kind of blur and level', async () => {
    for (const id of ['gaussian_blur', 'lens_blur', 'motion_blur']) {
      const l1 = (await at(id, 1)).sharpness;
      const l4 = (await at(id, 4)).sharpness;
      expect(l1, id).toBeLessThan(base.measures.sharpness);
      expect(l4, id).toBeLessThan(l1);
    }
    expect(base.measures.sharpness).toBeGreaterThan(50);
  });

  it('noise rises with white, colour, impulse and multiplicative noise', async () => {
    for (const id of ['white_noise', 'white_noise_color', 'impulse_noise', 'multiplicative_noise']) {
      const l2 = (await at(id, 2)).noise;
      const l5 = (await at(id, 5)).noise;
      expect(l2, id).toBeGreaterThan(base.measures.noise);
      expect(l5, id).toBeGreaterThan(l2);
    }
  });

  it('brightness follows brighten and darken; compression rises with JPEG quality going down', async () => {
    expect((await at('brighten', 4)).meanLuminance).toBeGreaterThan(base.measures.meanLuminance + 5);
    expect((await at('darken', 4)).meanLuminance).toBeLessThan(base.measures.meanLuminance - 5);
    expect((await at('darken', 5)).clippedShadows).toBeGreaterThanOrEqual(base.measures.clippedShadows);
    const q = [await at('jpeg', 2), await at('jpeg', 5)].map((m) => m.compression);
    expect(q[1]).toBeGreaterThan(q[0]!);
    expect(q[1]).toBeGreaterThan(base.measures.compression + 0.3);
  });

  it('clipping counts blown and black pixels as a share', () => {
    const w = 40;
    const h = 20;
    const data = new Uint8Array(w * h * 3).fill(128);
    for (let i = 0; i < w * 5; i++) data.fill(255, 3 * i, 3 * i + 3); // 5 rows white
    for (let i = w * 15; i < w * h; i++) data.fill(0, 3 * i, 3 * i + 3); // 5 rows black
    const m = analyseRgb(data, w, h).measures;
    expect(m.clippedHighlights).toBeCloseTo(25, 5);
    expect(m.clippedShadows).toBeCloseTo(25, 5);
  });

  it('maps sharpness per tile, with flat tiles unknown, and gives a finite feature vector', () => {
    expect(base.map.cols).toBe(Math.ceil(img.width / TILE));
    expect(base.map.rows).toBe(Math.ceil(img.height / TILE));
    const known = [...base.map.values].filter((v) => Number.isFinite(v));
    expect(known.length).toBeGreaterThan(base.map.values.length / 4);
    for (const v of known) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    const flat = new Uint8Array(64 * 64 * 3).fill(90);
    expect([...analyseRgb(flat, 64, 64).map.values].every((v) => Number.isNaN(v))).toBe(true);
    const f = featuresOf(img).values;
    expect(f.length).toBe(FEATURE_NAMES.length);
    expect([...f].every(Number.isFinite)).toBe(true);
  });
});

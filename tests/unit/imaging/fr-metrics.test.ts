// Full-reference metrics against numpy/scipy golden values, hand-checkable cases, input validation and real files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import {
  FR_METRICS,
  frScore,
  frScoreFiles,
  msSsim,
  psnr,
  rgbToLuma,
  ssim,
  ssimMap,
} from '../../../src-main/imaging/fr-metrics';
import { saveRgb, type RawImage } from '../../../src-main/imaging/raw-image';
import { tempDir } from '../../helpers/temp';

interface GoldenCase {
  name: string;
  width: number;
  height: number;
  ref: string;
  dist: string;
  refLumaMean: number;
  psnr: number;
  ssim: number;
  msSsim: number | null;
}

const golden = JSON.parse(
  readFileSync(new URL('../../golden/fr-metrics/golden.json', import.meta.url), 'utf8'),
) as { cases: GoldenCase[] };

const decode = (c: GoldenCase, which: 'ref' | 'dist'): RawImage => ({
  width: c.width,
  height: c.height,
  data: new Uint8Array(Buffer.from(c[which], 'base64')),
});

/** A w x h image whose pixel (x, y) channel c is f(x, y, c). */
function image(w: number, h: number, f: (x: number, y: number, c: number) => number): RawImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = f(x, y, c);
  return { width: w, height: h, data };
}

/** Deterministic pseudo-random texture (LCG), so tests need no fixtures. */
function noisy(w: number, h: number, seed: number): RawImage {
  let s = seed >>> 0;
  return image(w, h, (x, y) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.min(255, Math.max(0, Math.round(80 + x * 0.3 + y * 0.2 + (s / 2 ** 32) * 60)));
  });
}

function expectBadInput(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('bad_input');
  expect((err as AppError).message).toMatch(message);
}

describe('golden values (numpy/scipy, tests/golden/fr-metrics)', () => {
  expect(golden.cases.length).toBeGreaterThanOrEqual(4);
  for (const c of golden.cases) {
    describe(c.name, () => {
      const ref = decode(c, 'ref');
      const dist = decode(c, 'dist');

      it('luminance matches rgb2gray weights (mean within 1e-9)', () => {
        const luma = rgbToLuma(ref);
        expect(luma.length).toBe(c.width * c.height);
        expect(Math.abs(luma.reduce((s, v) => s + v, 0) / luma.length - c.refLumaMean)).toBeLessThan(1e-9);
      });
      it('PSNR within 1e-9 relative', () => {
        expect(Math.abs(psnr(ref, dist) - c.psnr) / c.psnr).toBeLessThan(1e-9);
      });
      it('SSIM within 1e-6 absolute', () => {
        expect(Math.abs(ssim(ref, dist) - c.ssim)).toBeLessThan(1e-6);
      });
      if (c.msSsim !== null) {
        const expected = c.msSsim;
        it('MS-SSIM within 1e-6 absolute', () => {
          expect(Math.abs(msSsim(ref, dist) - expected)).toBeLessThan(1e-6);
        });
      } else {
        it('MS-SSIM rejects the image as too small', () => {
          expectBadInput(() => msSsim(ref, dist), /MS-SSIM needs both sides at least 176 px/);
        });
      }
    });
  }
});

describe('hand-checkable cases', () => {
  it('identical images: PSNR Infinity, SSIM 1, MS-SSIM 1', () => {
    const a = noisy(180, 190, 7);
    const b: RawImage = { ...a, data: a.data.slice() };
    expect(psnr(a, b)).toBe(Infinity);
    expect(ssim(a, b)).toBeCloseTo(1, 12);
    expect(msSsim(a, b)).toBeCloseTo(1, 12);
  });

  it('a uniform +10 offset gives PSNR 10 log10(255^2 / 100) exactly', () => {
    const a = image(3, 3, (x, y, c) => 20 * x + 7 * y + 50 * c);
    const b = image(3, 3, (x, y, c) => 20 * x + 7 * y + 50 * c + 10);
    expect(psnr(a, b)).toBe(10 * Math.log10(255 ** 2 / 100));
    expect(psnr(b, a)).toBe(10 * Math.log10(255 ** 2 / 100));
  });

  it('constant 11x11 images: SSIM is the luminance term alone', () => {
    const a = image(11, 11, () => 100);
    const b = image(11, 11, () => 140);
    const mu1 = 100 * (0.2989 + 0.587 + 0.114);
    const mu2 = 140 * (0.2989 + 0.587 + 0.114);
    const c1 = (0.01 * 255) ** 2;
    const expected = (2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1);
    expect(ssim(a, b)).toBeCloseTo(expected, 12);
    expect(ssim(a, b)).toBeCloseTo(0.94596, 5);
    const map = ssimMap(a, b);
    expect([map.width, map.height]).toEqual([1, 1]);
    expect(map.data[0]).toBeCloseTo(expected, 12);
  });

  it('the SSIM map is (H-10)x(W-10) and averages to ssim()', () => {
    const a = noisy(40, 30, 1);
    const b = noisy(40, 30, 2);
    const map = ssimMap(a, b);
    expect([map.width, map.height]).toEqual([30, 20]);
    expect(map.data.reduce((s, v) => s + v, 0) / map.data.length).toBeCloseTo(ssim(a, b), 12);
  });

  it('SSIM and MS-SSIM are symmetric and below 1 for different images', () => {
    const a = noisy(200, 180, 3);
    const b = noisy(200, 180, 4);
    expect(ssim(a, b)).toBeCloseTo(ssim(b, a), 12);
    expect(msSsim(a, b)).toBeCloseTo(msSsim(b, a), 12);
    expect(ssim(a, b)).toBeLessThan(1);
    expect(msSsim(a, b)).toBeLessThan(1);
  });

  it('frScore dispatches every metric', () => {
    const a = noisy(176, 176, 5);
    const b = noisy(176, 176, 6);
    expect(FR_METRICS).toEqual(['psnr', 'ssim', 'ms-ssim']);
    expect(frScore('psnr', a, b)).toBe(psnr(a, b));
    expect(frScore('ssim', a, b)).toBe(ssim(a, b));
    expect(frScore('ms-ssim', a, b)).toBe(msSsim(a, b));
  });
});

describe('input validation', () => {
  const a = noisy(20, 16, 1);
  const b = noisy(16, 20, 1);
  it('mismatched sizes throw bad_input naming both sizes', () => {
    for (const metric of FR_METRICS) {
      expectBadInput(() => frScore(metric, a, b), /20x16 vs 16x20/);
    }
    expectBadInput(() => ssimMap(a, b), /20x16 vs 16x20/);
  });
  it('MS-SSIM needs at least 176 px on the shorter side', () => {
    expectBadInput(() => msSsim(noisy(300, 175, 1), noisy(300, 175, 2)), /at least 176 px.*300x175/);
    expect(Number.isFinite(msSsim(noisy(300, 176, 1), noisy(300, 176, 2)))).toBe(true);
  });
  it('SSIM needs at least 11x11 pixels', () => {
    expectBadInput(() => ssim(noisy(10, 40, 1), noisy(10, 40, 2)), /at least 11x11.*10x40/);
  });
  it('a buffer of the wrong length is rejected', () => {
    const short: RawImage = { width: 20, height: 16, data: new Uint8Array(10) };
    expectBadInput(() => psnr(a, short), /should hold 960 RGB bytes, has 10/);
  });
});

describe('frScoreFiles', () => {
  it('scores PNG files on disk the same as in memory', async () => {
    const dir = tempDir('iqa-fr-');
    const a = noisy(48, 32, 11);
    const b = noisy(48, 32, 12);
    const pa = join(dir, 'ref.png');
    const pb = join(dir, 'dist.png');
    await saveRgb(a, pa);
    await saveRgb(b, pb);
    expect(await frScoreFiles('psnr', pa, pb)).toBe(psnr(a, b));
    expect(await frScoreFiles('ssim', pa, pb)).toBe(ssim(a, b));
  });
});

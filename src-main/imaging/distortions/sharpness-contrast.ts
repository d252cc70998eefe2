// Sharpness and contrast distortions modelled on KADID-10k: high sharpen (unsharp mask on L*) and contrast change.
import { convolveSeparable, curveLut, fromFloat, gaussianKernel, labToRgb, putChannels, rgbToLab, takeChannels } from './ops';
import type { Rng } from './rng';
import { param, spatialScale, type Distortion, type RgbImage } from './types';

// KADID-10k: unsharp-mask amount 1, 2, 3, 6, 12 with a 13x13 Gaussian of sigma 6 (at 512 px). With that wide a
// kernel, amount 1 already rates as badly as a strong blur, so ours halves the amounts.
const SHARPEN_AMOUNT = [0.5, 1, 2, 4, 8] as const;
// Ours: how far the tone curve moves the quarter points (0.25, 0.75) on the 0..1 scale. KADID-10k moves them by
// (amount)/4 for amounts 0.3, 0.15, 0, -0.4, -0.6, i.e. both up and down; here the seed picks the direction.
const CONTRAST_UP = [0.03, 0.06, 0.09, 0.13, 0.18] as const;
const CONTRAST_DOWN = [0.04, 0.08, 0.12, 0.17, 0.22] as const;

function highSharpen(img: RgbImage, amount: number): RgbImage {
  const { width: w, height: h } = img;
  const lab = rgbToLab(img);
  const L = takeChannels(lab, 3, 0, 1);
  const r = Math.max(1, Math.round(6 * spatialScale(img)));
  const blurred = convolveSeparable(L, w, h, 1, gaussianKernel(r, r));
  for (let i = 0; i < L.length; i++) L[i] = Math.min(100, Math.max(0, L[i]! + amount * (L[i]! - blurred[i]!)));
  putChannels(lab, 3, 0, L, 1);
  return fromFloat(w, h, labToRgb(lab));
}

/** A smooth monotone tone curve through (0.25, 0.25 - d), (0.5, 0.5), (0.75, 0.75 + d): d > 0 adds contrast, d < 0 flattens. */
function contrastChange(img: RgbImage, d: number): RgbImage {
  const lut = curveLut([
    [0.25, 0.25 - d],
    [0.5, 0.5],
    [0.75, 0.75 + d],
  ]);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = lut[img.data[i]!]!;
  return fromFloat(img.width, img.height, out);
}

export const SHARPNESS_CONTRAST_DISTORTIONS: Distortion[] = [
  {
    id: 'high_sharpen',
    label: 'High sharpen',
    family: 'sharpness_contrast',
    levels: 5,
    params: SHARPEN_AMOUNT,
    paramName: 'unsharp-mask amount on L*',
    apply: (img, level) => highSharpen(img, param(SHARPEN_AMOUNT, level)),
  },
  {
    id: 'contrast_change',
    label: 'Contrast change',
    family: 'sharpness_contrast',
    levels: 5,
    params: CONTRAST_DOWN,
    paramName: 'quarter-point move (0..1 scale); the seed picks more contrast (0.03 .. 0.18) or less (these)',
    apply: (img, level, rng: Rng) => {
      const up = rng.next() < 0.5;
      return contrastChange(img, up ? param(CONTRAST_UP, level) : -param(CONTRAST_DOWN, level));
    },
  },
];

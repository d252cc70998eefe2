// Brightness distortions modelled on KADID-10k: brighten, darken and mean shift.
import { clamp, fromFloat, labToRgb, rgbToLab } from './ops';
import type { Rng } from './rng';
import { param, type Distortion, type RgbImage } from './types';

// KADID-10k's amounts: a tone curve through (0,0), (0.5, 0.5 +- amount/2), (1,1).
const BRIGHTEN_AMOUNT = [0.1, 0.2, 0.4, 0.7, 1.1] as const;
const DARKEN_AMOUNT = [0.05, 0.1, 0.2, 0.4, 0.8] as const;
// KADID-10k shifts by 0, +-0.08, +-0.15 (0..1 scale); ours grows with the level, up or down by the seed.
const MEAN_SHIFT = [0.03, 0.06, 0.09, 0.12, 0.16] as const;

/**
 * The curve through (0,0), (0.5, 0.5 + k/2), (1,1) that MATLAB's three-point spline gives: the parabola
 * y = x + 2k x (1 - x), clipped to [0, 1]. k > 0 brightens, k < 0 darkens.
 */
function parabola(x: number, k: number): number {
  return clamp(x + 2 * k * x * (1 - x), 0, 1);
}

/** KADID-10k's brighten: 2/3 the curve on R, G, B plus 1/3 the curve on L* (keeps some saturation). */
function brighten(img: RgbImage, amount: number): RgbImage {
  const d = img.data;
  const lab = rgbToLab(img);
  for (let i = 0; i < lab.length; i += 3) lab[i] = 100 * parabola(lab[i]! / 100, amount);
  const fromL = labToRgb(lab);
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = (2 * 255 * parabola(d[i]! / 255, amount) + fromL[i]!) / 3;
  return fromFloat(img.width, img.height, out);
}

function darken(img: RgbImage, amount: number): RgbImage {
  const d = img.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = 255 * parabola(d[i]! / 255, -amount);
  return fromFloat(img.width, img.height, out);
}

function meanShift(img: RgbImage, amount: number, rng: Rng): RgbImage {
  const shift = (rng.next() < 0.5 ? -1 : 1) * amount * 255;
  const d = img.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! + shift;
  return fromFloat(img.width, img.height, out);
}

export const BRIGHTNESS_DISTORTIONS: Distortion[] = [
  {
    id: 'brighten',
    label: 'Brighten',
    family: 'brightness',
    levels: 5,
    params: BRIGHTEN_AMOUNT,
    paramName: 'tone curve amount',
    apply: (img, level) => brighten(img, param(BRIGHTEN_AMOUNT, level)),
  },
  {
    id: 'darken',
    label: 'Darken',
    family: 'brightness',
    levels: 5,
    params: DARKEN_AMOUNT,
    paramName: 'tone curve amount',
    apply: (img, level) => darken(img, param(DARKEN_AMOUNT, level)),
  },
  {
    id: 'mean_shift',
    label: 'Mean shift',
    family: 'brightness',
    levels: 5,
    params: MEAN_SHIFT,
    paramName: 'shift (0..1 scale), up or down by the seed',
    apply: (img, level, rng) => meanShift(img, param(MEAN_SHIFT, level), rng),
  },
];

// Blur distortions modelled on KADID-10k: Gaussian blur, lens (disk) blur and linear motion blur.
import { convolve2d, convolveSeparable, fromFloat, gaussianKernel, toFloat, type Kernel2d } from './ops';
import type { Rng } from './rng';
import { param, spatialScale, type Distortion, type RgbImage } from './types';

// KADID-10k uses sigma 0.1, 0.5, 1, 2, 5; 0.1 leaves an image untouched after rounding, so level 1 starts higher.
const GAUSS_SIGMA = [0.6, 1, 1.6, 2.6, 4.5] as const;
// KADID-10k: disk radius 1, 2, 4, 6, 8 px (at 512 px).
const LENS_RADIUS = [1, 2, 4, 6, 8] as const;
// KADID-10k: length 1, 2, 4, 6, 10 px; length 1 is no blur at all, so ours starts at 2.
const MOTION_LENGTH = [2, 4, 6, 9, 14] as const;

export function gaussianBlur(img: RgbImage, sigma: number): RgbImage {
  return fromFloat(img.width, img.height, convolveSeparable(toFloat(img), img.width, img.height, 3, gaussianKernel(sigma)));
}

/** Area of a disk of `radius` covering each pixel of a (2R+1)^2 grid, by 16x16 supersampling, normalised (fspecial 'disk'). */
export function diskKernel(radius: number): Kernel2d {
  const r = Math.ceil(radius - 0.5) + 1;
  const size = 2 * r + 1;
  const data = new Float64Array(size * size);
  const S = 16;
  let sum = 0;
  for (let ky = 0; ky < size; ky++) {
    for (let kx = 0; kx < size; kx++) {
      let hits = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = kx - r - 0.5 + (sx + 0.5) / S;
          const y = ky - r - 0.5 + (sy + 0.5) / S;
          if (x * x + y * y <= radius * radius) hits++;
        }
      }
      data[ky * size + kx] = hits;
      sum += hits;
    }
  }
  for (let i = 0; i < data.length; i++) data[i]! /= sum;
  return { size, data };
}

/** A centred line of `length` px at `angle` degrees, drawn anti-aliased (bilinear splats), normalised (fspecial 'motion'). */
export function motionKernel(length: number, angleDeg: number): Kernel2d {
  const r = Math.ceil(length / 2) + 1;
  const size = 2 * r + 1;
  const data = new Float64Array(size * size);
  const a = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(a);
  const dy = -Math.sin(a);
  const steps = Math.max(2, Math.ceil(length * 16));
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const t = (i / steps - 0.5) * (length - 1);
    const x = r + t * dx;
    const y = r + t * dy;
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    const splat = (xx: number, yy: number, w: number) => {
      data[yy * size + xx]! += w;
      sum += w;
    };
    splat(x0, y0, (1 - fx) * (1 - fy));
    splat(x0 + 1, y0, fx * (1 - fy));
    splat(x0, y0 + 1, (1 - fx) * fy);
    splat(x0 + 1, y0 + 1, fx * fy);
  }
  for (let i = 0; i < data.length; i++) data[i]! /= sum;
  return { size, data };
}

function withKernel(img: RgbImage, k: Kernel2d): RgbImage {
  return fromFloat(img.width, img.height, convolve2d(toFloat(img), img.width, img.height, 3, k));
}

export const BLUR_DISTORTIONS: Distortion[] = [
  {
    id: 'gaussian_blur',
    label: 'Gaussian blur',
    family: 'blur',
    levels: 5,
    params: GAUSS_SIGMA,
    paramName: 'Gaussian sigma (px at 512 px)',
    apply: (img, level) => gaussianBlur(img, param(GAUSS_SIGMA, level) * spatialScale(img)),
  },
  {
    id: 'lens_blur',
    label: 'Lens blur',
    family: 'blur',
    levels: 5,
    params: LENS_RADIUS,
    paramName: 'disk radius (px at 512 px)',
    apply: (img, level) => withKernel(img, diskKernel(Math.max(0.8, param(LENS_RADIUS, level) * spatialScale(img)))),
  },
  {
    id: 'motion_blur',
    label: 'Motion blur',
    family: 'blur',
    levels: 5,
    params: MOTION_LENGTH,
    paramName: 'blur length (px at 512 px), random direction',
    apply: (img, level, rng: Rng) => {
      const angle = rng.next() * 180;
      return withKernel(img, motionKernel(Math.max(2, param(MOTION_LENGTH, level) * spatialScale(img)), angle));
    },
  },
];

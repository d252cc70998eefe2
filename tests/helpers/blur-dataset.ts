// A small labelled dataset made from the demo photos: each photo at 4 blur levels, label = 5 - level (generic CSV).
import sharp from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesDir } from '../../src-main/app/paths';

export const BLUR_PHOTOS = ['alpaca', 'bee', 'butterfly', 'calf', 'cheetah', 'crab'];
const SIGMAS = [0, 1, 2, 4];

/** Writes the images and `labels.csv` (path, score, reference) into `dir`; returns the number of images. */
export async function writeBlurDataset(dir: string, width = 96, height = 72): Promise<number> {
  mkdirSync(join(dir, 'img'), { recursive: true });
  const rows = ['path,score,reference'];
  for (const photo of BLUR_PHOTOS) {
    for (const [level, sigma] of SIGMAS.entries()) {
      const file = `img/${photo}_${level}.png`;
      let img = sharp(join(resourcesDir(), 'demo', `${photo}.jpg`)).resize(width, height, { fit: 'cover' });
      if (sigma) img = img.blur(sigma);
      await img.png().toFile(join(dir, file));
      rows.push(`${file},${5 - level},${photo}`);
    }
  }
  writeFileSync(join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
  return BLUR_PHOTOS.length * SIGMAS.length;
}

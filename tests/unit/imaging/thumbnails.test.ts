// Thumbnails on a cold cache: concurrent requests for the same photo (two tabs, a scroll backlog) all get the one cached file.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { THUMB_SIZE, thumbnailFor } from '../../../src-main/imaging/thumbnails';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';

describe('thumbnailFor', () => {
  it('makes one thumbnail for concurrent requests of the same photo, and none of them fails', async () => {
    const dir = tempDir('iqa-thumbs-');
    const photos = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const file = join(dir, 'photos', `p${i}.jpg`);
        await writeTestImage(file, 900, 600, i + 1);
        return file;
      }),
    );
    const cache = join(dir, 'cache');
    for (const photo of photos) {
      const got = await Promise.allSettled([thumbnailFor(photo, cache), thumbnailFor(photo, cache), thumbnailFor(photo, cache)]);
      expect(got.map((g) => g.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      const paths = new Set(got.map((g) => (g as PromiseFulfilledResult<string>).value));
      expect(paths.size).toBe(1);
      const meta = await sharp([...paths][0]!).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: THUMB_SIZE, height: Math.round((THUMB_SIZE * 600) / 900) });
    }
    const left = readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));
    expect(left).toEqual([]);
    // Cached: asked again, the same file without making it anew.
    expect(await thumbnailFor(photos[0]!, cache)).toBe(await thumbnailFor(photos[0]!, cache));
  });
});

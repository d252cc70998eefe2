// BMP support (TID2008/2013 and LIVE ship BMP): encode, header, decode through the shared pipeline, thumbnails, truncation.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBmp, encodeBmp24 } from '../../../src-main/imaging/bmp';
import { probeImage } from '../../../src-main/imaging/probe';
import { loadRgb } from '../../../src-main/imaging/raw-image';
import { thumbnailFor } from '../../../src-main/imaging/thumbnails';
import { tempDir } from '../../helpers/temp';

const dir = tempDir('iqa-bmp-');
// 5x3 (odd width exercises row padding) with a distinct colour per pixel.
const img = { width: 5, height: 3, data: new Uint8Array(45).map((_, i) => (i * 37) % 256) };

describe('BMP', () => {
  it('round-trips 24-bit pixels, including row padding', () => {
    const back = decodeBmp(encodeBmp24(img));
    expect(back.width).toBe(5);
    expect(back.height).toBe(3);
    expect([...back.data]).toEqual([...img.data]);
  });

  it('is probed, decoded and thumbnailed like any other format', async () => {
    const file = join(dir, 'i01_01_1.bmp');
    writeFileSync(file, encodeBmp24(img));
    expect(await probeImage(file)).toMatchObject({ width: 5, height: 3, format: 'bmp', error: null });
    expect([...(await loadRgb(file)).data]).toEqual([...img.data]);
    expect(await thumbnailFor(file, join(dir, 'thumbs'))).toMatch(/\.webp$/);
  });

  it('reports a truncated BMP as a per-file error', async () => {
    const file = join(dir, 'cut.bmp');
    writeFileSync(file, encodeBmp24(img).subarray(0, 60));
    expect((await probeImage(file)).error).toMatch(/cannot read image: BMP is truncated/);
    await expect(loadRgb(file)).rejects.toThrow(/truncated/);
  });
});

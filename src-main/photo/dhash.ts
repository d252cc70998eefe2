// Difference hash (dHash, Krawetz 2013): the photo shrunk to 9x8 grey, one bit per horizontal neighbour pair (left brighter), 64 bits.
import type { Sharp } from 'sharp';

/** The 64-bit dHash of 9x8 grey pixels, row-major. */
export function dhashOfPixels(px: Uint8Array | Buffer): bigint {
  if (px.length !== 72) throw new Error(`dHash needs 9x8 grey pixels, got ${px.length}`);
  let h = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) h = (h << 1n) | (px[y * 9 + x]! > px[y * 9 + x + 1]! ? 1n : 0n);
  }
  return h;
}

/** dHash of an opened image (EXIF orientation applied, so a rotated copy hashes alike). */
export async function dhashOf(image: Sharp): Promise<bigint> {
  const px = await image.rotate().greyscale().resize(9, 8, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
  return dhashOfPixels(px);
}

export const hashToHex = (h: bigint): string => h.toString(16).padStart(16, '0');
export const hexToHash = (s: string): bigint => BigInt(`0x${s}`);

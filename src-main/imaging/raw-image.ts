// Decoded 8-bit RGB pixels in memory (interleaved), and the sharp calls that load and save them.
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { decodeError, openImage } from './open-image';

export interface RawImage {
  width: number;
  height: number;
  /** Interleaved RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
}

/** Decodes any supported file or buffer to RGB, applying EXIF orientation and dropping alpha (over white). */
export async function loadRgb(input: string | Buffer): Promise<RawImage> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await (await openImage(input))
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw decodeError(err, input);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export function rawToSharp(img: RawImage): Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  });
}

/** Writes an RGB image; the format follows the file extension (PNG is lossless and the default for derived data). */
export async function saveRgb(img: RawImage, file: string): Promise<void> {
  await rawToSharp(img).toFile(file);
}


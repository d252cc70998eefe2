// Opens any supported image file as a sharp pipeline, decoding BMP here first since libvips cannot.
import sharp, { type Sharp } from 'sharp';
import { open } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { decodeBmp, isBmp, readBmpHeader } from './bmp';

/** Largest image, in pixels, the app will decode (about 268 megapixels, sharp's default). */
export const MAX_INPUT_PIXELS = 268_402_689;

async function startsLikeBmp(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(26);
    const { bytesRead } = await fh.read(head, 0, 26, 0);
    return isBmp(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** A sharp pipeline over the file (or buffer); failOn 'error' so truncated files fail instead of decoding grey. */
export async function openImage(input: string | Buffer): Promise<Sharp> {
  const bmp = typeof input === 'string' ? await startsLikeBmp(input) : isBmp(input);
  if (bmp) {
    const buf = typeof input === 'string' ? await readFile(input) : input;
    const { width, height } = readBmpHeader(buf);
    if (width * height > MAX_INPUT_PIXELS) throw new Error(`image is ${width}x${height}, over the ${MAX_INPUT_PIXELS}-pixel limit`);
    const raw = decodeBmp(buf);
    return sharp(Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.length), {
      raw: { width: raw.width, height: raw.height, channels: 3 },
    });
  }
  return sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
}

export interface ImageHeader {
  width: number;
  height: number;
  format: string;
  orientation: number;
}

/** Size and format from the header alone (no pixel decode), BMP included. */
export async function readImageHeader(path: string): Promise<ImageHeader> {
  if (await startsLikeBmp(path)) {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(54);
      await fh.read(head, 0, 54, 0);
      const h = readBmpHeader(head);
      const stride = Math.ceil((h.width * h.bitsPerPixel) / 32) * 4;
      if ((await fh.stat()).size < head.readUInt32LE(10) + stride * h.height) throw new Error('BMP is truncated');
      return { width: h.width, height: h.height, format: 'bmp', orientation: 1 };
    } finally {
      await fh.close();
    }
  }
  const meta = await sharp(path, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!meta.width || !meta.height || !meta.format) throw new Error('no image size in the header');
  return { width: meta.width, height: meta.height, format: meta.format, orientation: meta.orientation ?? 1 };
}

/** Width and height as displayed (EXIF orientation applied), from the header alone. */
export async function orientedSize(input: string | Buffer): Promise<{ width: number; height: number }> {
  if (typeof input === 'string') {
    const h = await readImageHeader(input);
    return h.orientation >= 5 ? { width: h.height, height: h.width } : { width: h.width, height: h.height };
  }
  if (isBmp(input)) return readBmpHeader(input);
  const meta = await sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!meta.width || !meta.height) throw new Error('no image size in the header');
  return (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

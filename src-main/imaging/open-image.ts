// Opens any supported image file as a sharp pipeline, decoding BMP here first since libvips cannot.
import sharp, { type Sharp } from 'sharp';
import { open } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { AppError } from '../../src-shared/api/errors';
import { decodeBmp, isBmp, readBmpHeader } from './bmp';
import { isRawPath, rawPreviewFile } from './raw-files';

/** Largest image, in pixels, the app will decode (about 268 megapixels, sharp's default). */
export const MAX_INPUT_PIXELS = 268_402_689;

/** Refuses, by the size its header declares, an image too large to decode (instead of sharp's bare "exceeds pixel limit"). */
function checkPixelLimit(width: number, height: number): void {
  if (width * height > MAX_INPUT_PIXELS) {
    throw new Error(`image is ${width}x${height} (${((width * height) / 1e6).toFixed(0)} megapixels), over the ${MAX_INPUT_PIXELS}-pixel limit`);
  }
}

/** Header size of a non-BMP image without the pixel limit (header only, nothing decoded); null when unreadable. */
async function declaredSize(input: string | Buffer): Promise<{ width: number; height: number; orientation: number } | null> {
  const meta = await sharp(input, { limitInputPixels: false }).metadata().catch(() => null);
  return meta?.width && meta.height ? { width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 } : null;
}

/** libvips' terse decode errors in words (first line only): truncation and unknown content said as such. */
export function explainDecodeMessage(message: string): string {
  const first = message.split('\n')[0]!.trim();
  if (/premature end|libpng read error|unexpected end|not enough data|short read/i.test(first)) return `${first} (the file is truncated or corrupt)`;
  if (/unsupported image format/i.test(first)) {
    return 'not an image this app can read (unknown or unsupported format; files are decoded by their content, not their extension)';
  }
  return first;
}

/** A failed decode as a bad_input error naming the file; AppErrors (already worded for users) pass through. */
export function decodeError(err: unknown, input: string | Buffer): AppError {
  if (err instanceof AppError) return err;
  const what = typeof input === 'string' ? input : 'image data';
  return new AppError('bad_input', `cannot decode ${what}: ${explainDecodeMessage(err instanceof Error ? err.message : String(err))}`);
}

async function startsLikeBmp(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(26);
    const { bytesRead } = await fh.read(head, 0, 26, 0);
    if (bytesRead === 0) throw new Error('empty file (0 bytes)');
    return isBmp(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** A sharp pipeline over the file (or buffer); failOn 'error' so truncated files fail instead of decoding grey. */
export async function openImage(input: string | Buffer): Promise<Sharp> {
  return (await openImageSized(input)).image;
}

/**
 * `openImage` with the size the image shows upright (EXIF orientation applied), from the header it reads anyway:
 * callers that need both save a second header read per photo. `width`/`height` are null when the header gives none.
 */
export async function openImageSized(input: string | Buffer): Promise<{ image: Sharp; width: number | null; height: number | null }> {
  // A RAW is seen through its largest embedded preview (or a LibRaw decode): what thumbnails, scores and measures use.
  if (typeof input === 'string' && isRawPath(input)) input = await rawPreviewFile(input);
  const bmp = typeof input === 'string' ? await startsLikeBmp(input) : isBmp(input);
  if (bmp) {
    const buf = typeof input === 'string' ? await readFile(input) : input;
    const { width, height } = readBmpHeader(buf);
    checkPixelLimit(width, height);
    const raw = decodeBmp(buf);
    const image = sharp(Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.length), { raw: { width: raw.width, height: raw.height, channels: 3 } });
    return { image, width: raw.width, height: raw.height };
  }
  const size = await declaredSize(input);
  if (size) checkPixelLimit(size.width, size.height);
  const image = sharp(input, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS });
  if (!size) return { image, width: null, height: null };
  const swap = size.orientation >= 5;
  return { image, width: swap ? size.height : size.width, height: swap ? size.width : size.height };
}

export interface ImageHeader {
  width: number;
  height: number;
  format: string;
  orientation: number;
}

/** Size and format from the header alone (no pixel decode), BMP included. */
export async function readImageHeader(path: string): Promise<ImageHeader> {
  if (isRawPath(path)) {
    const h = await readImageHeader(await rawPreviewFile(path));
    return { ...h, format: path.slice(path.lastIndexOf('.') + 1).toLowerCase() };
  }
  if (await startsLikeBmp(path)) {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(54);
      await fh.read(head, 0, 54, 0);
      const h = readBmpHeader(head);
      checkPixelLimit(h.width, h.height);
      const stride = Math.ceil((h.width * h.bitsPerPixel) / 32) * 4;
      if ((await fh.stat()).size < head.readUInt32LE(10) + stride * h.height) throw new Error('BMP is truncated');
      return { width: h.width, height: h.height, format: 'bmp', orientation: 1 };
    } finally {
      await fh.close();
    }
  }
  // The pixel limit is checked here on the declared size, so a huge header gets a message with its size.
  const meta = await sharp(path, { failOn: 'error', limitInputPixels: false }).metadata();
  if (!meta.width || !meta.height || !meta.format) throw new Error('no image size in the header');
  checkPixelLimit(meta.width, meta.height);
  return { width: meta.width, height: meta.height, format: meta.format, orientation: meta.orientation ?? 1 };
}

/** Width and height as displayed (EXIF orientation applied), from the header alone. */
export async function orientedSize(input: string | Buffer): Promise<{ width: number; height: number }> {
  if (typeof input === 'string') {
    const h = await readImageHeader(input);
    return h.orientation >= 5 ? { width: h.height, height: h.width } : { width: h.width, height: h.height };
  }
  if (isBmp(input)) return readBmpHeader(input);
  const meta = await sharp(input, { failOn: 'error', limitInputPixels: false }).metadata();
  if (!meta.width || !meta.height) throw new Error('no image size in the header');
  checkPixelLimit(meta.width, meta.height);
  return (meta.orientation ?? 1) >= 5 ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

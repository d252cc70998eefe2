// Reads an image's header with sharp (size, format) without decoding its pixels; errors become per-file messages.
import { explainDecodeMessage, readImageHeader } from './open-image';
import { stat } from 'node:fs/promises';
import { RAW_EXTENSIONS } from './raw-files';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.avif', ...RAW_EXTENSIONS];

export interface ImageProbe {
  width: number | null;
  height: number | null;
  format: string | null;
  bytes: number | null;
  error: string | null;
}

export async function probeImage(path: string): Promise<ImageProbe> {
  let bytes: number | null = null;
  try {
    bytes = (await stat(path)).size;
    if (bytes === 0) return { width: null, height: null, format: null, bytes, error: 'empty file (0 bytes)' };
    const meta = await readImageHeader(path);
    // EXIF orientations 5-8 swap width and height once applied.
    const swap = meta.orientation >= 5;
    return {
      width: swap ? meta.height : meta.width,
      height: swap ? meta.width : meta.height,
      format: meta.format,
      bytes,
      error: null,
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { width: null, height: null, format: null, bytes, error: `cannot read image: ${explainDecodeMessage(msg)}` };
  }
}

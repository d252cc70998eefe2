// Camera EXIF and embedded RAW previews through exiftool-vendored (ExifTool reads every RAW format, CR3 and RAF included, and writes XMP into JPEG/TIFF/DNG); one shared, lazily started pool.
import { ExifTool } from 'exiftool-vendored';
import type { PhotoExif } from '../../src-shared/api/schemas';

let shared: ExifTool | null = null;

/** The app's ExifTool pool (started on first use, ended by endExifTool). */
export function exifTool(): ExifTool {
  shared ??= new ExifTool({ maxProcs: 2, taskTimeoutMillis: 60_000, minDelayBetweenSpawnMillis: 0 });
  return shared;
}

export async function endExifTool(): Promise<void> {
  const et = shared;
  shared = null;
  await et?.end();
}

const EXIF_TAGS = ['DateTimeOriginal', 'CreateDate', 'SubSecTimeOriginal', 'Make', 'Model', 'LensModel', 'LensID', 'Lens', 'FocalLength', 'ISO', 'ExposureTime', 'FNumber'];

type Raw = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() && v.trim() !== 'Unknown' ? v.trim() : typeof v === 'number' ? String(v) : null);

/** "2024:05:01 14:03:22" (and sub-seconds) as "2024-05-01T14:03:22.25"; null when not a date. */
export function exifDate(v: unknown, subSec?: unknown): string | null {
  const m = typeof v === 'string' ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(v) : null;
  if (!m || m[1] === '0000') return null;
  const sub = typeof subSec === 'number' || typeof subSec === 'string' ? String(subSec).replace(/\D/g, '') : '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${sub ? `.${sub}` : ''}`;
}

/** The camera model with its make when the model does not already say it ("Canon EOS R5", "NIKON Z 6"). */
export function cameraName(make: string | null, model: string | null): string | null {
  if (!model) return make;
  if (!make) return model;
  const brand = make.split(/\s+/)[0]!.toLowerCase();
  return model.toLowerCase().startsWith(brand) ? model : `${make} ${model}`;
}

/** The EXIF fields of exiftool's numeric (-n) JSON. */
export function exifOf(raw: Raw): Omit<PhotoExif, 'rawPath'> {
  return {
    capturedAt: exifDate(raw.DateTimeOriginal, raw.SubSecTimeOriginal) ?? exifDate(raw.CreateDate),
    camera: cameraName(str(raw.Make), str(raw.Model)),
    lens: str(raw.LensModel) ?? str(raw.LensID) ?? str(raw.Lens),
    focalLength: num(raw.FocalLength),
    iso: num(Array.isArray(raw.ISO) ? raw.ISO[0] : raw.ISO),
    shutter: num(raw.ExposureTime),
    aperture: num(raw.FNumber),
  };
}

/** Reads capture time, camera, lens, focal length, ISO, shutter and aperture; fields the file lacks are null. */
export async function readExif(file: string): Promise<Omit<PhotoExif, 'rawPath'>> {
  const raw = (await exifTool().readRaw(file, ['-n', '-fast', ...EXIF_TAGS.map((t) => `-${t}`)])) as Raw;
  return exifOf(raw);
}

/** Embedded images of a RAW, largest first (exiftool reports their lengths under -n). */
export async function embeddedPreviews(file: string): Promise<{ tag: string; bytes: number }[]> {
  const tags = ['JpgFromRaw', 'PreviewImage', 'OtherImage', 'ThumbnailImage'];
  const raw = (await exifTool().readRaw(file, ['-n', ...tags.map((t) => `-${t}`)])) as Raw;
  const size = (v: unknown) => {
    const m = typeof v === 'string' ? /(\d+) bytes/.exec(v) : null;
    return m ? Number(m[1]) : 0;
  };
  return tags.map((tag) => ({ tag, bytes: size(raw[tag]) })).filter((p) => p.bytes > 0).sort((a, b) => b.bytes - a.bytes);
}

/** The largest embedded JPEG of a RAW, or null when it has none. */
export async function largestPreview(file: string): Promise<Buffer | null> {
  for (const p of await embeddedPreviews(file)) {
    const buf = await exifTool().extractBinaryTagToBuffer(p.tag, file).catch(() => null);
    if (buf && buf.length > 2 && buf[0] === 0xff && buf[1] === 0xd8) return buf;
  }
  return null;
}

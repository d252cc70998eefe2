// Camera RAW files: recognised by extension, shown and scored from their largest embedded JPEG (ExifTool), fully decoded on demand by LibRaw (Debian libraw-bin's dcraw_emu).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { largestPreview } from '../photo/exif';

export const RAW_EXTENSIONS = ['.cr2', '.cr3', '.nef', '.arw', '.raf', '.orf', '.rw2', '.pef', '.dng'];
export const isRawPath = (p: string): boolean => RAW_EXTENSIONS.includes(extname(p).toLowerCase());

/** Where previews and decodes are cached; the app sets it under its data folder. */
let cacheDir = join(tmpdir(), 'iqa-raw-cache');
export function setRawCacheDir(dir: string): void {
  cacheDir = dir;
}

/** The LibRaw program (dcraw_emu), or null when libraw-bin is not installed. */
export const librawProgram = (): string | null => ['/usr/bin/dcraw_emu', '/usr/local/bin/dcraw_emu'].find((p) => existsSync(p)) ?? null;

/** Decodes the whole RAW with LibRaw (camera white balance; half size for speed when asked) as a 16-bit TIFF. */
export async function decodeRaw(file: string, opts: { half?: boolean } = {}): Promise<Buffer> {
  const prog = librawProgram();
  if (!prog) throw new Error('RAW decoding needs LibRaw: install Debian libraw-bin (dcraw_emu)');
  return new Promise((ok, fail) => {
    execFile(prog, ['-T', '-w', ...(opts.half ? ['-h'] : []), '-Z', '-', file], { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, out, errOut) => {
      if (err || !out.length) fail(new Error(`LibRaw could not decode ${file}: ${errOut.toString().trim() || err?.message || 'no output'}`));
      else ok(out);
    });
  });
}

const making = new Map<string, Promise<string>>();

async function cached(file: string, suffix: string, make: () => Promise<Buffer>): Promise<string> {
  const st = await stat(file);
  const key = createHash('sha1').update(`${file}\0${st.size}\0${st.mtimeMs}\0${suffix}`).digest('hex');
  const out = join(cacheDir, key.slice(0, 2), `${key}.${suffix}.jpg`);
  if (existsSync(out)) return out;
  let p = making.get(out);
  if (!p) {
    p = (async () => {
      await mkdir(join(cacheDir, key.slice(0, 2)), { recursive: true });
      const tmp = `${out}.${process.pid}.tmp`;
      await writeFile(tmp, await make());
      await rename(tmp, out);
      return out;
    })().finally(() => making.delete(out));
    making.set(out, p);
  }
  return p;
}

/** A JPEG of the RAW to show and score: its largest embedded preview, else a half-size LibRaw decode. Cached by path, size and time. */
export function rawPreviewFile(file: string): Promise<string> {
  return cached(file, 'preview', async () => (await largestPreview(file)) ?? (await sharp(await decodeRaw(file, { half: true })).jpeg({ quality: 92 }).toBuffer()));
}

/** The full LibRaw decode as a JPEG (for the loupe's "full RAW"), cached. */
export function rawFullFile(file: string): Promise<string> {
  return cached(file, 'full', async () => sharp(await decodeRaw(file)).jpeg({ quality: 95 }).toBuffer());
}

// XMP sidecar files: locate (darktable/digiKam `photo.jpg.xmp` or Lightroom `photo.xmp`), read, and merge-write atomically, never touching the image.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { XmpError, type SidecarData, type SidecarLookup, type SidecarCandidate, type SidecarNaming, type SidecarUpdate, type WriteResult } from './xmp-model';
import { decodeUtf8, parseXmp } from './xmp-parse';
import { mergeXmp, validateUpdate } from './xmp-merge';

// Naming
// ---------------------------------------------------------------------------------------------

/** darktable/digiKam append `.xmp` (`photo.jpg.xmp`); Lightroom replaces the extension (`photo.xmp`). */
export function sidecarPath(imagePath: string, naming: SidecarNaming): string {
  if (/\.xmp$/i.test(imagePath)) throw new XmpError('an .xmp file is not an image; pass the image path', imagePath);
  if (naming === 'darktable') return `${imagePath}.xmp`;
  const ext = path.extname(imagePath);
  return `${ext ? imagePath.slice(0, -ext.length) : imagePath}.xmp`;
}

/** Looks for both namings next to the image. */
export async function findSidecar(
  imagePath: string,
  options: { prefer?: SidecarNaming } = {},
): Promise<SidecarLookup> {
  const prefer = options.prefer ?? 'darktable';
  const order: SidecarNaming[] = prefer === 'darktable' ? ['darktable', 'lightroom'] : ['lightroom', 'darktable'];
  const candidates: SidecarCandidate[] = [];
  for (const naming of order) {
    const p = sidecarPath(imagePath, naming);
    if (candidates.some((c) => c.path === p)) continue;
    candidates.push({ naming, path: p, exists: await isFile(p) });
  }
  const existing = candidates.filter((c) => c.exists);
  const chosen = existing[0];
  return {
    path: chosen?.path ?? null,
    naming: chosen?.naming ?? null,
    both: existing.length > 1,
    candidates,
  };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function readSidecar(file: string): Promise<SidecarData> {
  const buf = await fs.readFile(file);
  return parseXmp(decodeUtf8(buf, file), file);
}

/**
 * Merges `update` into the sidecar at `file` (creating a minimal packet when missing), changing only
 * xmp:Rating, xmp:Label and iqa:* and keeping every other byte. Atomic (temp file + rename); no write when nothing changes.
 */
export async function writeSidecar(file: string, update: SidecarUpdate): Promise<WriteResult> {
  if (!/\.xmp$/i.test(file)) throw new XmpError('refusing to write a sidecar whose name does not end in .xmp', file);
  validateUpdate(update);
  let existing: string | null = null;
  let mode: number | undefined;
  let target = file;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new XmpError('sidecar path exists and is not a regular file', file);
    target = await fs.realpath(file); // a symlinked sidecar is updated where it points, not replaced by a file
    try {
      await fs.access(target, fsConstants.W_OK);
    } catch {
      throw new XmpError('sidecar is not writable; refusing to replace it', file);
    }
    mode = st.mode & 0o7777;
    existing = decodeUtf8(await fs.readFile(target), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (existing === null && update.rating == null && update.label == null && update.score == null && update.measures == null) {
    return { path: file, changed: false, created: false }; // nothing to set and nothing to remove from
  }
  const next = mergeXmp(existing, update, { file });
  if (existing !== null && next === existing) return { path: file, changed: false, created: false };
  await atomicWrite(target, next, mode);
  return { path: file, changed: true, created: existing === null };
}

/** Our temp files: `.<sidecar>.xmp.<pid>.<12 hex>.tmp`, as atomicWrite names them. */
const TEMP_NAME = /^\..+\.xmp\.(\d+)\.[0-9a-f]{12}\.tmp$/i;
/** A temp file of a dead process is removed after this long; any temp file after STALE_MS (another machine's, a reused pid). */
const DEAD_PID_GRACE_MS = 30_000;
export const STALE_TEMP_MS = 10 * 60_000;
/** Folders swept lately: a write of 1,000 sidecars into one folder lists it once, not 1,000 times. */
const sweptAt = new Map<string, number>();

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files a crashed sidecar write left in `dir` (ours only, by name): those of a dead process after
 * a short grace, any of them once older than STALE_TEMP_MS. Runs at most once per folder every STALE_TEMP_MS.
 */
export async function sweepStaleTemps(dir: string, now = Date.now()): Promise<number> {
  const last = sweptAt.get(dir);
  if (last !== undefined && now - last < STALE_TEMP_MS) return 0;
  sweptAt.set(dir, now);
  if (sweptAt.size > 10_000) sweptAt.clear();
  let removed = 0;
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const st = await fs.lstat(path.join(dir, name)).catch(() => null);
    if (!st?.isFile()) continue;
    const age = now - st.mtimeMs;
    if (age > STALE_TEMP_MS || (age > DEAD_PID_GRACE_MS && !processAlive(Number(m[1])))) {
      await fs.rm(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

async function atomicWrite(file: string, text: string, mode: number | undefined): Promise<void> {
  const dir = path.dirname(file);
  await sweepStaleTemps(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode ?? 0o666);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}


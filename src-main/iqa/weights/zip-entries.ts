// Minimal ZIP reader for torch.save archives: the central directory (ZIP64 included), stored or deflated entries.
import { inflateRawSync } from 'node:zlib';
import { AppError } from '../../../src-shared/api/errors';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

function bad(source: string, msg: string): never {
  throw new AppError('bad_input', `${source}: ${msg}`);
}

/** The archive's entries by name, from its central directory. */
export function zipEntries(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.byteLength - 22; i >= Math.max(0, bytes.byteLength - 22 - 65_535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad(source, 'the ZIP archive has no end-of-directory record (truncated file?)');
  let count = dv.getUint16(eocd + 10, true);
  let dirOffset = dv.getUint32(eocd + 16, true);
  if (eocd >= 20 && dv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(dv.getBigUint64(eocd - 12, true));
    if (z64 + 56 > bytes.byteLength || dv.getUint32(z64, true) !== 0x06064b50) bad(source, 'broken ZIP64 end-of-directory record');
    count = Number(dv.getBigUint64(z64 + 32, true));
    dirOffset = Number(dv.getBigUint64(z64 + 48, true));
  }
  const entries = new Map<string, ZipEntry>();
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.byteLength || dv.getUint32(p, true) !== 0x02014b50) bad(source, `ZIP central directory entry ${n} is broken`);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeader = dv.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 64-bit values, in order, of those fields that are 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => ((q += 8), Number(dv.getBigUint64(q - 8, true)));
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeader === 0xffffffff) localHeader = next();
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localHeader });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** One entry's bytes (a view into `bytes` when stored). */
export function zipRead(bytes: Uint8Array, entry: ZipEntry, source: string): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = entry.localHeader;
  if (h + 30 > bytes.byteLength || dv.getUint32(h, true) !== 0x04034b50) bad(source, `ZIP entry ${entry.name} has a broken local header`);
  const start = h + 30 + dv.getUint16(h + 26, true) + dv.getUint16(h + 28, true);
  if (start + entry.compressedSize > bytes.byteLength) bad(source, `ZIP entry ${entry.name} runs past the end of the file (truncated?)`);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return new Uint8Array(inflateRawSync(raw));
  return bad(source, `ZIP entry ${entry.name} uses compression method ${entry.method}; only stored and deflated entries are read`);
}

// Reads and writes .safetensors files (u64 LE header length, JSON header, raw little-endian data), strictly validated.
import { readFile, writeFile } from 'node:fs/promises';
import { AppError } from '../../../src-shared/api/errors';

/** Element types this reader understands, with their size in bytes. */
const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** One decoded tensor: floats (F64/F32/F16/BF16) always come back as a Float32Array. */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
}

/** A tensor for the writer: F32 or F16 (rounded to nearest even) from any float array or number list, I64 from a BigInt64Array or number list. */
export interface SafeTensorInput {
  dtype: 'F32' | 'F16' | 'I64';
  shape: number[];
  data: Float32Array | BigInt64Array | ArrayLike<number>;
}

/** Larger headers are refused outright (the reference implementation also caps the header at 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

function bad(message: string, details?: unknown): AppError {
  return new AppError('bad_input', `safetensors: ${message}`, details);
}

function isDtype(v: unknown): v is SafetensorsDtype {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, v);
}

/** IEEE 754 half precision bits to a number (subnormals, infinities and NaN included). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function roundHalfEven(m: number): number {
  const f = Math.floor(m);
  const d = m - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/** A number to IEEE 754 half precision bits, rounded to nearest even (overflow to infinity, subnormals kept). */
export function numberToF16(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  // 65520 is halfway between the largest half (65504) and 2^16; the tie rounds to the even side, infinity.
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal; may round up into the smallest normal
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  // A mantissa that rounds up to 2048 carries into the exponent field, which is what the bit layout wants.
  return sign | (((e + 15) << 10) + roundHalfEven((a / 2 ** e) * 1024) - 1024);
}

/** Little-endian element bytes to values (floats widen to F32, as everywhere in this reader). */
export function decode(dtype: SafetensorsDtype, bytes: Uint8Array, count: number): SafeTensor['data'] {
  // Copy into a fresh, aligned buffer: data offsets in a file need not be aligned to the element size.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const view = new DataView(copy.buffer);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = f16ToF32(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'I16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    case 'I8':
      return new Int8Array(copy.buffer, 0, count);
    case 'U8':
    case 'BOOL':
      return copy;
  }
}

/** Parses a whole .safetensors file held in memory. `__metadata__` is ignored. */
export function parseSafetensors(bytes: Uint8Array): Map<string, SafeTensor> {
  if (bytes.byteLength < 8) throw bad(`file is ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = dv.getBigUint64(0, true);
  if (headerLen64 > BigInt(MAX_HEADER_BYTES)) {
    throw bad(`header length ${headerLen64} is absurd (over ${MAX_HEADER_BYTES} bytes); not a safetensors file?`);
  }
  const headerLen = Number(headerLen64);
  if (8 + headerLen > bytes.byteLength) {
    throw bad(`header length ${headerLen} is larger than the file (${bytes.byteLength} bytes)`);
  }
  if (headerLen < 2) throw bad(`header length ${headerLen} is too small for a JSON object`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    throw bad(`header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');

  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    if (typeof raw !== 'object' || raw === null) throw bad(`entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype)) throw bad(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) ||
      (offsets[0] as number) > (offsets[1] as number)
    ) {
      throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLen) {
      throw bad(`tensor "${name}" data_offsets [${begin}, ${end}] lie outside the data section (${dataLen} bytes)`);
    }
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = elements * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      throw bad(
        `tensor "${name}" spans ${end - begin} bytes but shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${expected}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.begin < prev.end) throw bad(`tensors "${prev.name}" and "${cur.name}" overlap in the data section ([${prev.begin}, ${prev.end}] and [${cur.begin}, ${cur.end}])`);
  }

  const out = new Map<string, SafeTensor>();
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data = decode(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end), count);
    out.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return out;
}

/** A format error from parsing `path`, reworded to name the file ("safetensors file <path>: ..."). */
function namingFile(path: string, err: unknown): unknown {
  if (!(err instanceof AppError) || !err.message.startsWith('safetensors: ')) return err;
  return new AppError(err.code, `safetensors file ${path}: ${err.message.slice('safetensors: '.length)}`, err.details);
}

/** Reads a .safetensors file: tensor name -> dtype, shape and decoded data. Format errors name the file. */
export async function readSafetensors(path: string): Promise<Map<string, SafeTensor>> {
  const bytes = await readFile(path);
  try {
    return parseSafetensors(bytes);
  } catch (err) {
    throw namingFile(path, err);
  }
}

/** Serialises tensors (F32, F16 or I64) into safetensors bytes; the header is space-padded to 8-byte alignment. */
export function encodeSafetensors(tensors: Record<string, SafeTensorInput>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw bad('a tensor may not be named "__metadata__"');
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`tensor "${name}" has an invalid shape [${t.shape.join(', ')}]`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) {
      throw bad(`tensor "${name}" has ${t.data.length} values but shape [${t.shape.join(', ')}] holds ${count}`);
    }
    let bytes: Uint8Array;
    if (t.dtype === 'F32') {
      bytes = new Uint8Array(count * 4);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < count; i++) dv.setFloat32(i * 4, Number(t.data[i]), true);
    } else if (t.dtype === 'F16') {
      bytes = new Uint8Array(count * 2);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < count; i++) dv.setUint16(i * 2, numberToF16(Number(t.data[i])), true);
    } else if (t.dtype === 'I64') {
      bytes = new Uint8Array(count * 8);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < count; i++) {
        const v = t.data[i]!;
        dv.setBigInt64(i * 8, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)), true);
      }
    } else {
      throw bad(`tensor "${name}": the writer supports F32, F16 and I64, not ${String((t as { dtype: unknown }).dtype)}`);
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.byteLength;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.byteLength;
  }
  return out;
}

/** Writes tensors (F32, F16 or I64) to a .safetensors file. */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, SafeTensorInput>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFile(path, encodeSafetensors(tensors, metadata));
}

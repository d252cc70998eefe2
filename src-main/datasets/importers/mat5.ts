// Reader for MATLAB MAT v5 files (what MATLAB -v7 and scipy.io.savemat write, and what LIVE/LIVEC ship): numeric, logical, char, cell and struct arrays.
import { basename } from 'node:path';
import { inflateSync } from 'node:zlib';
import { AppError } from '../../../src-shared/api/errors';
import { readLabelFile } from './label-file';

export type MatNumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

interface MatBase {
  /** Variable name (empty for the elements of a cell or struct). */
  name: string;
  /** MATLAB dimensions, at least two (a row vector is [1, n], a column vector [n, 1]). */
  dims: number[];
}

export interface MatNumeric extends MatBase {
  type: 'numeric';
  class: MatNumericClass;
  logical: boolean;
  /** Values in MATLAB's column-major order. */
  data: Float64Array;
  imag: Float64Array | null;
}

export interface MatChar extends MatBase {
  type: 'char';
  /** One string per row of the char matrix (rows padded with spaces by MATLAB stay as they are). */
  rows: string[];
}

export interface MatCell extends MatBase {
  type: 'cell';
  /** Elements in column-major order. */
  cells: MatArray[];
}

export interface MatStruct extends MatBase {
  type: 'struct';
  fields: string[];
  /** One record per struct element, column-major. */
  elements: Record<string, MatArray>[];
}

export interface MatUnsupported extends MatBase {
  type: 'unsupported';
  /** MATLAB class name (sparse, object, function, opaque …). */
  class: string;
}

export type MatArray = MatNumeric | MatChar | MatCell | MatStruct | MatUnsupported;

/** The variables of a MAT file by name, in file order. */
export type MatFile = Map<string, MatArray>;

// Data types of tagged elements.
const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT16 = 3;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_SINGLE = 7;
const MI_DOUBLE = 9;
const MI_INT64 = 12;
const MI_UINT64 = 13;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_UTF8 = 16;
const MI_UTF16 = 17;
const MI_UTF32 = 18;

const ELEMENT_SIZE: Record<number, number> = {
  [MI_INT8]: 1, [MI_UINT8]: 1, [MI_INT16]: 2, [MI_UINT16]: 2, [MI_INT32]: 4, [MI_UINT32]: 4,
  [MI_SINGLE]: 4, [MI_DOUBLE]: 8, [MI_INT64]: 8, [MI_UINT64]: 8, [MI_UTF8]: 1, [MI_UTF16]: 2, [MI_UTF32]: 4,
};

const NUMERIC_CLASSES: Record<number, MatNumericClass> = {
  6: 'double', 7: 'single', 8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const OTHER_CLASSES: Record<number, string> = { 3: 'object', 5: 'sparse', 16: 'function', 17: 'opaque' };
const MX_CELL = 1;
const MX_STRUCT = 2;
const MX_CHAR = 4;

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

class Malformed extends Error {}

interface Tag {
  type: number;
  nbytes: number;
  dataOff: number;
  /** Offset of the next element (data padded to 8 bytes, except compressed data). */
  next: number;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}

  u32(off: number): number {
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  tag(off: number, end: number): Tag {
    if (off + 8 > end) throw new Malformed(`truncated element header at byte ${off}`);
    const first = this.u32(off);
    const small = first >>> 16;
    if (small !== 0) {
      // Small data element: 2-byte size and 2-byte type packed in the first word, data in the second.
      if (small > 4) throw new Malformed(`bad small element at byte ${off}`);
      return { type: first & 0xffff, nbytes: small, dataOff: off + 4, next: off + 8 };
    }
    const nbytes = this.u32(off + 4);
    const dataOff = off + 8;
    if (dataOff + nbytes > end) throw new Malformed(`element at byte ${off} runs past the end of its container (${nbytes} bytes)`);
    const padded = first === MI_COMPRESSED ? nbytes : Math.ceil(nbytes / 8) * 8;
    return { type: first, nbytes, dataOff, next: Math.min(dataOff + padded, end) };
  }

  numbers(t: Tag): Float64Array {
    const size = ELEMENT_SIZE[t.type];
    if (!size) throw new Malformed(`unexpected data type ${t.type} for numeric data`);
    if (t.nbytes % size) throw new Malformed(`numeric data of ${t.nbytes} bytes is not a whole number of type-${t.type} values`);
    const n = t.nbytes / size;
    const out = new Float64Array(n);
    const b = this.buf;
    const le = this.le;
    for (let i = 0, p = t.dataOff; i < n; i++, p += size) {
      switch (t.type) {
        case MI_INT8: out[i] = b.readInt8(p); break;
        case MI_UINT8: case MI_UTF8: out[i] = b[p]!; break;
        case MI_INT16: out[i] = le ? b.readInt16LE(p) : b.readInt16BE(p); break;
        case MI_UINT16: case MI_UTF16: out[i] = le ? b.readUInt16LE(p) : b.readUInt16BE(p); break;
        case MI_INT32: out[i] = le ? b.readInt32LE(p) : b.readInt32BE(p); break;
        case MI_UINT32: case MI_UTF32: out[i] = le ? b.readUInt32LE(p) : b.readUInt32BE(p); break;
        case MI_SINGLE: out[i] = le ? b.readFloatLE(p) : b.readFloatBE(p); break;
        case MI_DOUBLE: out[i] = le ? b.readDoubleLE(p) : b.readDoubleBE(p); break;
        case MI_INT64: out[i] = Number(le ? b.readBigInt64LE(p) : b.readBigInt64BE(p)); break;
        case MI_UINT64: out[i] = Number(le ? b.readBigUInt64LE(p) : b.readBigUInt64BE(p)); break;
      }
    }
    return out;
  }

  text(t: Tag): string {
    return this.buf.toString('latin1', t.dataOff, t.dataOff + t.nbytes).replace(/\0+$/, '');
  }

  /** Parses the content of an miMATRIX element, bytes [start, end). */
  matrix(start: number, end: number): MatArray {
    if (start === end) return { type: 'numeric', name: '', dims: [0, 0], class: 'double', logical: false, data: new Float64Array(0), imag: null };
    const flagsTag = this.tag(start, end);
    if (flagsTag.type !== MI_UINT32 || flagsTag.nbytes !== 8) throw new Malformed(`array flags missing at byte ${start}`);
    const flags = this.u32(flagsTag.dataOff);
    const cls = flags & 0xff;
    const complex = (flags & 0x0800) !== 0;
    const logical = (flags & 0x0200) !== 0;
    if (cls === 17 || cls === 16) {
      // Opaque and function handles (MATLAB string/table objects) have their own layout: keep only the name.
      const nameTag = this.tag(flagsTag.next, end);
      return { type: 'unsupported', name: nameTag.type === MI_INT8 ? this.text(nameTag) : '', dims: [], class: OTHER_CLASSES[cls]! };
    }
    const dimsTag = this.tag(flagsTag.next, end);
    if (dimsTag.type !== MI_INT32) throw new Malformed(`dimensions missing at byte ${flagsTag.next}`);
    const dims = Array.from(this.numbers(dimsTag));
    if (dims.length < 2 || dims.some((d) => d < 0 || !Number.isInteger(d))) throw new Malformed(`bad dimensions [${dims.join(', ')}]`);
    const nameTag = this.tag(dimsTag.next, end);
    if (nameTag.type !== MI_INT8 && nameTag.type !== MI_UINT8) throw new Malformed(`array name missing at byte ${dimsTag.next}`);
    const name = this.text(nameTag);
    const count = dims.reduce((a, b) => a * b, 1);
    let off = nameTag.next;

    const numeric = NUMERIC_CLASSES[cls];
    if (numeric) {
      const realTag = this.tag(off, end);
      const data = this.numbers(realTag);
      if (data.length !== count) throw new Malformed(`"${name}" has ${data.length} values for dimensions [${dims.join('x')}]`);
      let imag: Float64Array | null = null;
      if (complex) {
        const imagTag = this.tag(realTag.next, end);
        imag = this.numbers(imagTag);
        if (imag.length !== count) throw new Malformed(`"${name}" has ${imag.length} imaginary values for dimensions [${dims.join('x')}]`);
      }
      return { type: 'numeric', name, dims, class: numeric, logical, data, imag };
    }
    if (cls === MX_CHAR) {
      const t = count === 0 && off >= end ? null : this.tag(off, end);
      let codes: number[] = [];
      if (t && t.nbytes > 0) {
        if (t.type === MI_UTF8 || t.type === MI_UINT8 || t.type === MI_INT8) {
          const s = t.type === MI_UTF8 ? this.buf.toString('utf8', t.dataOff, t.dataOff + t.nbytes) : this.buf.toString('latin1', t.dataOff, t.dataOff + t.nbytes);
          codes = Array.from(s, (c) => c.codePointAt(0)!);
        } else {
          codes = Array.from(this.numbers(t));
        }
      }
      if (codes.length !== count) throw new Malformed(`char array "${name}" has ${codes.length} characters for dimensions [${dims.join('x')}]`);
      const nRows = dims[0]!;
      const nCols = nRows ? count / nRows : 0;
      const rows: string[] = [];
      for (let i = 0; i < nRows; i++) {
        let s = '';
        for (let j = 0; j < nCols; j++) s += String.fromCodePoint(codes[i + j * nRows]!);
        rows.push(s);
      }
      return { type: 'char', name, dims, rows };
    }
    if (cls === MX_CELL) {
      const cells: MatArray[] = [];
      for (let i = 0; i < count; i++) {
        const t = this.tag(off, end);
        if (t.type !== MI_MATRIX) throw new Malformed(`cell "${name}" element ${i + 1} is not an array`);
        cells.push(this.matrix(t.dataOff, t.dataOff + t.nbytes));
        off = t.next;
      }
      return { type: 'cell', name, dims, cells };
    }
    if (cls === MX_STRUCT) {
      const lenTag = this.tag(off, end);
      const fieldLen = this.numbers(lenTag)[0] ?? 0;
      const namesTag = this.tag(lenTag.next, end);
      if (!fieldLen || namesTag.nbytes % fieldLen) throw new Malformed(`struct "${name}" has bad field names`);
      const fields: string[] = [];
      for (let p = 0; p < namesTag.nbytes; p += fieldLen) {
        fields.push(this.buf.toString('latin1', namesTag.dataOff + p, namesTag.dataOff + p + fieldLen).replace(/\0.*$/s, ''));
      }
      off = namesTag.next;
      const elements: Record<string, MatArray>[] = [];
      for (let i = 0; i < count; i++) {
        const rec: Record<string, MatArray> = {};
        for (const f of fields) {
          const t = this.tag(off, end);
          if (t.type !== MI_MATRIX) throw new Malformed(`struct "${name}" field "${f}" is not an array`);
          rec[f] = this.matrix(t.dataOff, t.dataOff + t.nbytes);
          off = t.next;
        }
        elements.push(rec);
      }
      return { type: 'struct', name, dims, fields, elements };
    }
    return { type: 'unsupported', name, dims, class: OTHER_CLASSES[cls] ?? `class ${cls}` };
  }
}

function badInput(file: string, message: string): AppError {
  return new AppError('bad_input', `${file} is not a readable MAT file: ${message}`);
}

/** Parses a MAT v5 file's bytes; `file` names it in error messages. */
export function parseMat(buf: Buffer, file = 'MAT file'): MatFile {
  if (buf.length >= 8 && buf.subarray(0, 8).equals(HDF5_SIGNATURE)) {
    throw new AppError('bad_input', `${file} is an HDF5 file (MATLAB -v7.3), which this reader does not read; re-save it with save(..., '-v7') in MATLAB or scipy.io.savemat`);
  }
  if (buf.length < 128) throw badInput(file, `only ${buf.length} bytes, shorter than the 128-byte MAT header`);
  const text = buf.toString('latin1', 0, 116);
  const hdf5At512 = buf.length >= 520 && buf.subarray(512, 520).equals(HDF5_SIGNATURE);
  if (text.startsWith('MATLAB 7.3') || hdf5At512) {
    throw new AppError('bad_input', `${file} is a MATLAB v7.3 (HDF5) MAT file, which this reader does not read; re-save it with save(..., '-v7') in MATLAB or scipy.io.savemat`);
  }
  if (!text.startsWith('MATLAB')) throw badInput(file, 'no "MATLAB 5.0 MAT-file" header (a MAT v4 file or not a MAT file at all)');
  const endian = buf.toString('latin1', 126, 128);
  if (endian !== 'IM' && endian !== 'MI') throw badInput(file, `bad endian indicator "${endian}"`);
  const top = new Reader(buf, endian === 'IM');
  const version = top.le ? buf.readUInt16LE(124) : buf.readUInt16BE(124);
  if (version !== 0x0100) throw badInput(file, `unknown version 0x${version.toString(16)}`);

  const vars: MatFile = new Map();
  const addFrom = (r: Reader, start: number, end: number, depth: number) => {
    let off = start;
    while (off < end) {
      if (end - off < 8) {
        if (r.buf.subarray(off, end).every((b) => b === 0)) break;
        throw new Malformed(`${end - off} stray bytes at the end`);
      }
      const t = r.tag(off, end);
      if (t.type === MI_COMPRESSED) {
        if (depth > 0) throw new Malformed('compressed element inside a compressed element');
        let inner: Buffer;
        try {
          inner = inflateSync(r.buf.subarray(t.dataOff, t.dataOff + t.nbytes));
        } catch (err) {
          throw new Malformed(`compressed variable at byte ${off} does not inflate (${(err as Error).message})`);
        }
        addFrom(new Reader(inner, r.le), 0, inner.length, depth + 1);
      } else if (t.type === MI_MATRIX) {
        const arr = r.matrix(t.dataOff, t.dataOff + t.nbytes);
        vars.set(arr.name, arr);
      }
      // Other top-level element types carry no variables; skip them.
      off = t.next;
    }
  };
  try {
    addFrom(top, 128, buf.length, 0);
  } catch (err) {
    if (err instanceof Malformed) throw badInput(file, err.message);
    if (err instanceof RangeError) throw badInput(file, `truncated data (${err.message})`);
    throw err;
  }
  return vars;
}

/** Reads (see label-file.ts) and parses a MAT v5 file; a missing file is a bad_input error naming it. */
export async function readMatFile(path: string, label = basename(path)): Promise<MatFile> {
  return parseMat(await readLabelFile(path, label), label);
}

/** The named variable, or a bad_input error listing the variables the file does have. */
export function matVariable(mat: MatFile, name: string, file: string): MatArray {
  const v = mat.get(name);
  if (!v) {
    throw new AppError('bad_input', `${file} has no variable "${name}"; it has: ${[...mat.keys()].map((k) => `"${k}"`).join(', ') || '(none)'}`);
  }
  return v;
}

function describe(a: MatArray): string {
  return `${a.type === 'numeric' ? a.class : a.type === 'unsupported' ? a.class : a.type} [${a.dims.join('x')}]`;
}

/** A numeric array's values in column-major order (a row or column vector in its order), or a cell of numeric scalars. */
export function matNumbers(a: MatArray, what: string): number[] {
  if (a.type === 'numeric') return Array.from(a.data);
  if (a.type === 'cell' && a.cells.every((c) => c.type === 'numeric' && c.data.length === 1)) {
    return a.cells.map((c) => (c as MatNumeric).data[0]!);
  }
  throw new AppError('bad_input', `${what} should be numeric but is ${describe(a)}`);
}

/** Strings from a cell of char arrays (column-major; nested 1x1 cells unwrapped) or the rows of a char matrix (trailing pad spaces removed). */
export function matStrings(a: MatArray, what: string): string[] {
  if (a.type === 'char') return a.rows.map((r) => r.replace(/ +$/, ''));
  if (a.type === 'cell') {
    return a.cells.map((c, i) => {
      let el: MatArray = c;
      while (el.type === 'cell' && el.cells.length === 1) el = el.cells[0]!;
      if (el.type === 'char' && el.rows.length <= 1) return el.rows[0] ?? '';
      if (el.type === 'numeric' && el.data.length === 0) return '';
      throw new AppError('bad_input', `${what}: element ${i + 1} should be a string but is ${describe(el)}`);
    });
  }
  throw new AppError('bad_input', `${what} should be a cell array of strings but is ${describe(a)}`);
}

// MAT v5 reader against files written by scipy.io.savemat (plain and compressed), plus v7.3, truncated and non-MAT files refused clearly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matNumbers, matStrings, matVariable, parseMat, readMatFile, type MatArray } from '../../../src-main/datasets/importers/mat5';
import { FIXTURES } from '../../helpers/fixture-copy';

const dir = join(FIXTURES, 'datasets/mat5');
const load = (name: string) => parseMat(readFileSync(join(dir, name)), name);

function numeric(a: MatArray | undefined) {
  if (a?.type !== 'numeric') throw new Error(`expected numeric, got ${a?.type}`);
  return a;
}

describe('MAT v5 reader', () => {
  const mat = load('basic.mat');

  it('reads every variable scipy wrote, by name', () => {
    expect([...mat.keys()].sort()).toEqual(
      ['cplx', 'charmat', 'col', 'empty', 'f32', 'flags', 'i16', 'i64', 'mat', 'name', 'names', 'colnames', 'row', 's', 'scalar', 'u32', 'u8'].sort(),
    );
  });

  it('keeps row and column vectors apart by their dims, values in order', () => {
    const row = numeric(mat.get('row'));
    expect(row).toMatchObject({ class: 'double', dims: [1, 3], logical: false, imag: null });
    expect(Array.from(row.data)).toEqual([1.5, -2.25, 3]);
    const col = numeric(mat.get('col'));
    expect(col.dims).toEqual([4, 1]);
    expect(matNumbers(col, 'col')).toEqual([10, 20, 30, 40]);
    expect(matNumbers(mat.get('scalar')!, 'scalar')).toEqual([42]);
  });

  it('stores matrices column-major', () => {
    const m = numeric(mat.get('mat'));
    expect(m.dims).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('reads integer, single, logical and complex classes', () => {
    expect(numeric(mat.get('i16'))).toMatchObject({ class: 'int16' });
    expect(matNumbers(mat.get('i16')!, 'i16')).toEqual([-1, 2, 300]);
    expect(matNumbers(mat.get('u8')!, 'u8')).toEqual([0, 255]);
    expect(matNumbers(mat.get('i64')!, 'i64')).toEqual([-(2 ** 40), 2 ** 40]);
    expect(matNumbers(mat.get('u32')!, 'u32')).toEqual([4000000000]);
    expect(numeric(mat.get('f32'))).toMatchObject({ class: 'single' });
    expect(matNumbers(mat.get('f32')!, 'f32')).toEqual([0.5, 1.25]);
    const flags = numeric(mat.get('flags'));
    expect(flags.logical).toBe(true);
    expect(Array.from(flags.data)).toEqual([1, 0, 1]);
    const c = numeric(mat.get('cplx'));
    expect(Array.from(c.data)).toEqual([1, -0]); // numpy writes -3.5j with a real part of -0
    expect(Array.from(c.imag!)).toEqual([2, -3.5]);
  });

  it('reads a char row, a char matrix and cell arrays of strings (row and column)', () => {
    expect(mat.get('name')).toMatchObject({ type: 'char', dims: [1, 5], rows: ['hello'] });
    expect(mat.get('charmat')).toMatchObject({ type: 'char', dims: [3, 3], rows: ['abc', 'de ', 'fgh'] });
    expect(matStrings(mat.get('charmat')!, 'charmat')).toEqual(['abc', 'de', 'fgh']);
    expect(mat.get('names')).toMatchObject({ type: 'cell', dims: [1, 3] });
    expect(matStrings(mat.get('names')!, 'names')).toEqual(['img1.bmp', 'caps.bmp', 'ünï.bmp']);
    expect(mat.get('colnames')!.dims).toEqual([3, 1]);
    expect(matStrings(mat.get('colnames')!, 'colnames')).toEqual(['a.png', 'bb.png', 'ccc.png']);
  });

  it('reads structs and empty arrays', () => {
    const s = mat.get('s');
    expect(s?.type).toBe('struct');
    if (s?.type !== 'struct') return;
    expect(s.fields).toEqual(['a', 'b']);
    expect(matNumbers(s.elements[0]!.a!, 's.a')).toEqual([1]);
    expect(matStrings(s.elements[0]!.b!, 's.b')).toEqual(['text']);
    expect(numeric(mat.get('empty')).dims).toEqual([0, 0]);
  });

  it('inflates compressed variables', () => {
    const c = load('compressed.mat');
    const vec = numeric(c.get('vec'));
    expect(vec.dims).toEqual([1, 500]);
    expect(vec.data[499]).toBe(249.5);
    expect(matStrings(c.get('names')!, 'names')).toHaveLength(40);
    expect(matStrings(c.get('names')!, 'names')[39]).toBe('img40.bmp');
    expect(Array.from(numeric(c.get('mat')).data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('names the missing variable and lists the ones present', () => {
    expect(() => matVariable(mat, 'dmos_new', 'basic.mat')).toThrow(/basic.mat has no variable "dmos_new"; it has: "row"/);
  });

  it('refuses the wrong kind of array for numbers or strings', () => {
    expect(() => matNumbers(mat.get('names')!, 'labels')).toThrow(/labels should be numeric but is cell \[1x3\]/);
    expect(() => matStrings(mat.get('row')!, 'names')).toThrow(/names should be a cell array of strings but is double \[1x3\]/);
  });

  it('refuses v7.3 (HDF5), v4, truncated, corrupt and missing files with a clear bad_input error', async () => {
    const header = Buffer.alloc(600);
    header.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .', 0, 'latin1');
    Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 512);
    expect(() => parseMat(header, 'v73.mat')).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/v73.mat is a MATLAB v7.3 \(HDF5\)/) }));
    expect(() => parseMat(Buffer.alloc(200), 'v4.mat')).toThrow(/v4.mat is not a readable MAT file: no "MATLAB 5.0 MAT-file" header/);
    expect(() => parseMat(Buffer.from('MATLAB'), 'short.mat')).toThrow(/shorter than the 128-byte MAT header/);
    const full = readFileSync(join(dir, 'basic.mat'));
    expect(() => parseMat(full.subarray(0, full.length - 100), 'cut.mat')).toThrow(/cut.mat is not a readable MAT file/);
    const compressed = Buffer.from(readFileSync(join(dir, 'compressed.mat')));
    compressed.fill(0x55, 140, 180);
    expect(() => parseMat(compressed, 'bad.mat')).toThrow(/bad.mat is not a readable MAT file: compressed variable .* does not inflate/);
    await expect(readMatFile(join(dir, 'nope.mat'))).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(/Missing file: .*nope.mat/) });
  });
});

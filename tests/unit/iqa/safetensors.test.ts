// The safetensors reader/writer: round trips, F16/BF16/I64 decoding on known bit patterns, and every malformed-file error.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src-shared/api/errors';
import { encodeSafetensors, f16ToF32, numberToF16, parseSafetensors, readSafetensors, writeSafetensors } from '../../../src-main/iqa/weights/safetensors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'safetensors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A raw file: u64 header length (overridable), header text, data bytes. */
function rawFile(header: unknown, data: Uint8Array, opts: { headerLen?: bigint } = {}): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, opts.headerLen ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function u16le(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  values.forEach((v, i) => new DataView(b.buffer).setUint16(i * 2, v, true));
  return b;
}

async function writeRaw(name: string, bytes: Uint8Array): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return p;
}

/** Expects a bad_input AppError whose message matches. */
async function expectBad(bytes: Uint8Array, message: RegExp, name: string): Promise<void> {
  const p = await writeRaw(name, bytes);
  const err = await readSafetensors(p).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `${name} should be refused`).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('bad_input');
  expect((err as AppError).message).toMatch(message);
}

describe('safetensors round trip', () => {
  it('writes and reads F32 and I64 tensors, ignoring metadata', async () => {
    const p = path.join(dir, 'round.safetensors');
    const w = Float32Array.from({ length: 24 }, (_, i) => (i - 12) / 7);
    await writeSafetensors(
      p,
      {
        'layer.weight': { dtype: 'F32', shape: [2, 3, 4], data: w },
        'layer.bias': { dtype: 'F32', shape: [3], data: [0.5, -1.25, 3e-8] },
        scalar: { dtype: 'F32', shape: [], data: [42] },
        steps: { dtype: 'I64', shape: [], data: BigInt64Array.from([9007199254740993n]) },
        ids: { dtype: 'I64', shape: [3], data: [-1, 0, 123456789] },
        empty: { dtype: 'F32', shape: [0, 5], data: [] },
      },
      { format: 'pt', note: 'test' },
    );
    const t = await readSafetensors(p);
    expect([...t.keys()].sort()).toEqual(['empty', 'ids', 'layer.bias', 'layer.weight', 'scalar', 'steps']);
    expect(t.get('layer.weight')).toEqual({ dtype: 'F32', shape: [2, 3, 4], data: w });
    expect(t.get('layer.bias')!.data).toEqual(Float32Array.from([0.5, -1.25, 3e-8]));
    expect(t.get('scalar')).toEqual({ dtype: 'F32', shape: [], data: Float32Array.from([42]) });
    expect(t.get('steps')!.data).toEqual(BigInt64Array.from([9007199254740993n]));
    expect(t.get('ids')!.data).toEqual(BigInt64Array.from([-1n, 0n, 123456789n]));
    expect(t.get('empty')!.data).toEqual(new Float32Array(0));
  });

  it('writes F16 tensors that read back as the nearest half', () => {
    const t = parseSafetensors(encodeSafetensors({ h: { dtype: 'F16', shape: [4], data: [1, -2.5, 0.1, 7e4] } })).get('h')!;
    expect(t.dtype).toBe('F16');
    expect(Array.from(t.data as Float32Array)).toEqual([1, -2.5, f16ToF32(0x2e66), Infinity]);
  });

  it('encodes every half exactly, and rounds other numbers to the nearest half, ties to even', () => {
    const wrong: string[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const v = f16ToF32(h);
      const back = numberToF16(v);
      if (Number.isNaN(v) ? !Number.isNaN(f16ToF32(back)) : back !== h) wrong.push(`0x${h.toString(16)} -> 0x${back.toString(16)}`);
    }
    expect(wrong).toEqual([]);
    // Halfway between two halves: ties go to the even mantissa (1 + 2^-11 -> 1; 1 + 3 * 2^-11 -> 1 + 2^-9).
    expect(numberToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(numberToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(numberToF16(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c01);
    // Subnormals, the carry into the smallest normal, and overflow (65520 is the tie that rounds to infinity).
    expect(numberToF16(2 ** -25)).toBe(0x0000);
    expect(numberToF16(3 * 2 ** -25)).toBe(0x0002);
    expect(numberToF16(2 ** -14 - 2 ** -26)).toBe(0x0400);
    expect(numberToF16(65519.9)).toBe(0x7bff);
    expect(numberToF16(65520)).toBe(0x7c00);
    expect(numberToF16(-1e9)).toBe(0xfc00);
  });

  it('pads the header so the data section is 8-byte aligned', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'F32', shape: [1], data: [1] } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(bytes.byteLength).toBe(8 + n + 4);
  });

  it('refuses to write data that does not fill its shape', () => {
    expect(() => encodeSafetensors({ a: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } })).toThrow(/3 values but shape \[2, 2\] holds 4/);
  });
});

describe('safetensors decoding', () => {
  it('decodes F16 on known bit patterns', () => {
    const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x8000, 0x7c00, 0xfc00, 0x7e00];
    const want = [1, -2, 65504, 2 ** -24, 2 ** -14, 0.333251953125, -0, Infinity, -Infinity, NaN];
    const t = parseSafetensors(rawFile({ h: { dtype: 'F16', shape: [10], data_offsets: [0, 20] } }, u16le(bits))).get('h')!;
    expect(t.dtype).toBe('F16');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data as Float32Array)).toEqual(want);
    expect(Object.is((t.data as Float32Array)[6], -0)).toBe(true);
    expect(f16ToF32(0x3800)).toBe(0.5);
  });

  it('decodes BF16 on known bit patterns', () => {
    const bits = [0x3f80, 0xc040, 0x4049, 0x0000, 0x7f80, 0x3c00];
    const want = [1, -3, 3.140625, 0, Infinity, 2 ** -7];
    const t = parseSafetensors(rawFile({ b: { dtype: 'BF16', shape: [2, 3], data_offsets: [0, 12] } }, u16le(bits))).get('b')!;
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual(want);
  });

  it('decodes I64, I32 and unaligned F32 data', () => {
    const data = new Uint8Array(1 + 8 + 4 + 4);
    const dv = new DataView(data.buffer);
    dv.setBigInt64(1, -5n, true);
    dv.setInt32(9, -7, true);
    dv.setFloat32(13, 1.5, true);
    const t = parseSafetensors(
      rawFile(
        {
          __metadata__: { format: 'pt' },
          pad: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
          n: { dtype: 'I64', shape: [], data_offsets: [1, 9] },
          i: { dtype: 'I32', shape: [1], data_offsets: [9, 13] },
          f: { dtype: 'F32', shape: [1, 1], data_offsets: [13, 17] },
        },
        data,
      ),
    );
    expect(t.get('n')!.data).toEqual(BigInt64Array.from([-5n]));
    expect(t.get('i')!.data).toEqual(Int32Array.from([-7]));
    expect(t.get('f')!.data).toEqual(Float32Array.from([1.5]));
    expect(t.has('__metadata__')).toBe(false);
  });
});

describe('malformed safetensors files', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);

  it('refuses a file shorter than the length prefix', async () => {
    await expectBad(new Uint8Array([1, 2, 3]), /too short/, 'short.safetensors');
  });

  it('refuses an absurd header length', async () => {
    await expectBad(rawFile(ok, data8, { headerLen: 2n ** 40n }), /header length \d+ is absurd/, 'absurd.safetensors');
    await expectBad(rawFile(ok, data8, { headerLen: 0xffffffffffffffffn }), /is absurd/, 'huge.safetensors');
  });

  it('refuses a header longer than the file', async () => {
    await expectBad(rawFile(ok, data8, { headerLen: 5000n }), /header length 5000 is larger than the file \(\d+ bytes\)/, 'longheader.safetensors');
  });

  it('refuses a header that is not JSON', async () => {
    await expectBad(rawFile('{"a": {"dtype": "F32", ', data8), /not valid JSON/, 'json.safetensors');
    await expectBad(rawFile('[1, 2]', data8), /not a JSON object/, 'array.safetensors');
  });

  it('refuses offsets outside the data section', async () => {
    await expectBad(
      rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data8),
      /"a" data_offsets \[0, 16\] lie outside the data section \(8 bytes\)/,
      'outside.safetensors',
    );
    await expectBad(rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, data8), /"a" has invalid data_offsets/, 'reversed.safetensors');
    await expectBad(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } }, data8), /invalid data_offsets/, 'negative.safetensors');
  });

  it('refuses an unknown dtype', async () => {
    await expectBad(rawFile({ a: { dtype: 'F8_E9M9', shape: [8], data_offsets: [0, 8] } }, data8), /"a" has unknown dtype "F8_E9M9"/, 'dtype.safetensors');
  });

  it('refuses a byte span that does not match shape x dtype', async () => {
    await expectBad(
      rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8),
      /"a" spans 8 bytes but shape \[3\] of F32 needs 12/,
      'size.safetensors',
    );
    await expectBad(rawFile({ a: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, data8), /invalid shape/, 'shape.safetensors');
  });

  it('refuses overlapping tensors', async () => {
    await expectBad(
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        data8,
      ),
      /"a" and "b" overlap/,
      'overlap.safetensors',
    );
  });
});

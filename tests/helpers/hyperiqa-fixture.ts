// Regenerates the HyperIQA parity fixture's weights from tests/fixtures/hyperiqa-parity/recipe.json (the generator is
// make.py's counter-based one, written again here) and writes them as an F16 .safetensors file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { f16ToF32, numberToF16, writeSafetensors, type SafeTensorInput } from '../../src-main/iqa/weights/safetensors';
import { REPO_ROOT } from './serve-process';

export const HYPERIQA_PARITY_DIR = join(REPO_ROOT, 'tests', 'fixtures', 'hyperiqa-parity');

interface RecipeEntry {
  name: string;
  shape: number[];
  dtype: 'F16' | 'I64';
  /** A generator rule: offset + k * 2^exp, k from counterInts(stream, count, span)... */
  span?: number;
  exp?: number;
  offset?: number;
  /** ...or stored values, little-endian F16 in base64 (the batch-norm running statistics make.py measured). */
  f16le?: string;
}

export interface ParityExpected {
  scores: Record<string, number>;
  weightsSha256: string;
}

export function parityExpected(): ParityExpected {
  return JSON.parse(readFileSync(join(HYPERIQA_PARITY_DIR, 'expected.json'), 'utf8')) as ParityExpected;
}

/** murmur3's 32-bit finaliser. */
export function mix32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Integers k in [-span/2, span/2): mix32(index + stream * 0x9E3779B9) mod span, minus span/2 (make.py's counter_ints). */
export function counterInts(stream: number, count: number, span: number): Int32Array {
  const base = Math.imul(stream, 0x9e3779b9) >>> 0;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = (mix32(base + i) % span) - span / 2;
  return out;
}

/**
 * Writes the fixture's state dict to `dir`/weights.safetensors (F16 values, I64 num_batches_tracked) and returns its
 * path with the SHA-256 of the F16 data in recipe order, which make.py records in expected.json.
 */
export async function writeParityWeights(dir: string): Promise<{ path: string; sha256: string }> {
  const recipe = JSON.parse(readFileSync(join(HYPERIQA_PARITY_DIR, 'recipe.json'), 'utf8')) as { tensors: RecipeEntry[] };
  const tensors: Record<string, SafeTensorInput> = {};
  const digest = createHash('sha256');
  recipe.tensors.forEach((t, stream) => {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.dtype === 'I64') {
      tensors[t.name] = { dtype: 'I64', shape: t.shape, data: new BigInt64Array(count) };
      return;
    }
    const values = new Float64Array(count);
    const halves = new Uint16Array(count);
    if (t.f16le !== undefined) {
      const bytes = Buffer.from(t.f16le, 'base64');
      for (let i = 0; i < count; i++) {
        halves[i] = bytes.readUInt16LE(i * 2);
        values[i] = f16ToF32(halves[i]!);
      }
    } else {
      const k = counterInts(stream, count, t.span!);
      const step = 2 ** t.exp!;
      for (let i = 0; i < count; i++) {
        values[i] = t.offset! + k[i]! * step;
        halves[i] = numberToF16(values[i]!);
      }
    }
    digest.update(new Uint8Array(halves.buffer));
    tensors[t.name] = { dtype: 'F16', shape: t.shape, data: values };
  });
  const path = join(dir, 'weights.safetensors');
  await writeSafetensors(path, tensors);
  return { path, sha256: digest.digest('hex') };
}

// A scoring graph's int8 version, built once and cached beside the fp32 one: calibrated on crops of three bundled demo photos, kept only when its crop scores on the other three (sharp, blurred, JPEG-damaged) rank as the fp32 graph's do.
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { resourcesDir } from '../../app/paths';
import { extractPatches, uniformGrid } from '../../imaging/patches';
import { srcc } from '../../../src-shared/metrics/correlation';
import type { InputProtocol } from '../models/model';
import { IO } from './builder';
import { createSession, floatTensor } from './engine';
import { cachedGraph, graphKey, type CachedGraph, type GraphKeyParts } from './graph-cache';
import { quantizeGraph, type Ranges } from './quantize';

/** The int8 graph must rank the validation crops as fp32 does at least this well (Spearman), else fp32 runs. */
export const INT8_MIN_AGREEMENT = 0.995;
const CROPS_PER_PHOTO = 9;
const RUN = 4;

class Refused extends Error {}

/** Crops (the model's protocol) of half the demo photos; the validation half also as a blurred and a JPEG-q10 copy. */
async function demoCrops(protocol: InputProtocol, which: 'calibration' | 'validation'): Promise<{ data: Float32Array; count: number }> {
  const dir = join(resourcesDir(), 'demo');
  const photos = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const half = Math.ceil(photos.length / 2);
  const chosen = which === 'calibration' ? photos.slice(0, half) : photos.slice(half);
  const inputs: (string | Buffer)[] = [];
  for (const f of chosen) {
    const path = join(dir, f);
    inputs.push(path);
    if (which === 'validation') {
      inputs.push(await sharp(path).blur(2).jpeg({ quality: 95 }).toBuffer(), await sharp(path).jpeg({ quality: 10 }).toBuffer());
    }
  }
  const batches = [];
  for (const input of inputs) {
    const p = protocol.patch;
    batches.push(await extractPatches(input, { patch: p, imagenet: protocol.imagenet, ...(protocol.resize ? { resize: protocol.resize } : {}), positions: (w, h) => uniformGrid(w, h, p, CROPS_PER_PHOTO) }));
  }
  const size = protocol.patch * protocol.patch * 3;
  const data = new Float32Array(batches.length * CROPS_PER_PHOTO * size);
  batches.forEach((b, i) => data.set(b.data, i * CROPS_PER_PHOTO * size));
  return { data, count: batches.length * CROPS_PER_PHOTO };
}

/** Runs `model` on the crops RUN at a time; `each` gets every run's outputs. */
async function runCrops(model: Uint8Array, crops: { data: Float32Array; count: number }, patch: number, each: (out: Record<string, { data: Float32Array }>) => void): Promise<void> {
  const session = await createSession(model);
  const size = patch * patch * 3;
  try {
    for (let i = 0; i < crops.count; i += RUN) {
      const n = Math.min(RUN, crops.count - i);
      each(await session.run({ [IO.patches]: floatTensor(crops.data.subarray(i * size, (i + n) * size), [n, patch, patch, 3]) }));
    }
  } finally {
    await session.release();
  }
}

async function scoresOf(model: Uint8Array, crops: { data: Float32Array; count: number }, patch: number): Promise<number[]> {
  const out: number[] = [];
  await runCrops(model, crops, patch, (o) => out.push(...o[IO.scores]!.data));
  return out;
}

/** The int8 graph and how well its crop scores on the held-out demo photos rank as fp32's (Spearman). */
export async function quantizeForScoring(fp32: Uint8Array, protocol: InputProtocol): Promise<{ bytes: Uint8Array; agreement: number }> {
  const calibration = await demoCrops(protocol, 'calibration');
  const { bytes } = await quantizeGraph(fp32, async (model, names) => {
    const ranges: Ranges = new Map(names.map((n) => [n, { min: Infinity, max: -Infinity }]));
    await runCrops(model, calibration, protocol.patch, (out) => {
      for (const n of names) {
        const r = ranges.get(n)!;
        const d = out[n]!.data;
        let lo = r.min;
        let hi = r.max;
        for (let i = 0; i < d.length; i++) {
          const v = d[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        r.min = lo;
        r.max = hi;
      }
    });
    return ranges;
  });
  const validation = await demoCrops(protocol, 'validation');
  return { bytes, agreement: srcc(await scoresOf(fp32, validation, protocol.patch), await scoresOf(bytes, validation, protocol.patch)) };
}

/** Quantises and validates; throws Refused with the measured agreement when int8 would change the ranking. */
async function buildInt8(fp32: Uint8Array, protocol: InputProtocol): Promise<Uint8Array> {
  const { bytes, agreement } = await quantizeForScoring(fp32, protocol);
  if (!(agreement >= INT8_MIN_AGREEMENT)) throw new Refused(`its crop scores rank as fp32's with Spearman ${agreement.toFixed(4)} < ${INT8_MIN_AGREEMENT} on held-out photos`);
  return bytes;
}

/** The cached int8 graph for `key`, or why there is none (the refusal is remembered beside the graphs too). */
export async function int8Graph(dir: string, key: GraphKeyParts, fp32: Uint8Array, protocol: InputProtocol): Promise<{ graph: CachedGraph | null; refused?: string }> {
  const refusal = join(dir, 'onnx', `${key.kind}-${graphKey(key)}.refused.json`);
  const known = await readFile(refusal, 'utf8').then((t) => (JSON.parse(t) as { reason: string }).reason, () => null);
  if (known) return { graph: null, refused: known };
  try {
    return { graph: await cachedGraph(dir, key, () => buildInt8(fp32, protocol)) };
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    await mkdir(join(dir, 'onnx'), { recursive: true }).then(() => writeFile(refusal, JSON.stringify({ reason: err.message }))).catch(() => undefined);
    return { graph: null, refused: err.message };
  }
}

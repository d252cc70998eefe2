// A scoring graph's int8 version, built once and cached beside the fp32 one: calibrated on crops of three bundled demo photos, kept only when its SRCC on synthetic distortions of the other three moves by less than 0.005 from fp32's.
import { readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { resourcesDir } from '../../app/paths';
import { buildSyntheticSet } from '../../imaging/synth/build-synthetic';
import { extractPatches, uniformGrid } from '../../imaging/patches';
import { srcc } from '../../../src-shared/metrics/correlation';
import type { InputProtocol } from '../models/model';
import { IO } from './builder';
import { createSession, floatTensor } from './engine';
import { cachedGraph, graphKey, type CachedGraph, type GraphKeyParts } from './graph-cache';
import { quantizeGraph, type Ranges } from './quantize';

/** int8 is offered only where the held-out SRCC moves by less than this from fp32's (issue 20). */
export const INT8_MAX_SRCC_SHIFT = 0.005;
const CALIBRATION_CROPS = 9;
/** Crops per held-out image in the SRCC check (fewer than a model's test crops keeps the check short). */
const GATE_CROPS = 4;
const RUN = 4;

class Refused extends Error {}

/** The demo photos, split: the first half calibrates, the second half checks the SRCC. */
function demoPhotos(): { calibration: string[]; validation: string[] } {
  const dir = join(resourcesDir(), 'demo');
  const photos = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => join(dir, f));
  const half = Math.ceil(photos.length / 2);
  return { calibration: photos.slice(0, half), validation: photos.slice(half) };
}

/** CALIBRATION_CROPS grid crops (the model's protocol) of each calibration photo. */
async function demoCrops(protocol: InputProtocol): Promise<{ data: Float32Array; count: number }> {
  const p = protocol.patch;
  const batches = [];
  for (const input of demoPhotos().calibration) {
    batches.push(await extractPatches(input, { patch: p, imagenet: protocol.imagenet, ...(protocol.resize ? { resize: protocol.resize } : {}), positions: (w, h) => uniformGrid(w, h, p, CALIBRATION_CROPS) }));
  }
  const size = p * p * 3;
  const data = new Float32Array(batches.length * CALIBRATION_CROPS * size);
  batches.forEach((b, i) => data.set(b.data, i * CALIBRATION_CROPS * size));
  return { data, count: batches.length * CALIBRATION_CROPS };
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


/** Per-image scores (mean over the first crops of the grid) of a held-out synthetic set through `model`. */
async function imageScores(model: Uint8Array, images: Float32Array[], crops: number, patch: number): Promise<number[]> {
  const session = await createSession(model);
  try {
    const out: number[] = [];
    for (const x of images) {
      const s = (await session.run({ [IO.patches]: floatTensor(x, [crops, patch, patch, 3]) }))[IO.scores]!.data;
      out.push(s.reduce((a, b) => a + b, 0) / crops);
    }
    return out;
  } finally {
    await session.release();
  }
}

/**
 * The int8 graph and its SRCC beside fp32's on a held-out set: synthetic distortions (pseudo-MOS, long side 512) of
 * the demo photos the calibration does not see, GATE_CROPS grid crops per image.
 */
export async function quantizeForScoring(fp32: Uint8Array, protocol: InputProtocol): Promise<{ bytes: Uint8Array; srccFp32: number; srccInt8: number; images: number }> {
  const calibration = await demoCrops(protocol);
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
  const work = await mkdtemp(join(tmpdir(), 'iqa-int8-gate-'));
  try {
    const src = join(work, 'photos');
    await mkdir(src);
    for (const f of demoPhotos().validation) await copyFile(f, join(src, basename(f)));
    const synth = await buildSyntheticSet({ sourceDir: src, outDir: join(work, 'synth'), maxSide: 512, perImage: 4, seed: 1 });
    const p = protocol.patch;
    const crops = Math.min(GATE_CROPS, protocol.testCrops);
    const images: Float32Array[] = [];
    for (const r of synth.rows) {
      const b = await extractPatches(join(synth.root, r.distName), { patch: p, imagenet: protocol.imagenet, ...(protocol.resize ? { resize: protocol.resize } : {}), positions: (w, h) => uniformGrid(w, h, p, crops) });
      images.push(b.data);
    }
    const mos = synth.rows.map((r) => r.mos);
    const srccFp32 = srcc(await imageScores(fp32, images, crops, p), mos);
    const srccInt8 = srcc(await imageScores(bytes, images, crops, p), mos);
    return { bytes, srccFp32, srccInt8, images: images.length };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Quantises and checks; throws Refused with the measured SRCCs when int8 moves the held-out SRCC by INT8_MAX_SRCC_SHIFT or more. */
async function buildInt8(fp32: Uint8Array, protocol: InputProtocol): Promise<Uint8Array> {
  const { bytes, srccFp32, srccInt8, images } = await quantizeForScoring(fp32, protocol);
  if (!(Math.abs(srccInt8 - srccFp32) < INT8_MAX_SRCC_SHIFT)) {
    throw new Refused(`on ${images} held-out images its SRCC is ${srccInt8.toFixed(4)} against fp32's ${srccFp32.toFixed(4)} (a shift of ${INT8_MAX_SRCC_SHIFT} or more)`);
  }
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

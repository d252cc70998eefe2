// Scores images with a model: weights from a run checkpoint, an imported file or the shipped model; crops per protocol; run on ONNX Runtime, else tfjs.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { resourcesDir } from '../../app/paths';
import { seededRandom } from '../../util/random';
import { decodeForModel, extractPatches, randomCrops, uniformGrid, type PatchBatch } from '../../imaging/patches';
import { FIXED_GAIN } from '../../imaging/abs-map-scale';
import type { InputProtocol, IqaModel, ModelSpec } from '../models/model';
import { currentBackend } from '../backend';
import { currentInference, initInference } from '../onnx/engine';
import { buildGraph, NoGraph } from '../onnx/build-graph';
import { cachedGraph, sharedGraphDir, type GraphKeyParts } from '../onnx/graph-cache';
import { openMapsRunner } from '../onnx/maps-runner';
import { openPatchRunner } from '../onnx/patch-runner';
import { int8Graph } from '../onnx/int8-graph';
import { QUANTIZER_VERSION } from '../onnx/quantize';
import { getModel, outputToLabels } from '../registry';
import { meanPrediction } from './predict';

export { SCORE_CHUNK } from './predict';
import { assignWeights, loadCheckpoint, readCheckpointMeta, type LabelSpace } from '../train/checkpoint';
import { QUALITY_MODEL_FILE, QUALITY_MODEL_ID } from '../quality/model';
import { loadQualityScorer } from './quality-scorer';
import { isPatchBatch, type CropMode, type WeightsSource, type ImageScore, type PreparedImage, type HallucinationMaps, type MapsOptions, type ScorerEngine, type Scorer } from './scorer-types';

/** Whole images larger than this (per side) are scaled down before hallucinating, to bound memory. */
const MAP_MAX_SIDE = 512;

export { isPatchBatch };
export type { CropMode, WeightsSource, ImageScore, PreparedImage, Scorer };

/** The shipped model of `modelId`, if the app bundles one (resources/models/<id>/). */
export function shippedCheckpoint(modelId: string): string | null {
  const dir = join(resourcesDir(), 'models', modelId);
  if (modelId === QUALITY_MODEL_ID) return existsSync(QUALITY_MODEL_FILE()) ? dir : null;
  return existsSync(join(dir, 'weights.json')) ? dir : null;
}

/** Where a scorer's weights come from, resolved: what is known before any weight is read, and how to build the model. */
export interface ResolvedWeights {
  spec: ModelSpec;
  config: Record<string, unknown>;
  labels: LabelSpace | null;
  source: string;
  /** A hash of the weights (for the graph cache) and the folder whose onnx/ keeps the graphs. */
  weightsHash: string;
  cacheDir: string;
  /** Builds the tfjs model with these weights (the caller disposes it). */
  load(): Promise<IqaModel>;
}

export async function resolveWeights(src: WeightsSource): Promise<ResolvedWeights> {
  if (src.checkpoint) {
    const checkpoint = src.checkpoint;
    const { meta, sha256 } = await readCheckpointMeta(checkpoint);
    if (src.model && src.model !== meta.modelId) {
      throw new AppError('bad_input', `Checkpoint ${checkpoint} holds a ${meta.modelId} model, not ${src.model}`);
    }
    const spec = getModel(meta.modelId);
    const config = spec.configSchema.parse(meta.modelConfig) as Record<string, unknown>;
    return {
      spec, config, labels: meta.labels ?? null, source: checkpoint, weightsHash: sha256, cacheDir: checkpoint,
      async load() {
        const ckpt = await loadCheckpoint(checkpoint);
        const model = spec.create(config, 1);
        try {
          assignWeights(model, ckpt.weights);
          return model;
        } catch (err) {
          model.dispose();
          throw err;
        } finally {
          tf.dispose(Object.values(ckpt.weights));
          for (const list of ckpt.optimizer.values()) tf.dispose(list.map((t) => t.tensor));
        }
      },
    };
  }
  if (src.weights) {
    const file = src.weights;
    const spec = getModel(src.model ?? 'hyperiqa');
    const importWeights = spec.importWeights;
    if (!importWeights) throw new AppError('validation', `Model "${spec.id}" cannot import external weight files; use a checkpoint`);
    const config = spec.configSchema.parse(src.modelConfig ?? {}) as Record<string, unknown>;
    let hash: string;
    try {
      hash = createHash('sha256').update(await readFile(file)).digest('hex');
    } catch (err) {
      throw new AppError('bad_input', `Cannot read weights ${file}: ${(err as Error).message}`);
    }
    return {
      spec, config, labels: null, source: file, weightsHash: hash, cacheDir: sharedGraphDir(),
      async load() {
        const model = spec.create(config, 1);
        try {
          await importWeights(model, file);
          return model;
        } catch (err) {
          model.dispose();
          throw err;
        }
      },
    };
  }
  const id = src.model ?? QUALITY_MODEL_ID;
  if (id === QUALITY_MODEL_ID) {
    throw new AppError('validation', `The default "${QUALITY_MODEL_ID}" model is gradient-boosted trees over measures computed in TypeScript, not a network with weights; name a network model (e.g. --model hyperiqa)`);
  }
  const shipped = shippedCheckpoint(id);
  if (!shipped) throw new AppError('validation', `No trained weights ship for "${id}"; pass --weights FILE, --checkpoint DIR or --run ID`);
  return resolveWeights({ ...src, model: id, checkpoint: shipped });
}

/** How a scorer runs its model on crops and on whole images (maps), whichever engine does it. */
interface ScorerCore {
  engine: ScorerEngine;
  /** The sum of the per-crop raw scores (the model's normalised space). */
  scoreSum(data: Float32Array, count: number, patch: number): Promise<number>;
  /** Reference and discrepancy for an NHWC [1, h, w, 3] image in [0,1]; null when the model does not hallucinate. */
  hallucinate: ((x: Float32Array, h: number, w: number) => Promise<{ reference: Float32Array; discrepancy: Float32Array }>) | null;
  /** What the sides of a hallucinated image must divide by. */
  mapMultiple: number;
  dispose(): void;
}

function tfjsCore(model: IqaModel, fallbackReason: string): ScorerCore {
  const hallucinate = model.hallucinate?.bind(model);
  const backend = currentBackend()?.name ?? tf.getBackend();
  return {
    engine: { name: 'tfjs', label: `tfjs ${backend}`, fallbackReason },
    scoreSum: async (data, count, patch) => meanPrediction(model, data, count, patch) * count,
    mapMultiple: model.mapMultiple ?? 1,
    hallucinate: hallucinate
      ? async (x, h, w) => {
          const input = tf.tensor4d(x, [1, h, w, 3]);
          const out = hallucinate(input);
          try {
            return { reference: out.reference.dataSync() as Float32Array, discrepancy: out.discrepancy.dataSync() as Float32Array };
          } finally {
            tf.dispose([input, out.reference, out.discrepancy]);
          }
        }
      : null,
    dispose: () => model.dispose(),
  };
}

/** The model's graphs on ONNX Runtime; throws NoGraph (or any build/session error) when it cannot run there. */
async function onnxCore(r: ResolvedWeights, protocol: InputProtocol, load: () => Promise<IqaModel>, int8: boolean): Promise<ScorerCore> {
  const builders = r.spec.onnx!;
  const key = (kind: string): GraphKeyParts => ({ modelId: r.spec.id, config: r.config, weights: r.weightsHash, kind, builderVersion: builders.version });
  const meta = (kind: string) => ({ modelId: r.spec.id, config: r.config, source: r.source, weightsHash: r.weightsHash, kind, builderVersion: builders.version, protocol, labels: r.labels });
  const graph = (kind: 'scores' | 'maps') => cachedGraph(r.cacheDir, key(kind), async () => buildGraph(r.spec, await load(), kind, r.config, meta(kind)));
  const fp32 = await graph('scores');
  let scores = fp32;
  let precision = '';
  if (int8) {
    const q = await int8Graph(r.cacheDir, { ...key('scores-int8'), config: { ...r.config, quantizer: QUANTIZER_VERSION } }, fp32.bytes, protocol);
    if (q.graph) scores = q.graph;
    precision = q.graph ? ' · int8' : ` · fp32 (int8 refused: ${q.refused})`;
  }
  const runner = await openPatchRunner(scores, protocol.patch, protocol.testCrops);
  let maps: Awaited<ReturnType<typeof openMapsRunner>> | null = null;
  try {
    if (builders.maps) maps = await openMapsRunner(await graph('maps'));
  } catch (err) {
    await runner.release();
    throw err;
  }
  const inf = currentInference()!;
  return {
    engine: { name: 'onnxruntime', label: `onnxruntime ${inf.version ?? ''} · ${inf.provider} · ${inf.threads} threads · batch ${runner.batch.batch}${precision}` },
    scoreSum: async (data, count, patch) => (await runner.scores(data, count, patch)).reduce((a, b) => a + b, 0),
    hallucinate: maps ? (x, h, w) => maps!.run(x, h, w) : null,
    mapMultiple: builders.maps?.multiple(r.config) ?? 1,
    dispose: () => {
      void runner.release();
      void maps?.release();
    },
  };
}

/**
 * A scorer for the weights: ONNX Runtime runs the model when the inference engine is ONNX Runtime and the model
 * builds its graphs (built once per checkpoint and cached beside it; the tfjs model is then not even created on later
 * loads); tfjs runs it otherwise, and the scorer says why.
 */
export async function loadScorer(src: WeightsSource): Promise<Scorer> {
  if (!src.checkpoint && !src.weights && (src.model ?? QUALITY_MODEL_ID) === QUALITY_MODEL_ID) return loadQualityScorer();
  const r = await resolveWeights(src);
  const { spec, config, labels, source } = r;
  if (spec.kind === 'translator') {
    throw new AppError('validation', `"${spec.id}" translates images and gives no quality score; score with a run of a scoring model (e.g. its SFTnet stage)`);
  }
  const protocol = spec.input(config);
  const model: { loading: Promise<IqaModel> | null } = { loading: null };
  const load = () => (model.loading ??= r.load());
  const inference = currentInference() ?? (await initInference());
  let core: ScorerCore;
  let reason: string;
  if (inference.engine !== 'onnxruntime') reason = inference.tried.find((t) => t.name === 'onnxruntime')?.reason ?? 'ONNX Runtime is not the inference engine';
  else if (!spec.onnx) reason = `${spec.id} has no ONNX graph builder`;
  else reason = '';
  if (!reason) {
    try {
      core = await onnxCore(r, protocol, load, src.precision === 'int8');
      if (model.loading) (await model.loading).dispose();
      return makeScorer(spec, config, protocol, source, labels, core);
    } catch (err) {
      // Weights that cannot be read fail the same way on tfjs: say so once, from there.
      reason = err instanceof NoGraph ? err.message : `ONNX Runtime failed: ${AppError.from(err).message}`;
    }
  }
  core = tfjsCore(await load(), reason);
  return makeScorer(spec, config, protocol, source, labels, core);
}

/** Crop buffers a scorer keeps for reuse: enough for the images in flight in scoreInOrder. */
const KEPT_BUFFERS = 4;

function makeScorer(spec: ModelSpec, config: Record<string, unknown>, protocol: InputProtocol, source: string, labels: LabelSpace | null, core: ScorerCore): Scorer {
  // A fresh 15 MB Float32Array per 25-crop photo cost more than cutting the crops (page faults and GC under load).
  const spare: Float32Array[] = [];
  const alloc = (length: number) => {
    const i = spare.findIndex((b) => b.length === length);
    return i >= 0 ? spare.splice(i, 1)[0]! : new Float32Array(length);
  };

  function prepare(path: string, crop: CropMode = { kind: 'grid' }): Promise<PatchBatch> {
    const p = protocol.patch;
    return extractPatches(path, {
      patch: p,
      ...(crop.kind !== 'none' && protocol.resize ? { resize: protocol.resize } : {}),
      imagenet: protocol.imagenet,
      alloc,
      positions: (w, h) => {
        if (crop.kind === 'none') {
          if (w !== p || h !== p) throw new AppError('bad_input', `--crop none needs a ${p}x${p} image for ${spec.id}; ${path} is ${w}x${h}`);
          return [{ x: 0, y: 0 }];
        }
        if (crop.kind === 'random') return randomCrops(w, h, p, crop.count ?? protocol.testCrops, seededRandom(crop.seed));
        return uniformGrid(w, h, p, crop.count ?? protocol.testCrops);
      },
    });
  }

  async function predict(prepared: PreparedImage): Promise<ImageScore> {
    if (!isPatchBatch(prepared)) throw new Error(`${spec.id} scores crops, not a whole photo`);
    const batch = prepared;
    const raw = (await core.scoreSum(batch.data, batch.count, batch.patch)) / batch.count;
    if (spare.length < KEPT_BUFFERS) spare.push(batch.data);
    const score = outputToLabels(raw, labels);
    return { score, crops: batch.count };
  }

  async function scoreFile(path: string, crop: CropMode = { kind: 'grid' }): Promise<ImageScore> {
    return predict(await prepare(path, crop));
  }

  const hallucinate = core.hallucinate;
  const maps = hallucinate
    ? async (path: string, opts: MapsOptions = {}): Promise<HallucinationMaps> => {
        // The generator is fully convolutional: run it on the whole image, cropped to a multiple of its stride.
        const m = core.mapMultiple;
        let rgb = await decodeForModel(path, protocol.resize);
        const scale = Math.min(1, MAP_MAX_SIDE / Math.max(rgb.width, rgb.height));
        if (scale < 1) rgb = await decodeForModel(path, { width: Math.round(rgb.width * scale), height: Math.round(rgb.height * scale) });
        const w = Math.floor(rgb.width / m) * m;
        const h = Math.floor(rgb.height / m) * m;
        if (!w || !h) throw new AppError('bad_input', `${path} is too small for ${spec.id}'s maps (sides must reach ${m}px)`);
        const x0 = Math.floor((rgb.width - w) / 2);
        const y0 = Math.floor((rgb.height - h) / 2);
        const x = new Float32Array(w * h * 3);
        for (let y = 0; y < h; y++) {
          for (let i = 0; i < w * 3; i++) x[y * w * 3 + i] = rgb.data[((y0 + y) * rgb.width + x0) * 3 + i]! / 255;
        }
        let alongside: Buffer | undefined;
        if (opts.alongside) {
          // The same decode, resize and scale as the distorted image; a differently sized file is fitted to it.
          let other = await decodeForModel(opts.alongside, protocol.resize);
          if (other.width !== rgb.width || other.height !== rgb.height) {
            other = await decodeForModel(opts.alongside, { width: rgb.width, height: rgb.height });
          }
          alongside = Buffer.alloc(w * h * 3);
          for (let y = 0; y < h; y++) other.data.copy(alongside, y * w * 3, ((y0 + y) * other.width + x0) * 3, ((y0 + y) * other.width + x0 + w) * 3);
        }
        const toBytes = (t: Float32Array, gain = 1) => Buffer.from(Uint8Array.from(t, (v) => Math.max(0, Math.min(255, Math.round(v * gain * 255)))));
        const out = await hallucinate(x, h, w);
        return {
          width: w, height: h, distorted: toBytes(x), reference: toBytes(out.reference), discrepancy: toBytes(out.discrepancy, FIXED_GAIN), discrepancyGain: FIXED_GAIN, discrepancyValues: out.discrepancy,
          ...(alongside ? { alongside } : {}),
        };
      }
    : null;

  return { modelId: spec.id, engine: core.engine, config, protocol, source, labels, scoreFile, prepare, predict, maps, dispose: () => core.dispose() };
}

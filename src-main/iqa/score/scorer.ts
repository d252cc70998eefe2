// Scores images with a model: weights from a run checkpoint, an imported file or the shipped model; crops per protocol.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { resourcesDir } from '../../app/paths';
import { seededRandom } from '../../datasets/splits';
import { decodeForModel, extractPatches, randomCrops, uniformGrid, type PatchBatch } from '../../imaging/patches';
import type { InputProtocol, IqaModel, ModelSpec } from '../models/model';
import { fromNormalised, getModel } from '../registry';
import { meanPrediction } from './predict';

export { meanPrediction, SCORE_CHUNK } from './predict';
import { assignWeights, loadCheckpoint, type LabelSpace } from '../train/checkpoint';
import type { AnalysisImage } from '../quality/features';
import type { Measures } from '../quality/measures';
import { QUALITY_MODEL_FILE, QUALITY_MODEL_ID } from '../quality/model';
import { loadQualityScorer } from './quality-scorer';

/**
 * How crops are taken: `grid` (default) is the model's deterministic uniform grid; `random` draws seeded crops;
 * `none` feeds the image as given, which must then be exactly the model's patch size.
 */
export type CropMode = { kind: 'grid'; count?: number } | { kind: 'random'; count?: number; seed: number } | { kind: 'none' };

export interface WeightsSource {
  model?: string;
  modelConfig?: Record<string, unknown>;
  /** A workbench checkpoint folder (epoch-NNNN). */
  checkpoint?: string;
  /** A file in the model's published format (HyperIQA: official state dict as .safetensors). */
  weights?: string;
}

export interface ImageScore {
  /** In the training labels' scale when known (e.g. MOS 1-5), else the model's raw output. */
  score: number;
  crops: number;
  /** The technical measures, from models that compute them (the default quality model). */
  measures?: Measures;
}

/** What `prepare` hands to `predict`: crops for the deep models, the photo at analysis size for the quality model. */
export type PreparedImage = PatchBatch | AnalysisImage;

export interface HallucinationMaps {
  width: number;
  height: number;
  /** RGB bytes, row-major. */
  distorted: Buffer;
  reference: Buffer;
  /** |I_d − G(I_d)| per channel, scaled by `discrepancyGain` so small differences are visible. */
  discrepancy: Buffer;
  discrepancyGain: number;
  /** `alongside` (e.g. the true reference) resized and cropped exactly as the distorted image, when asked for. */
  alongside?: Buffer;
}

export interface MapsOptions {
  /** Another image file (the true reference) to resize and crop identically to the distorted one. */
  alongside?: string;
}

/** Whole images larger than this (per side) are scaled down before hallucinating, to bound memory. */
const MAP_MAX_SIDE = 512;
const DISCREPANCY_GAIN = 4;

export interface Scorer {
  modelId: string;
  config: Record<string, unknown>;
  /** How crops are cut (null for the quality model, which reads the whole photo at analysis size). */
  protocol: InputProtocol | null;
  /** Where the weights came from, for reports. */
  source: string;
  labels: LabelSpace | null;
  scoreFile(path: string, crop?: CropMode): Promise<ImageScore>;
  /**
   * `scoreFile` in two steps: `prepare` decodes and crops (sharp, off the JavaScript thread), `predict` runs the model
   * (synchronous). A loop can prepare the next image while the model runs on this one; the score is the same.
   */
  prepare(path: string, crop?: CropMode): Promise<PreparedImage>;
  predict(prepared: PreparedImage): ImageScore;
  /** For models that hallucinate a reference (HIQA): the image as the model saw it, G's reference and |I_d − G(I_d)|. */
  maps: ((path: string, opts?: MapsOptions) => Promise<HallucinationMaps>) | null;
  dispose(): void;
}

export { DEFAULT_MODEL } from '../default-model';

/** The shipped model of `modelId`, if the app bundles one (resources/models/<id>/). */
export function shippedCheckpoint(modelId: string): string | null {
  const dir = join(resourcesDir(), 'models', modelId);
  if (modelId === QUALITY_MODEL_ID) return existsSync(QUALITY_MODEL_FILE()) ? dir : null;
  return existsSync(join(dir, 'weights.json')) ? dir : null;
}

async function buildModel(spec: ModelSpec, config: Record<string, unknown>): Promise<IqaModel> {
  return spec.create(config, 1);
}

export async function loadScorer(src: WeightsSource): Promise<Scorer> {
  let spec: ModelSpec;
  let config: Record<string, unknown>;
  let model: IqaModel;
  let labels: LabelSpace | null = null;
  let source: string;
  if (src.checkpoint) {
    const ckpt = await loadCheckpoint(src.checkpoint);
    if (src.model && src.model !== ckpt.meta.modelId) {
      throw new AppError('bad_input', `Checkpoint ${src.checkpoint} holds a ${ckpt.meta.modelId} model, not ${src.model}`);
    }
    spec = getModel(ckpt.meta.modelId);
    config = spec.configSchema.parse(ckpt.meta.modelConfig) as Record<string, unknown>;
    model = await buildModel(spec, config);
    try {
      assignWeights(model, ckpt.weights);
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      tf.dispose(Object.values(ckpt.weights));
      for (const list of ckpt.optimizer.values()) tf.dispose(list.map((t) => t.tensor));
    }
    labels = ckpt.meta.labels ?? null;
    source = src.checkpoint;
  } else if (src.weights) {
    spec = getModel(src.model ?? 'hyperiqa');
    if (!spec.importWeights) throw new AppError('validation', `Model "${spec.id}" cannot import external weight files; use a checkpoint`);
    config = spec.configSchema.parse(src.modelConfig ?? {}) as Record<string, unknown>;
    model = await buildModel(spec, config);
    try {
      await spec.importWeights(model, src.weights);
    } catch (err) {
      model.dispose();
      throw err;
    }
    source = src.weights;
  } else {
    const id = src.model ?? QUALITY_MODEL_ID;
    if (id === QUALITY_MODEL_ID) return loadQualityScorer();
    const shipped = shippedCheckpoint(id);
    if (!shipped) throw new AppError('validation', `No trained weights ship for "${id}"; pass --weights FILE, --checkpoint DIR or --run ID`);
    return loadScorer({ ...src, model: id, checkpoint: shipped });
  }
  if (spec.kind === 'translator') {
    model.dispose();
    throw new AppError('validation', `"${spec.id}" translates images and gives no quality score; score with a run of a scoring model (e.g. its SFTnet stage)`);
  }
  const protocol = spec.input(config);

  function prepare(path: string, crop: CropMode = { kind: 'grid' }): Promise<PatchBatch> {
    const p = protocol.patch;
    return extractPatches(path, {
      patch: p,
      ...(crop.kind !== 'none' && protocol.resize ? { resize: protocol.resize } : {}),
      imagenet: protocol.imagenet,
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

  function predict(prepared: PreparedImage): ImageScore {
    if (!('positions' in prepared)) throw new Error(`${spec.id} scores crops, not a whole photo`);
    const batch = prepared;
    const raw = meanPrediction(model, batch.data, batch.count, batch.patch);
    const score = labels ? fromNormalised(raw, labels.range, labels.higherIsBetter) : raw;
    return { score, crops: batch.count };
  }

  async function scoreFile(path: string, crop: CropMode = { kind: 'grid' }): Promise<ImageScore> {
    return predict(await prepare(path, crop));
  }

  const hallucinate = model.hallucinate?.bind(model);
  const maps = hallucinate
    ? async (path: string, opts: MapsOptions = {}): Promise<HallucinationMaps> => {
        // The generator is fully convolutional: run it on the whole image, cropped to a multiple of its stride.
        const m = model.mapMultiple ?? 1;
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
        const toBytes = (t: tf.Tensor, gain = 1) => Buffer.from(Uint8Array.from(t.dataSync(), (v) => Math.max(0, Math.min(255, Math.round(v * gain * 255)))));
        const input = tf.tensor4d(x, [1, h, w, 3]);
        const out = hallucinate(input);
        try {
          return {
            width: w, height: h, distorted: toBytes(input), reference: toBytes(out.reference), discrepancy: toBytes(out.discrepancy, DISCREPANCY_GAIN), discrepancyGain: DISCREPANCY_GAIN,
            ...(alongside ? { alongside } : {}),
          };
        } finally {
          tf.dispose([input, out.reference, out.discrepancy]);
        }
      }
    : null;

  return { modelId: spec.id, config, protocol, source, labels, scoreFile, prepare, predict, maps, dispose: () => model.dispose() };
}

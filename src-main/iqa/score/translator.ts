// Loads a translator model (TTL-IQA's DT-GAN) from a run checkpoint and translates whole images, one quality level at a time, on ONNX Runtime or tfjs.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import type { RawImage } from '../../imaging/raw-image';
import type { IqaModel, ModelSpec } from '../models/model';
import { IO } from '../onnx/builder';
import { buildGraph } from '../onnx/build-graph';
import { createSession, currentInference, floatTensor, initInference, type OrtSession } from '../onnx/engine';
import { cachedGraph } from '../onnx/graph-cache';
import { getModel } from '../registry';
import { assignWeights, loadCheckpoint, readCheckpointMeta } from '../train/checkpoint';

/** What a translator model adds to the engine's model contract. */
export interface TranslatorModel extends IqaModel {
  readonly levels: number;
  /** NHWC images in [0,1] → the same size in [0,1], translated to quality level `level` (1 = best). */
  translate(x: tf.Tensor4D, level: number): tf.Tensor4D;
}

export interface Translator {
  modelId: string;
  levels: number;
  config: Record<string, unknown>;
  /** 'onnxruntime …' or 'tfjs'. */
  engine: string;
  translate(img: RawImage, level: number): Promise<RawImage>;
  dispose(): void;
}

/** The multiple of 4 at or above n. */
const up4 = (n: number) => Math.ceil(n / 4) * 4;

/** Reflection padding at the bottom and right up to multiples of 4 (as DtganModel.translate pads), pixels scaled to [0,1]. */
function paddedInput(img: RawImage): { data: Float32Array; h: number; w: number } {
  const [h, w] = [up4(img.height), up4(img.width)];
  const refl = (i: number, n: number) => (i < n ? i : 2 * (n - 1) - i);
  const data = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    const sy = refl(y, img.height);
    for (let x = 0; x < w; x++) {
      const s = (sy * img.width + refl(x, img.width)) * 3;
      const d = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) data[d + c] = img.data[s + c]! / 255;
    }
  }
  return { data, h, w };
}

/** Each level's translator graph on ONNX Runtime (built once, cached beside the checkpoint); null when it cannot run there. */
async function onnxTranslator(spec: ModelSpec, checkpoint: string, config: Record<string, unknown>, levels: number): Promise<{ sessions: OrtSession[]; label: string } | null> {
  const inf = currentInference() ?? (await initInference());
  if (inf.engine !== 'onnxruntime' || !spec.onnx?.translate) return null;
  const { sha256 } = await readCheckpointMeta(checkpoint);
  let model: IqaModel | null = null;
  const sessions: OrtSession[] = [];
  try {
    for (let level = 1; level <= levels; level++) {
      const kind = `translate-${level}` as const;
      const graph = await cachedGraph(checkpoint, { modelId: spec.id, config, weights: sha256, kind, builderVersion: spec.onnx.version }, async () => {
        if (!model) {
          const ckpt = await loadCheckpoint(checkpoint);
          model = spec.create(config, 1);
          assignWeights(model, ckpt.weights);
          tf.dispose(Object.values(ckpt.weights));
          for (const list of ckpt.optimizer.values()) tf.dispose(list.map((t) => t.tensor));
        }
        return buildGraph(spec, model, kind, config, { modelId: spec.id, checkpoint, level });
      });
      sessions.push(await createSession(graph.bytes));
    }
    return { sessions, label: `onnxruntime ${inf.version ?? ''} · ${inf.provider}` };
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  } finally {
    (model as IqaModel | null)?.dispose();
  }
}

function isTranslator(model: IqaModel): model is TranslatorModel {
  return typeof (model as Partial<TranslatorModel>).translate === 'function' && typeof (model as Partial<TranslatorModel>).levels === 'number';
}

export async function loadTranslator(checkpoint: string): Promise<Translator> {
  const { meta } = await readCheckpointMeta(checkpoint);
  const spec = getModel(meta.modelId);
  if (spec.kind === 'translator') {
    const config = spec.configSchema.parse(meta.modelConfig) as Record<string, unknown>;
    const levels = (config as { levels?: number }).levels;
    const ort = levels ? await onnxTranslator(spec, checkpoint, config, levels) : null;
    if (ort) {
      return {
        modelId: spec.id,
        levels: levels!,
        config,
        engine: ort.label,
        async translate(img, level) {
          if (!Number.isInteger(level) || level < 1 || level > levels!) throw new AppError('validation', `level must be 1..${levels}, got ${level}`);
          if (img.width < 8 || img.height < 8) throw new AppError('bad_input', `DT-GAN: images must be at least 8×8, got ${img.width}×${img.height}`);
          const x = paddedInput(img);
          const out = (await ort.sessions[level - 1]!.run({ [IO.image]: floatTensor(x.data, [1, x.h, x.w, 3]) }))[IO.translated]!.data;
          const data = new Uint8Array(img.width * img.height * 3);
          for (let y = 0; y < img.height; y++) {
            for (let i = 0; i < img.width * 3; i++) data[y * img.width * 3 + i] = Math.round(Math.min(1, Math.max(0, out[y * x.w * 3 + i]!)) * 255);
          }
          return { width: img.width, height: img.height, data };
        },
        dispose: () => void Promise.all(ort.sessions.map((s) => s.release())),
      };
    }
  }
  const ckpt = await loadCheckpoint(checkpoint);
  try {
    if (spec.kind !== 'translator') throw new AppError('validation', `Checkpoint ${checkpoint} holds a ${spec.id} model, which scores images; a DT-GAN run is needed to translate them`);
    const config = spec.configSchema.parse(ckpt.meta.modelConfig) as Record<string, unknown>;
    const model = spec.create(config, 1);
    if (!isTranslator(model)) {
      model.dispose();
      throw new Error(`model ${spec.id} is marked as a translator but has no translate()`);
    }
    try {
      assignWeights(model, ckpt.weights);
    } catch (err) {
      model.dispose();
      throw err;
    }
    return {
      modelId: spec.id,
      levels: model.levels,
      config,
      engine: 'tfjs',
      async translate(img, level) {
        if (!Number.isInteger(level) || level < 1 || level > model.levels) throw new AppError('validation', `level must be 1..${model.levels}, got ${level}`);
        const out = tf.tidy(() => {
          const x = tf.tensor4d(Float32Array.from(img.data, (v) => v / 255), [1, img.height, img.width, 3]);
          return model.translate(x, level).clipByValue(0, 1).mul(255).round();
        });
        try {
          if (out.shape[1] !== img.height || out.shape[2] !== img.width) throw new Error(`translator changed the size ${img.width}x${img.height} to ${out.shape[2]}x${out.shape[1]}`);
          return { width: img.width, height: img.height, data: Uint8Array.from(out.dataSync()) };
        } finally {
          out.dispose();
        }
      },
      dispose: () => model.dispose(),
    };
  } finally {
    tf.dispose(Object.values(ckpt.weights));
    for (const list of ckpt.optimizer.values()) tf.dispose(list.map((t) => t.tensor));
  }
}

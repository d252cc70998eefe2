// Loads a translator model (TTL-IQA's DT-GAN) from a run checkpoint and translates whole images, one quality level at a time.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import type { RawImage } from '../../imaging/raw-image';
import type { IqaModel } from '../models/model';
import { getModel } from '../registry';
import { assignWeights, loadCheckpoint } from '../train/checkpoint';

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
  translate(img: RawImage, level: number): RawImage;
  dispose(): void;
}

function isTranslator(model: IqaModel): model is TranslatorModel {
  return typeof (model as Partial<TranslatorModel>).translate === 'function' && typeof (model as Partial<TranslatorModel>).levels === 'number';
}

export async function loadTranslator(checkpoint: string): Promise<Translator> {
  const ckpt = await loadCheckpoint(checkpoint);
  const spec = getModel(ckpt.meta.modelId);
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
      translate(img, level) {
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

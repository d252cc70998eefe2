// The model registry: every IQA model by id, with its input protocol, config schema, score range and direction.
import { AppError } from '../../src-shared/api/errors';
import { cnniqaSpec } from './models/cnniqa.arch';
import { cnniqaOnnx } from './models/cnniqa.onnx';
import { hiqaSpec } from './models/hiqa/hiqa.arch';
import { hiqaOnnx } from './models/hiqa/hiqa.onnx';
import { hyperiqaSpec } from './models/hyperiqa.arch';
import { hyperiqaOnnx } from './models/hyperiqa.onnx';
import type { ModelSpec } from './models/model';
import type { LabelSpace } from './train/checkpoint';
import { dtganSpec } from './models/ttl/dtgan.spec';
import { dtganOnnx } from './models/ttl/dtgan.onnx';
import { sftnetSpec } from './models/ttl/sftnet.arch';
import { sftnetOnnx } from './models/ttl/sftnet.onnx';

const MODELS = new Map<string, ModelSpec>([
  [hyperiqaSpec.id, { ...hyperiqaSpec, onnx: hyperiqaOnnx } as unknown as ModelSpec],
  [hiqaSpec.id, { ...hiqaSpec, onnx: hiqaOnnx } as unknown as ModelSpec],
  [cnniqaSpec.id, { ...cnniqaSpec, onnx: cnniqaOnnx } as unknown as ModelSpec],
  [sftnetSpec.id, { ...sftnetSpec, onnx: sftnetOnnx } as unknown as ModelSpec],
  [dtganSpec.id, { ...dtganSpec, onnx: dtganOnnx } as unknown as ModelSpec],
]);

export function getModel(id: string): ModelSpec {
  const spec = MODELS.get(id);
  if (!spec) throw new AppError('validation', `Unknown model "${id}"; known: ${[...MODELS.keys()].join(', ')}`);
  return spec;
}

export function listModels(): ModelSpec[] {
  return [...MODELS.values()];
}

/**
 * Every model predicts in a normalised space: 0 = worst, 1 = best. Dataset labels map there and back through the
 * dataset's range and direction, so one model can train on MOS and on DMOS data alike.
 */
export function toNormalised(label: number, range: [number, number], higherIsBetter: boolean): number {
  const t = (label - range[0]) / (range[1] - range[0]);
  return higherIsBetter ? t : 1 - t;
}

/** A model's output in its training labels' scale: mapped back from 0..1, or as it is for a model trained on raw labels. */
export function outputToLabels(score: number, labels: LabelSpace | null): number {
  if (!labels) return score;
  return labels.raw ? score : fromNormalised(score, labels.range, labels.higherIsBetter);
}

export function fromNormalised(score: number, range: [number, number], higherIsBetter: boolean): number {
  const t = higherIsBetter ? score : 1 - score;
  return range[0] + t * (range[1] - range[0]);
}

// Shared schemas: models, training runs, their metrics, predictions, evaluations and TTL-IQA chains.
import { z } from 'zod';
import { Id } from './common';

export const RunStatus = z.enum(['queued', 'running', 'paused', 'cancelled', 'failed', 'completed']);
export const RunSummary = z.object({
  id: Id,
  name: z.string(),
  model: z.string(),
  datasetId: Id.nullable(),
  status: RunStatus,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** One setting of a model's config as a typed form field (src-main/iqa/config-fields.ts); nested settings have dotted keys. */
export const ConfigField = z.object({
  key: z.string(),
  /** The nested object it belongs to ('' for top-level settings). */
  group: z.string(),
  /** 'group': a switch for an optional set of settings (e.g. resize), whose members name it as `parent`. */
  kind: z.enum(['number', 'integer', 'boolean', 'enum', 'text', 'file', 'group']),
  nullable: z.boolean(),
  default: z.unknown(),
  options: z.array(z.union([z.string(), z.number()])).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  minExclusive: z.boolean().optional(),
  maxExclusive: z.boolean().optional(),
  multipleOf: z.number().optional(),
  parent: z.string().optional(),
  /** What it does, the paper's value and the unit, where written down (src-main/iqa/models/field-help.ts). */
  help: z.object({ text: z.string(), paper: z.string().optional(), unit: z.string().optional(), /** Labels of an enum's options, by value. */ options: z.record(z.string(), z.string()).optional() }).nullable(),
});
export type ConfigField = z.infer<typeof ConfigField>;

export const ModelInfo = z.object({
  id: z.string(),
  label: z.string(),
  citation: z.string(),
  /** 'translator' models (DT-GAN) make images, not scores. */
  kind: z.enum(['scorer', 'translator']),
  /** Trained weights ship with the app, so it scores without a run. */
  shipped: z.boolean(),
  /** Training runs can train it (the default quality model trains with scripts/quality/train.ts instead). */
  trainable: z.boolean(),
  defaults: z.record(z.string(), z.unknown()),
  /** The config as typed form fields (absent for the default quality model, which is not trained here). */
  fields: z.array(ConfigField).optional(),
  /** Training hyper-parameters this model defaults to (the paper's values where it gives them). */
  hyper: z.object({ epochs: z.number(), batchImages: z.number(), lr: z.number(), weightDecay: z.number(), lrDecay: z.object({ every: z.number(), factor: z.number() }), seed: z.number() }),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const TrainHyperInput = z
  .object({
    epochs: z.number().int().min(1).max(1000),
    batchImages: z.number().int().min(1).max(512),
    lr: z.number().positive().max(1),
    weightDecay: z.number().min(0).max(1),
    lrDecay: z.object({ every: z.number().int().min(0), factor: z.number().positive().max(1) }).strict(),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
  })
  .partial()
  .strict();

export const MetricPoint = z.object({ step: z.number(), epoch: z.number().nullable(), part: z.string(), name: z.string(), value: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;

export const RunDetail = RunSummary.extend({
  splitId: Id.nullable(),
  /** The run this one started from (initFromRun) or followed in a chain (TTL-IQA's stages). */
  parentRunId: Id.nullable(),
  config: z.record(z.string(), z.unknown()),
  checkpointPath: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  metrics: z.array(MetricPoint),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunPrediction = z.object({
  imageId: Id,
  name: z.string(),
  score: z.number(),
  label: z.number().nullable(),
  labelStd: z.number().nullable(),
  distortion: z.string().nullable(),
  level: z.number().nullable(),
  reference: z.string().nullable(),
});
export type RunPrediction = z.infer<typeof RunPrediction>;

export const RunProgress = z.object({
  runId: Id,
  status: RunStatus,
  epoch: z.number().int().optional(),
  epochs: z.number().int().optional(),
  step: z.number().int().optional(),
  stepsPerEpoch: z.number().int().optional(),
  loss: z.number().optional(),
  etaSeconds: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  error: z.string().optional(),
});
export type RunProgress = z.infer<typeof RunProgress>;

const TtlMetrics = z.object({ srcc: z.number().nullable(), plcc: z.number().nullable(), epoch: z.number().nullable() });
const TtlChainSplit = z.object({
  split: z.string(),
  dtganRunId: Id,
  auxiliaryDatasetId: Id,
  stage1RunId: Id,
  stage2RunId: Id,
  directRunId: Id.nullable(),
  ttl: TtlMetrics,
  direct: TtlMetrics.nullable(),
});
/** A mean over splits with its 95% Student-t interval (mean ± t·sd/√n), as the paper reports the mean of 10 splits. */
export const SplitMean = z.object({ mean: z.number(), sd: z.number(), lo: z.number(), hi: z.number(), n: z.number().int() });
export type SplitMean = z.infer<typeof SplitMean>;
const TtlChainMean = z.object({
  ttl: z.object({ srcc: SplitMean.nullable(), plcc: SplitMean.nullable() }),
  direct: z.object({ srcc: SplitMean.nullable(), plcc: SplitMean.nullable() }).nullable(),
  /** TTL-IQA minus direct SRCC per split, paired over the same test images. */
  gain: SplitMean.nullable(),
});
/** What a TTL-IQA chain job ends with: the ids of what it made, and held-out SRCC/PLCC with and without the auxiliary domain. */
export const TtlChainResult = z.object({
  datasetId: Id,
  dtganRunId: Id.nullable(),
  auxiliaryDatasetId: Id.nullable(),
  stage1RunId: Id.nullable(),
  stage2RunId: Id.nullable(),
  directRunId: Id.nullable(),
  ttl: TtlMetrics.nullable(),
  direct: TtlMetrics.nullable(),
  /** Every split's chain (the fields above are the first split's), and the mean over splits when there are several. */
  splits: z.array(TtlChainSplit).default([]),
  mean: TtlChainMean.nullable().default(null),
});
export type TtlChainResult = z.infer<typeof TtlChainResult>;

/** A run's checkpoint evaluated on a dataset (runs:evaluate): the cross-dataset matrix's cells. */
export const RunEvaluation = z.object({
  id: Id,
  runId: Id,
  datasetId: Id,
  /** 'test': the test part of `split` (the run's own dataset); 'all': every labelled image of the dataset. */
  part: z.enum(['test', 'all']),
  split: z.string().nullable(),
  checkpointPath: z.string(),
  n: z.number().int(),
  srcc: z.number().nullable(),
  krcc: z.number().nullable(),
  plcc: z.number().nullable(),
  plccFitted: z.number().nullable(),
  rmse: z.number().nullable(),
  rmseFitted: z.number().nullable(),
  /** The model's direction (MOS vs DMOS) differed from the dataset's: its scores were negated before comparing. */
  flippedDirection: z.boolean(),
  perDistortion: z.array(z.object({ group: z.string(), n: z.number().int(), srcc: z.number().nullable() })),
  createdAt: z.string(),
});
export type RunEvaluation = z.infer<typeof RunEvaluation>;

/** One run's score of one image (runs:scoreImage), for comparing runs on the same image. */
export const RunImageScore = z.object({
  runId: Id,
  imageId: Id,
  model: z.string(),
  score: z.number(),
  /**
   * 'prediction': the run's own test prediction (its last epoch, the checkpoint's); 'stored': a score of the run's
   * checkpoint from scores:start; 'scored': scored just now with the run's checkpoint as scores:start would.
   */
  source: z.enum(['prediction', 'stored', 'scored']),
  /** e.g. 'mos 1-5 higher' (the run's training labels), or 'raw'. */
  scale: z.string(),
  crops: z.number().int().nullable(),
});
export type RunImageScore = z.infer<typeof RunImageScore>;

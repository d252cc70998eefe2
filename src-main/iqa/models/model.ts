// The contract every IQA model implements, and what the registry knows about each model.
import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { OnnxBuilders } from '../onnx/builder';
import type { EpochResult, TrainHyper, TrainOptions } from '../train/trainer';

export interface IqaModel {
  readonly id: string;
  /** Scores per patch, in the model's normalised space (0 = worst, 1 = best). `training` enables dropout/BN updates. */
  predict(x: tf.Tensor4D, training?: boolean): tf.Tensor1D;
  /** Every weight by a stable name (checkpoints, imports). */
  weights(): Map<string, tf.Variable>;
  /** Trainable variables grouped by learning-rate multiplier (HyperIQA trains its hyper network 10x faster). */
  parameterGroups(): { name: string; lrMultiplier: number; variables: tf.Variable[] }[];
  dispose(): void;
  /**
   * Models that hallucinate a reference (HIQA) return it and the discrepancy map |x − G(x)| for an NHWC batch in
   * [0,1]; `multiple` is what the image sides must divide by.
   */
  hallucinate?(x: tf.Tensor4D): { reference: tf.Tensor4D; discrepancy: tf.Tensor4D };
  readonly mapMultiple?: number;
}

/** How images become model inputs: patch size, optional whole-image resize, crop counts, normalisation. */
export interface InputProtocol {
  patch: number;
  resize?: { width: number; height: number };
  /** Crops per image when scoring; scores are averaged (deterministic uniform grid). */
  testCrops: number;
  /** Random crops per image and epoch when training. */
  trainCrops: number;
  /** Random horizontal flips when training. */
  flip: boolean;
  /** ImageNet mean/std normalisation (backbones pretrained on ImageNet expect it). */
  imagenet: boolean;
}

export interface ModelSpec<C extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  label: string;
  /** Paper and section the architecture follows. */
  citation: string;
  configSchema: z.ZodType<C>;
  input: (config: C) => InputProtocol;
  create: (config: C, seed: number) => IqaModel;
  /** A model's own training loop (HIQA alternates G, D and R); the engine's generic loop otherwise. */
  trainLoop?: (opts: TrainOptions) => Promise<EpochResult[]>;
  /** True where the model trains on the dataset's labels as they are (HyperIQA's official-code mode), not mapped to 0..1. */
  rawLabels?: (config: C) => boolean;
  /** Training defaults from the paper (the engine's generic defaults fill the rest). */
  defaultHyper?: Partial<TrainHyper>;
  /** The run's hyper-parameters once its training-set size is known (SFTnet turns a length in iterations into epochs). */
  resolveHyper?: (config: C, hyper: TrainHyper, trainImages: number) => TrainHyper;
  /** Runs once on a fresh model before training (e.g. loads user-provided ImageNet backbone weights named in the config). */
  prepare?: (model: IqaModel, config: C) => Promise<void>;
  /** 'translator' models (TTL-IQA's DT-GAN) make images, not scores: the scorer and `iqa score` refuse them. Default 'scorer'. */
  kind?: 'scorer' | 'translator';
  /**
   * How a run started from another run's checkpoint (initFromRun) takes its weights: 'exact' (default) needs every
   * tensor; 'partial' copies the tensors whose name and shape match and keeps the rest fresh (TTL-IQA's SFTnet swaps
   * its last FC layer between stages [TTL §V-B]).
   */
  initFrom?: 'exact' | 'partial';
  /** Loads weights published elsewhere (e.g. an official PyTorch state dict as .safetensors); scores are then raw. */
  importWeights?: (model: IqaModel, file: string) => Promise<void>;
  /** Its inference graphs for ONNX Runtime (src-main/iqa/onnx/builder.ts); without them the model scores through tfjs. */
  onnx?: OnnxBuilders;
}

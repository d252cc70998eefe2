// What a scorer is: the interface every model's scorer (deep models, the quality model) implements, and its inputs and outputs.
import type { PatchBatch } from '../../imaging/patches';
import type { InputProtocol } from '../models/model';
import type { AnalysisImage } from '../quality/features';
import type { Measures } from '../quality/measures';
import type { LabelSpace } from '../train/checkpoint';

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
  /**
   * `int8`: on ONNX Runtime, the graph statically quantised (calibrated on the bundled demo photos; see quantize.ts),
   * used only where its SRCC on held-out synthetic distortions moves < 0.005 from fp32's; else fp32 runs and the engine says why.
   */
  precision?: 'fp32' | 'int8';
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

export function isPatchBatch(prepared: PreparedImage): prepared is PatchBatch {
  return 'positions' in prepared;
}

export interface HallucinationMaps {
  width: number;
  height: number;
  /** RGB bytes, row-major. */
  distorted: Buffer;
  reference: Buffer;
  /** |I_d − G(I_d)| per channel, scaled by `discrepancyGain` so small differences are visible. */
  discrepancy: Buffer;
  discrepancyGain: number;
  /** |I_d − G(I_d)| per channel on the 0-1 pixel scale, unscaled (for auto-scaled views). */
  discrepancyValues: Float32Array;
  /** `alongside` (e.g. the true reference) resized and cropped exactly as the distorted image, when asked for. */
  alongside?: Buffer;
}

export interface MapsOptions {
  /** Another image file (the true reference) to resize and crop identically to the distorted one. */
  alongside?: string;
}

/** What runs a scorer's model: ONNX Runtime (provider, crops per run) or tfjs (backend), and why not ONNX Runtime then. */
export interface ScorerEngine {
  /** `typescript`: the default quality model, whose trees and measures run in plain TypeScript. */
  name: 'onnxruntime' | 'tfjs' | 'typescript';
  /** e.g. 'onnxruntime 1.31.1 · cpu · 2 threads · batch 4' or 'tfjs wasm'. */
  label: string;
  /** Why ONNX Runtime does not run this model (tfjs only). */
  fallbackReason?: string;
}

export interface Scorer {
  modelId: string;
  engine: ScorerEngine;
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
   * `predict` consumes what it is given: its crop buffer is reused by a later `prepare`.
   */
  prepare(path: string, crop?: CropMode): Promise<PreparedImage>;
  predict(prepared: PreparedImage): Promise<ImageScore>;
  /** For models that hallucinate a reference (HIQA): the image as the model saw it, G's reference and |I_d − G(I_d)|. */
  maps: ((path: string, opts?: MapsOptions) => Promise<HallucinationMaps>) | null;
  dispose(): void;
}

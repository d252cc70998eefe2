// Messages between a scoring job (main thread, which owns the database) and its scoring worker thread.
import type { ErrorCode } from '../../../src-shared/api/errors';
import type { BackendChoice } from '../backend';
import type { InferenceChoice } from '../onnx/engine';
import type { Measures } from '../quality/measures';
import type { LabelSpace } from '../train/checkpoint';
import type { CropMode, WeightsSource } from './scorer';

export interface ScoreJob {
  weights: WeightsSource;
  crop: CropMode;
  /** The tensor backend the main process runs on, so scores do not depend on where they were computed. */
  backend: BackendChoice;
  /** The inference engine the main process chose (ONNX Runtime, else tfjs), likewise. */
  inference: InferenceChoice;
  /** Readable images, in scoring order. */
  images: { id: number; path: string }[];
  /** Results are posted when this many are waiting… */
  postEvery: number;
  /** …or when this long has passed since the last post (ms), so progress keeps moving with slow models. */
  postMs: number;
  /** A pause after each image (ms); 0 in the app. Tests use it to cancel a job of a tiny model part way. */
  pauseMs: number;
}

export type ToScoreWorker = { type: 'start'; job: ScoreJob };

/** One image's outcome; `score` may be non-finite (the main side turns that into a per-image error). */
export type ScoreOutcome = { imageId: number; score: number; crops: number; measures?: Measures } | { imageId: number; error: string };

export type FromScoreWorker =
  /** `backend`: what runs the model, e.g. 'onnxruntime 1.31.1 · cpu · 2 threads · batch 4' or 'tfjs wasm'. */
  | { type: 'ready'; backend: string; modelId: string; source: string; labels: LabelSpace | null }
  | { type: 'results'; items: ScoreOutcome[] }
  | { type: 'done' }
  | { type: 'error'; code: ErrorCode; message: string };

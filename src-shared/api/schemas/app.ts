// Shared schemas: the app, its tensor and inference back ends, settings and background jobs.
import { z } from 'zod';

export const TensorBackendName = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type TensorBackendName = z.infer<typeof TensorBackendName>;

export const BackendInfo = z.object({
  name: TensorBackendName,
  tfjsVersion: z.string(),
  requested: z.string(),
  tried: z.array(z.object({ name: TensorBackendName, ok: z.boolean(), reason: z.string().optional() })),
  simd: z.boolean().optional(),
  threads: z.number().int().optional(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

/** What runs the models when scoring: ONNX Runtime and its execution provider, or tfjs (the training backend). */
export const InferenceInfo = z.object({
  engine: z.enum(['onnxruntime', 'tfjs']),
  version: z.string().nullable(),
  provider: z.string().nullable(),
  threads: z.number().int().nullable(),
  requested: z.string(),
  tried: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string().optional() })),
});
export type InferenceInfo = z.infer<typeof InferenceInfo>;

export const AppInfo = z.object({
  app: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'serve', 'cli']),
  node: z.string(),
  electron: z.string().nullable(),
  versions: z.record(z.string(), z.string()),
  databasePath: z.string(),
  schemaVersion: z.number().int(),
  dataDir: z.string(),
  backend: BackendInfo.nullable(),
  inference: InferenceInfo.nullable().default(null),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const SettingKey = z.enum(['ui.theme', 'ui.lastScreen', 'tensor.backend', 'library.roots', 'library.autoAdvance', 'library.sidecarNaming', 'library.xmpTarget']);
export type SettingKey = z.infer<typeof SettingKey>;

export const JobInfo = z.object({
  jobId: z.string(),
  kind: z.string(),
  label: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  done: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
  message: z.string().optional(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  startedAt: z.string(),
});
export type JobInfo = z.infer<typeof JobInfo>;

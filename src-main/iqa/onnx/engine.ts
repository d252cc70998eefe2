// The inference engine: ONNX Runtime (onnxruntime-node, optional) with the best execution provider that starts, else tfjs; chosen once per process.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { InferenceInfo } from '../../../src-shared/api/schemas';
import { OnnxGraph } from './graph';

export const INFERENCE_CHOICES = ['auto', 'onnxruntime', 'tfjs'] as const;
export type InferenceChoice = (typeof INFERENCE_CHOICES)[number];

/** The slice of onnxruntime-node's API the workbench uses (the package is optional, so no type import). */
export interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
  dispose?(): void;
}
export interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  env: { versions: { node?: string; common: string } };
  listSupportedBackends?: () => { name: string; bundled: boolean }[];
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/**
 * Execution providers tried before the CPU, in order, with the provider library onnxruntime-node needs for each
 * (null: built into the runtime where the platform has it). CUDA and TensorRT come from NuGet at install time only
 * when asked for (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci).
 */
const GPU_PROVIDERS: { name: string; platforms: NodeJS.Platform[]; library: string | null }[] = [
  { name: 'tensorrt', platforms: ['linux', 'win32'], library: process.platform === 'win32' ? 'onnxruntime_providers_tensorrt.dll' : 'libonnxruntime_providers_tensorrt.so' },
  { name: 'cuda', platforms: ['linux', 'win32'], library: process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so' },
  { name: 'dml', platforms: ['win32'], library: null },
  { name: 'coreml', platforms: ['darwin'], library: null },
];

const requireHere = createRequire(import.meta.url);

let ort: OrtModule | null = null;
let info: InferenceInfo | null = null;
let providers: string[] = ['cpu'];

/** Intra-op threads: one per core (the machine's own count; ORT's default spins extra threads on some platforms). */
export const ORT_THREADS = Math.max(1, availableParallelism());

/** True when `err` (or an error it wraps) says the package is not there. */
function isMissingModule(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(e.message)) return true;
  }
  return false;
}

function reasonOf(err: unknown): string {
  if (isMissingModule(err)) return 'onnxruntime-node is not installed';
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.slice(0, 200);
}

/** A one-node graph that proves a provider can build and run a session. */
function probeModel(): Uint8Array {
  const g = new OnnxGraph('probe');
  g.output(g.op('Relu', [g.input('x', [1, 4])]), 'y', [1, 4]);
  return g.toBytes({ doc: 'execution provider probe' });
}

async function tryProvider(mod: OrtModule, name: string): Promise<void> {
  const s = await mod.InferenceSession.create(probeModel(), { executionProviders: [name], logSeverityLevel: 4 });
  try {
    await s.run({ x: new mod.Tensor('float32', Float32Array.from([-1, 0, 1, 2]), [1, 4]) });
  } finally {
    await s.release();
  }
}

/** Which providers this onnxruntime-node offers, and why each GPU one is skipped here. */
async function chooseProviders(mod: OrtModule, tried: InferenceInfo['tried']): Promise<string[]> {
  const supported = new Map((mod.listSupportedBackends?.() ?? []).map((b) => [b.name, b]));
  let binDir: string | null;
  try {
    binDir = join(dirname(requireHere.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    binDir = null;
  }
  const chosen: string[] = [];
  for (const p of GPU_PROVIDERS) {
    if (!p.platforms.includes(process.platform)) {
      tried.push({ name: p.name, ok: false, reason: `not offered on ${process.platform}` });
      continue;
    }
    if (!supported.has(p.name)) {
      tried.push({ name: p.name, ok: false, reason: 'not in this onnxruntime-node build' });
      continue;
    }
    if (p.library && binDir && !existsSync(join(binDir, p.library))) {
      tried.push({ name: p.name, ok: false, reason: `${p.library} not installed (ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci adds it)` });
      continue;
    }
    try {
      await tryProvider(mod, p.name);
      tried.push({ name: p.name, ok: true });
      chosen.push(p.name);
    } catch (err) {
      tried.push({ name: p.name, ok: false, reason: reasonOf(err) });
    }
  }
  tried.push({ name: 'cpu', ok: true });
  return [...chosen, 'cpu'];
}

/**
 * Starts the inference engine: 'auto' takes ONNX Runtime when onnxruntime-node loads and falls back to tfjs (the
 * training backend) otherwise; 'tfjs' never loads ONNX Runtime; 'onnxruntime' fails when it cannot start.
 * IQA_INFERENCE overrides 'auto'. Idempotent per process for the same choice.
 */
export async function initInference(requested: InferenceChoice = 'auto'): Promise<InferenceInfo> {
  const choice = requested === 'auto' ? parseInferenceChoice(process.env.IQA_INFERENCE) : requested;
  if (info && info.requested === choice) return info;
  const tried: InferenceInfo['tried'] = [];
  ort = null;
  providers = ['cpu'];
  if (choice !== 'tfjs') {
    try {
      const mod = (await import('onnxruntime-node' as string)) as OrtModule & { default?: OrtModule };
      const loaded = mod.InferenceSession ? mod : mod.default!;
      providers = await chooseProviders(loaded, tried);
      ort = loaded;
      info = { engine: 'onnxruntime', version: loaded.env.versions.node ?? loaded.env.versions.common, provider: providers[0]!, threads: ORT_THREADS, requested: choice, tried };
      return info;
    } catch (err) {
      if (choice === 'onnxruntime') throw new Error(`ONNX Runtime could not start: ${reasonOf(err)}`, { cause: err });
      tried.push({ name: 'onnxruntime', ok: false, reason: reasonOf(err) });
    }
  } else tried.push({ name: 'onnxruntime', ok: false, reason: 'not requested (tfjs chosen)' });
  info = { engine: 'tfjs', version: null, provider: null, threads: null, requested: choice, tried };
  return info;
}

export function currentInference(): InferenceInfo | null {
  return info;
}

export function parseInferenceChoice(value: string | undefined): InferenceChoice {
  const v = (value || 'auto') as InferenceChoice;
  if (!INFERENCE_CHOICES.includes(v)) throw new Error(`Unknown inference engine "${value}"; choose one of ${INFERENCE_CHOICES.join(', ')}`);
  return v;
}

/**
 * A session on the chosen providers: all graph optimisations, one intra-op thread per core, sequential execution.
 * The intra-op threads block instead of spinning between operators (IQA_ORT_SPIN=1 turns spinning back on): decoding
 * runs on the same cores while the model does, and a spinning thread takes their time. On this 2-core machine, shared
 * and loaded, ResNet-50 ran 3.9 crops/s spinning and 9.2 blocking, measured in turns.
 */
export async function createSession(model: Uint8Array, threads = ORT_THREADS): Promise<OrtSession> {
  if (!ort) throw new Error('ONNX Runtime is not started (initInference)');
  return ort.InferenceSession.create(model, {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: process.env.IQA_ORT_SPIN === '1' ? '1' : '0' } } },
  });
}

export function floatTensor(data: Float32Array, dims: readonly number[]): OrtTensor {
  if (!ort) throw new Error('ONNX Runtime is not started (initInference)');
  return new ort.Tensor('float32', data, dims);
}

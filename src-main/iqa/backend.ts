// Picks the tensor backend at start: tfjs-node-gpu, then tfjs-node, then wasm (SIMD), then cpu; overridable.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendChoice, TensorBackendName, type BackendInfo } from '../../src-shared/api/schemas';
import { registerWasmTrainingKernels } from './wasm-kernels';

// Not named `require`: the bundler declares its own `require` in ESM chunks, and two in one chunk do not load.
const requireHere = createRequire(import.meta.url);

export const BACKEND_CHOICES = BackendChoice.options;
export type { BackendChoice };

const CHAIN: readonly TensorBackendName[] = TensorBackendName.options;

let current: BackendInfo | null = null;

async function tryBackend(name: TensorBackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      // The native bindings register the 'tensorflow' backend on import.
      await import('@tensorflow/tfjs-node-gpu' as string);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node-gpu loaded but its backend did not start');
      return;
    case 'tensorflow':
      await import('@tensorflow/tfjs-node' as string);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but its backend did not start');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const distDir = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(join(distDir, '/'));
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
      registerWasmTrainingKernels();
      return;
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      return;
  }
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package)/.test(msg)) return 'not installed';
  return msg.split('\n')[0]!.slice(0, 200);
}

/** Initialises the best available backend (or exactly `choice` when not 'auto'). */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const candidates = choice === 'auto' ? CHAIN : [choice];
  const tried: BackendInfo['tried'] = [];
  for (const name of candidates) {
    try {
      await tryBackend(name);
      await tf.ready();
      tried.push({ name, ok: true });
      const env = tf.env();
      current = {
        name,
        tfjsVersion: tf.version.tfjs,
        requested: choice,
        tried,
        ...(name === 'wasm'
          ? { simd: Boolean(env.getBool('WASM_HAS_SIMD_SUPPORT')), threads: 1 }
          : {}),
      };
      return current;
    } catch (err) {
      tried.push({ name, ok: false, reason: reasonOf(err) });
    }
  }
  const detail = tried.map((t) => `${t.name}: ${t.reason}`).join('; ');
  throw new Error(`No tensor backend could start (${detail})`);
}

export function currentBackend(): BackendInfo | null {
  return current;
}

export function parseBackendChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto') as BackendChoice;
  if (!BACKEND_CHOICES.includes(v)) {
    throw new Error(`Unknown tensor backend "${value}"; choose one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return v;
}

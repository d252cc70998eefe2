// Built ONNX graphs kept on disk beside their checkpoint (onnx/<kind>-<key>.onnx), keyed by weights, config and builder version, so a graph is built once.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ONNX_OPSET } from './graph';

/** Bumped when the graph format changes for every model (the graph builder, the opset); each model has its own version too. */
const CACHE_FORMAT = 1;

export interface GraphKeyParts {
  modelId: string;
  config: Record<string, unknown>;
  /** A hash of the weights (a checkpoint's recorded sha256, or the imported file's). */
  weights: string;
  /** `scores`, `maps`, `translate-2`, ... */
  kind: string;
  builderVersion: number;
}

export function graphKey(p: GraphKeyParts): string {
  const text = JSON.stringify([CACHE_FORMAT, ONNX_OPSET, p.modelId, p.config, p.weights, p.kind, p.builderVersion]);
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

/** Where graphs of weights that have no checkpoint folder (imported files) are kept: per user, private to them. */
export function sharedGraphDir(): string {
  let who: string;
  try {
    who = String(userInfo().uid >= 0 ? userInfo().uid : userInfo().username);
  } catch {
    who = 'user';
  }
  return join(tmpdir(), `iqa-workbench-onnx-${who}`);
}

export interface CachedGraph {
  bytes: Uint8Array;
  /** The file it was read from or written to; null when the folder could not be written (the graph lives in memory). */
  path: string | null;
  fromCache: boolean;
}

/**
 * The graph `<dir>/onnx/<kind>-<key>.onnx`: read when present, else built, written (atomically) and returned. A
 * folder that cannot be written (a read-only install) falls back to the shared cache folder, then to memory only.
 */
export async function cachedGraph(dir: string, key: GraphKeyParts, build: () => Promise<Uint8Array> | Uint8Array): Promise<CachedGraph> {
  const file = `${key.kind}-${graphKey(key)}.onnx`;
  const folders = [join(dir, 'onnx'), sharedGraphDir()];
  for (const folder of folders) {
    const path = join(folder, file);
    if (existsSync(path)) {
      try {
        return { bytes: new Uint8Array(await readFile(path)), path, fromCache: true };
      } catch {
        // unreadable: rebuilt below
      }
    }
  }
  const bytes = await build();
  for (const folder of folders) {
    const path = join(folder, file);
    const tmp = `${path}.tmp-${process.pid}-${threadId}-${Date.now()}`;
    try {
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await writeFile(tmp, bytes);
      await rename(tmp, path);
      return { bytes, path, fromCache: false };
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
    }
  }
  return { bytes, path: null, fromCache: false };
}

/** Small JSON facts stored beside a cached graph (the batch size measured for a provider). */
export async function readSidecar<T>(graphPath: string | null, name: string): Promise<T | null> {
  if (!graphPath) return null;
  try {
    return JSON.parse(await readFile(`${graphPath}.${name}.json`, 'utf8')) as T;
  } catch {
    return null;
  }
}

export async function writeSidecar(graphPath: string | null, name: string, value: unknown): Promise<void> {
  if (!graphPath) return;
  await writeFile(`${graphPath}.${name}.json`, JSON.stringify(value)).catch(() => undefined);
}

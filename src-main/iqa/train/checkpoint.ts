// Run checkpoints in tfjs's weight format (weights.json + weights.bin): model weights, optimizer state, epoch, metrics.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import type { IqaModel } from '../models/model';
import type { Optimizers } from './trainer';

export interface CheckpointMeta {
  format: 'iqa-workbench-checkpoint';
  version: 1;
  modelId: string;
  modelConfig: Record<string, unknown>;
  epoch: number;
  metrics: Record<string, number>;
  /** The label scale the model was trained on, so scores come back in it (absent: the model's raw output). */
  labels?: LabelSpace;
  savedAt: string;
}

export interface LabelSpace {
  range: [number, number];
  higherIsBetter: boolean;
  kind: 'mos' | 'dmos';
  /** The model learnt the labels as they are (HyperIQA's official-code mode): its output is already in this scale. */
  raw?: boolean;
}

interface Manifest {
  meta: CheckpointMeta;
  specs: tf.io.WeightsManifestEntry[];
  sha256: string;
}

const OPT = 'optimizer/';

type NamedTensor = { name: string; tensor: tf.Tensor };

/** Writes `<dir>/epoch-NNNN/` atomically (temp folder renamed into place); returns its path and the data's sha256. */
export async function saveCheckpoint(dir: string, meta: Omit<CheckpointMeta, 'format' | 'version' | 'savedAt'>, model: IqaModel, optimizers?: Optimizers): Promise<{ path: string; sha256: string }> {
  const named: tf.NamedTensorMap = {};
  for (const [name, v] of model.weights()) named[name] = v;
  const optTensors: tf.Tensor[] = [];
  for (const g of optimizers?.groups ?? []) {
    for (const w of await g.optimizer.getWeights()) {
      named[`${OPT}${g.name}/${w.name}`] = w.tensor;
      // getWeights() hands out the optimizer's live moment variables plus one fresh iteration-count tensor.
      if (!(w.tensor instanceof tf.Variable)) optTensors.push(w.tensor);
    }
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  tf.dispose(optTensors);
  const bytes = Buffer.from(data);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const final = join(dir, `epoch-${String(meta.epoch).padStart(4, '0')}`);
  const tmp = `${final}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const manifest: Manifest = { meta: { format: 'iqa-workbench-checkpoint', version: 1, savedAt: new Date().toISOString(), ...meta }, specs, sha256 };
  await writeFile(join(tmp, 'weights.bin'), bytes);
  await writeFile(join(tmp, 'weights.json'), JSON.stringify(manifest, null, 1));
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  return { path: final, sha256 };
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  weights: tf.NamedTensorMap;
  optimizer: Map<string, NamedTensor[]>;
}

/** A checkpoint's meta and the sha256 of its weights, from weights.json alone (the weights are not read). */
export async function readCheckpointMeta(path: string): Promise<{ meta: CheckpointMeta; sha256: string }> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(path, 'weights.json'), 'utf8')) as Manifest;
  } catch (err) {
    throw new AppError('bad_input', `Cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  if (manifest.meta?.format !== 'iqa-workbench-checkpoint') throw new AppError('bad_input', `${path} is not a workbench checkpoint`);
  return { meta: manifest.meta, sha256: manifest.sha256 };
}

export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  let manifest: Manifest;
  let bytes: Buffer;
  try {
    manifest = JSON.parse(await readFile(join(path, 'weights.json'), 'utf8')) as Manifest;
    bytes = await readFile(join(path, 'weights.bin'));
  } catch (err) {
    throw new AppError('bad_input', `Cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  if (manifest.meta?.format !== 'iqa-workbench-checkpoint') throw new AppError('bad_input', `${path} is not a workbench checkpoint`);
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256) {
    throw new AppError('bad_input', `Checkpoint ${path} is corrupt (its weights do not match the recorded sha256)`);
  }
  const all = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, manifest.specs);
  const weights: tf.NamedTensorMap = {};
  const optimizer = new Map<string, NamedTensor[]>();
  for (const [name, tensor] of Object.entries(all)) {
    if (!name.startsWith(OPT)) {
      weights[name] = tensor;
      continue;
    }
    const rest = name.slice(OPT.length);
    const group = rest.slice(0, rest.indexOf('/'));
    const list = optimizer.get(group) ?? [];
    list.push({ name: rest.slice(group.length + 1), tensor });
    optimizer.set(group, list);
  }
  return { meta: manifest.meta, weights, optimizer };
}

/** Copies checkpoint weights into a model, refusing missing, unknown or mis-shaped tensors. */
export function assignWeights(model: IqaModel, weights: tf.NamedTensorMap): void {
  const own = model.weights();
  const missing = [...own.keys()].filter((k) => !(k in weights));
  const unknown = Object.keys(weights).filter((k) => !own.has(k));
  const misshaped = [...own].filter(([k, v]) => weights[k] && weights[k]!.shape.join('x') !== v.shape.join('x')).map(([k, v]) => `${k} (model ${v.shape.join('x')}, file ${weights[k]!.shape.join('x')})`);
  if (missing.length || unknown.length || misshaped.length) {
    throw new AppError('bad_input', `Checkpoint does not fit the model: ${[
      missing.length ? `missing ${missing.join(', ')}` : '',
      unknown.length ? `unknown ${unknown.join(', ')}` : '',
      misshaped.length ? `wrong shape ${misshaped.join(', ')}` : '',
    ].filter(Boolean).join('; ')}`);
  }
  for (const [k, v] of own) v.assign(weights[k]!);
}

/**
 * Copies the checkpoint tensors whose name and shape match the model (a new stage of a chain replacing its head);
 * returns what was taken, what stays freshly initialised and what the checkpoint had that the model does not use.
 */
export function assignMatchingWeights(model: IqaModel, weights: tf.NamedTensorMap): { loaded: string[]; fresh: string[]; ignored: string[] } {
  const own = model.weights();
  const loaded: string[] = [];
  const fresh: string[] = [];
  for (const [k, v] of own) {
    const w = weights[k];
    if (w && w.shape.join('x') === v.shape.join('x')) {
      v.assign(w);
      loaded.push(k);
    } else fresh.push(k);
  }
  if (!loaded.length) throw new AppError('bad_input', 'Checkpoint shares no tensor (by name and shape) with the model');
  return { loaded, fresh, ignored: Object.keys(weights).filter((k) => !own.has(k)) };
}

// Reads model weights from .safetensors or a PyTorch checkpoint (.pth/.pt/.pkl/.bin), chosen by the file's contents.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { parseSafetensors, type SafeTensor } from './safetensors';
import { looksLikeTorch, parseTorchCheckpoint } from './torch-checkpoint';

export type WeightsFormat = 'safetensors' | 'torch-zip' | 'torch-legacy';

export interface WeightsFile {
  tensors: Map<string, SafeTensor>;
  format: WeightsFormat;
  /** SHA-256 of the whole file, hex. */
  sha256: string;
  fileName: string;
  bytes: number;
  /** Where a wrapped checkpoint kept its state dict (`state_dict`...), '' at the top level. */
  stateDictKey: string;
  extras: Record<string, string | number | boolean | null>;
}

/** Where a run's starting weights came from: recorded with the run. */
export interface WeightsProvenance {
  role: string;
  fileName: string;
  sha256: string;
  format: WeightsFormat;
}

export function parseWeights(bytes: Uint8Array, source: string): WeightsFile {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const common = { sha256, fileName: basename(source), bytes: bytes.byteLength };
  const torch = looksLikeTorch(bytes);
  if (torch) {
    const ck = parseTorchCheckpoint(bytes, source);
    return { ...common, tensors: ck.tensors, format: torch === 'zip' ? 'torch-zip' : 'torch-legacy', stateDictKey: ck.stateDictKey, extras: ck.extras };
  }
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b) {
    try {
      return { ...common, tensors: parseSafetensors(bytes), format: 'safetensors', stateDictKey: '', extras: {} };
    } catch (err) {
      if (err instanceof AppError) throw new AppError(err.code, `${source}: ${err.message}`, err.details);
      throw err;
    }
  }
  throw new AppError('bad_input', `${source}: not a weights file (.safetensors, or a PyTorch .pth/.pt/.pkl written by torch.save)`);
}

/** Reads a weights file of any supported format; errors name the file. */
export async function readWeightsFile(path: string): Promise<WeightsFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AppError('not_found', `weights file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseWeights(bytes, path);
}

/** The tensors of a weights file of any supported format. */
export async function readWeights(path: string): Promise<Map<string, SafeTensor>> {
  return (await readWeightsFile(path)).tensors;
}

// What a weights file holds (architecture guess, dtypes, parameter count) and its conversion to .safetensors.
import type { SafeTensor, SafeTensorInput } from './safetensors';
import type { WeightsFile } from './read-weights';

export interface WeightsSummary {
  file: string;
  format: WeightsFile['format'];
  sha256: string;
  bytes: number;
  stateDictKey: string;
  extras: WeightsFile['extras'];
  /** e.g. "HyperIQA (ResNet-50 backbone)", "torchvision ResNet-50", "torchvision VGG-16", or null. */
  architecture: string | null;
  tensorCount: number;
  parameters: number;
  dtypes: Record<string, number>;
  tensors: { name: string; dtype: string; shape: number[] }[];
}

function resnetDepth(names: Set<string>, prefix: string): string | null {
  if (!names.has(`${prefix}layer4.0.conv1.weight`)) return null;
  const blocks = [1, 2, 3, 4].map((s) => {
    let n = 0;
    while (names.has(`${prefix}layer${s}.${n}.conv1.weight`)) n++;
    return n;
  });
  const bottleneck = names.has(`${prefix}layer1.0.conv3.weight`);
  const known: Record<string, number> = bottleneck ? { '3,4,6,3': 50, '3,4,23,3': 101, '3,8,36,3': 152 } : { '1,1,1,1': 10, '2,2,2,2': 18, '3,4,6,3': 34 };
  const depth = known[blocks.join(',')];
  return depth ? `ResNet-${depth}` : `ResNet (${blocks.join('-')} ${bottleneck ? 'bottleneck' : 'basic'} blocks)`;
}

/** A best guess from tensor names: which of the networks this workbench loads the file fits. */
export function guessArchitecture(tensors: Map<string, SafeTensor>): string | null {
  const names = new Set(tensors.keys());
  if (names.has('res.lda1_fc.weight') && names.has('fc1w_conv.weight')) {
    const width = tensors.get('res.conv1.weight')?.shape[0];
    return `HyperIQA (${resnetDepth(names, 'res.') ?? 'ResNet'} backbone${width && width !== 64 ? `, width ${width}` : ''})`;
  }
  const resnet = resnetDepth(names, '');
  if (resnet) return `torchvision ${resnet}`;
  if (names.has('features.0.weight') && names.has('classifier.0.weight')) {
    const convs = [...names].filter((n) => /^features\.\d+\.weight$/.test(n)).length;
    return convs === 13 ? 'torchvision VGG-16' : convs === 16 ? 'torchvision VGG-19' : `VGG (${convs} conv layers)`;
  }
  return null;
}

export function summarizeWeights(w: WeightsFile, file: string): WeightsSummary {
  const dtypes: Record<string, number> = {};
  let parameters = 0;
  const tensors: WeightsSummary['tensors'] = [];
  for (const [name, t] of w.tensors) {
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
    if (!name.endsWith('num_batches_tracked')) parameters += t.shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, dtype: t.dtype, shape: t.shape });
  }
  return {
    file,
    format: w.format,
    sha256: w.sha256,
    bytes: w.bytes,
    stateDictKey: w.stateDictKey,
    extras: w.extras,
    architecture: guessArchitecture(w.tensors),
    tensorCount: w.tensors.size,
    parameters,
    dtypes,
    tensors,
  };
}

/**
 * The tensors as the safetensors writer takes them, keeping values exactly: F16 stays F16, F32/BF16 become F32
 * (BF16 widens exactly), integers and booleans become I64. F64 is the one lossy case (rounded to F32) and is reported.
 */
export function toSafetensorsInput(tensors: Map<string, SafeTensor>): { tensors: Record<string, SafeTensorInput>; rounded: string[] } {
  const out: Record<string, SafeTensorInput> = {};
  const rounded: string[] = [];
  for (const [name, t] of tensors) {
    if (t.dtype === 'F16') out[name] = { dtype: 'F16', shape: t.shape, data: t.data as Float32Array };
    else if (t.dtype === 'F32' || t.dtype === 'BF16' || t.dtype === 'F64') {
      if (t.dtype === 'F64') rounded.push(name);
      out[name] = { dtype: 'F32', shape: t.shape, data: t.data as Float32Array };
    } else if (t.dtype === 'I64') out[name] = { dtype: 'I64', shape: t.shape, data: t.data as BigInt64Array };
    else out[name] = { dtype: 'I64', shape: t.shape, data: BigInt64Array.from(t.data as ArrayLike<number>, (v) => BigInt(v)) };
  }
  return { tensors: out, rounded };
}

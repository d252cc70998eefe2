// Reads PyTorch checkpoints (torch.save's zip format and the legacy pre-1.6 format) without running any pickled code:
// tensors are rebuilt from their storages by our own code, and only state dicts of tensors come out.
import { AppError } from '../../../src-shared/api/errors';
import { asDict, PyGlobal, PyTuple, unpickle, type PyKey, type PyValue } from './pickle';
import { decode, type SafeTensor, type SafetensorsDtype } from './safetensors';
import { zipEntries, zipRead } from './zip-entries';

/** torch storage classes -> element type and size. */
const STORAGES: Record<string, { dtype: SafetensorsDtype; bytes: number }> = {
  FloatStorage: { dtype: 'F32', bytes: 4 },
  DoubleStorage: { dtype: 'F64', bytes: 8 },
  HalfStorage: { dtype: 'F16', bytes: 2 },
  BFloat16Storage: { dtype: 'BF16', bytes: 2 },
  LongStorage: { dtype: 'I64', bytes: 8 },
  IntStorage: { dtype: 'I32', bytes: 4 },
  ShortStorage: { dtype: 'I16', bytes: 2 },
  CharStorage: { dtype: 'I8', bytes: 1 },
  ByteStorage: { dtype: 'U8', bytes: 1 },
  BoolStorage: { dtype: 'BOOL', bytes: 1 },
};

/** The legacy format's first pickle (torch/serialization.py MAGIC_NUMBER). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

interface Storage {
  key: string;
  dtype: SafetensorsDtype;
  elementBytes: number;
  numel: number;
  bytes?: Uint8Array;
  decoded?: SafeTensor['data'];
}

/** A tensor as the pickle describes it: a view (offset, size, stride) of a storage. */
export class TorchTensorRef {
  pyState: PyValue = null;
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

export interface TorchCheckpoint {
  format: 'zip' | 'legacy';
  /** The state dict found (plain, or under `state_dict` / `model` / ...), `module.` prefixes removed. */
  tensors: Map<string, SafeTensor>;
  /** Where in the file the state dict was (`''` for the top level, else the wrapper's key). */
  stateDictKey: string;
  /** Other top-level entries of a wrapper that are plain numbers or strings (epoch, best score...). */
  extras: Record<string, string | number | boolean | null>;
}

function bad(source: string, msg: string): never {
  throw new AppError('bad_input', `${source}: ${msg}`);
}

function ints(v: PyValue, what: string, source: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : null;
  if (!items || !items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) bad(source, `${what} is not a tuple of sizes`);
  return items as number[];
}

function rebuildTensor(args: PyValue[], source: string): TorchTensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage && typeof storage === 'object' && 'elementBytes' in storage)) bad(source, 'a tensor without a storage');
  if (typeof offset !== 'number') bad(source, 'a tensor with a bad storage offset');
  return new TorchTensorRef(storage as Storage, offset as number, ints(size!, 'a tensor size', source), ints(stride!, 'a tensor stride', source));
}

/** The allowed names: tensor rebuilders, Parameter, OrderedDict and the storage classes. Nothing else loads. */
function callables(source: string): Record<string, (args: PyValue[]) => PyValue> {
  const tensor = (args: PyValue[]) => rebuildTensor(args, source);
  const firstTensor = (args: PyValue[]) => {
    if (!(args[0] instanceof TorchTensorRef)) bad(source, 'a Parameter that does not wrap a tensor');
    return args[0]!;
  };
  return {
    'collections.OrderedDict': (args) => {
      const d = new Map<PyKey, PyValue>();
      if (Array.isArray(args[0])) {
        for (const kv of args[0]) if (kv instanceof PyTuple && typeof kv.items[0] === 'string') d.set(kv.items[0], kv.items[1]!);
      }
      return d;
    },
    'torch._utils._rebuild_tensor': tensor,
    'torch._utils._rebuild_tensor_v2': tensor,
    'torch._utils._rebuild_parameter': firstTensor,
    'torch._utils._rebuild_parameter_with_state': firstTensor,
    'torch._tensor._rebuild_from_type_v2': (args) => {
      const [fn, type, inner] = args;
      const allowedType = type instanceof PyGlobal && ['torch.Tensor', 'torch.nn.parameter.Parameter'].includes(type.qualified);
      if (!(fn instanceof PyGlobal) || !allowedType || !(inner instanceof PyTuple)) bad(source, 'a tensor of an unknown subclass');
      const f = callables(source)[(fn as PyGlobal).qualified];
      if (!f) bad(source, `a tensor rebuilt by "${(fn as PyGlobal).qualified}", which is not allowed`);
      return f!((inner as PyTuple).items);
    },
  };
}

const NAMES = new Set([...Object.keys(STORAGES).map((s) => `torch.${s}`), 'torch.Tensor', 'torch.nn.parameter.Parameter']);

function storageFromPid(pid: PyValue, source: string, storages: Map<string, Storage>): Storage {
  // ('storage', storage_type, key, location, numel[, view_metadata])
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage') bad(source, 'a persistent id that is not a storage');
  const [, type, key, , numel, view] = (pid as PyTuple).items;
  if (!(type instanceof PyGlobal) || type.module !== 'torch' || !STORAGES[type.name]) {
    bad(source, `a storage of unsupported type ${type instanceof PyGlobal ? type.qualified : String(type)}`);
  }
  if (view !== undefined && view !== null) bad(source, 'legacy storage views are not supported');
  if (typeof key !== 'string' || typeof numel !== 'number') bad(source, 'a storage without key or size');
  const known = storages.get(key as string);
  if (known) return known;
  const spec = STORAGES[(type as PyGlobal).name]!;
  const s: Storage = { key: key as string, dtype: spec.dtype, elementBytes: spec.bytes, numel: numel as number };
  storages.set(key as string, s);
  return s;
}

function storageValues(s: Storage, source: string): SafeTensor['data'] {
  if (s.decoded) return s.decoded;
  if (!s.bytes) bad(source, `the data of storage ${s.key} is missing`);
  if (s.bytes!.byteLength < s.numel * s.elementBytes) bad(source, `storage ${s.key} holds ${s.bytes!.byteLength} bytes, needs ${s.numel * s.elementBytes}`);
  s.decoded = decode(s.dtype, s.bytes!.subarray(0, s.numel * s.elementBytes), s.numel);
  return s.decoded;
}

/** Copies a (possibly strided) view out of its storage into a fresh contiguous array. */
export function materialise(t: TorchTensorRef, source: string): SafeTensor {
  const all = storageValues(t.storage, source);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const Ctor = all.constructor as new (n: number) => SafeTensor['data'];
  const out = new Ctor(count);
  if (count === 0) return { dtype: t.storage.dtype, shape: t.shape, data: out };
  let last = t.offset;
  t.shape.forEach((d, i) => (last += (d - 1) * t.stride[i]!));
  if (last >= all.length) bad(source, `a tensor of shape [${t.shape.join(', ')}] reaches past its storage (${all.length} elements)`);
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = t.offset;
  for (let i = 0; i < count; i++) {
    (out as unknown as Record<number, number | bigint>)[i] = (all as unknown as Record<number, number | bigint>)[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      src += t.stride[d]!;
      if (idx[d]! < t.shape[d]!) break;
      src -= t.shape[d]! * t.stride[d]!;
      idx[d] = 0;
    }
  }
  return { dtype: t.storage.dtype, shape: t.shape, data: out };
}

function readZip(bytes: Uint8Array, source: string): PyValue {
  const entries = zipEntries(bytes, source);
  const pkl = [...entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) bad(source, 'a ZIP file without data.pkl; not written by torch.save?');
  const prefix = pkl!.slice(0, -'data.pkl'.length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(zipRead(bytes, order, source)).trim() !== 'little') bad(source, 'big-endian checkpoints are not supported');
  const storages = new Map<string, Storage>();
  const { value } = unpickle(zipRead(bytes, entries.get(pkl!)!, source), 0, {
    source,
    callables: callables(source),
    names: NAMES,
    persistentLoad: (pid) => {
      const s = storageFromPid(pid, source, storages);
      if (!s.bytes) {
        const e = entries.get(`${prefix}data/${s.key}`);
        if (!e) bad(source, `storage data ${prefix}data/${s.key} is missing from the archive`);
        s.bytes = zipRead(bytes, e!, source);
      }
      return s;
    },
  });
  return value;
}

function readLegacy(bytes: Uint8Array, source: string): PyValue {
  const plain = { source, callables: {} };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) bad(source, 'not a PyTorch checkpoint (no legacy magic number)');
  const version = unpickle(bytes, magic.end, plain);
  if (version.value !== 1001) bad(source, `legacy protocol version ${String(version.value)} is not supported (1001 is)`);
  const sysInfo = unpickle(bytes, version.end, plain);
  if (asDict(sysInfo.value)?.get('little_endian') === false) bad(source, 'big-endian checkpoints are not supported');
  const storages = new Map<string, Storage>();
  const main = unpickle(bytes, sysInfo.end, {
    source,
    callables: callables(source),
    names: NAMES,
    persistentLoad: (pid) => storageFromPid(pid, source, storages),
  });
  const keys = unpickle(bytes, main.end, plain);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) bad(source, 'the storage key list is missing');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const s = storages.get(key);
    if (!s) bad(source, `storage ${key} is listed but never used`);
    if (pos + 8 > bytes.byteLength) bad(source, 'storage data ends early (truncated file?)');
    const numel = Number(dv.getBigInt64(pos, true));
    const n = numel * s!.elementBytes;
    if (numel !== s!.numel || pos + 8 + n > bytes.byteLength) bad(source, `storage ${key}: size mismatch or truncated data`);
    s!.bytes = bytes.subarray(pos + 8, pos + 8 + n);
    pos += 8 + n;
  }
  return main.value;
}

const WRAPPER_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'params'];

function tensorDict(v: PyValue): Map<PyKey, PyValue> | null {
  const d = asDict(v);
  if (!d || d.size === 0) return null;
  return [...d.values()].some((x) => x instanceof TorchTensorRef) ? d : null;
}

/** Is this the start of a PyTorch checkpoint (zip archive or legacy pickle)? */
export function looksLikeTorch(bytes: Uint8Array): 'zip' | 'legacy' | null {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  if (bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5 && bytes[2] === 0x8a) return 'legacy';
  return null;
}

/** Parses a checkpoint held in memory; `source` names it in errors. */
export function parseTorchCheckpoint(bytes: Uint8Array, source: string): TorchCheckpoint {
  const format = looksLikeTorch(bytes);
  if (!format) bad(source, 'not a PyTorch checkpoint (neither a torch.save ZIP archive nor the legacy format)');
  const root = format === 'zip' ? readZip(bytes, source) : readLegacy(bytes, source);
  let stateDictKey = '';
  let dict = tensorDict(root);
  const extras: TorchCheckpoint['extras'] = {};
  const top = asDict(root);
  if (!dict && top) {
    for (const k of WRAPPER_KEYS) {
      const inner = tensorDict(top.get(k) ?? null);
      if (inner) {
        dict = inner;
        stateDictKey = k;
        break;
      }
    }
    for (const [k, v] of top) {
      if (typeof k === 'string' && (v === null || ['string', 'number', 'boolean'].includes(typeof v))) extras[k] = v as string | number | boolean | null;
    }
  }
  if (!dict) {
    bad(source, `holds no state dict of tensors (looked at the top level and under ${WRAPPER_KEYS.map((k) => `'${k}'`).join(', ')})`);
  }
  const names = [...dict!.keys()].filter((k) => dict!.get(k) instanceof TorchTensorRef).map(String);
  const strip = names.length > 0 && names.every((n) => n.startsWith('module.')); // nn.DataParallel
  const tensors = new Map<string, SafeTensor>();
  for (const [k, v] of dict!) {
    if (v instanceof TorchTensorRef) tensors.set(strip ? String(k).slice(7) : String(k), materialise(v, source));
  }
  return { format: format!, tensors, stateDictKey, extras };
}

// A safe Python unpickler for checkpoints: builds plain data, and calls only the few allowed constructors it is given
// (tensor rebuilders, OrderedDict); any other global is refused by name before anything could run.
import { AppError } from '../../../src-shared/api/errors';

/** A Python tuple (kept apart from lists so that callers can tell them apart). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A reference to a module-level Python name, e.g. `torch FloatStorage` (never resolved to code). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export type PyKey = string | number | bigint | boolean | null;
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyGlobal | Map<PyKey, PyValue> | object;

/** What the caller allows: constructors by qualified name, bare names (types), and the persistent-id resolver. */
export interface UnpickleOptions {
  /** `module.name` -> builder called for REDUCE/NEWOBJ with the argument tuple's items. */
  callables: Record<string, (args: PyValue[]) => PyValue>;
  /** `module.name` values that may be pushed (e.g. storage types) but not called. */
  names?: ReadonlySet<string>;
  persistentLoad?: (pid: PyValue) => PyValue;
  /** For error messages: the file the pickle came from. */
  source: string;
}

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

function keyOf(v: PyValue, source: string): PyKey {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  if (v instanceof PyTuple) return JSON.stringify(v.items, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  throw new AppError('bad_input', `${source}: a dictionary key is not a number or string`);
}

/**
 * Unpickles `bytes` from `start` (protocols 2-5, the binary opcodes torch.save writes). Returns the value and the
 * offset after STOP, so that several pickles in a row (the legacy torch format) can be read one after another.
 */
export function unpickle(bytes: Uint8Array, start: number, opts: UnpickleOptions): { value: PyValue; end: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  const src = opts.source;
  let pos = start;
  const fail = (msg: string): never => {
    throw new AppError('bad_input', `${src}: ${msg}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.byteLength) fail(`the pickle ends early (offset ${pos}, needs ${n} more bytes): truncated file?`);
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), dv.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.byteLength)) fail(`a length of ${v} bytes is larger than the file`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const utf8 = (n: number) => new TextDecoder('utf-8', { fatal: true }).decode(take(n));
  const latin1 = (n: number) => Buffer.from(take(n)).toString('latin1');
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('a text line in the pickle has no end');
    const s = Buffer.from(bytes.subarray(pos, end)).toString('latin1');
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail('the pickle stack is empty where a value was expected (corrupt pickle)');
    return v as PyValue;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('the pickle stack is empty where a value was expected (corrupt pickle)');
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) fail('the pickle pops a mark it never set (corrupt pickle)');
    const items = stack.splice(m!) as PyValue[];
    return items;
  };
  const global = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!(q in opts.callables) && !opts.names?.has(q)) {
      fail(
        `refers to the Python name "${q}", which is not a tensor or a container; only tensors and plain data are loaded, ` +
          'so this file is refused (loading it in PyTorch could run code)',
      );
    }
    return new PyGlobal(module, name);
  };
  const call = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal)) return fail('the pickle calls something that is not an allowed name');
    const builder = opts.callables[(fn as PyGlobal).qualified];
    if (!builder) return fail(`the pickle calls "${(fn as PyGlobal).qualified}", which is not allowed`);
    if (!(args instanceof PyTuple)) return fail(`arguments to "${(fn as PyGlobal).qualified}" are not a tuple`);
    return builder((args as PyTuple).items);
  };
  const setItems = (target: PyValue, kv: PyValue[]) => {
    if (!(target instanceof Map)) fail('the pickle sets items on something that is not a dictionary');
    for (let i = 0; i + 1 < kv.length; i += 2) (target as Map<PyKey, PyValue>).set(keyOf(kv[i]!, src), kv[i + 1]!);
  };
  const append = (target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target)) fail('the pickle appends to something that is not a list');
    (target as PyValue[]).push(...items);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol newer than 5');
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new Map<PyKey, PyValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET (kept as a list)
        stack.push([]);
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4
        const n = op === 0x8a ? u8() : u32();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1(u32()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1(u8()));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()));
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) fail(`the pickle reads memo slot ${i}, which was never written (corrupt pickle)`);
        stack.push(memo.get(i)!);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('the pickle refers to external data (a persistent id) where none is expected');
        stack.push(opts.persistentLoad!(pid));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args), allowed only for the callables given
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD: state for an object; only dictionaries take it (OrderedDict's `_metadata`), as an ignored attribute
        const state = pop();
        const obj = top();
        if (state === null) break;
        if (!(obj instanceof Map) && !(typeof obj === 'object' && obj !== null && 'pyState' in obj)) {
          fail('the pickle sets the state of an object that is not a dictionary or tensor');
        }
        if (typeof obj === 'object' && obj !== null && 'pyState' in obj) (obj as { pyState: PyValue }).pyState = state;
        break;
      }
      case 0x30: // POP
        if (stack.length && marks.length && marks[marks.length - 1] === stack.length) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)} at offset ${pos - 1} (not written by torch.save)`);
    }
  }
}

/** A dictionary's string-keyed entries, or null when `v` is not a dictionary. */
export function asDict(v: PyValue): Map<PyKey, PyValue> | null {
  return v instanceof Map ? (v as Map<PyKey, PyValue>) : null;
}

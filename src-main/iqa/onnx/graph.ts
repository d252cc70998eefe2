// A small ONNX graph builder: named values, operators with typed attributes, float/int64 initializers, shape notes; serialises to a self-contained .onnx.
import { AttributeType, DataType, ONNX_IR_VERSION, encodeModel, type AttributeMessage, type DimMessage, type NodeMessage, type TensorMessage, type ValueInfoMessage } from './onnx-proto';

/** The default-domain operator set every graph imports: ORT 1.14+ and every current runtime implement it. */
export const ONNX_OPSET = 17;

/** A dimension: a size, or a symbolic name ('N' for the batch). */
export type Dim = number | string;

/** An attribute value: integers and integer lists are INT/INTS; use `float()` for a FLOAT attribute and `{ floats: [...] }` for FLOATS. */
export type Attr = number | number[] | string | FloatAttr | FloatsAttr;
interface FloatAttr { float: number }
interface FloatsAttr { floats: number[] }
export const float = (v: number): FloatAttr => ({ float: v });

export interface GraphMeta {
  /** Shown by model viewers; say what the graph computes and where its input comes from. */
  doc: string;
  /** Free key/value pairs stored in the file (model id, config, weights hash, builder version). */
  metadata?: Record<string, string>;
}

function attribute(name: string, v: Attr): AttributeMessage {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer; wrap floats in float()`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (Array.isArray(v)) {
    if (!v.every(Number.isInteger)) throw new Error(`attribute ${name}: [${v.join(', ')}] are not integers; pass { floats: [...] }`);
    return { name, type: AttributeType.INTS, ints: v };
  }
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

function valueInfo(name: string, dims: readonly Dim[], elemType: number, doc?: string): ValueInfoMessage {
  const dim: DimMessage[] = dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } }, ...(doc ? { doc_string: doc } : {}) };
}

const bytesOf = (a: Float32Array | BigInt64Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * One ONNX graph under construction. Values are tensor names (strings); `op` appends a node and returns its output
 * name(s). Nodes must be added in topological order (each input defined before use), which building a forward pass
 * in code order gives naturally.
 */
export class OnnxGraph {
  readonly #nodes: NodeMessage[] = [];
  readonly #initializers: TensorMessage[] = [];
  readonly #inputs: ValueInfoMessage[] = [];
  readonly #outputs: ValueInfoMessage[] = [];
  readonly #notes: ValueInfoMessage[] = [];
  readonly #names = new Set<string>();
  readonly #ints = new Map<string, string>();
  #k = 0;

  constructor(readonly name: string) {}

  #fresh(hint: string): string {
    let n = hint.replace(/[^A-Za-z0-9_./:-]/g, '_');
    if (this.#names.has(n)) n = `${n}__${++this.#k}`;
    this.#names.add(n);
    return n;
  }

  /** A graph input: float32 unless `elemType` says otherwise. */
  input(name: string, dims: readonly Dim[], doc?: string, elemType: number = DataType.FLOAT): string {
    if (this.#names.has(name)) throw new Error(`graph ${this.name}: input ${name} already defined`);
    this.#names.add(name);
    this.#inputs.push(valueInfo(name, dims, elemType, doc));
    return name;
  }

  /** Marks `value` as a graph output named `name` (an Identity node renames it when needed). */
  output(value: string, name: string, dims: readonly Dim[], doc?: string): string {
    let v = value;
    if (v !== name) {
      if (this.#names.has(name)) throw new Error(`graph ${this.name}: output name ${name} is taken`);
      this.#names.add(name);
      this.#nodes.push({ input: [value], output: [name], name: `${name}/identity`, op_type: 'Identity', attribute: [] });
      v = name;
    }
    this.#outputs.push(valueInfo(v, dims, DataType.FLOAT, doc));
    return v;
  }

  /** A float32 constant (weights). `name` is a hint: it is made unique. */
  weight(name: string, data: Float32Array, dims: readonly number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`graph ${this.name}: weight ${name} has ${data.length} values for dims [${dims.join(', ')}]`);
    const n = this.#fresh(name);
    this.#initializers.push({ name: n, dims: [...dims], data_type: DataType.FLOAT, raw_data: bytesOf(data) });
    return n;
  }

  /** An int64 constant (shapes, axes, pads); identical ones are shared. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    const known = this.#ints.get(key);
    if (known) return known;
    const n = this.#fresh(`const_i64_${values.length}`);
    this.#initializers.push({ name: n, dims: [...dims], data_type: DataType.INT64, raw_data: bytesOf(BigInt64Array.from(values, (v) => BigInt(v))) });
    this.#ints.set(key, n);
    return n;
  }

  /** A float32 scalar or vector constant (not a weight: small numbers such as 0.5 or a normalisation mean). */
  floatConst(values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    const n = this.#fresh(`const_f32_${values.length}`);
    this.#initializers.push({ name: n, dims: [...dims], data_type: DataType.FLOAT, raw_data: bytesOf(Float32Array.from(values)) });
    return n;
  }

  /** A float32 vector constant that keeps its rank even with one value (Resize scales). */
  floatConstOf(values: readonly number[]): string {
    return this.floatConst(values, [values.length]);
  }

  /** Appends a node; returns its first output. `name` names the node and its outputs (made unique). */
  op(type: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, name?: string): string {
    return this.opN(type, inputs, 1, attrs, name)[0]!;
  }

  /** Appends a node with `outputs` outputs. */
  opN(type: string, inputs: readonly string[], outputs: number, attrs: Record<string, Attr> = {}, name?: string): string[] {
    for (const i of inputs) if (i !== '' && !this.#names.has(i)) throw new Error(`graph ${this.name}: ${type} reads ${i}, which is not defined yet`);
    const base = this.#fresh(name ?? type.toLowerCase());
    const outs = Array.from({ length: outputs }, (_, i) => (i === 0 ? base : this.#fresh(`${base}:${i}`)));
    this.#nodes.push({
      input: [...inputs],
      output: outs,
      name: base,
      op_type: type,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A shape note for viewers and tools (value_info); runtimes infer shapes themselves. */
  note(value: string, dims: readonly Dim[]): string {
    this.#notes.push(valueInfo(value, dims, DataType.FLOAT));
    return value;
  }

  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Serialises the graph as a self-contained ONNX model (weights inside) with the opset and metadata stated. */
  toBytes(meta: GraphMeta): Uint8Array {
    if (!this.#outputs.length) throw new Error(`graph ${this.name} has no output`);
    return encodeModel({
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ domain: '', version: ONNX_OPSET }],
      producer_name: 'iqa-workbench',
      producer_version: '1',
      doc_string: meta.doc,
      graph: {
        name: this.name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
        value_info: this.#notes,
      },
      metadata_props: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
  }
}

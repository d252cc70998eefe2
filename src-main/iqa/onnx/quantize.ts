// Static int8 quantisation of our own ONNX graphs (QDQ format): per-channel symmetric int8 conv weights, per-tensor uint8 activations calibrated on real crops (min/max), int32 biases; ONNX Runtime fuses the pattern into QLinearConv / QLinearAdd.
import { DataType, decodeModel, encodeModel, type ModelMessage, type NodeMessage, type TensorMessage, type ValueInfoMessage } from './onnx-proto';

/** Bumped when the quantised graphs change, so int8 graphs cached beside checkpoints are rebuilt. */
export const QUANTIZER_VERSION = 2;

/** Activation ranges seen in calibration, per tensor name. */
export type Ranges = Map<string, { min: number; max: number }>;

/** Runs a model (with extra outputs) on the calibration inputs and returns each requested tensor's range. */
export type Calibrate = (model: Uint8Array, tensors: readonly string[]) => Promise<Ranges>;

/** Ops whose activation inputs are quantised (ORT runs them in int8 when every input comes through a DequantizeLinear). */
const PASS_THROUGH = new Set(['MaxPool']);
/** Producers of residual sums quantised with them (convs here have constant weights; others are not quantised). */
const FEEDS_ADD = new Set(['Conv', 'Relu', 'Add', 'MaxPool']);

function floatsOf(t: TensorMessage): Float32Array {
  const bytes = Uint8Array.from(t.raw_data); // a copy, aligned (decoded bytes may be an odd-offset Buffer view)
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

const raw = (a: Int8Array | Uint8Array | Int32Array | Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export interface QuantizePlan {
  /** Convs whose weights become int8 (node names). */
  convs: string[];
  /** Activation tensors that pass through QuantizeLinear → DequantizeLinear. */
  activations: string[];
}

/**
 * What gets quantised: Convs with a constant weight whose output is quantised again (directly or after a ReLU), so
 * ONNX Runtime can run them as QLinearConv; their inputs; both inputs of each residual Add (conv outputs and block inputs);
 * the input of a MaxPool whose output is. A conv whose output stays float (HyperIQA's hyper network, whose outputs are
 * the target net's weights; the LDA branches) would only lose precision without running faster, so it stays float,
 * as do pools to vectors, dense layers and the target net.
 */
export function planQuantization(model: ModelMessage): QuantizePlan {
  const g = model.graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const producer = new Map<string, NodeMessage>();
  const consumers = new Map<string, NodeMessage[]>();
  for (const n of g.node) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const outputs = new Set(g.output.map((o) => o.name));
  let convs = g.node.filter((n) => n.op_type === 'Conv' && inits.has(n.input[1]!) && (!n.input[2] || inits.has(n.input[2])));
  let act = new Set<string>();
  // A value quantised again downstream: in `act`, or read only by a ReLU whose output is.
  const requantised = (v: string) => act.has(v) || (!outputs.has(v) && (consumers.get(v) ?? []).length === 1 && consumers.get(v)![0]!.op_type === 'Relu' && act.has(consumers.get(v)![0]!.output[0]!));
  for (;;) {
    act = new Set(convs.map((n) => n.input[0]!));
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of g.node) {
        if (n.op_type === 'Add' && n.input.length === 2 && n.input.every((i) => act.has(i) || FEEDS_ADD.has(producer.get(i)?.op_type ?? ''))) {
          for (const i of n.input) if (!act.has(i)) (act.add(i), (changed = true));
        }
        if (PASS_THROUGH.has(n.op_type) && act.has(n.output[0]!) && !act.has(n.input[0]!)) {
          act.add(n.input[0]!);
          changed = true;
        }
      }
    }
    const kept = convs.filter((n) => requantised(n.output[0]!));
    if (kept.length === convs.length) break;
    convs = kept;
  }
  return { convs: convs.map((n) => n.name), activations: [...act] };
}

/** A copy of `model` that also outputs `tensors` (for calibration). */
export function withOutputs(bytes: Uint8Array, tensors: readonly string[]): Uint8Array {
  const model = decodeModel(bytes);
  const known = new Set(model.graph.output.map((o) => o.name));
  // No shape: an unknown rank (an empty dim list would declare a scalar).
  const unshaped = (name: string) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT } } }) as unknown as ValueInfoMessage;
  for (const t of tensors) if (!known.has(t)) model.graph.output.push(unshaped(t));
  return encodeModel(model);
}

/** uint8 affine parameters covering [min, max] and zero (so ReLU outputs get zero point 0 and padding stays exact). */
export function activationParams(min: number, max: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))) };
}

/** Symmetric per-output-channel int8 weights: scale_o = max|w_o| / 127. */
export function quantizeWeights(w: Float32Array, outChannels: number): { q: Int8Array; scales: Float32Array } {
  const per = w.length / outChannels;
  const q = new Int8Array(w.length);
  const scales = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    let m = 0;
    for (let j = 0; j < per; j++) m = Math.max(m, Math.abs(w[o * per + j]!));
    const s = m > 0 ? m / 127 : 1;
    scales[o] = s;
    for (let j = 0; j < per; j++) q[o * per + j] = Math.max(-127, Math.min(127, Math.round(w[o * per + j]! / s)));
  }
  return { q, scales };
}

/**
 * The QDQ int8 version of `bytes`: calibrates the planned activations with `calibrate`, then writes int8 weights with
 * DequantizeLinear (axis 0), int32 biases, and QuantizeLinear → DequantizeLinear on each planned activation, every
 * consumer reading the dequantised value. Tensors never seen in calibration stay float.
 */
export async function quantizeGraph(bytes: Uint8Array, calibrate: Calibrate): Promise<{ bytes: Uint8Array; plan: QuantizePlan }> {
  const model = decodeModel(bytes);
  const plan = planQuantization(model);
  const ranges = await calibrate(withOutputs(bytes, plan.activations), plan.activations);
  const g = model.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const drop = new Set<string>();
  const added: TensorMessage[] = [];
  const tensor = (name: string, dataType: number, dims: number[], data: Int8Array | Uint8Array | Int32Array | Float32Array) => {
    added.push({ name, dims, data_type: dataType, raw_data: raw(data) });
    return name;
  };
  const params = new Map<string, { scale: number; zeroPoint: number }>();
  for (const a of plan.activations) {
    const r = ranges.get(a);
    if (r && Number.isFinite(r.min) && Number.isFinite(r.max)) params.set(a, activationParams(r.min, r.max));
  }

  const nodes: NodeMessage[] = [];
  const dq = new Map<string, string>();
  const qdqOf = (t: string): NodeMessage[] => {
    const p = params.get(t)!;
    const s = tensor(`${t}/q_scale`, DataType.FLOAT, [], Float32Array.of(p.scale));
    const z = tensor(`${t}/q_zero`, DataType.UINT8, [], Uint8Array.of(p.zeroPoint));
    dq.set(t, `${t}/dq`);
    return [
      { name: `${t}/Q`, op_type: 'QuantizeLinear', input: [t, s, z], output: [`${t}/q`], attribute: [] },
      { name: `${t}/DQ`, op_type: 'DequantizeLinear', input: [`${t}/q`, s, z], output: [`${t}/dq`], attribute: [] },
    ];
  };
  for (const t of g.input.map((i) => i.name)) if (params.has(t)) nodes.push(...qdqOf(t));
  const convNames = new Set(plan.convs);
  for (const n of g.node) {
    const inputs = n.input.map((i) => dq.get(i) ?? i);
    if (convNames.has(n.name) && params.has(n.input[0]!)) {
      const w = inits.get(n.input[1]!)!;
      const outC = w.dims[0]!;
      const { q, scales } = quantizeWeights(floatsOf(w), outC);
      const wq = tensor(`${w.name}/int8`, DataType.INT8, [...w.dims], q);
      const ws = tensor(`${w.name}/scale`, DataType.FLOAT, [outC], scales);
      const wz = tensor(`${w.name}/zero`, DataType.INT8, [outC], new Int8Array(outC));
      nodes.push({ name: `${w.name}/DQ`, op_type: 'DequantizeLinear', input: [wq, ws, wz], output: [`${w.name}/dq`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
      drop.add(w.name);
      inputs[1] = `${w.name}/dq`;
      if (n.input[2]) {
        const b = inits.get(n.input[2])!;
        const bf = floatsOf(b);
        const xs = params.get(n.input[0]!)!.scale;
        const bs = Float32Array.from(scales, (s) => s * xs);
        const bq = Int32Array.from(bf, (v, o) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v / bs[o]!))));
        const bqn = tensor(`${b.name}/int32`, DataType.INT32, [outC], bq);
        const bsn = tensor(`${b.name}/scale`, DataType.FLOAT, [outC], bs);
        const bzn = tensor(`${b.name}/zero`, DataType.INT32, [outC], new Int32Array(outC));
        nodes.push({ name: `${b.name}/DQ`, op_type: 'DequantizeLinear', input: [bqn, bsn, bzn], output: [`${b.name}/dq`], attribute: [{ name: 'axis', type: 2, i: 0 }] });
        drop.add(b.name);
        inputs[2] = `${b.name}/dq`;
      }
    }
    nodes.push({ ...n, input: inputs });
    for (const o of n.output) if (params.has(o)) nodes.push(...qdqOf(o));
  }
  // Graph outputs keep their own names: a planned activation that is also an output is read before its Q/DQ.
  g.node = nodes;
  g.initializer = [...g.initializer.filter((t) => !drop.has(t.name)), ...added];
  model.metadata_props.push({ key: 'quantization', value: JSON.stringify({ format: 'QDQ', weights: 'int8 symmetric per channel', activations: 'uint8 per tensor, min/max calibrated', convs: plan.convs.length, activations_quantised: params.size }) });
  return { bytes: encodeModel(model), plan };
}

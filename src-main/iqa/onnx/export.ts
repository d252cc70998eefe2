// `iqa export`: one of a model's graphs as a self-contained .onnx file (weights inside, opset and provenance in its metadata) for other ONNX runtimes.
import { writeFile } from 'node:fs/promises';
import { AppError } from '../../../src-shared/api/errors';
import type { WeightsSource } from '../score/scorer';
import { resolveWeights } from '../score/scorer';
import type { InputLayout } from './builder';
import { buildGraph, NoGraph, type GraphKind } from './build-graph';
import { ONNX_OPSET } from './graph';
import { decodeModel, ONNX_IR_VERSION } from './onnx-proto';

export interface ExportResult {
  file: string;
  modelId: string;
  graph: GraphKind;
  bytes: number;
  opset: number;
  irVersion: number;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  /** The input protocol a caller must follow (patch side, crops, normalisation) and the label scale, as stored in the file. */
  metadata: Record<string, string>;
}

/** Builds `graph` of the weights in `src` and writes it to `file`; `layout` only changes the `patches` input. */
export async function exportOnnx(src: WeightsSource, file: string, opts: { graph?: GraphKind; layout?: InputLayout } = {}): Promise<ExportResult> {
  const r = await resolveWeights(src);
  const graph = opts.graph ?? (r.spec.kind === 'translator' ? 'translate-1' : 'scores');
  const layout = opts.layout ?? 'nhwc';
  const model = await r.load();
  let bytes: Uint8Array;
  try {
    bytes = buildGraph(r.spec, model, graph, r.config, {
      modelId: r.spec.id, config: r.config, source: r.source, weightsHash: r.weightsHash, kind: graph, builderVersion: r.spec.onnx?.version ?? 0,
      protocol: r.spec.input(r.config), labels: r.labels, citation: r.spec.citation,
    }, layout);
  } catch (err) {
    if (err instanceof NoGraph) throw new AppError('validation', `Cannot export ${r.spec.id}: ${err.message}`);
    throw err;
  } finally {
    model.dispose();
  }
  await writeFile(file, bytes);
  const m = decodeModel(bytes);
  const shapeOf = (v: (typeof m.graph.input)[number]) => v.type.tensor_type.shape.dim.map((d) => (d.dim_param ? d.dim_param : Number(d.dim_value)));
  return {
    file,
    modelId: r.spec.id,
    graph,
    bytes: bytes.length,
    opset: m.opset_import.find((o) => o.domain === '')?.version ?? ONNX_OPSET,
    irVersion: m.ir_version ?? ONNX_IR_VERSION,
    inputs: m.graph.input.map((v) => ({ name: v.name, shape: shapeOf(v) })),
    outputs: m.graph.output.map((v) => ({ name: v.name, shape: shapeOf(v) })),
    metadata: Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value])),
  };
}

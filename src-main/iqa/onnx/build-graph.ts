// Builds one of a model's ONNX graphs from its current weights and serialises it with what produced it in the metadata.
import type { IqaModel, ModelSpec } from '../models/model';
import type { BuildContext } from './builder';
import { OnnxGraph, ONNX_OPSET } from './graph';

/** The model (or this configuration of it) has no such graph; the message says why. */
export class NoGraph extends Error {}

export type GraphKind = 'scores' | 'maps' | `translate-${number}`;

/** Serialised graph `kind` of `model`; `meta` values are stored as JSON strings in the file's metadata. */
export function buildGraph(spec: ModelSpec, model: IqaModel, kind: GraphKind, config: Record<string, unknown>, meta: Record<string, unknown> = {}, layout: BuildContext['layout'] = 'nhwc'): Uint8Array {
  const ctx: BuildContext = { layout, config, protocol: spec.input(config) };
  const b = spec.onnx;
  if (!b) throw new NoGraph(`${spec.id} has no ONNX graph builder`);
  const g = new OnnxGraph(`${spec.id}-${kind}`);
  let doc: string;
  if (kind === 'scores') {
    const refused = b.scores(model, g, ctx);
    if (typeof refused === 'string') throw new NoGraph(refused);
    doc = `${spec.label}: one raw score per crop (input "patches", output "scores"). ${spec.citation}.`;
  } else if (kind === 'maps') {
    if (!b.maps) throw new NoGraph(`${spec.id} does not hallucinate a reference`);
    b.maps.build(model, g, ctx);
    doc = `${spec.label}: the hallucinated reference and |I_d − G(I_d)| of an image in [0,1] (input "image", outputs "reference", "discrepancy"). ${spec.citation}.`;
  } else {
    if (!b.translate) throw new NoGraph(`${spec.id} does not translate images`);
    const level = Number(kind.slice('translate-'.length));
    b.translate(model, g, level, ctx);
    doc = `${spec.label}: an image in [0,1] translated to quality level ${level} (input "image", output "translated"). ${spec.citation}.`;
  }
  const metadata: Record<string, string> = { opset: String(ONNX_OPSET), layout: ctx.layout };
  for (const [k, v] of Object.entries(meta)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return g.toBytes({ doc, metadata });
}

// The contract between a model and ONNX Runtime: the graphs a model builds from its weights, with the names of their inputs and outputs.
import type { InputProtocol, IqaModel } from '../models/model';
import type { Dim, OnnxGraph } from './graph';
import { toNchw } from './layers';

/** Scoring graphs take `patches` and give `scores`; hallucination graphs take `image` and give `reference` + `discrepancy`; translators give `translated`. */
export const IO = { patches: 'patches', scores: 'scores', image: 'image', reference: 'reference', discrepancy: 'discrepancy', translated: 'translated' } as const;

/** How the input tensor is laid out: NHWC is what the workbench's crops are; NCHW what PyTorch-style deployments feed. */
export type InputLayout = 'nhwc' | 'nchw';

export interface BuildContext {
  layout: InputLayout;
  /** The model's parsed config and the input protocol it gives (patch side, normalisation). */
  config: Record<string, unknown>;
  protocol: InputProtocol;
}

/**
 * What a model gives ONNX Runtime (ModelSpec.onnx). A model without it scores through tfjs. Each builder appends to
 * an empty graph, reading the model's current weights; batch norm is folded, dropout is dropped (inference only).
 */
export interface OnnxBuilders {
  /** Bumped whenever a builder's output changes, so graphs cached beside checkpoints are rebuilt. */
  version: number;
  /**
   * The scoring graph: input `patches` [N, P, P, 3] (or NCHW) float32, exactly what the model's input protocol cuts
   * (ImageNet-normalised when it says so); output `scores` [N], one raw score per crop in the model's normalised space.
   * Returns a reason instead when this configuration cannot score on its own (then tfjs scores it, or refuses).
   */
  scores(model: IqaModel, g: OnnxGraph, ctx: BuildContext): void | string;
  /** Models with `hallucinate`: input `image` [1, H, W, 3] in [0,1] → `reference` and `discrepancy`, same shape. */
  maps?: {
    build(model: IqaModel, g: OnnxGraph, ctx: BuildContext): void;
    /** What H and W must divide by, from the model's config (HIQA: 2^generator depth). */
    multiple(config: Record<string, unknown>): number;
  };
  /** Translators: input `image` [1, H, W, 3] in [0,1] → `translated` at quality level `level` (1 = best). */
  translate?(model: IqaModel, g: OnnxGraph, level: number, ctx: BuildContext): void;
}

/** Declares the `patches` input (dynamic batch) and returns it as NCHW. */
export function patchesInput(g: OnnxGraph, patch: number, ctx: BuildContext, doc: string): string {
  if (ctx.layout === 'nchw') return g.input(IO.patches, ['N', 3, patch, patch], `${doc} (NCHW)`);
  return toNchw(g, g.input(IO.patches, ['N', patch, patch, 3], `${doc} (NHWC)`));
}

/** Declares the `scores` output [N] from a [N] or [N, 1] value. */
export function scoresOutput(g: OnnxGraph, value: string, doc: string): string {
  const flat = g.op('Reshape', [value, g.ints([-1])], {}, 'scores_flat');
  return g.output(flat, IO.scores, ['N'] as Dim[], doc);
}

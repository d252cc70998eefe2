// The ONNX graph builder: what it writes decodes back as ONNX (opset, IR, metadata, typed attributes), bad graphs are refused, and a folded batch norm computes what the unfolded one does.
import { describe, expect, it } from 'vitest';
import { createSession, floatTensor, initInference } from '../../../../src-main/iqa/onnx/engine';
import { float, OnnxGraph, ONNX_OPSET } from '../../../../src-main/iqa/onnx/graph';
import { conv2d } from '../../../../src-main/iqa/onnx/layers';
import { decodeModel, ONNX_IR_VERSION } from '../../../../src-main/iqa/onnx/onnx-proto';

describe('OnnxGraph', () => {
  it('writes a self-contained model that decodes with its opset, metadata, initializers and typed attributes', () => {
    const g = new OnnxGraph('tiny');
    const x = g.input('x', ['N', 4], 'some input');
    const y = g.op('Gemm', [x, g.weight('w', Float32Array.from({ length: 8 }, (_, i) => i), [4, 2]), g.weight('b', new Float32Array(2), [2])], { alpha: float(0.5), transB: 0 });
    g.output(g.op('LeakyRelu', [y], { alpha: float(0.2) }), 'y', ['N', 2]);
    const m = decodeModel(g.toBytes({ doc: 'a test graph', metadata: { modelId: 'tiny' } }));
    expect(m.ir_version).toBe(ONNX_IR_VERSION);
    expect(m.opset_import).toEqual([{ domain: '', version: ONNX_OPSET }]);
    expect(m.metadata_props).toEqual([{ key: 'modelId', value: 'tiny' }]);
    expect(m.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'LeakyRelu', 'Identity']);
    expect(m.graph.node[0]!.attribute.map((a) => [a.name, a.type])).toEqual([['alpha', 1], ['transB', 2]]);
    expect(m.graph.initializer.map((t) => [t.name, t.dims, t.data_type, t.raw_data.length])).toEqual([['w', [4, 2], 1, 32], ['b', [2], 1, 8]]);
    expect(m.graph.input[0]!.type.tensor_type.shape.dim).toEqual([{ dim_param: 'N', denotation: '' }, { dim_value: 4, denotation: '' }]);
    expect(m.graph.output.map((o) => o.name)).toEqual(['y']);
  });

  it('refuses undefined inputs, non-integer INT attributes and weights of the wrong size', () => {
    const g = new OnnxGraph('bad');
    const x = g.input('x', [1]);
    expect(() => g.op('Relu', ['nowhere'])).toThrow(/reads nowhere, which is not defined yet/);
    expect(() => g.op('LeakyRelu', [x], { alpha: 0.2 })).toThrow(/wrap floats in float\(\)/);
    expect(() => g.weight('w', new Float32Array(3), [2, 2])).toThrow(/has 3 values for dims \[2, 2\]/);
    expect(() => new OnnxGraph('empty').toBytes({ doc: '' })).toThrow(/has no output/);
  });

  it('folds batch norm into a conv: the same output as conv then (x − μ)/√(σ² + ε)·γ + β', async () => {
    await initInference('onnxruntime');
    const cin = 2;
    const cout = 3;
    const weight = { data: Float32Array.from({ length: 9 * cin * cout }, (_, i) => Math.sin(i)), shape: [3, 3, cin, cout] };
    const bias = Float32Array.from([0.1, -0.2, 0.3]);
    const bn = { gamma: Float32Array.from([1.5, 0.5, -1]), beta: Float32Array.from([0, 1, 2]), mean: Float32Array.from([0.2, -0.1, 0.4]), variance: Float32Array.from([0.5, 2, 1]), eps: 1e-5 };
    const run = async (fold: boolean) => {
      const g = new OnnxGraph('bn');
      const x = g.input('x', [1, cin, 5, 5]);
      let y = conv2d(g, x, { weight, bias, pad: 1, name: 'c', ...(fold ? { bn } : {}) });
      if (!fold) {
        y = g.op('BatchNormalization', [y, g.weight('g', bn.gamma, [cout]), g.weight('b', bn.beta, [cout]), g.weight('m', bn.mean, [cout]), g.weight('v', bn.variance, [cout])], { epsilon: float(bn.eps) });
      }
      g.output(y, 'y', [1, cout, 5, 5]);
      const s = await createSession(g.toBytes({ doc: '' }));
      const out = await s.run({ x: floatTensor(Float32Array.from({ length: cin * 25 }, (_, i) => Math.cos(i)), [1, cin, 5, 5]) });
      await s.release();
      return Array.from(out.y!.data);
    };
    const [folded, plain] = [await run(true), await run(false)];
    expect(folded).toHaveLength(75);
    folded.forEach((v, i) => expect(v).toBeCloseTo(plain[i]!, 5));
  });
});

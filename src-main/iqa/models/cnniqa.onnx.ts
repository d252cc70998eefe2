// CNNIQA (Kang et al., CVPR 2014, §2-3) as ONNX: local contrast normalisation (eq. 1) as box-filter convs, the 7x7 conv, max+min pooling (§2.2), two FC layers.
import { patchesInput, scoresOutput, type OnnxBuilders } from '../onnx/builder';
import { conv2d, denseOf, relu, weightsOf } from '../onnx/layers';

export const cnniqaOnnx: OnnxBuilders = {
  version: 1,
  scores(model, g, ctx) {
    const w = weightsOf(model.weights());
    const x = patchesInput(g, ctx.protocol.patch, ctx, 'RGB crops in [0,1]');
    // Luminance, then (I − μ) / (σ + 1/255) with μ, σ over a 7x7 window (P = Q = 3), zero padded as tfjs 'same' does.
    const gray = conv2d(g, x, { weight: { data: Float32Array.from([0.299, 0.587, 0.114]), shape: [1, 1, 3, 1] }, name: 'lcn.gray' });
    const box = { data: new Float32Array(49).fill(1 / 49), shape: [7, 7, 1, 1] };
    const mu = conv2d(g, gray, { weight: box, pad: 3, name: 'lcn.mean' });
    const centred = g.op('Sub', [gray, mu]);
    const sigma = g.op('Sqrt', [conv2d(g, g.op('Mul', [centred, centred]), { weight: box, pad: 3, name: 'lcn.var' })]);
    const lcn = g.op('Div', [centred, g.op('Add', [sigma, g.floatConst([1 / 255])])]);
    const h = conv2d(g, lcn, { weight: w('conv1.weight'), bias: w('conv1.bias').data, name: 'conv1' });
    const pooled = g.op('Concat', [g.op('ReduceMax', [h], { axes: [2, 3], keepdims: 0 }), g.op('ReduceMin', [h], { axes: [2, 3], keepdims: 0 })], { axis: 1 });
    const f1 = relu(g, denseOf(g, pooled, w, 'fc1'));
    const f2 = relu(g, denseOf(g, f1, w, 'fc2'));
    scoresOutput(g, denseOf(g, f2, w, 'fc3'), 'one score per crop (normalised space)');
  },
};

// HyperIQA (Su et al., CVPR 2020, §3 eq. 1-5) as one ONNX graph: ResNet + LDA (eq. 4), the hyper network generating each image's target-net weights (eq. 3), and the target net (eq. 2).
import type { OnnxBuilders } from '../onnx/builder';
import { patchesInput, scoresOutput } from '../onnx/builder';
import { globalMean, reshape, relu, sigmoid, conv2d, dense, denseOf, weightsOf, scoped } from '../onnx/layers';
import { HYPER, type HyperIqaModel } from './hyperiqa.arch';
import { resnetOnnx } from '../backbones/resnet.onnx';

export const hyperiqaOnnx: OnnxBuilders = {
  version: 1,
  scores(m, g, ctx) {
    const model = m as HyperIqaModel;
    const w = weightsOf(model.weights());
    const res = scoped(w, 'res.');
    const x = patchesInput(g, HYPER.patch, ctx, `${HYPER.patch}x${HYPER.patch} RGB crops, pixels/255 normalised with the ImageNet mean and std`);
    const f = resnetOnnx(g, x, res);
    const flat = (v: string) => g.op('Flatten', [v], { axis: 1 });
    const pool7 = (v: string) => g.op('AveragePool', [v], { kernel_shape: [7, 7], strides: [7, 7] });

    // Local distortion aware module: 1x1 conv → AvgPool 7 s7 → flatten (NCHW order, as PyTorch's view) → FC.
    const lda = [f.layer1, f.layer2, f.layer3].map((feat, i) => {
      const c = conv2d(g, feat, { weight: res(`lda${i + 1}_pool.0.weight`), name: `res.lda${i + 1}_pool` });
      return denseOf(g, flat(pool7(c)), res, `lda${i + 1}_fc`, 'res.');
    });
    const lda4 = denseOf(g, flat(pool7(f.layer4)), res, 'lda4_fc', 'res.');
    // v_x = S_ms(x), the target network's input (eq. 4).
    let q = g.op('Concat', [...lda, lda4], { axis: 1 }, 'target_in');

    // Hyper network H(S(x), γ) (eq. 3): three 1x1 convs + ReLU on layer4, then per target layer a 3x3 conv making
    // its weights (viewed [N, out, in] as PyTorch views the NCHW map) and an FC on the pooled map making its bias.
    let h = f.layer4;
    for (let i = 0; i < 3; i++) h = relu(g, conv2d(g, h, { weight: w(`conv1.${2 * i}.weight`), bias: w(`conv1.${2 * i}.bias`).data, name: `conv1.${2 * i}` }));
    const gap = globalMean(g, h);
    const sizes = [HYPER.targetIn, ...HYPER.fc];
    for (let i = 0; i < 4; i++) {
      const wmap = conv2d(g, h, { weight: w(`fc${i + 1}w_conv.weight`), bias: w(`fc${i + 1}w_conv.bias`).data, pad: 1, name: `fc${i + 1}w_conv` });
      const weights = reshape(g, wmap, [0, sizes[i + 1]!, sizes[i]!]);
      const bias = denseOf(g, gap, w, `fc${i + 1}b_fc`);
      // Target network layer (eq. 2): sigmoid(W_x · q + b_x), W_x [N, out, in] per image.
      const wq = g.op('MatMul', [weights, g.op('Unsqueeze', [q, g.ints([2])])]);
      q = sigmoid(g, g.op('Add', [g.op('Squeeze', [wq, g.ints([2])]), bias]));
    }
    const w5 = dense(g, gap, w('fc5w_fc.weight'), w('fc5w_fc.bias'), 'fc5w_fc');
    const b5 = dense(g, gap, w('fc5b_fc.weight'), w('fc5b_fc.bias'), 'fc5b_fc');
    const out = g.op('Add', [g.op('ReduceSum', [g.op('Mul', [q, w5]), g.ints([1])], { keepdims: 0 }), reshape(g, b5, [-1])]);
    scoresOutput(g, out, 'one raw score per crop: the target network output (normalised space when trained here, the official scale with imported weights)');
  },
};

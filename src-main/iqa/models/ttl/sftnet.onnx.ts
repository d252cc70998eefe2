// TTL-IQA's SFTnet (Yang, Li & Liu, TMM 2021, §V-A Fig. 6, eq. 15-19) as ONNX: VGG-16 convs, the SDA block, pool5 → adaptive pool 7×7 → fc6/fc7 → the level or score head.
import { patchesInput, scoresOutput, type OnnxBuilders } from '../../onnx/builder';
import type { OnnxGraph } from '../../onnx/graph';
import { conv2d, denseOf, maxPool, relu, sigmoid, weightsOf, type Weights } from '../../onnx/layers';
import { levelToTarget } from './levels';
import type { SftnetModel } from './sftnet.arch';
import { VGG16_CFG } from '../../backbones/vgg16';

/** PyTorch's adaptive average pooling of n cells into m, as the m×n averaging matrix (vgg16.ts's poolMatrix). */
function poolMatrix(n: number, m: number): Float32Array {
  const data = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const [s, e] = [Math.floor((i * n) / m), Math.ceil(((i + 1) * n) / m)];
    for (let j = s; j < e; j++) data[i * n + j] = 1 / (e - s);
  }
  return data;
}

/** AdaptiveAvgPool2d(7, 7) on an NCHW value of side `side`: P_h · x · P_wᵀ, or nothing when it is 7 already. */
function adaptivePool7(g: OnnxGraph, x: string, side: number): string {
  if (side === 7) return x;
  const rows = g.op('MatMul', [g.weight('adaptive_pool.rows', poolMatrix(side, 7), [7, side]), x]);
  const colsT = poolMatrix(side, 7);
  const t = new Float32Array(side * 7);
  for (let i = 0; i < 7; i++) for (let j = 0; j < side; j++) t[j * 7 + i] = colsT[i * side + j]!;
  return g.op('MatMul', [rows, g.weight('adaptive_pool.cols', t, [side, 7])]);
}

/** SDA on V (eq. 15-19): depthwise 3×3 → ReLU → depthwise 3×3 → 1×1 → global max → channel weights s → V·s. */
function sdaOnnx(g: OnnxGraph, v: string, w: Weights, form: 'paper' | 'se'): string {
  const dwc = (x: string, name: string) => conv2d(g, x, { weight: w(`sda.${name}.weight`), bias: w(`sda.${name}.bias`).data, pad: 1, depthwise: true, name: `sda.${name}` });
  const f = dwc(relu(g, dwc(v, 'dwc1')), 'dwc2');
  const u = conv2d(g, f, { weight: w('sda.sc.weight'), bias: w('sda.sc.bias').data, name: 'sda.sc' });
  const pooled = g.op('ReduceMax', [u], { axes: [2, 3], keepdims: 0 });
  const z = form === 'paper' ? relu(g, denseOf(g, pooled, w, 'sda.fc')) : denseOf(g, relu(g, denseOf(g, pooled, w, 'sda.fc1')), w, 'sda.fc2');
  return g.op('Mul', [v, g.op('Unsqueeze', [sigmoid(g, z), g.ints([2, 3])])]);
}

export const sftnetOnnx: OnnxBuilders = {
  version: 1,
  scores(m, g, ctx) {
    const model = m as SftnetModel;
    const w = weightsOf(model.weights());
    const size = ctx.protocol.patch;
    let h = patchesInput(g, size, ctx, `${size}x${size} RGB, pixels/255 normalised with the ImageNet mean and std`);
    let side = size;
    let k = 0;
    VGG16_CFG.forEach((item, i) => {
      if (item === 'M') {
        // pool5 (the last 'M') belongs to the head, after SDA.
        if (i < VGG16_CFG.length - 1) {
          h = maxPool(g, h, 2, 2);
          side = Math.floor(side / 2);
        }
        k += 1;
        return;
      }
      h = relu(g, conv2d(g, h, { weight: w(`features.${k}.weight`), bias: w(`features.${k}.bias`).data, pad: 1, name: `features.${k}` }));
      k += 2;
    });
    if (model.sda) h = sdaOnnx(g, h, w, model.config.sdaForm);
    h = adaptivePool7(g, maxPool(g, h, 2, 2), Math.floor(side / 2));
    let z = g.op('Flatten', [h], { axis: 1 });
    for (const name of ['classifier.0', 'classifier.3']) z = relu(g, denseOf(g, z, w, name));
    if (model.config.stage === 'score') {
      scoresOutput(g, denseOf(g, z, w, 'head_score'), 'the score head per image (normalised space)');
      return;
    }
    // Stage 'levels': the expected quality Σ_k softmax_k · levelToTarget(k).
    const levels = model.config.levels;
    const targets = Array.from({ length: levels }, (_, i) => levelToTarget(i + 1, levels));
    const probs = g.op('Softmax', [denseOf(g, z, w, 'head_levels')], { axis: 1 });
    scoresOutput(g, g.op('ReduceSum', [g.op('Mul', [probs, g.floatConstOf(targets)]), g.ints([1])], { keepdims: 0 }), 'the expected quality level per crop, as a score (1 = best level)');
  },
};

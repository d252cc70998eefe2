// Hallucinated-IQA (Lin & Wang, CVPR 2018, §3.1, §3.3 eq. 10-12) as ONNX: G's stacked hourglass, the discrepancy map |I_d − G(I_d)|, R (ResNet) with the fusion of f(H_{5,2}) before its FC layers; and G's maps alone.
import { IO, patchesInput, scoresOutput, type OnnxBuilders } from '../../onnx/builder';
import type { OnnxGraph } from '../../onnx/graph';
import { add, batchNormNode, batchNormOf, conv2d, denseOf, globalMean, maxPool, relu, scoped, sigmoid, toNchw, toNhwc, upsampleNearest2, weightsOf, type Weights } from '../../onnx/layers';
import { BN_EPS } from '../../layers/norm';
import { resnetOnnx } from '../../backbones/resnet.onnx';
import type { HiqaModel } from './hiqa.arch';
import { HiqaConfig, resolveHiqaSizes } from './hiqa.config';

/** G on NCHW x in [0,1]: the last stack's image and H_{depth, fusionStack} (generator.ts, layer by layer). */
function generatorOnnx(g: OnnxGraph, x: string, w: Weights, model: HiqaModel): { image: string; fusion: string } {
  const { stacks, depth, fusionStack } = model.sizes.generator;
  const batchNorm = model.config.generatorNorm === 'batch';
  const bnOf = (name: string) => (batchNorm ? batchNormOf(w, name, BN_EPS) : undefined);
  const conv = (input: string, name: string, bn?: string) => {
    const weight = w(`${name}.weight`);
    return conv2d(g, input, { weight, bias: w(`${name}.bias`).data, pad: (weight.shape[0]! - 1) / 2, name: `G.${name}`, ...(bn && batchNorm ? { bn: bnOf(bn) } : {}) });
  };
  // Pre-activation bottleneck: BN-ReLU-Conv1×1 → BN-ReLU-Conv3×3 → BN-ReLU-Conv1×1; bn2 and bn3 fold into the conv before them.
  const residual = (input: string, name: string) => {
    const pre = batchNorm ? batchNormNode(g, input, bnOf(`${name}.bn1`)!, `G.${name}.bn1`) : input;
    let h = relu(g, conv(relu(g, pre), `${name}.conv1`, `${name}.bn2`));
    h = relu(g, conv(h, `${name}.conv2`, `${name}.bn3`));
    h = conv(h, `${name}.conv3`);
    return add(g, h, w.has(`${name}.skip.weight`) ? conv(input, `${name}.skip`) : input);
  };
  let h = residual(relu(g, conv(x, 'stem.conv', 'stem.bn')), 'stem.res');
  let image = '';
  let fusion = '';
  for (let n = 0; n < stacks; n++) {
    const skips: string[] = [];
    let t = h;
    for (let i = 0; i < depth; i++) {
      skips.push(residual(t, `hg.${n}.skip.${i}`));
      t = residual(maxPool(g, t, 2, 2), `hg.${n}.enc.${i}`);
    }
    if (n === fusionStack - 1) fusion = t;
    t = residual(t, `hg.${n}.bottleneck`);
    for (let i = depth - 1; i >= 0; i--) t = add(g, upsampleNearest2(g, residual(t, `hg.${n}.dec.${i}`)), skips[i]!);
    const feat = relu(g, conv(residual(t, `head.${n}.res`), `head.${n}.conv`, `head.${n}.bn`));
    const logits = conv(feat, `head.${n}.out`);
    image = model.config.generatorOutput === 'residual'
      ? g.op('Clip', [add(g, x, g.op('Tanh', [logits])), g.floatConst([0]), g.floatConst([1])])
      : sigmoid(g, logits);
    if (n < stacks - 1) h = add(g, add(g, h, conv(feat, `merge.${n}.feat`)), conv(image, `merge.${n}.pred`));
  }
  return { image, fusion };
}

/** Side of R's layer4 for a p×p input: stem conv s2, max pool s2, three stride-2 stages. */
function r1Side(p: number): number {
  const half = (n: number, k: number, pad: number) => Math.floor((n + 2 * pad - k) / 2) + 1;
  let n = half(half(p, 7, 3), 3, 1);
  for (let i = 0; i < 3; i++) n = half(n, 3, 1);
  return n;
}

export const hiqaOnnx: OnnxBuilders = {
  version: 1,
  scores(m, g, ctx) {
    const model = m as HiqaModel;
    const cfg = model.config;
    if (cfg.oracle) return 'HIQA in oracle mode scores with the true reference, which a scoring graph does not have';
    const w = weightsOf(model.weights());
    const p = ctx.protocol.patch;
    const x = patchesInput(g, p, ctx, 'RGB crops in [0,1]');
    const gen = cfg.discrepancy || cfg.fusion ? generatorOnnx(g, x, scoped(w, 'G.'), model) : null;
    // R's input: I_d ⊕ I_map, I_map = |I_d − I_sh| (eq. 10), or I_d alone (BL).
    const rIn = cfg.discrepancy ? g.op('Concat', [x, g.op('Abs', [g.op('Sub', [x, gen!.image])])], { axis: 1 }) : x;
    const r = scoped(w, 'R.');
    const r1 = resnetOnnx(g, rIn, r, 'R').layer4;
    let fused = r1;
    if (cfg.fusion) {
      // H_{5,2} and R1 are both p/32 a side for every patch HIQA accepts (a multiple of 2^depth, depth 5), so the
      // bilinear resize regressor.ts keeps for other sizes never runs; a size that needs it has no graph.
      if (p / 2 ** model.sizes.generator.depth !== r1Side(p)) return `HIQA: H and R1 differ in size at ${p}² crops (generator depth ${model.sizes.generator.depth})`;
      const hf = conv2d(g, gen!.fusion, { weight: r('fuse.weight'), bias: r('fuse.bias').data, name: 'R.fuse' });
      // F = f(H_{5,2}(I_d)) ⊗ R1(I_d, I_map), ⊗ = channel concatenation (eq. 11).
      fused = g.op('Concat', [hf, r1], { axis: 1 });
    }
    const z = relu(g, denseOf(g, globalMean(g, fused), r, 'fc1', 'R.'));
    scoresOutput(g, denseOf(g, z, r, 'fc2', 'R.'), 'ŝ per crop (normalised space, eq. 12)');
  },
  maps: {
    build(m, g) {
      const model = m as HiqaModel;
      const x = toNchw(g, g.input(IO.image, [1, 'H', 'W', 3], 'an RGB image in [0,1] (NHWC), sides multiples of 2^generator depth'));
      const { image } = generatorOnnx(g, x, scoped(weightsOf(model.weights()), 'G.'), model);
      g.output(toNhwc(g, image), IO.reference, [1, 'H', 'W', 3], 'I_sh = G(I_d), the hallucinated reference');
      g.output(toNhwc(g, g.op('Abs', [g.op('Sub', [x, image])])), IO.discrepancy, [1, 'H', 'W', 3], '|I_d − G(I_d)|');
    },
    multiple: (config) => 2 ** resolveHiqaSizes(HiqaConfig.parse(config)).generator.depth,
  },
};

// TTL-IQA's DT-GAN translators (Yang, Li & Liu, TMM 2021, §IV, Table II) as ONNX: each level's D-Gnet, an image in [0,1] → the same image at that quality level.
import { IO, type OnnxBuilders } from '../../onnx/builder';
import type { OnnxGraph } from '../../onnx/graph';
import { conv2d, relu, scoped, toNchw, toNhwc, upsampleNearest2, weightsOf, type Weights } from '../../onnx/layers';
import { dtganWeightName, type DtganModel } from './dtgan.arch';
import { IN_EPS } from './dtgan.nets';
import { float } from '../../onnx/graph';

/** Table II's generator on NCHW x in [0,1] (dtgan.nets.ts createTranslatorGenerator, layer by layer). */
function translatorOnnx(g: OnnxGraph, x: string, w: Weights, residualBlocks: number): string {
  const reflect = (v: string, p: number) => g.op('Pad', [v, g.ints([0, 0, p, p, 0, 0, p, p])], { mode: 'reflect' });
  const norm = (v: string, name: string) => g.op('InstanceNormalization', [v, g.weight(`${name}.weight`, w(`${name}.weight`).data, w(`${name}.weight`).shape), g.weight(`${name}.bias`, w(`${name}.bias`).data, w(`${name}.bias`).shape)], { epsilon: float(IN_EPS) });
  const conv = (v: string, name: string, stride = 1, pad = 0) => conv2d(g, v, { weight: w(`${name}.weight`), stride, pad, name, ...(w.has(`${name}.bias`) ? { bias: w(`${name}.bias`).data } : {}) });
  const scaled = g.op('Sub', [g.op('Mul', [x, g.floatConst([2])]), g.floatConst([1])]);
  let h = relu(g, norm(conv(reflect(scaled, 3), 'sc1'), 'sc1.norm'));
  h = relu(g, norm(conv(h, 'sc2', 2, 1), 'sc2.norm'));
  h = relu(g, norm(conv(h, 'sc3', 2, 1), 'sc3.norm'));
  for (let i = 1; i <= residualBlocks; i++) {
    let r = relu(g, norm(conv(reflect(h, 1), `rb${i}.conv1`), `rb${i}.norm1`));
    r = norm(conv(reflect(r, 1), `rb${i}.conv2`), `rb${i}.norm2`);
    h = g.op('Add', [h, r]);
  }
  h = relu(g, norm(conv(reflect(upsampleNearest2(g, h), 1), 'rc1'), 'rc1.norm'));
  h = relu(g, norm(conv(reflect(upsampleNearest2(g, h), 1), 'rc2'), 'rc2.norm'));
  const y = g.op('Tanh', [conv(reflect(h, 3), 'sc4')]);
  return g.op('Mul', [g.op('Add', [y, g.floatConst([1])]), g.floatConst([0.5])]);
}

export const dtganOnnx: OnnxBuilders = {
  version: 1,
  scores: () => 'DT-GAN translates images; it gives no score',
  translate(m, g, level) {
    const model = m as DtganModel;
    const w = scoped(weightsOf(model.weights()), dtganWeightName(level, 'dg', ''));
    const x = toNchw(g, g.input(IO.image, [1, 'H', 'W', 3], 'an RGB image in [0,1] (NHWC), sides multiples of 4 and at least 8'));
    g.output(toNhwc(g, translatorOnnx(g, x, w, model.sizes.residualBlocks)), IO.translated, [1, 'H', 'W', 3], `the image at quality level ${level} (1 = best), in [0,1]`);
  },
};

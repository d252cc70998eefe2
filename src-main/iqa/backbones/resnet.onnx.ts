// ResNet-10/18/50 (He et al., CVPR 2016, §3-4, Table 1; torchvision v1.5 layout) as ONNX nodes on NCHW input, batch norm folded into each conv.
import type { OnnxGraph } from '../onnx/graph';
import { add, batchNormOf, conv2d, maxPool, relu, type Weights } from '../onnx/layers';
import { BN_EPS } from '../layers/norm';

export interface OnnxResNetFeatures {
  layer1: string;
  layer2: string;
  layer3: string;
  layer4: string;
}

/**
 * The stem and four stages of a ResNet whose weights carry torchvision names in `w` (`conv1.weight`, `bn1.*`,
 * `layer2.0.downsample.0.weight`, ...). Block type and count are read from the names present: bottleneck when
 * `layer1.0.conv3.weight` exists, as many blocks per stage as `layerS.B.conv1.weight` entries. `name` prefixes node names.
 */
export function resnetOnnx(g: OnnxGraph, x: string, w: Weights, name = 'res'): OnnxResNetFeatures {
  const convBn = (input: string, conv: string, bn: string, stride: number, pad: number) =>
    conv2d(g, input, { weight: w(`${conv}.weight`), bn: batchNormOf(w, bn, BN_EPS), stride, pad, name: `${name}.${conv}` });
  const stem = relu(g, convBn(x, 'conv1', 'bn1', 2, 3));
  let h = maxPool(g, stem, 3, 2, 1);
  const bottleneck = w.has('layer1.0.conv3.weight');
  const feats: string[] = [];
  for (let s = 1; s <= 4; s++) {
    for (let b = 0; w.has(`layer${s}.${b}.conv1.weight`); b++) {
      const n = `layer${s}.${b}`;
      const stride = b === 0 && s > 1 ? 2 : 1;
      let out: string;
      if (bottleneck) {
        // torchvision v1.5: the stride sits on the 3x3 conv.
        out = relu(g, convBn(h, `${n}.conv1`, `${n}.bn1`, 1, 0));
        out = relu(g, convBn(out, `${n}.conv2`, `${n}.bn2`, stride, 1));
        out = convBn(out, `${n}.conv3`, `${n}.bn3`, 1, 0);
      } else {
        out = relu(g, convBn(h, `${n}.conv1`, `${n}.bn1`, stride, 1));
        out = convBn(out, `${n}.conv2`, `${n}.bn2`, 1, 1);
      }
      const skip = w.has(`${n}.downsample.0.weight`) ? convBn(h, `${n}.downsample.0`, `${n}.downsample.1`, stride, 0) : h;
      h = relu(g, add(g, out, skip));
    }
    feats.push(h);
  }
  return { layer1: feats[0]!, layer2: feats[1]!, layer3: feats[2]!, layer4: feats[3]! };
}

// Building blocks HIQA and TTL-IQA share: a seeded, named parameter store (PyTorch-like names) with conv, BN (running stats) and FC helpers.
import * as tf from '@tensorflow/tfjs';
import { batchNorm2d, type Activation } from './norm';
import { biasAdd, biasAddRelu, conv, ownedVariable, type ForwardOptions, type Param } from './torch-params';

/**
 * Named parameters of one network. Every tensor gets its own seed (`seed·1000 + k`), so a network is reproducible
 * from one seed. Conv weights are HWIO, linear weights [in, out] (PyTorch layouts are recorded for export).
 */
export class ParamStore {
  readonly params = new Map<string, Param>();
  #k = 0;

  constructor(readonly seed: number) {}

  #next(): number {
    return this.seed * 1000 + ++this.#k;
  }

  #add(name: string, t: tf.Tensor, layout: Param['layout'], trainable = true): void {
    if (this.params.has(name)) throw new Error(`parameter ${name} defined twice`);
    this.params.set(name, { variable: ownedVariable(t, trainable), layout, trainable });
  }

  /** k×k conv, Kaiming normal with fan-in (gain √2); optional zero bias `${name}.bias`. */
  conv(name: string, k: number, cin: number, cout: number, bias = false, gain = Math.SQRT2): void {
    this.#add(`${name}.weight`, tf.randomNormal([k, k, cin, cout], 0, gain / Math.sqrt(k * k * cin), 'float32', this.#next()), 'conv');
    if (bias) this.#add(`${name}.bias`, tf.zeros([cout]), 'vector');
  }

  /** BatchNorm2d: weight 1, bias 0, running mean 0, running variance 1 (PyTorch defaults). */
  bn(name: string, c: number): void {
    this.#add(`${name}.weight`, tf.ones([c]), 'vector');
    this.#add(`${name}.bias`, tf.zeros([c]), 'vector');
    this.#add(`${name}.running_mean`, tf.zeros([c]), 'vector', false);
    this.#add(`${name}.running_var`, tf.ones([c]), 'vector', false);
  }

  /** Fully connected layer; weight N(0, std²) (default Kaiming fan-in), bias constant `biasInit`. */
  linear(name: string, cin: number, cout: number, std = Math.sqrt(2 / cin), biasInit = 0): void {
    this.#add(`${name}.weight`, tf.randomNormal([cin, cout], 0, std, 'float32', this.#next()), 'linear');
    this.#add(`${name}.bias`, tf.fill([cout], biasInit), 'vector');
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  v(name: string): tf.Variable {
    const p = this.params.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    return p.variable;
  }

  /** Conv with PyTorch's symmetric padding (k odd: pad (k-1)/2) and the optional bias; `relu` applies ReLU after it. */
  conv2d(x: tf.Tensor4D, name: string, stride = 1, relu = false): tf.Tensor4D {
    const w = this.v(`${name}.weight`);
    const k = w.shape[0]!;
    // A 1×1 stride-1 conv is a matrix product: much faster on wasm than Conv2D and its backprop kernels.
    const y = k === 1 && stride === 1 ? pointwise(x, w) : conv(x, w, stride, (k - 1) / 2);
    if (!this.params.has(`${name}.bias`)) return relu ? tf.relu(y) : y;
    return relu ? biasAddRelu(y, this.v(`${name}.bias`)) : biasAdd(y, this.v(`${name}.bias`));
  }

  /** Fully connected layer, optionally followed by ReLU. */
  dense(x: tf.Tensor2D, name: string, relu = false): tf.Tensor2D {
    const y = x.matMul(this.v(`${name}.weight`) as tf.Tensor2D) as tf.Tensor2D;
    return relu ? biasAddRelu(y, this.v(`${name}.bias`)) : biasAdd(y, this.v(`${name}.bias`));
  }

  /**
   * BatchNorm2d (layers/norm.ts): eval uses running stats; training uses batch stats and optionally updates the
   * running ones. `act` follows it (fused with the norm on wasm).
   */
  batchNorm(x: tf.Tensor4D, name: string, o: ForwardOptions, act: Activation = 'none'): tf.Tensor4D {
    return batchNorm2d(x, (n) => this.v(n), name, o, act);
  }

  /** Trainable variables (running statistics excluded). */
  trainable(): tf.Variable[] {
    return [...this.params.values()].filter((p) => p.trainable).map((p) => p.variable);
  }

  /** Sum of squares of conv and FC weights (for L2 weight decay; biases and BN excluded). */
  l2(): tf.Scalar {
    return tf.tidy(() => {
      const ws = [...this.params.values()].filter((p) => p.trainable && p.layout !== 'vector').map((p) => p.variable.square().sum());
      return (ws.length ? tf.addN(ws) : tf.scalar(0)) as tf.Scalar;
    });
  }

  dispose(): void {
    this.params.forEach((p) => p.variable.dispose());
  }
}

/** x [B,H,W,Cin] · w [1,1,Cin,Cout] as one matMul. */
function pointwise(x: tf.Tensor4D, w: tf.Tensor): tf.Tensor4D {
  const [b, h, wd, cin] = x.shape;
  const cout = w.shape[3]!;
  return x.reshape([b * h * wd, cin]).matMul(w.reshape([cin, cout]) as tf.Tensor2D).reshape([b, h, wd, cout]);
}

/** Nearest-neighbour ×2 upsampling (Newell's hourglass decoder). */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  return tf.image.resizeNearestNeighbor(x, [x.shape[1] * 2, x.shape[2] * 2]);
}

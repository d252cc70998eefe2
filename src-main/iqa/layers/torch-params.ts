// PyTorch-compatible parameters: layouts, named variables, symmetric-padding conv and weight transfer between the layouts.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../src-shared/api/errors';
import type { SafeTensor } from '../weights/safetensors';
import { BIAS_RELU_GRAD, CHANNEL_SUM, hasFastHeapKernels } from '../wasm-kernels';

/**
 * How a variable is laid out in PyTorch: conv weights are OIHW there and HWIO here, linear weights [out, in] there and
 * [in, out] here, vectors identical.
 */
export type TorchLayout = 'conv' | 'linear' | 'vector';

export interface Param {
  variable: tf.Variable;
  layout: TorchLayout;
  /** False for batch-norm running statistics (updated by forward passes, never by an optimizer). */
  trainable: boolean;
}

export interface ForwardOptions {
  /** Batch-norm uses batch statistics (PyTorch `train()` mode). */
  training?: boolean;
  /** With `training`, also update the running statistics (momentum 0.1, unbiased variance, as PyTorch does). */
  updateStats?: boolean;
}

/** Conv with PyTorch's symmetric zero padding (tfjs 'same' pads asymmetrically at stride 2). */
export function conv(x: tf.Tensor4D, w: tf.Variable | tf.Tensor, stride: number, pad: number): tf.Tensor4D {
  return tf.conv2d(x, w as tf.Tensor4D, stride, pad === 0 ? 'valid' : pad);
}

/**
 * x + b with b [C] over x's last axis. On wasm (fast kernels) the bias gradient is one heap pass over dy (tfjs's is a
 * Transpose of dy, so the reduced axes are innermost, then a Sum).
 */
const heapBiasAdd = tf.customGrad((...args: unknown[]) => {
  const [x, b] = args as [tf.Tensor, tf.Tensor1D];
  return {
    value: tf.add(x, b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [dy as tf.Tensor, tf.engine().runKernel(CHANNEL_SUM, { x: dy as tf.Tensor }, {}) as tf.Tensor1D],
  };
});

export function biasAdd<T extends tf.Tensor>(x: T, b: tf.Tensor): T {
  return (hasFastHeapKernels() ? heapBiasAdd(x, b) : tf.add(x, b)) as T;
}

/** ReLU(x + b); on wasm (fast kernels) its backward (ReLU mask and bias sum) is one heap pass over dy. */
const heapBiasAddRelu = tf.customGrad((...args: unknown[]) => {
  const [x, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.GradSaveFunc];
  const y = tf.relu(tf.add(x, b));
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.engine().runKernel(BIAS_RELU_GRAD, { dy: dy as tf.Tensor, y: saved[0]! }, {}) as tf.Tensor[],
  };
});

export function biasAddRelu<T extends tf.Tensor>(x: T, b: tf.Tensor): T {
  return (hasFastHeapKernels() ? heapBiasAddRelu(x, b) : tf.relu(tf.add(x, b))) as T;
}

/** Torch shape of a tfjs-layout variable. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  if (layout === 'conv') {
    const [h, w, i, o] = shape as [number, number, number, number];
    return [o, i, h, w];
  }
  if (layout === 'linear') {
    const [i, o] = shape as [number, number];
    return [o, i];
  }
  return [...shape];
}

/** Converts PyTorch-layout data to this variable's tfjs layout (OIHW -> HWIO, [out,in] -> [in,out]). */
export function fromTorch(data: Float32Array, shape: number[], layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor(data, shape, 'float32');
    if (layout === 'conv') return t.transpose([2, 3, 1, 0]);
    if (layout === 'linear') return t.transpose([1, 0]);
    return t;
  });
}

/** Converts a tfjs-layout tensor back to PyTorch layout (for export). */
export function toTorch(t: tf.Tensor, layout: TorchLayout): tf.Tensor {
  return tf.tidy(() => (layout === 'conv' ? t.transpose([3, 2, 0, 1]) : layout === 'linear' ? t.transpose([1, 0]) : t.clone()));
}

/**
 * Assigns PyTorch tensors to parameters by name. `names` maps each file name to a parameter; every parameter must be
 * present with the right shape, or a `bad_input` error names the tensor.
 */
export function assignTorchTensors(
  params: Map<string, Param>,
  tensors: Map<string, SafeTensor>,
  fileName: (paramName: string) => string,
): void {
  // Check everything first so a bad file leaves the model untouched.
  const plan: { param: Param; tensor: SafeTensor; name: string }[] = [];
  for (const [name, param] of params) {
    const key = fileName(name);
    const tensor = tensors.get(key);
    if (!tensor) throw new AppError('bad_input', `weights: tensor "${key}" is missing`);
    if (!(tensor.data instanceof Float32Array)) {
      throw new AppError('bad_input', `weights: tensor "${key}" has dtype ${tensor.dtype}, expected a float type`);
    }
    const want = torchShape(param.variable.shape, param.layout);
    if (tensor.shape.length !== want.length || tensor.shape.some((d, i) => d !== want[i])) {
      throw new AppError('bad_input', `weights: tensor "${key}" has shape [${tensor.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
    plan.push({ param, tensor, name: key });
  }
  for (const { param, tensor } of plan) {
    const value = fromTorch(tensor.data as Float32Array, tensor.shape, param.layout);
    param.variable.assign(value);
    value.dispose();
  }
}

/** A variable owning its data: the initial tensor is disposed (tf.variable keeps a reference to it otherwise). */
export function ownedVariable(init: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

// Kernels the tfjs wasm backend lacks for training: Conv2DBackpropFilter, built from wasm's own Transpose, Conv2D and Slice.
import * as tf from '@tensorflow/tfjs';

type KernelFunc = (args: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs: Record<string, unknown> }) => tf.TensorInfo;

function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend has no ${name} kernel`);
  return k.kernelFunc as unknown as KernelFunc;
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,ho,wo} x[b, ho·s + kh − pad, wo·s + kw − pad, ci] · dy[b,ho,wo,co] is itself a convolution:
 * x as a batch of Ci single-image stacks [Ci,H,W,B], dy as the filter [Ho,Wo,B,Co], with the forward stride as
 * dilation and the forward padding. The result [Ci,kh',kw',Co] is cropped to the kernel size and transposed back.
 */
const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dimRoundingMode, filterShape, dataFormat } = attrs as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
    dataFormat?: 'NHWC' | 'NCHW';
  };
  if (dataFormat && dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode,
  );
  const transpose = wasmKernel('Transpose');
  const conv = wasmKernel('Conv2D');
  const slice = wasmKernel('Slice');
  const dispose = (t: tf.TensorInfo) => (backend as { disposeData(id: unknown): void }).disposeData(t.dataId);

  const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
  const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
  const { top, bottom, left, right } = info.padInfo;
  const full = conv({
    inputs: { x: xT, filter: dyT },
    backend,
    attrs: {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    },
  });
  const [kh, kw, ci, co] = filterShape;
  const cropped = slice({ inputs: { x: full }, backend, attrs: { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] } });
  const out = transpose({ inputs: { x: cropped }, backend, attrs: { perm: [1, 2, 0, 3] } });
  for (const t of [xT, dyT, full, cropped]) dispose(t);
  return out;
};

let registered = false;

/** Registers the missing training kernels on the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    registered = true;
    return;
  }
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc });
  registered = true;
}

// Batch and instance normalisation for training, with a hand-written backward pass (fewer, cheaper kernels than autodiff), and the one BatchNorm2d every network uses.
import * as tf from '@tensorflow/tfjs';
import { activeTrainingKernels, BATCH_MOMENTS, BATCH_NORM_GRAD, BATCH_NORM_TRAIN, hasFastBatchNorm, hasFastHeapKernels } from '../wasm-kernels';
import type { ForwardOptions } from './torch-params';

/** What follows a norm: nothing, ReLU, or LeakyReLU with slope α (fused into the norm's kernels on wasm). */
export type Activation = 'none' | 'relu' | { leaky: number };

/** The negative-side slope of an activation (0 for ReLU), null for none. */
function slopeOf(act: Activation): number | null {
  return act === 'none' ? null : act === 'relu' ? 0 : act.leaky;
}

/** The activation as separate tfjs ops (other backends, the legacy kernel set). */
function activate(y: tf.Tensor4D, act: Activation): tf.Tensor4D {
  return act === 'none' ? y : act === 'relu' ? tf.relu(y) : tf.leakyRelu(y, act.leaky);
}

/** PyTorch's BatchNorm2d defaults. */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/**
 * Affine normalisation over `axes` with a hand-written backward pass (n = the elements per statistic):
 * x̂ = (x − mean) / √(var + ε) (biased variance, as PyTorch normalises), y = γ·x̂ + β;
 * dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. The same values as autodiff through
 * tf.moments, without its Tile-heavy gradient graph. Axes [0,1,2]: batch norm; [1,2]: instance norm.
 */
export function affineNormOp(axes: number[], eps: number): (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const centred = x.sub(x.mean(axes, true));
    const inv = centred.square().mean(axes, true).add(eps).rsqrt();
    const xhat = centred.mul(inv);
    save([xhat, inv, gamma]);
    return {
      value: xhat.mul(gamma).add(beta),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor4D;
        const [xh, iv, gm] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
        const dx = g.sub(g.mean(axes, true)).sub(xh.mul(g.mul(xh).mean(axes, true))).mul(iv.mul(gm));
        return [dx, g.mul(xh).sum([0, 1, 2]), g.sum([0, 1, 2])];
      },
    };
  });
  const key = axes.join(',');
  const heap = key === '1,2' ? heapNormOp(eps, true, null) : key === '0,1,2' ? heapNormOp(eps, false, null) : null;
  return (x, gamma, beta) => (heap && hasFastHeapKernels() ? heap(x, gamma, beta) : (op(x, gamma, beta) as tf.Tensor4D));
}

/** Instance norm (per sample and channel over H×W) followed by an activation; fused into one heap kernel each way on wasm. */
export function instanceNormActOp(eps: number, act: Activation): (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D {
  const plain = affineNormOp([1, 2], eps);
  const fused = heapNormOp(eps, true, slopeOf(act));
  return (x, gamma, beta) => (hasFastHeapKernels() ? fused(x, gamma, beta) : activate(plain(x, gamma, beta), act));
}

/** Σ over batch and pixels per channel: ones[1, M] · x[M, C], a GEMM (wasm reduces over outer axes through a transpose). */
function channelSum(x: tf.Tensor4D): tf.Tensor1D {
  const c = x.shape[3];
  const m = x.size / c;
  return tf.tidy(() => tf.matMul(tf.ones([1, m]), x.reshape([m, c]) as tf.Tensor2D).reshape([c]));
}

/** y = (x − mean)·scale + offset per channel in one FusedBatchNorm pass (variance 1 with ε 0). */
function affine(x: tf.Tensor4D, mean: tf.Tensor1D | null, scale: tf.Tensor1D, offset: tf.Tensor1D | undefined, one: tf.Tensor1D): tf.Tensor4D {
  return tf.batchNorm4d(x, mean ?? tf.zerosLike(one), one, offset, scale, 0);
}

/**
 * Normalisation as one wasm heap kernel each way (src-main/iqa/wasm-heap.ts): statistics per channel (batch norm) or
 * per sample and channel (instance norm), optionally with the (leaky) ReLU that follows fused in (slope α; its mask
 * recomputed in the backward from x, so no extra tensor is kept).
 */
function heapNormOp(
  eps: number,
  perSample: boolean,
  slope: number | null,
  onStats?: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D {
  const relu = slope !== null;
  const attrs = { eps, perSample, relu, alpha: slope ?? 0 };
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, inv, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, attrs) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    onStats?.(mean, variance);
    variance.dispose();
    save([x, mean, inv, gamma, beta]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, mu, iv, gm, bt] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        return tf.engine().runKernel(BATCH_NORM_GRAD, { dy: dy as tf.Tensor4D, x: xs, mean: mu, inv: iv, gamma: gm, ...(relu ? { beta: bt } : {}) }, attrs) as tf.Tensor[];
      },
    };
  });
  return (x, gamma, beta) => op(x, gamma, beta) as tf.Tensor4D;
}

/**
 * Training-mode BatchNorm2d (batch statistics, biased variance as PyTorch normalises) whose forward is one
 * FusedBatchNorm pass and whose backward, with x̂ = (x − μ)/σ and M elements per channel, is
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = dy·k₁ + x̂·k₂ + k₃ with k₁ = γ/σ, k₂ = −k₁·dγ/M, k₃ = −k₁·dβ/M
 * (the same values as affineNormOp([0,1,2])); channel sums are GEMMs. On wasm (fast kernels) forward and backward are
 * each one heap kernel (src-main/iqa/wasm-heap.ts).
 */
export function batchNormTrainOp(eps: number): (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D {
  const heapOp = heapNormOp(eps, false, null);
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const m = x.size / x.shape[3];
    const mean = channelSum(x).div(m) as tf.Tensor1D;
    const variance = channelSum(x.sub(mean).square() as tf.Tensor4D).div(m) as tf.Tensor1D;
    const inv = variance.add(eps).rsqrt() as tf.Tensor1D;
    save([x, mean, inv, gamma]);
    return {
      value: tf.batchNorm4d(x, mean, variance, beta, gamma, eps),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor4D;
        const [xs, mu, iv, gm] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const one = tf.onesLike(mu);
        const xhat = affine(xs, mu, iv, undefined, one);
        const dbeta = channelSum(g);
        const dgamma = channelSum(g.mul(xhat) as tf.Tensor4D);
        const k1 = gm.mul(iv) as tf.Tensor1D;
        const k2 = k1.mul(dgamma).div(-m) as tf.Tensor1D;
        const k3 = k1.mul(dbeta).div(-m) as tf.Tensor1D;
        const dx = g.mul(k1).add(affine(xhat, null, k2, k3, one));
        return [dx, dgamma, dbeta];
      },
    };
  });
  return (x, gamma, beta) => (hasFastBatchNorm() ? heapOp : op)(x, gamma, beta) as tf.Tensor4D;
}

/** Per-channel mean and biased variance over batch and pixels (the running-statistics update's input). */
export function batchMoments(x: tf.Tensor4D): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (hasFastBatchNorm()) {
    const [mean, variance] = tf.engine().runKernel(BATCH_MOMENTS, { x }, {}) as [tf.Tensor1D, tf.Tensor1D];
    return { mean, variance };
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** Training-mode batch norm with batch statistics and the hand-written backward pass. */
const batchNormTrainFast = batchNormTrainOp(BN_EPS);
const batchNormReluHeap = heapNormOp(BN_EPS, false, 0);

/**
 * Training-mode batch norm and the activation after it; the 'legacy' kernel set (the before/after bench's "before")
 * differentiates tf.moments by autodiff.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, act: Activation = 'none'): tf.Tensor4D {
  if (act !== 'none' && hasFastHeapKernels()) return (act === 'relu' ? batchNormReluHeap : heapNormOp(BN_EPS, false, slopeOf(act)))(x, gamma, beta);
  let y: tf.Tensor4D;
  if (activeTrainingKernels() !== 'legacy') y = batchNormTrainFast(x, gamma, beta);
  else {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    y = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, BN_EPS);
  }
  return activate(y, act);
}

/** PyTorch's running-statistics update from a batch's mean and biased variance over n values per channel. */
function updateRunningStats(runMean: tf.Variable, runVar: tf.Variable, mean: tf.Tensor1D, variance: tf.Tensor1D, n: number): void {
  const unbiased = n > 1 ? n / (n - 1) : 1;
  const [m, s] = tf.tidy(() => [
    runMean.mul(1 - BN_MOMENTUM).add(mean.mul(BN_MOMENTUM)),
    runVar.mul(1 - BN_MOMENTUM).add(variance.mul(BN_MOMENTUM * unbiased)),
  ]);
  runMean.assign(m!);
  runVar.assign(s!);
  tf.dispose([m!, s!]);
}

/**
 * BatchNorm2d over the variables `${name}.weight|bias|running_mean|running_var` (PyTorch names): eval uses the running
 * statistics; training uses batch statistics and, with `updateStats`, updates the running ones (momentum 0.1,
 * unbiased variance, as PyTorch).
 */
export function batchNorm2d(x: tf.Tensor4D, variable: (name: string) => tf.Variable, name: string, o: ForwardOptions, act: Activation = 'none'): tf.Tensor4D {
  const gamma = variable(`${name}.weight`) as tf.Tensor1D;
  const beta = variable(`${name}.bias`) as tf.Tensor1D;
  const runMean = variable(`${name}.running_mean`);
  const runVar = variable(`${name}.running_var`);
  if (!o.training) {
    return activate(tf.batchNorm4d(x, runMean as tf.Tensor1D, runVar as tf.Tensor1D, beta, gamma, BN_EPS), act);
  }
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  if (o.updateStats && hasFastHeapKernels()) {
    // The forward kernel's own statistics feed the running ones (no second pass over x).
    return heapNormOp(BN_EPS, false, slopeOf(act), (mean, variance) => updateRunningStats(runMean, runVar, mean, variance, n))(x, gamma, beta);
  }
  if (o.updateStats) {
    const { mean, variance } = batchMoments(x);
    updateRunningStats(runMean, runVar, mean, variance, n);
    tf.dispose([mean, variance]);
  }
  return batchNormTrain(x, gamma, beta, act);
}

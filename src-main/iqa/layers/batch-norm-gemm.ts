// Training batch norm (+ ReLU) on wasm from XNNPACK GEMMs: channel sums as ones·X products, the per-channel affine map as a product with a diagonal matrix.
import * as tf from '@tensorflow/tfjs';

/**
 * Σ over the rows of x [M, C] per channel, float64 in the end: x viewed as [R, K·C] (K rows folded into the columns),
 * ones[1, R]·x gives K·C partial sums of R terms each in float32 (XNNPACK's GEMV), which JS adds up in float64.
 */
function channelSums(x: tf.Tensor2D): Float64Array {
  const [m, c] = x.shape;
  // Fold as many rows into the columns as keeps the partial sums short (R ≤ 256) and divides M.
  let k = 1;
  while (m / k > 256 && m % (k * 2) === 0 && k * c < 8192) k *= 2;
  const partial = tf.tidy(() => tf.matMul(tf.ones([1, m / k]), x.reshape([m / k, k * c])).dataSync());
  const out = new Float64Array(c);
  for (let i = 0; i < partial.length; i++) out[i % c] = out[i % c]! + partial[i]!;
  return out;
}

/** The [C, C] diagonal matrix of v. */
const diagonal = (v: ArrayLike<number>): tf.Tensor2D => tf.diag(tf.tensor1d(Float32Array.from(v))) as tf.Tensor2D;

/**
 * BatchNorm2d in training mode (batch statistics, biased variance) and optionally the ReLU after it, as a custom op
 * whose passes are XNNPACK GEMMs and elementwise kernels (tfjs-wasm runs those as SIMD code; a JS loop over the heap
 * is 5–10× slower per element). Forward: μ = Σx/M (GEMV), x_c = x·I − μ (GEMM with bias: exact), σ² = Σx_c²/M,
 * y = x_c·diag(γ/σ) + β (one GEMM with bias, ReLU fused). Backward, with g = dy (masked by y > 0 under ReLU) and
 * k = γ/σ: dβ = Σg, dγ = Σg·x_c / σ, dx = g·diag(k) + x_c·diag(−k·dγ/(σM)) − k·dβ/M. `onStats` receives the batch
 * mean and biased variance (for the running statistics).
 */
export function gemmBatchNormOp(
  eps: number,
  relu: boolean,
  onStats?: (mean: Float64Array, variance: Float64Array) => void,
): (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D) => tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const c = x.shape[3];
    const m = x.size / c;
    const x2 = x.reshape([m, c]) as tf.Tensor2D;
    const mean = channelSums(x2).map((s) => s / m);
    const xc = tf.fused.matMul({ a: x2, b: diagonal(new Float32Array(c).fill(1)), bias: tf.tensor1d(Float32Array.from(mean, (v) => -v)) });
    const variance = channelSums(tf.square(xc) as tf.Tensor2D).map((s) => s / m);
    onStats?.(mean, variance);
    const inv = variance.map((v) => 1 / Math.sqrt(v + eps));
    const g = gamma.dataSync();
    const scale = inv.map((v, k) => v * g[k]!);
    const y = tf.fused.matMul({ a: xc, b: diagonal(scale), bias: beta, activation: relu ? 'relu' : 'linear' }).reshape(x.shape) as tf.Tensor4D;
    save(relu ? [xc, y] : [xc]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xcs, ys] = saved as [tf.Tensor2D, tf.Tensor4D | undefined];
        let g2 = (dy as tf.Tensor4D).reshape([m, c]) as tf.Tensor2D;
        if (ys) g2 = g2.mul(tf.step(ys.reshape([m, c]))) as tf.Tensor2D;
        const dbeta = channelSums(g2);
        const sgx = channelSums(g2.mul(xcs) as tf.Tensor2D);
        const dgamma = sgx.map((s, k) => s * inv[k]!);
        const a = dgamma.map((d, k) => (-scale[k]! * inv[k]! * d) / m);
        const b = dbeta.map((d, k) => (-scale[k]! * d) / m);
        const dx = tf.fused.matMul({ a: g2, b: diagonal(scale), bias: tf.tensor1d(Float32Array.from(b)) }).add(tf.matMul(xcs, diagonal(a)));
        return [dx.reshape(x.shape), tf.tensor1d(Float32Array.from(dgamma)), tf.tensor1d(Float32Array.from(dbeta))];
      },
    };
  });
  return (x, gamma, beta) => op(x, gamma, beta) as tf.Tensor4D;
}

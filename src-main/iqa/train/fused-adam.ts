// tf.train.adam with every variable's update in one kernel (the wasm heap's IqaAdam) instead of ~12 tfjs ops per variable.
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE, hasFastHeapKernels } from '../wasm-kernels';

/** AdamOptimizer's private state, which this subclass keeps in the same form (checkpoints read it through getWeights). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, in tfjs's form: ε added to √v̂). The same steps, state and checkpoints as
 * tf.train.adam; on wasm with the fast kernels one IqaAdam kernel updates all variables of a step, elsewhere (and
 * with the 'legacy' kernel set) tf.train.adam's own per-variable ops run.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.Optimizer['applyGradients']>[0]): void {
    if (!hasFastHeapKernels()) {
      super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const self = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const inputs: Record<string, tf.Tensor> = {};
    const targets: tf.Variable[][] = [];
    const moment = (value: tf.Variable, name: string) => ({ originalName: name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name]!;
      // Moments by position in the gradient list, as AdamOptimizer keeps them.
      self.accumulatedFirstMoment[i] ??= moment(value, `${name}/m`);
      self.accumulatedSecondMoment[i] ??= moment(value, `${name}/v`);
      const gradient = list ? variableGradients[i]!.tensor : variableGradients[name];
      if (!gradient) return;
      const q = targets.length;
      const m = self.accumulatedFirstMoment[i].variable;
      const v = self.accumulatedSecondMoment[i].variable;
      Object.assign(inputs, { [`x${q}`]: value, [`m${q}`]: m, [`v${q}`]: v, [`g${q}`]: gradient });
      targets.push([value, m, v]);
    });
    const f = Math.fround;
    const acc1 = self.accBeta1.dataSync()[0]!;
    const acc2 = self.accBeta2.dataSync()[0]!;
    if (targets.length) {
      const attrs = { lr: self.learningRate, beta1: self.beta1, beta2: self.beta2, eps: self.epsilon, c1: f(1 - acc1), c2: f(1 - acc2) };
      const outs = tf.engine().runKernel(ADAM_UPDATE, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor[];
      targets.forEach((vars, q) => vars.forEach((variable, k) => variable.assign(outs[3 * q + k]!)));
      tf.dispose(outs);
    }
    tf.tidy(() => {
      self.accBeta1.assign(tf.scalar(f(acc1 * f(self.beta1))));
      self.accBeta2.assign(tf.scalar(f(acc2 * f(self.beta2))));
    });
    this.incrementIterations();
  }
}

/** tf.train.adam's signature, returning the fused optimizer. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}

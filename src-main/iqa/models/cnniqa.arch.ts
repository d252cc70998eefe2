// CNNIQA (Kang, Ye, Li, Doermann, CVPR 2014, §2-3): local contrast normalisation, one 7x7 conv, max+min pooling, two FC layers.
import { ownedVariable } from '../layers/torch-params';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { IqaModel, ModelSpec } from './model';

export const CnniqaConfig = z
  .object({
    patch: z.number().int().min(16).max(128).default(32),
    kernels: z.number().int().min(4).max(256).default(50),
    hidden: z.number().int().min(8).max(2048).default(800),
    dropout: z.number().min(0).max(0.9).default(0.5),
    trainCrops: z.number().int().min(1).max(256).default(32),
    testCrops: z.number().int().min(1).max(256).default(32),
    /** Resize every image first (faster on big photos); null keeps the native size. */
    resize: z.object({ width: z.number().int().min(32), height: z.number().int().min(32) }).nullable().default({ width: 256, height: 192 }),
  })
  .strict();
export type CnniqaConfig = z.infer<typeof CnniqaConfig>;

/** Local contrast normalisation over a 7x7 window (P = Q = 3 in the paper, eq. 1), on luminance. */
function localContrastNormalise(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const gray = x.mul(tf.tensor1d([0.299, 0.587, 0.114])).sum(3, true) as tf.Tensor4D;
    const box = tf.ones([7, 7, 1, 1]).div(49) as tf.Tensor4D;
    const mu = tf.conv2d(gray, box, 1, 'same');
    const sigma = tf.conv2d(gray.sub(mu).square() as tf.Tensor4D, box, 1, 'same').sqrt();
    return gray.sub(mu).div(sigma.add(1 / 255)) as tf.Tensor4D;
  });
}

export function createCnniqa(config: CnniqaConfig, seed: number): IqaModel {
  const init = (shape: number[], fanIn: number, k: number) =>
    ownedVariable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed + k));
  const w = new Map<string, tf.Variable>([
    ['conv1.weight', init([7, 7, 1, config.kernels], 49, 1)],
    ['conv1.bias', ownedVariable(tf.zeros([config.kernels]))],
    ['fc1.weight', init([2 * config.kernels, config.hidden], 2 * config.kernels, 2)],
    ['fc1.bias', ownedVariable(tf.zeros([config.hidden]))],
    ['fc2.weight', init([config.hidden, config.hidden], config.hidden, 3)],
    ['fc2.bias', ownedVariable(tf.zeros([config.hidden]))],
    // Small output weights: training starts from predictions near the 0.5 bias instead of large random scores.
    ['fc3.weight', ownedVariable(tf.randomNormal([config.hidden, 1], 0, 0.01, 'float32', seed + 4))],
    ['fc3.bias', ownedVariable(tf.fill([1], 0.5))],
  ]);
  const get = (name: string) => w.get(name)!;
  let dropoutSeed = seed;
  return {
    id: 'cnniqa',
    predict(x, training = false) {
      return tf.tidy(() => {
        const h = tf.conv2d(localContrastNormalise(x), get('conv1.weight') as tf.Tensor4D, 1, 'valid').add(get('conv1.bias'));
        // Max and min pooling over the whole feature map (§2.2).
        const pooled = tf.concat([h.max([1, 2]), h.min([1, 2])], 1);
        const drop = (t: tf.Tensor) => (training && config.dropout > 0 ? tf.dropout(t, config.dropout, undefined, dropoutSeed++) : t);
        const f1 = drop(pooled.matMul(get('fc1.weight')).add(get('fc1.bias')).relu());
        const f2 = drop(f1.matMul(get('fc2.weight')).add(get('fc2.bias')).relu());
        return f2.matMul(get('fc3.weight')).add(get('fc3.bias')).reshape([-1]) as tf.Tensor1D;
      });
    },
    weights: () => w,
    parameterGroups: () => [{ name: 'all', lrMultiplier: 1, variables: [...w.values()] }],
    dispose: () => w.forEach((v) => v.dispose()),
  };
}

export const cnniqaSpec: ModelSpec<CnniqaConfig> = {
  id: 'cnniqa',
  label: 'CNNIQA (small CNN baseline)',
  citation: 'Kang et al., "Convolutional Neural Networks for No-Reference Image Quality Assessment", CVPR 2014',
  configSchema: CnniqaConfig as unknown as z.ZodType<CnniqaConfig>,
  input: (c) => ({
    patch: c.patch,
    ...(c.resize ? { resize: c.resize } : {}),
    testCrops: c.testCrops,
    trainCrops: c.trainCrops,
    flip: true,
    imagenet: false,
  }),
  create: createCnniqa,
};

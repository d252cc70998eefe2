// The training steps the training bench and the kernel profiler time: ResNet-50 HyperIQA, HIQA small joint, TTL SFTnet small.
import * as tf from '@tensorflow/tfjs';
import { createHyperIqa } from '../src-main/iqa/models/hyperiqa.arch';
import { createHiqa } from '../src-main/iqa/models/hiqa/hiqa.arch';
import { HiqaConfig, resolveHiqaSizes } from '../src-main/iqa/models/hiqa/hiqa.config';
import { createHiqaOptimizers, trainStepHiqa } from '../src-main/iqa/models/hiqa/hiqa.step';
import { createSftnet, resolveSftnetSizes, SftnetConfig } from '../src-main/iqa/models/ttl/sftnet.arch';
import { createSftnetOptimizers, trainStepSftnet } from '../src-main/iqa/models/ttl/sftnet.train';
import { createDtgan, createDtganOptimizers, DtganConfig, resolveDtganSizes, trainStepDtgan } from '../src-main/iqa/models/ttl/dtgan.arch';
import { createOptimizers } from '../src-main/iqa/train/trainer';
import { accumulateStep } from '../src-main/iqa/train/accumulate';
import { GradientReplica } from '../src-main/iqa/train/replica';

export interface TrainCase {
  name: string;
  /** Items (crops or images) per optimiser step. */
  items: number;
  unit: 'crops' | 'images';
  setup(): { step: () => void; dispose: () => void };
}

/** A case whose step runs on two threads (a gradient replica): async setup, step and dispose. */
export interface ParallelTrainCase {
  name: string;
  items: number;
  unit: 'crops' | 'images';
  setup(): Promise<{ step: () => Promise<void>; dispose: () => Promise<void> }>;
}

const HYPER = { epochs: 1, lr: 1e-4, weightDecay: 0, lrDecay: { every: 0, factor: 1 }, seed: 1 };

/** HyperIQA (ResNet-50, 224²) with Adam and L1: `batch` crops per optimiser step in micro-batches of `micro`. */
export function hyperiqaCase(batch: number, micro: number): TrainCase {
  return {
    name: `hyperiqa resnet50 train step (${batch} crops, micro-batch ${micro})`,
    items: batch,
    unit: 'crops',
    setup() {
      const model = createHyperIqa({ backbone: 'resnet50', testCrops: 25, trainCrops: 25, flip: true, resize: null, backboneWeights: null }, 1);
      const opt = createOptimizers(model, { ...HYPER, batchImages: batch }, 1);
      const x = tf.randomNormal([batch, 224, 224, 3]) as tf.Tensor4D;
      const y = tf.randomUniform([batch]) as tf.Tensor1D;
      return {
        step: () => void accumulateStep(model, opt, x, y, micro),
        dispose: () => {
          tf.dispose([x, y]);
          opt.groups.forEach((g) => g.optimizer.dispose());
          model.dispose();
        },
      };
    },
  };
}

/** hyperiqaCase on two threads: this one and a gradient replica, each taking half the crops in micro-batches of `micro`. */
export function hyperiqaParallelCase(batch: number, micro: number): ParallelTrainCase {
  return {
    name: `hyperiqa resnet50 train step (${batch} crops, micro-batch ${micro}, 2 threads)`,
    items: batch,
    unit: 'crops',
    async setup() {
      const config = { backbone: 'resnet50', testCrops: 25, trainCrops: 25, flip: true, resize: null, backboneWeights: null } as const;
      const model = createHyperIqa(config, 1);
      const opt = createOptimizers(model, { ...HYPER, batchImages: batch }, 1);
      const replica = await GradientReplica.start(model, 'hyperiqa', config, 1, opt.groups.flatMap((g) => g.variables));
      const x = tf.randomNormal([batch, 224, 224, 3]) as tf.Tensor4D;
      const y = tf.randomUniform([batch]) as tf.Tensor1D;
      return {
        step: async () => void (await replica.accumulateStep(model, opt, x, y, micro)),
        dispose: async () => {
          await replica.close();
          tf.dispose([x, y]);
          opt.groups.forEach((g) => g.optimizer.dispose());
          model.dispose();
        },
      };
    },
  };
}

export function hiqaCase(batch = 2): TrainCase {
  return {
    name: `hiqa small joint train step (${batch} crops)`,
    items: batch,
    unit: 'crops',
    setup() {
      const config = HiqaConfig.parse({ scale: 'small' });
      const model = createHiqa(config, 1);
      const { patch } = resolveHiqaSizes(config);
      const optimizers = createHiqaOptimizers(model);
      const train = {
        distorted: tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D,
        reference: tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D,
        target: tf.randomUniform([batch]) as tf.Tensor1D,
      };
      return {
        step: () => void trainStepHiqa(model, optimizers, train),
        dispose: () => {
          tf.dispose([train.distorted, train.reference, train.target]);
          optimizers.groups.forEach((g) => g.optimizer.dispose());
          model.dispose();
        },
      };
    },
  };
}

export function sftnetCase(batch = 16): TrainCase {
  return {
    name: `ttl sftnet small train step (${batch} images)`,
    items: batch,
    unit: 'images',
    setup() {
      const model = createSftnet(SftnetConfig.parse({ scale: 'small', stage: 'score', optimizer: 'adam' }), 1);
      const { inputSize } = resolveSftnetSizes(model.config);
      const x = tf.randomNormal([batch, inputSize, inputSize, 3]) as tf.Tensor4D;
      const targets = Float32Array.from({ length: batch }, (_, i) => i / batch);
      const optimizers = createSftnetOptimizers(model, { ...HYPER, lr: 3e-4, weightDecay: 5e-4, batchImages: batch }, 0);
      return {
        step: () => void trainStepSftnet(model, optimizers, x, targets, 5e-4),
        dispose: () => {
          x.dispose();
          optimizers.groups.forEach((g) => g.optimizer.dispose());
          model.dispose();
        },
      };
    },
  };
}

/** TTL's DT-GAN, small scale (2 levels): level 1's four updates (D-Dnet, D-Gnet, H-Dnet, H-Gnet) on `batch` pristine/distorted pairs. */
export function dtganCase(batch = 1): TrainCase {
  return {
    name: `ttl dt-gan small train step (${batch} image${batch > 1 ? 's' : ''})`,
    items: batch,
    unit: 'images',
    setup() {
      const model = createDtgan(DtganConfig.parse({ scale: 'small', levels: 2 }), 1);
      const { patch } = resolveDtganSizes(model.config);
      const optimizers = createDtganOptimizers(model);
      const data = { pristine: tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D, distorted: tf.randomUniform([batch, patch, patch, 3]) as tf.Tensor4D };
      return {
        step: () => void trainStepDtgan(model, optimizers, 1, data),
        dispose: () => {
          tf.dispose([data.pristine, data.distorted]);
          optimizers.groups.forEach((g) => g.optimizer.dispose());
          model.dispose();
        },
      };
    },
  };
}

export function trainSteps(): TrainCase[] {
  return [hyperiqaCase(2, 2), hiqaCase(2), sftnetCase(16), dtganCase(1)];
}

// Hallucinated-IQA networks (Lin & Wang, CVPR 2018, §3 eq. 1-12; methods.md §1): G, R, D, R_pre assembled into a model, and the model spec.
import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { AppError } from '../../../../src-shared/api/errors';
import { readWeights } from '../../weights/read-weights';
import type { IqaModel, ModelSpec } from '../model';
import { createDiscriminator, type Discriminator } from './discriminator';
import { createGenerator, type Generator } from './generator';
import type { Param } from '../../layers/torch-params';
import { createRegressor, type Regressor } from './regressor';
import { loadVgg19, type Vgg19Features } from '../../backbones/vgg19';
import { HiqaConfig, hiqaStoredConfig, resolveHiqaSizes, type HiqaSizes } from './hiqa.config';
import { trainHiqa } from './hiqa.train';
import { regressorInput } from './hiqa.step';

export interface HiqaNetworks {
  G: Generator;
  R: Regressor;
  /** Absent when `discriminator` is 'none'. */
  D: Discriminator | null;
  /** The fixed BL regressor for l_q (eq. 5); absent when `qualityAwareLoss` is off. Trained by the 'rpre' phase. */
  rPre: Regressor | null;
  /** φ_j (eq. 4): only with user-provided VGG-19 weights. */
  vgg: Vgg19Features | null;
}

/** Which terms of L_G are active, in words (for run logs and the UI). */
export interface HiqaLossReport {
  pixel: string;
  vgg: string;
  quality: string;
  adversarial: string;
  /** True when the VGG-19 perceptual term is active. */
  perceptualOn: boolean;
}

export interface HiqaModel extends IqaModel {
  readonly config: HiqaConfig;
  readonly sizes: HiqaSizes;
  readonly networks: HiqaNetworks;
  /** G(x) (eval mode) and the discrepancy map |x − G(x)| for the viewers; the caller disposes both. */
  hallucinate(x: tf.Tensor4D): { reference: tf.Tensor4D; discrepancy: tf.Tensor4D };
  /** R's scores with the true reference in place of the hallucination ("Ours+Oracle"). */
  predictWithReference(x: tf.Tensor4D, reference: tf.Tensor4D, training?: boolean): tf.Tensor1D;
  /** Named activations for the probe view: `G.output`, `G.discrepancy`, `G.H{m},{n}`, `R.layer1..4` (eval mode); the caller disposes them. */
  probe(x: tf.Tensor4D): Map<string, tf.Tensor4D>;
  /** Uses VGG-19 features for l_v from now on (replaces and disposes a previous one). */
  attachVgg19(vgg: Vgg19Features | null): void;
  /** What L_G contains with this configuration and the attached networks. */
  lossReport(): HiqaLossReport;
}

const PREFIX = { G: 'G.', R: 'R.', D: 'D.', rPre: 'Rpre.' } as const;

export function createHiqa(config: HiqaConfig, seed: number): HiqaModel {
  const cfg = HiqaConfig.parse(config);
  const sizes = resolveHiqaSizes(cfg);
  const G = createGenerator({ ...sizes.generator, output: cfg.generatorOutput, norm: cfg.generatorNorm, seed: seed * 10 + 1 });
  const R = createRegressor({
    ...sizes.regressor,
    discrepancy: cfg.discrepancy,
    fusionChannels: cfg.fusion ? G.fusionChannels : null,
    seed: seed * 10 + 2,
  });
  const D = cfg.discriminator === 'none' ? null : createDiscriminator({ ...sizes.discriminator, seed: seed * 10 + 3 });
  // R_pre = the BL network: I_d only, no fusion [P supp. note under Alg. 1; methods.md §1.2.3].
  const rPre = cfg.qualityAwareLoss
    ? createRegressor({ ...sizes.regressor, dropout: 0, discrepancy: false, fusionChannels: null, seed: seed * 10 + 4 })
    : null;
  const networks: HiqaNetworks = { G, R, D, rPre, vgg: null };

  const all = new Map<string, Param>();
  const addAll = (prefix: string, params: Map<string, Param>) => {
    for (const [name, p] of params) all.set(prefix + name, p);
  };
  addAll(PREFIX.G, G.params);
  addAll(PREFIX.R, R.params);
  if (D) addAll(PREFIX.D, D.params);
  if (rPre) addAll(PREFIX.rPre, rPre.params);

  const needG = cfg.discrepancy || cfg.fusion;
  const score = (x: tf.Tensor4D, reference: tf.Tensor4D | null, training: boolean): tf.Tensor1D =>
    tf.tidy(() => {
      const g = needG ? G.forward(x, { training: false }) : null;
      const ref = reference ?? g?.image ?? null;
      return R.forward(regressorInput(cfg, x, ref, g?.fusion ?? null), { training, updateStats: training }).score;
    });

  const lossReport = (): HiqaLossReport => {
    const vggOn = networks.vgg !== null && cfg.losses.lambda1 > 0 && cfg.losses.mu2 > 0;
    return {
      pixel: `on: μ₁ = ${cfg.losses.mu1}, ${cfg.losses.pixel === 'l2' ? 'MSE' : 'L1'}`,
      vgg: networks.vgg
        ? `on: μ₂·λ₁ = ${cfg.losses.mu2 * cfg.losses.lambda1}, VGG-19 ${networks.vgg.tap}`
        : cfg.vggWeights
          ? 'off: VGG-19 weights are configured but not loaded yet (call prepare / loadHiqaVgg19)'
          : 'off: no VGG-19 weights provided (vggWeights is null); l_v of eq. 3-4 is not computed',
      quality: rPre ? `on: μ₂·λ₂ = ${cfg.losses.mu2 * cfg.losses.lambda2}, frozen R_pre ${cfg.losses.rPreLayer} (train it first: phase 'rpre')` : 'off: qualityAwareLoss is false',
      adversarial: D ? `on: μ₃ = ${cfg.losses.mu3}, ${cfg.discriminator === 'iqa' ? 'IQA-discriminator (eq. 6-7)' : 'plain discriminator'}, ${cfg.losses.adversarial}` : "off: discriminator is 'none'",
      perceptualOn: vggOn,
    };
  };

  return {
    id: 'hiqa',
    config: cfg,
    sizes,
    mapMultiple: 2 ** sizes.generator.depth,
    networks,
    predict(x, training = false) {
      if (cfg.oracle) throw new AppError('unsupported', 'HIQA in oracle mode scores with the true reference: use predictWithReference(x, reference)');
      return score(x, null, training);
    },
    predictWithReference: (x, reference, training = false) => score(x, reference, training),
    hallucinate: (x) =>
      tf.tidy(() => {
        const reference = G.forward(x, { training: false }).image;
        return { reference, discrepancy: x.sub(reference).abs() as tf.Tensor4D };
      }),
    probe: (x) => {
      const out = tf.tidy(() => {
        const g = G.forward(x, { training: false });
        const named: Record<string, tf.Tensor4D> = { 'G.output': g.image, 'G.discrepancy': x.sub(g.image).abs() as tf.Tensor4D };
        g.encoder.forEach((levels, n) => levels.forEach((h, m) => (named[`G.H${m + 1},${n + 1}`] = h)));
        const r = R.forward(regressorInput(cfg, x, cfg.oracle ? null : g.image, g.fusion), { training: false });
        Object.assign(named, { 'R.layer1': r.layer1, 'R.layer2': r.layer2, 'R.layer3': r.layer3, 'R.layer4': r.layer4 });
        return named;
      });
      return new Map(Object.entries(out));
    },
    attachVgg19(vgg) {
      if (networks.vgg && networks.vgg !== vgg) networks.vgg.dispose();
      networks.vgg = vgg;
    },
    lossReport,
    weights: () => new Map([...all].map(([name, p]) => [name, p.variable])),
    // The generic trainer (L1 on predict) trains R with G frozen = Algorithm 1's final R-only loop; the joint
    // G/D/R loop is trainStepHiqa with createHiqaOptimizers.
    parameterGroups: () => [{ name: 'R', lrMultiplier: 1, variables: R.store.trainable() }],
    dispose() {
      G.dispose();
      R.dispose();
      D?.dispose();
      rPre?.dispose();
      networks.vgg?.dispose();
      networks.vgg = null;
    },
  };
}

/** Loads the user's VGG-19 .safetensors (torchvision names) into the model for l_v. */
export async function loadHiqaVgg19(model: HiqaModel, file: string): Promise<void> {
  model.attachVgg19(loadVgg19(await readWeights(file), model.config.losses.vggLayer));
}

export const hiqaSpec: ModelSpec<HiqaConfig> = {
  id: 'hiqa',
  label: 'Hallucinated-IQA (hourglass G + ResNet R + IQA-discriminator)',
  citation: 'Lin & Wang, "Hallucinated-IQA", CVPR 2018, §3 eq. 1-12 and supp. Algorithm 1',
  configSchema: HiqaConfig as unknown as z.ZodType<HiqaConfig>,
  storedConfig: hiqaStoredConfig,
  input: (c) => ({
    patch: resolveHiqaSizes(c).patch,
    ...(c.resize ? { resize: c.resize } : {}),
    testCrops: c.testCrops,
    trainCrops: c.trainCrops,
    flip: c.flip,
    // G's sigmoid output and the discrepancy map live in [0,1]; no ImageNet normalisation (VGG-19 normalises inside).
    imagenet: false,
  }),
  create: createHiqa,
  trainLoop: (opts) => trainHiqa(opts),
  // 4 images × 8 crops = the paper's mini-batch of 32 [P §3.6]; lr = R's Adam LR for the generic (R-only) trainer [U].
  defaultHyper: { batchImages: 4, lr: 1e-4 },
  prepare: async (model, config) => {
    if (config.vggWeights) await loadHiqaVgg19(model as HiqaModel, config.vggWeights);
  },
};

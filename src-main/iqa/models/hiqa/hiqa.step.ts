// One Hallucinated-IQA training iteration (Lin & Wang, CVPR 2018, §3 eq. 1-12, supp. Algorithm 1; methods.md §1): optimizers, learning rates, the phases and the step.
import * as tf from '@tensorflow/tfjs';
import { adam as fusedAdam } from '../../train/fused-adam';
import { AppError } from '../../../../src-shared/api/errors';
import type { Optimizers } from '../../train/trainer';
import { discriminatorTargets, resolveEpsilon } from './discriminator';
import type { ParamStore } from '../../layers/param-store';
import type { ForwardOptions } from '../../layers/torch-params';
import { adversarialLoss, psnr } from '../../layers/gan-losses';
import { discriminatorLoss, featureDistance, generatorLoss, pixelLoss, regressionLoss } from './losses';
import type { RegressorInput } from './regressor';
import type { HiqaConfig } from './hiqa.config';
import type { HiqaModel } from './hiqa.arch';

/** R's input for a reference (hallucinated or true) and G's fusion feature, per the switches. */
export function regressorInput(config: HiqaConfig, distorted: tf.Tensor4D, reference: tf.Tensor4D | null, fusion: tf.Tensor4D | null): RegressorInput {
  return {
    distorted,
    ...(config.discrepancy && reference ? { discrepancy: distorted.sub(reference).abs() as tf.Tensor4D } : {}),
    ...(config.fusion && fusion ? { fusion } : {}),
  };
}

/**
 * One optimizer per network as trainer `Optimizers` groups 'G', 'D', 'R', 'Rpre' (checkpointable with saveCheckpoint):
 * the paper's SGD with momentum [P §3.6] (tfjs: v ← m·v + g, w ← w − lr·v, as torch.optim.SGD; the weight decay is
 * the wd/2·Σw² term `minimize` adds, i.e. + wd·w on the gradient of conv/FC weights), or Adam [U].
 */
export function createHiqaOptimizers(model: HiqaModel, config: HiqaConfig = model.config): Optimizers {
  const { G, R, D, rPre } = model.networks;
  const o = config.optim;
  const make = (lr: number, beta1: number): tf.AdamOptimizer =>
    // `Optimizers` is typed for Adam; the trainer and checkpoints only call getWeights/setWeights/applyGradients/dispose.
    (o.optimizer === 'sgd' ? tf.train.momentum(lr, o.momentum) : fusedAdam(lr, beta1)) as unknown as tf.AdamOptimizer;
  const groups: Optimizers['groups'] = [
    { name: 'G', variables: G.store.trainable(), lrMultiplier: 1, optimizer: make(o.lrG, o.ganBeta1) },
    { name: 'R', variables: R.store.trainable(), lrMultiplier: 1, optimizer: make(o.lrR, 0.9) },
  ];
  if (D) groups.push({ name: 'D', variables: D.store.trainable(), lrMultiplier: 1, optimizer: make(o.lrD, o.ganBeta1) });
  if (rPre) groups.push({ name: 'Rpre', variables: rPre.store.trainable(), lrMultiplier: 1, optimizer: make(o.lrRPre, 0.9) });
  return { groups };
}

/** Adam reads `learningRate` on every step; SGD with momentum caches −lr in a scalar that only setLearningRate replaces. */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (o.learningRate === lr) return;
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** Disposes the optimizers' state; MomentumOptimizer.dispose() forgets its cached −lr scalar, so that goes too. */
export function disposeHiqaOptimizers(optimizers: Optimizers): void {
  for (const g of optimizers.groups) {
    g.optimizer.dispose();
    (g.optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
  }
}

/** The LR of a network at an iteration (0-based): base × factor^floor(iteration / every). */
export function hiqaLearningRate(config: HiqaConfig, network: 'G' | 'D' | 'R' | 'Rpre', iteration: number): number {
  const o = config.optim;
  const base = { G: o.lrG, D: o.lrD, R: o.lrR, Rpre: o.lrRPre }[network];
  const decays = o.lrDecayEvery > 0 ? Math.floor(iteration / o.lrDecayEvery) : 0;
  return base * o.lrDecayFactor ** decays;
}

/**
 * 'rpre': train R_pre (BL, L1) before the joint loop [I, methods.md §1.4 step 0]; 'warmup': G with μ₁L_p + μ₂L_s only
 * (optional [U]); 'joint': one iteration of Algorithm 1's first loop (steps 4-9); 'regressor': the second loop, R
 * only with G frozen (eval mode).
 */
export type HiqaPhase = 'rpre' | 'warmup' | 'joint' | 'regressor';

export interface HiqaBatch {
  /** I_d patches, NHWC in [0,1]. */
  distorted: tf.Tensor4D;
  /** I_r patches (same crops and flips as I_d); needed by 'warmup' and 'joint', and by 'regressor' in oracle mode. */
  reference?: tf.Tensor4D;
  /** Scores in the normalised 0..1 space (1 = best). */
  target: tf.Tensor1D;
}

export interface HiqaStepResult {
  phase: HiqaPhase;
  /** BCE(D(I_r), 1) + BCE(D(I_sh), d_fake) (steps 5-6). */
  lossD: number | null;
  /** L_G of step 9 (eq. 9), without weight decay. */
  lossG: number | null;
  /** L_R of step 8 (eq. 12). */
  lossR: number | null;
  /** R_pre's L1 ('rpre' phase). */
  lossRPre: number | null;
  /** Unweighted terms of step 9: L_p, l_v, l_q, L_adv (null = off in this step). */
  terms: { pixel: number | null; vgg: number | null; quality: number | null; adversarial: number | null };
  /** Fraction of hallucinations labelled "real" by eq. 7, and the ε used. */
  dFakeRate: number | null;
  epsilon: number | null;
  /** PSNR (dB) of G(I_d) against I_r before step 9's update (null without a reference). */
  psnr: number | null;
  seconds: number;
}

/** Gradients of `f` for `vars` only, applied by `optimizer`; returns the kept report scalars as numbers. */
function minimize(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  stores: ParamStore[],
  weightDecay: number,
  f: () => { loss: tf.Scalar; report?: Record<string, tf.Scalar | undefined> },
): Record<string, number> {
  const kept: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const { loss, report } = f();
    for (const [k, t] of Object.entries(report ?? {})) if (t) kept[k] = tf.keep(t);
    kept.loss = tf.keep(loss);
    if (weightDecay <= 0) return loss;
    return loss.add(tf.addN(stores.map((s) => s.l2())).mul(weightDecay / 2)) as tf.Scalar;
  }, vars);
  optimizer.applyGradients(grads);
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(kept)) out[k] = t.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), ...Object.values(kept)]);
  return out;
}

function group(optimizers: Optimizers, name: string): Optimizers['groups'][number] {
  const g = optimizers.groups.find((x) => x.name === name);
  if (!g) throw new AppError('validation', `HIQA: no optimizer group "${name}" (use createHiqaOptimizers)`);
  return g;
}

/**
 * One iteration of HIQA training (supp. Algorithm 1) for the given phase. Architecture switches come from the model;
 * `config` supplies the loss weights, ε, D mode and optimisation settings (normally `model.config`). Each update
 * touches only its network's variables (explicit var lists); G's outputs reach R and D detached. BN running statistics
 * are updated only in a network's own update. With `iteration`, learning rates follow the step schedule first.
 *
 * joint: (4) d_fake by eq. 7 with the current G and R → (5-6) D on I_r (real) and detached I_sh (vs d_fake) → (7) G
 * with μ₃·L_adv (optional) → (8) R with L1 on (I_d, |I_d − G(I_d)|, H_{5,2}) → (9) G with L_G (eq. 9).
 */
export function trainStepHiqa(
  models: HiqaModel,
  optimizers: Optimizers,
  batch: HiqaBatch,
  config: HiqaConfig = models.config,
  options: { phase?: HiqaPhase; iteration?: number } = {},
): HiqaStepResult {
  const t0 = performance.now();
  const phase = options.phase ?? 'joint';
  const { G, R, D, rPre, vgg } = models.networks;
  const L = config.losses;
  const wd = config.optim.weightDecay;
  const { distorted: xd, reference: xr, target: y } = batch;
  if (options.iteration !== undefined) {
    for (const g of optimizers.groups) setLearningRate(g.optimizer, hiqaLearningRate(config, g.name as 'G', options.iteration));
  }
  if (xd.shape[0] !== y.shape[0]) throw new AppError('bad_input', `HIQA: ${xd.shape[0]} patches but ${y.shape[0]} targets`);
  const needsRef = phase === 'joint' || phase === 'warmup' || (phase === 'regressor' && models.config.oracle);
  if (needsRef && !xr) throw new AppError('bad_input', `HIQA: the '${phase}' phase needs reference patches (batch.reference)`);
  if (xr && xr.shape.join('x') !== xd.shape.join('x')) {
    throw new AppError('bad_input', `HIQA: reference ${xr.shape.join('x')} and distorted ${xd.shape.join('x')} patches differ`);
  }
  const mode = config.discriminator;
  if (phase === 'joint' && mode !== 'none' && !D) throw new AppError('validation', `HIQA: discriminator '${mode}' requested but the model has none`);

  const result: HiqaStepResult = {
    phase,
    lossD: null,
    lossG: null,
    lossR: null,
    lossRPre: null,
    terms: { pixel: null, vgg: null, quality: null, adversarial: null },
    dFakeRate: null,
    epsilon: null,
    psnr: null,
    seconds: 0,
  };
  const batchStats: ForwardOptions = { training: true };
  const updateStats: ForwardOptions = { training: true, updateStats: true };

  if (phase === 'rpre') {
    if (!rPre) throw new AppError('validation', "HIQA: the 'rpre' phase needs qualityAwareLoss (there is no R_pre)");
    const g = group(optimizers, 'Rpre');
    result.lossRPre = minimize(g.optimizer, g.variables, [rPre.store], wd, () => ({ loss: regressionLoss(rPre.forward({ distorted: xd }, updateStats).score, y) })).loss!;
    result.seconds = (performance.now() - t0) / 1000;
    return result;
  }

  /** Step 8 / the R-only loop: R's L1 with G's outputs computed outside R's tape (or given: `pre`, detached). */
  const regressorStep = (gMode: ForwardOptions, pre?: { image: tf.Tensor4D; fusion: tf.Tensor4D }) => {
    const g =
      pre ??
      tf.tidy(() => {
        const out = G.forward(xd, gMode);
        return { image: out.image, fusion: out.fusion };
      });
    try {
      if (xr) result.psnr = psnr(g.image, xr);
      const ref = models.config.oracle ? xr! : g.image;
      const opt = group(optimizers, 'R');
      result.lossR = minimize(opt.optimizer, opt.variables, [R.store], wd, () => ({
        loss: regressionLoss(R.forward(regressorInput(models.config, xd, ref, g.fusion), updateStats).score, y),
      })).loss!;
    } finally {
      tf.dispose([g.image, g.fusion]);
    }
  };

  if (phase === 'regressor') {
    regressorStep({ training: false });
    result.seconds = (performance.now() - t0) / 1000;
    return result;
  }

  const reference = xr!;
  const optG = group(optimizers, 'G');
  const adversarialOn = phase === 'joint' && mode !== 'none' && D !== null;

  if (adversarialOn) {
    // Steps 1-2 and 4: I_sh with the current G, d_fake by eq. 7 with the current R (no gradient).
    const { ish, errors } = tf.tidy(() => {
      const g = G.forward(xd, batchStats);
      const s = R.forward(regressorInput(models.config, xd, g.image, g.fusion), batchStats).score;
      return { ish: g.image, errors: s.sub(y).abs() as tf.Tensor1D };
    });
    const eps = resolveEpsilon(errors.dataSync(), config.epsilonMode, config.epsilon);
    // |R − s| < ε (eq. 7) from the errors themselves (target 0).
    const labels = tf.tidy(() => discriminatorTargets(mode, errors, tf.zerosLike(errors) as tf.Tensor1D, eps));
    try {
      result.epsilon = mode === 'iqa' ? eps : null;
      result.dFakeRate = tf.tidy(() => labels.mean().dataSync()[0]!);
      // Steps 5-6: D on real references and detached hallucinations (eq. 6).
      const optD = group(optimizers, 'D');
      result.lossD = minimize(optD.optimizer, optD.variables, [D.store], wd, () => ({
        loss: discriminatorLoss(D.forward(reference, updateStats), D.forward(ish, updateStats), labels),
      })).loss!;
    } finally {
      tf.dispose([ish, errors, labels]);
    }
    // Step 7: G against D with the adversarial loss (eq. 8), weighted by μ₃ as in L_G [U].
    if (config.optim.separateAdversarialStep && L.mu3 > 0) {
      minimize(optG.optimizer, optG.variables, [G.store], wd, () => ({
        loss: adversarialLoss(D.forward(G.forward(xd, batchStats).image, batchStats), L.adversarial).mul(L.mu3) as tf.Scalar,
      }));
    }
  }

  // Step 9: G with L_G = μ₁L_p + μ₂(λ₁l_v + λ₂l_q) + μ₃L_adv (eq. 9). Targets' features are computed once, outside the tape.
  const useVgg = vgg !== null && L.lambda1 > 0 && L.mu2 > 0;
  const useQuality = rPre !== null && L.lambda2 > 0 && L.mu2 > 0;
  const rPreOpts: ForwardOptions = { training: false };
  const targetFeats = {
    vgg: useVgg ? tf.tidy(() => vgg.forward(reference)) : null,
    quality: useQuality ? tf.tidy(() => rPre.forward({ distorted: reference }, rPreOpts)[L.rPreLayer]) : null,
  };
  // Step 8 (R on the hallucination of the G that step 7 updated) needs G(I_d) with the weights step 9 starts from: step
  // 9 changes no R and step 8 no G, so step 9 runs first and hands its forward pass's outputs (batch statistics, the
  // same values) to step 8, saving a G forward per iteration.
  const shared: { g: { image: tf.Tensor4D; fusion: tf.Tensor4D } | null } = { g: null };
  try {
    const r = minimize(optG.optimizer, optG.variables, [G.store], wd, () => {
      const g = G.forward(xd, updateStats);
      if (phase === 'joint') shared.g = { image: tf.keep(g.image), fusion: tf.keep(g.fusion) };
      let pixel = pixelLoss(g.image, reference, L.pixel);
      const pixelLast = pixel;
      if (L.intermediateSupervision) {
        for (const img of g.stackImages.slice(0, -1)) pixel = pixel.add(pixelLoss(img, reference, L.pixel)) as tf.Scalar;
      }
      const vggTerm = targetFeats.vgg ? featureDistance(vgg!.forward(g.image), targetFeats.vgg, L.featureNorm) : undefined;
      const quality = targetFeats.quality ? featureDistance(rPre!.forward({ distorted: g.image }, rPreOpts)[L.rPreLayer], targetFeats.quality, L.featureNorm) : undefined;
      const adversarial = adversarialOn ? adversarialLoss(D!.forward(g.image, batchStats), L.adversarial) : undefined;
      return {
        loss: generatorLoss({ pixel, vgg: vggTerm, quality, adversarial }, L),
        report: { pixel: pixelLast, vgg: vggTerm, quality, adversarial },
      };
    });
    result.lossG = r.loss!;
    result.terms = { pixel: r.pixel ?? null, vgg: r.vgg ?? null, quality: r.quality ?? null, adversarial: r.adversarial ?? null };
    // Step 8, with step 9's G(I_d) (regressorStep disposes it).
    const pre = shared.g;
    shared.g = null;
    if (pre) regressorStep(batchStats, pre);
  } finally {
    tf.dispose([targetFeats.vgg, targetFeats.quality].filter((t): t is tf.Tensor4D => t !== null));
    if (shared.g) tf.dispose([shared.g.image, shared.g.fusion]);
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

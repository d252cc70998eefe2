// TTL-IQA's transitive chain (Yang, Li & Liu, TMM 2021, §III-§V; methods.md §3.4) as one job: DT-GAN → auxiliary dataset → SFTnet stage 1 → stage 2, against direct training.
import { join, resolve } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import type { SplitMean, TtlChainResult } from '../../src-shared/api/schemas';
import { buildAuxiliaryDataset } from '../datasets/auxiliary/build-auxiliary';
import { seriesSplits } from '../datasets/create-splits';
import { commitImport } from '../datasets/importers/commit';
import { listImageFiles } from '../imaging/scan';
import { getModel } from '../iqa/registry';
import { checkTorchvisionVgg16 } from '../iqa/backbones/vgg16';
import { loadTranslator } from '../iqa/score/translator';
import { readWeights } from '../iqa/weights/read-weights';
import { studentTQuantile } from '../studies/mos';
import type { JobContext } from './jobs';
import type { ServiceContext } from './context';
import { checkClientFile, checkImportRoot } from './access';
import type { createRunService } from './runs.service';

type Runs = ReturnType<typeof createRunService>;
type Hyper = ParsedInputOf<'runs:start'>['hyper'];

/**
 * Hyper-parameters of the chain's stages per scale. 'paper' is the paper's [P §VI-A.3: DT-GAN 200 epochs, Adam 2e-4,
 * batch 1; SFTnet SGD, batch 30, LR 1e-6, 50K iterations with ×0.1 every 10K]; 'small' and 'tiny' are CPU-sized [U]
 * (Adam, so a network trained from scratch moves in a few epochs; the LR still drops ×0.1 every fifth of the run).
 */
const STAGE_DEFAULTS = {
  paper: { dtgan: { epochs: 200, batchImages: 1 }, sft: { epochs: 50, batchImages: 30, lr: 1e-6, weightDecay: 5e-4 }, schedule: { iterations: 50_000, lrDecayEvery: 10_000 }, optimizer: 'sgd' },
  small: { dtgan: { epochs: 6, batchImages: 1 }, sft: { epochs: 12, batchImages: 16, lr: 3e-4, weightDecay: 5e-4 }, schedule: {}, optimizer: 'adam' },
  tiny: { dtgan: { epochs: 1, batchImages: 2 }, sft: { epochs: 2, batchImages: 8, lr: 1e-3, weightDecay: 0 }, schedule: {}, optimizer: 'adam' },
} as const;

/** The auxiliary images' shorter side per SFTnet crop: 256 for 224, ImageNet's resize-then-crop ratio [U]. */
const AUXILIARY_SIDE_PER_CROP = 256 / 224;

type Metrics = { srcc: number | null; plcc: number | null; epoch: number | null };

/**
 * Mean, standard deviation and 95% Student-t interval of per-split values (null with fewer than 2), the interval
 * clipped to `range` (a correlation's [−1, 1]; [−2, 2] for a difference of two).
 */
export function splitMean(values: readonly (number | null)[], range: [number, number] = [-1, 1]): SplitMean | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n < 2) return null;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n);
  return { mean, sd, lo: Math.max(range[0], mean - half), hi: Math.min(range[1], mean + half), n };
}

/** The last epoch's test SRCC and PLCC of a run (null if it recorded none). */
export function lastTestMetrics(ctx: ServiceContext, runId: number): Metrics {
  const points = ctx.store.runs.metrics(runId).filter((m) => m.part === 'test' && (m.name === 'srcc' || m.name === 'plcc'));
  const epoch = points.reduce<number | null>((e, m) => (m.epoch !== null && (e === null || m.epoch > e) ? m.epoch : e), null);
  const at = (name: string) => points.find((m) => m.name === name && m.epoch === epoch)?.value ?? null;
  return { srcc: at('srcc'), plcc: at('plcc'), epoch };
}

export function createTtlService(ctx: ServiceContext, runs: Runs) {
  const { store } = ctx;

  /** Starts a run and waits for it to end; a cancelled job cancels the run. */
  async function runToEnd(job: JobContext, input: ParsedInputOf<'runs:start'>, parentRunId: number | null, step: string): Promise<number> {
    const run = await runs.start(input, parentRunId);
    const onAbort = () => runs.cancel(run.id);
    job.signal.addEventListener('abort', onAbort);
    try {
      const status = await runs.waitFor(run.id);
      if (job.signal.aborted) throw new AppError('cancelled', `Cancelled during ${step} (run #${run.id}); finished stages are kept`);
      if (status !== 'completed') {
        throw new AppError('bad_input', `${step} (run #${run.id}) ${status}: ${store.runs.get(run.id)?.error ?? 'no error recorded'}`);
      }
      return run.id;
    } finally {
      job.signal.removeEventListener('abort', onAbort);
    }
  }

  /** The pristine photos D-Gnet translates: a folder, or the references of the DT-GAN run's training images. */
  async function pristineFiles(dtganRunId: number, folder: string | null): Promise<{ files: string[]; sourceDir: string }> {
    if (folder) return { files: await listImageFiles(folder), sourceDir: folder };
    const run = store.runs.get(dtganRunId) ?? AppError.notFound('run', dtganRunId);
    const files = store.splits.trainReferencePaths(run.splitId);
    if (!files.length) throw new AppError('bad_input', `Run #${dtganRunId}'s training images have no reference photos on disk; give a folder of pristine photos`);
    const sourceDir = store.datasets.get(run.datasetId ?? 0)?.root ?? resolve(files[0]!, '..');
    return { files, sourceDir };
  }

  async function buildAuxiliary(job: JobContext, input: { dtganRunId: number; pristineFolder: string | null; name: string; maxSide: number | null }) {
    const run = store.runs.get(input.dtganRunId) ?? AppError.notFound('run', input.dtganRunId);
    if (!run.checkpointPath) throw new AppError('bad_input', `Run #${run.id} has no checkpoint yet`);
    if (store.datasets.findByName(input.name)) throw new AppError('conflict', `A dataset named "${input.name}" already exists`);
    const { files, sourceDir } = await pristineFiles(run.id, input.pristineFolder);
    const translator = await loadTranslator(run.checkpointPath);
    try {
      const cfg = translator.config as { scale?: string };
      const sft = getModel('sftnet').input(getModel('sftnet').configSchema.parse({ scale: cfg.scale ?? 'paper', stage: 'levels' }) as Record<string, unknown>);
      const build = await buildAuxiliaryDataset({
        translator,
        pristine: files,
        sourceDir,
        outDir: join(ctx.paths.dataDir, 'auxiliary', `run-${run.id}-${Date.now().toString(36)}`),
        size: input.maxSide === null ? { shortSide: Math.round(sft.patch * AUXILIARY_SIDE_PER_CROP) } : { maxSide: input.maxSide },
        minSide: sft.patch,
        signal: job.signal,
        onProgress: (d, t) => job.progress(d, t, `translating pristine photo ${d} of ${t}`),
      });
      const result = await commitImport(store, build.root, build.parsed, {
        name: input.name,
        description: `TTL-IQA auxiliary domain: ${build.pristine} pristine photos translated by DT-GAN run #${run.id} to ${build.levels} quality levels (label = level, 1 = best).`,
        signal: job.signal,
      });
      store.datasets.setAuxiliary(result.datasetId, { dtganRunId: run.id, levels: build.levels });
      ctx.events.emit('datasets:changed', { datasetId: result.datasetId });
      return { datasetId: result.datasetId, images: result.images, pristine: build.pristine, levels: build.levels, failed: build.failed };
    } finally {
      translator.dispose();
    }
  }

  type ChainInput = ParsedInputOf<'ttl:start'>;
  type Files = { pristineFolder: string | null; sftnetWeights: string | null; vggWeights: string | null };

  /** One chain on one split (null: the dataset's default split, which the DT-GAN run picks). */
  async function chainOnSplit(job: JobContext, input: ChainInput, files: Files, split: string | null, step: (message: string) => void) {
    const ds = store.datasets.get(input.datasetId) ?? AppError.notFound('dataset', input.datasetId);
    const d = STAGE_DEFAULTS[input.scale];
    const label = `${input.name ?? `TTL-IQA on ${ds.name}`}${split && input.splits > 1 ? ` [${split}]` : ''}`;
    const hyper = (base: Record<string, number>, over: Hyper): Hyper => ({ ...base, seed: input.seed, ...over });
    const sft = (stage: 'levels' | 'score', fresh: boolean, over: Hyper) => ({
      scale: input.scale,
      stage,
      levels: input.levels,
      attention: input.attention,
      optimizer: input.optimizer ?? d.optimizer,
      // The scale's length in iterations, unless the stage's epochs are given.
      ...(over.epochs === undefined ? d.schedule : {}),
      // ImageNet weights where SFTnet starts fresh (stage 1, direct); stage 2 starts from stage 1.
      ...(fresh && files.sftnetWeights ? { backboneWeights: files.sftnetWeights } : {}),
    });
    const common = { datasetId: ds.id, ...(split ? { split } : {}), ...(input.backend ? { backend: input.backend } : {}) };

    step('training the DT-GAN (one per quality level)');
    const dtganModelConfig = {
      scale: input.scale,
      levels: input.levels,
      perDistortionType: input.perDistortionType,
      ...(files.pristineFolder ? { pristineFolder: files.pristineFolder } : {}),
      ...(files.vggWeights ? { vggWeights: files.vggWeights } : {}),
    };
    const dtganRunId = await runToEnd(job, { ...common, name: `${label}: DT-GAN`, model: 'dtgan', modelConfig: dtganModelConfig, hyper: hyper(d.dtgan, input.dtganHyper) }, null, 'DT-GAN training');
    const usedSplit = (store.runs.get(dtganRunId)!.config as { split: string }).split;

    step('building the auxiliary dataset');
    const aux = await buildAuxiliary(job, { dtganRunId, pristineFolder: files.pristineFolder, name: `${label}: auxiliary (run #${dtganRunId})`, maxSide: input.maxSide ?? null });

    step('SFTnet stage 1: quality levels on the auxiliary domain');
    const stage1 = { name: `${label}: SFTnet stage 1 (levels)`, model: 'sftnet', datasetId: aux.datasetId, modelConfig: sft('levels', true, input.stage1Hyper), hyper: hyper(d.sft, input.stage1Hyper) };
    const stage1RunId = await runToEnd(job, { ...stage1, ...(input.backend ? { backend: input.backend } : {}) }, dtganRunId, 'SFTnet stage 1');

    step('SFTnet stage 2: scores on the target dataset');
    const stage2Hyper = hyper(d.sft, input.stage2Hyper);
    const target = { ...common, split: usedSplit, model: 'sftnet', hyper: stage2Hyper };
    const stage2RunId = await runToEnd(job, { ...target, name: `${label}: SFTnet stage 2 (scores)`, modelConfig: sft('score', false, input.stage2Hyper), initFromRun: stage1RunId }, null, 'SFTnet stage 2');
    const ttl = lastTestMetrics(ctx, stage2RunId);

    let directRunId: number | null = null;
    let direct: Metrics | null = null;
    if (input.compareDirect) {
      step('direct training (no auxiliary domain) for comparison');
      directRunId = await runToEnd(job, { ...target, name: `${label}: direct (no auxiliary domain)`, modelConfig: sft('score', true, input.stage2Hyper) }, null, 'direct training');
      direct = lastTestMetrics(ctx, directRunId);
    }
    return { split: usedSplit, dtganRunId, auxiliaryDatasetId: aux.datasetId, stage1RunId, stage2RunId, directRunId, ttl, direct };
  }

  /** The chain on one split, or on N content-disjoint splits with the mean and its interval [P §VI-A: mean of 10]. */
  async function chain(job: JobContext, input: ChainInput, files: Files): Promise<TtlChainResult> {
    const splits: (string | null)[] = input.split ? [input.split] : input.splits > 1 ? seriesSplits(store, input.datasetId, input.splits) : [null];
    const perSplit = 4 + (input.compareDirect ? 1 : 0);
    const total = perSplit * splits.length;
    let done = 0;
    const results: TtlChainResult['splits'] = [];
    for (const [k, split] of splits.entries()) {
      const where = splits.length > 1 ? `split ${k + 1} of ${splits.length} (${split}): ` : '';
      results.push(await chainOnSplit(job, input, files, split, (message) => job.progress(done++, total, where + message)));
    }
    job.progress(total, total, 'done');
    const first = results[0]!;
    const mean: TtlChainResult['mean'] =
      results.length > 1
        ? {
            ttl: { srcc: splitMean(results.map((r) => r.ttl.srcc)), plcc: splitMean(results.map((r) => r.ttl.plcc)) },
            direct: input.compareDirect ? { srcc: splitMean(results.map((r) => r.direct?.srcc ?? null)), plcc: splitMean(results.map((r) => r.direct?.plcc ?? null)) } : null,
            gain: input.compareDirect ? splitMean(results.map((r) => (r.ttl.srcc === null || r.direct === null || r.direct.srcc === null ? null : r.ttl.srcc - r.direct.srcc)), [-2, 2]) : null,
          }
        : null;
    const { dtganRunId, auxiliaryDatasetId, stage1RunId, stage2RunId, directRunId, ttl, direct } = first;
    return { datasetId: input.datasetId, dtganRunId, auxiliaryDatasetId, stage1RunId, stage2RunId, directRunId, ttl, direct, splits: results, mean };
  }

  /** A named VGG-16 file: allowed, readable, and really a torchvision vgg16, checked before hours of training. */
  async function vggFile(file: string | undefined, includeLast: boolean): Promise<string | null> {
    if (!file) return null;
    const real = await checkClientFile(ctx, file);
    checkTorchvisionVgg16(await readWeights(real), { includeLast }, file);
    return real;
  }

  const handlers: Pick<Handlers, 'ttl:start' | 'ttl:auxiliary'> = {
    'ttl:start': async (input) => {
      const ds = store.datasets.get(input.datasetId) ?? AppError.notFound('dataset', input.datasetId);
      if (ds.labelKind === 'none') throw new AppError('bad_input', `Dataset "${ds.name}" has no labels to divide into quality levels`);
      if (input.split && input.splits > 1) throw new AppError('validation', `Give either one split ("${input.split}") or a number of splits (${input.splits}), not both`);
      if (input.sftnetWeights && input.scale !== 'paper') {
        throw new AppError('validation', `SFTnet's VGG-16 weights fit the paper-scale network only; this chain is scale '${input.scale}'`);
      }
      const files: Files = {
        pristineFolder: input.pristineFolder ? await checkImportRoot(ctx, input.pristineFolder) : null,
        sftnetWeights: await vggFile(input.sftnetWeights, false),
        vggWeights: await vggFile(input.vggWeights, true),
      };
      return ctx.jobs.start('ttl-chain', input.name ?? `TTL-IQA chain on ${ds.name}`, (job) => chain(job, input, files));
    },
    'ttl:auxiliary': async (input) => {
      const run = store.runs.get(input.dtganRunId) ?? AppError.notFound('run', input.dtganRunId);
      if (getModel(run.model).kind !== 'translator') throw new AppError('validation', `Run #${run.id} trained ${run.model}; an auxiliary dataset needs a DT-GAN run`);
      const folder = input.pristineFolder ? await checkImportRoot(ctx, input.pristineFolder) : null;
      const name = input.name ?? `Auxiliary domain of run #${run.id}`;
      if (store.datasets.findByName(name)) throw new AppError('conflict', `A dataset named "${name}" already exists`);
      return ctx.jobs.start('ttl-auxiliary', `Build ${name}`, (job) => buildAuxiliary(job, { dtganRunId: run.id, pristineFolder: folder, name, maxSide: input.maxSide ?? null }));
    },
  };
  return { handlers };
}

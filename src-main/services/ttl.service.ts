// TTL-IQA's transitive chain (Yang, Li & Liu, TMM 2021, §III-§V; methods.md §3.4) as one job: DT-GAN → auxiliary dataset → SFTnet stage 1 → stage 2, against direct training.
import { join, resolve } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import type { TtlChainResult } from '../../src-shared/api/schemas';
import { buildAuxiliaryDataset } from '../datasets/auxiliary/build-auxiliary';
import { commitImport } from '../datasets/importers/commit';
import { listImageFiles } from '../imaging/scan';
import { getModel } from '../iqa/registry';
import { loadTranslator } from '../iqa/score/translator';
import type { JobContext } from './jobs';
import type { ServiceContext } from './context';
import { checkImportRoot } from './access';
import type { createRunService } from './runs.service';

type Runs = ReturnType<typeof createRunService>;
type Hyper = ParsedInputOf<'runs:start'>['hyper'];

/**
 * Hyper-parameters of the chain's stages per scale. 'paper' is the paper's [P §VI-A.3: DT-GAN 200 epochs, Adam 2e-4,
 * batch 1; SFTnet SGD, batch 30, LR 1e-6]; 'small' and 'tiny' are CPU-sized [U] (Adam, so a network trained from
 * scratch moves in a few epochs).
 */
const STAGE_DEFAULTS = {
  paper: { dtgan: { epochs: 200, batchImages: 1 }, sft: { epochs: 50, batchImages: 30, lr: 1e-6, weightDecay: 5e-4 }, optimizer: 'sgd' },
  small: { dtgan: { epochs: 6, batchImages: 1 }, sft: { epochs: 12, batchImages: 16, lr: 3e-4, weightDecay: 5e-4 }, optimizer: 'adam' },
  tiny: { dtgan: { epochs: 1, batchImages: 2 }, sft: { epochs: 2, batchImages: 8, lr: 1e-3, weightDecay: 0 }, optimizer: 'adam' },
} as const;

/** The last epoch's test SRCC and PLCC of a run (null if it recorded none). */
export function lastTestMetrics(ctx: ServiceContext, runId: number): { srcc: number | null; plcc: number | null; epoch: number | null } {
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

  async function buildAuxiliary(job: JobContext, input: { dtganRunId: number; pristineFolder: string | null; name: string; maxSide: number }) {
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
        maxSide: input.maxSide,
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

  async function chain(job: JobContext, input: ParsedInputOf<'ttl:start'>, pristineFolder: string | null): Promise<TtlChainResult> {
    const ds = store.datasets.get(input.datasetId) ?? AppError.notFound('dataset', input.datasetId);
    const d = STAGE_DEFAULTS[input.scale];
    const label = input.name ?? `TTL-IQA on ${ds.name}`;
    const hyper = (base: Record<string, number>, over: Hyper): Hyper => ({ ...base, seed: input.seed, ...over });
    const sft = (stage: 'levels' | 'score') => ({ scale: input.scale, stage, levels: input.levels, attention: input.attention, optimizer: input.optimizer ?? d.optimizer });
    const common = { datasetId: ds.id, ...(input.split ? { split: input.split } : {}), ...(input.backend ? { backend: input.backend } : {}) };
    const total = 4 + (input.compareDirect ? 1 : 0);
    const stepDone = (n: number, message: string) => job.progress(n, total, message);
    const out: TtlChainResult = { datasetId: ds.id, dtganRunId: null, auxiliaryDatasetId: null, stage1RunId: null, stage2RunId: null, directRunId: null, ttl: null, direct: null };

    stepDone(0, 'training the DT-GAN (one per quality level)');
    out.dtganRunId = await runToEnd(job, {
      ...common,
      name: `${label}: DT-GAN`,
      model: 'dtgan',
      modelConfig: { scale: input.scale, levels: input.levels, perDistortionType: input.perDistortionType, ...(pristineFolder ? { pristineFolder } : {}) },
      hyper: hyper(d.dtgan, input.dtganHyper),
    }, null, 'DT-GAN training');
    const split = (store.runs.get(out.dtganRunId)!.config as { split: string }).split;

    stepDone(1, 'building the auxiliary dataset');
    const aux = await buildAuxiliary(job, { dtganRunId: out.dtganRunId, pristineFolder, name: `${label}: auxiliary (run #${out.dtganRunId})`, maxSide: input.maxSide });
    out.auxiliaryDatasetId = aux.datasetId;

    stepDone(2, 'SFTnet stage 1: quality levels on the auxiliary domain');
    out.stage1RunId = await runToEnd(job, {
      name: `${label}: SFTnet stage 1 (levels)`,
      model: 'sftnet',
      datasetId: aux.datasetId,
      modelConfig: sft('levels'),
      hyper: hyper(d.sft, input.stage1Hyper),
      ...(input.backend ? { backend: input.backend } : {}),
    }, out.dtganRunId, 'SFTnet stage 1');

    stepDone(3, 'SFTnet stage 2: scores on the target dataset');
    const stage2Hyper = hyper(d.sft, input.stage2Hyper);
    out.stage2RunId = await runToEnd(job, { ...common, split, name: `${label}: SFTnet stage 2 (scores)`, model: 'sftnet', modelConfig: sft('score'), hyper: stage2Hyper, initFromRun: out.stage1RunId }, null, 'SFTnet stage 2');
    out.ttl = lastTestMetrics(ctx, out.stage2RunId);

    if (input.compareDirect) {
      stepDone(4, 'direct training (no auxiliary domain) for comparison');
      out.directRunId = await runToEnd(job, { ...common, split, name: `${label}: direct (no auxiliary domain)`, model: 'sftnet', modelConfig: sft('score'), hyper: stage2Hyper }, null, 'direct training');
      out.direct = lastTestMetrics(ctx, out.directRunId);
    }
    stepDone(total, 'done');
    return out;
  }

  const handlers: Pick<Handlers, 'ttl:start' | 'ttl:auxiliary'> = {
    'ttl:start': async (input) => {
      const ds = store.datasets.get(input.datasetId) ?? AppError.notFound('dataset', input.datasetId);
      if (ds.labelKind === 'none') throw new AppError('bad_input', `Dataset "${ds.name}" has no labels to divide into quality levels`);
      const folder = input.pristineFolder ? await checkImportRoot(ctx, input.pristineFolder) : null;
      return ctx.jobs.start('ttl-chain', input.name ?? `TTL-IQA chain on ${ds.name}`, (job) => chain(job, input, folder));
    },
    'ttl:auxiliary': async (input) => {
      const run = store.runs.get(input.dtganRunId) ?? AppError.notFound('run', input.dtganRunId);
      if (getModel(run.model).kind !== 'translator') throw new AppError('validation', `Run #${run.id} trained ${run.model}; an auxiliary dataset needs a DT-GAN run`);
      const folder = input.pristineFolder ? await checkImportRoot(ctx, input.pristineFolder) : null;
      const name = input.name ?? `Auxiliary domain of run #${run.id}`;
      if (store.datasets.findByName(name)) throw new AppError('conflict', `A dataset named "${name}" already exists`);
      return ctx.jobs.start('ttl-auxiliary', `Build ${name}`, (job) => buildAuxiliary(job, { dtganRunId: run.id, pristineFolder: folder, name, maxSide: input.maxSide }));
    },
  };
  return { handlers };
}

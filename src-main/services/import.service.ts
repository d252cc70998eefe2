// Dataset imports as background jobs: a folder of images or any registered dataset format, within the allowed roots.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { commitImport } from '../datasets/importers/commit';
import { getImporter, listImporters } from '../datasets/importers/index';
import { fullProblemsOf, KEPT_PROBLEMS } from '../datasets/importers/problems';
import { checkImportRoot, checkLabelFile, importFileRoots } from './access';
import type { ServiceContext } from './context';
import type { JobContext } from './jobs';
import { importFolder } from './import-folder';

export const FOLDER_FORMAT = { id: 'folder', label: 'Folder of images', expects: 'any folder of images (searched recursively), unlabelled' };

async function runImport(ctx: ServiceContext, input: ParsedInputOf<'datasets:import'>, root: string, signal: AbortSignal, progress: (d: number, t: number) => void) {
  if (input.format === 'folder') {
    return importFolder(ctx.store, root, { name: input.name, recursive: input.recursive, signal, onProgress: progress });
  }
  const importer = getImporter(input.format);
  const fileRoots = await importFileRoots(ctx, root);
  const parsed = await importer.parse(root, {
    fileRoots,
    ...(input.file ? { file: input.file } : {}),
    ...(input.scoreRange ? { scoreRange: input.scoreRange } : {}),
    ...(input.higherIsBetter !== undefined ? { higherIsBetter: input.higherIsBetter } : {}),
    ...(input.labelKind ? { labelKind: input.labelKind } : {}),
  });
  return commitImport(ctx.store, root, parsed, { name: input.name, signal, onProgress: progress, fileRoots });
}

/** A refusal with more problems than a job keeps: the whole list goes to the job's report, the error names it. */
async function reportProblems(job: JobContext, err: unknown): Promise<never> {
  const all = fullProblemsOf(err);
  if (!all || all.length <= KEPT_PROBLEMS) throw err;
  const report = await job.report(['file', 'row', 'problem'], all.map((p) => [p.file ?? '', p.row ?? null, p.message]));
  const e = AppError.from(err);
  const where = `reports/${report.id}.csv in the data folder`;
  throw new AppError(e.code, `${e.message}\n  All ${all.length} problems are in the job's report (${where})`, { ...(e.details as object), report: { id: report.id, rows: report.rows } });
}

/** An import's list of unreadable images, capped like problems: the first ones and the count in the job, all in its report. */
async function capUnreadable<R extends { failed: { path: string; error: string }[] } | { unreadable: { file: string; error: string }[] }>(job: JobContext, result: R) {
  const list = 'failed' in result ? result.failed.map((f) => ({ file: f.path, error: f.error })) : result.unreadable;
  const key = 'failed' in result ? 'failed' : 'unreadable';
  if (list.length <= KEPT_PROBLEMS) return { ...result, unreadableCount: list.length };
  const report = await job.report(['file', 'error'], list.map((f) => [f.file, f.error]));
  return { ...result, [key]: (result as Record<string, unknown[]>)[key]!.slice(0, KEPT_PROBLEMS), unreadableCount: list.length, report: { id: report.id, rows: report.rows } };
}

export function importHandlers(ctx: ServiceContext): Pick<Handlers, 'datasets:formats' | 'datasets:import'> {
  /** Names of the imports running now: a second import under one of them is refused before it starts. */
  const importing = new Set<string>();
  return {
    'datasets:formats': () => [FOLDER_FORMAT, ...listImporters().map(({ id, label, expects }) => ({ id, label, expects }))],
    'datasets:import': async (input) => {
      if (input.format !== 'folder') getImporter(input.format);
      if (ctx.store.datasets.findByName(input.name)) throw new AppError('conflict', `A dataset named "${input.name}" already exists`);
      const root = await checkImportRoot(ctx, input.root);
      // Checked before the job starts, so a path out of bounds is refused at once and no byte of it is read.
      if (input.file) await checkLabelFile(ctx, root, input.file);
      if (importing.has(input.name)) throw new AppError('conflict', `An import named "${input.name}" is already running`);
      importing.add(input.name);
      return ctx.jobs.start('import', `Import ${input.name}`, async (job) => {
        try {
          const result = await runImport(ctx, input, root, job.signal, (d, t) => job.progress(d, t)).catch((err: unknown) => reportProblems(job, err));
          ctx.events.emit('datasets:changed', { datasetId: result.datasetId });
          return capUnreadable(job, result);
        } finally {
          importing.delete(input.name);
        }
      });
    },
  };
}

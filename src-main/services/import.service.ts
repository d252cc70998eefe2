// Dataset imports as background jobs: a folder of images or any registered dataset format, within the allowed roots.
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { commitImport } from '../datasets/importers/commit';
import { getImporter, listImporters } from '../datasets/importers/index';
import type { ServiceContext } from './context';
import { importFolder } from './import-folder';

export const FOLDER_FORMAT = { id: 'folder', label: 'Folder of images', expects: 'any folder of images (searched recursively), unlabelled' };

/** The allowed roots as real paths; null when any folder is allowed (the desktop app, loopback serve mode). */
export async function allowedRoots(ctx: ServiceContext): Promise<string[] | null> {
  return ctx.importRoots ? Promise.all(ctx.importRoots.map((r) => realpath(r).catch(() => resolve(r)))) : null;
}

/** Whether a real path is one of the roots or lies under one. */
export function insideRoots(roots: readonly string[], real: string): boolean {
  return roots.some((r) => real === r || (real.startsWith(r.endsWith(sep) ? r : r + sep) && !relative(r, real).startsWith('..')));
}

/** A file a client names (e.g. backbone weights): absolute, existing, and inside an allowed root when roots are set. */
export async function checkClientFile(ctx: ServiceContext, file: string): Promise<string> {
  if (!isAbsolute(file)) throw new AppError('validation', `Give the file as an absolute path (got "${file}")`);
  const real = await realpath(file).catch(() => null);
  if (!real || !(await stat(real)).isFile()) throw new AppError('bad_input', `Not a file: ${file}`);
  const allowed = await allowedRoots(ctx);
  if (allowed && !insideRoots(allowed, real)) {
    throw new AppError('forbidden', `This server reads client-named files only under ${allowed.join(', ') || 'no folder (start it with --allow-root)'}; ${file} is outside`);
  }
  return real;
}

/** The real folder to import, after checking it exists and lies inside an allowed root. */
export async function checkImportRoot(ctx: ServiceContext, root: string): Promise<string> {
  if (!isAbsolute(root)) throw new AppError('validation', `Give the dataset folder as an absolute path (got "${root}")`);
  const real = await realpath(resolve(root)).catch(() => null);
  if (!real || !(await stat(real)).isDirectory()) throw new AppError('bad_input', `Not a folder: ${root}`);
  const allowed = await allowedRoots(ctx);
  if (allowed && !insideRoots(allowed, real)) {
    throw new AppError(
      'forbidden',
      allowed.length
        ? `This server imports only from ${allowed.join(', ')}; ${root} is outside`
        : 'This server was started without --allow-root, so it imports no folders from clients',
    );
  }
  return real;
}

async function runImport(ctx: ServiceContext, input: ParsedInputOf<'datasets:import'>, root: string, signal: AbortSignal, progress: (d: number, t: number) => void) {
  if (input.format === 'folder') {
    return importFolder(ctx.store, root, { name: input.name, recursive: input.recursive, signal, onProgress: progress });
  }
  const importer = getImporter(input.format);
  const parsed = await importer.parse(root, {
    ...(input.file ? { file: input.file } : {}),
    ...(input.scoreRange ? { scoreRange: input.scoreRange } : {}),
    ...(input.higherIsBetter !== undefined ? { higherIsBetter: input.higherIsBetter } : {}),
    ...(input.labelKind ? { labelKind: input.labelKind } : {}),
  });
  return commitImport(ctx.store, root, parsed, { name: input.name, signal, onProgress: progress });
}

export function importHandlers(ctx: ServiceContext): Pick<Handlers, 'datasets:formats' | 'datasets:import'> {
  return {
    'datasets:formats': () => [FOLDER_FORMAT, ...listImporters().map(({ id, label, expects }) => ({ id, label, expects }))],
    'datasets:import': async (input) => {
      if (input.format !== 'folder') getImporter(input.format);
      if (ctx.store.datasets.findByName(input.name)) throw new AppError('conflict', `A dataset named "${input.name}" already exists`);
      const root = await checkImportRoot(ctx, input.root);
      return ctx.jobs.start('import', `Import ${input.name}`, async ({ signal, progress }) => {
        const result = await runImport(ctx, input, root, signal, (d, t) => progress(d, t));
        ctx.events.emit('datasets:changed', { datasetId: result.datasetId });
        return result;
      });
    },
  };
}

// Dataset imports as background jobs: a folder of images or any registered dataset format, within the allowed roots.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { commitImport } from '../datasets/importers/commit';
import { getImporter, listImporters } from '../datasets/importers/index';
import { checkImportRoot, checkLabelFile, importFileRoots } from './access';
import type { ServiceContext } from './context';
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
      return ctx.jobs.start('import', `Import ${input.name}`, async ({ signal, progress }) => {
        try {
          const result = await runImport(ctx, input, root, signal, (d, t) => progress(d, t));
          ctx.events.emit('datasets:changed', { datasetId: result.datasetId });
          return result;
        } finally {
          importing.delete(input.name);
        }
      });
    },
  };
}

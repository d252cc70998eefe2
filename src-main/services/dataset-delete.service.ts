// datasets:delete: refuses while studies, raw votes or photo ratings depend on the dataset; with archive, writes them to CSV in the data folder first.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Handlers } from '../../src-shared/api/contract';
import { AppError } from '../../src-shared/api/errors';
import { describeDependents, hasDependents } from '../../src-shared/api/dependents';
import type { DatasetDependents, DeleteArchive } from '../../src-shared/api/schemas';
import { toCsv } from '../../src-shared/csv';
import type { ServiceContext } from './context';

const slugOf = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'dataset';

export function datasetDeleteHandler(ctx: ServiceContext, votesCsv: (studyId: number) => { filename: string; csv: string }): Pick<Handlers, 'datasets:delete'> {
  const { store } = ctx;

  /** Writes every study's raw votes and the person-given photo ratings as CSV files into a new folder under <data>/archive. */
  async function archive(id: number, name: string, d: DatasetDependents): Promise<DeleteArchive> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const folder = join(ctx.paths.dataDir, 'archive', `dataset-${id}-${slugOf(name)}-${stamp}`);
    await mkdir(folder, { recursive: true });
    const files: string[] = [];
    for (const study of store.studies.list().filter((s) => s.datasetId === id)) {
      const out = votesCsv(study.id);
      const file = `study-${study.id}-${out.filename}`;
      await writeFile(join(folder, file), out.csv, { flag: 'wx' });
      files.push(file);
    }
    if (d.photoRatings) {
      const rows = store.photos.exportRows(id).filter((r) => r.stars !== null || r.rejected || r.color !== null);
      const csv = toCsv(['path', 'stars', 'rejected', 'color', 'predicted_stars'], rows.map((r) => [r.path, r.stars, r.rejected ? 1 : 0, r.color, r.predicted]));
      await writeFile(join(folder, 'photo-ratings.csv'), csv, { flag: 'wx' });
      files.push('photo-ratings.csv');
    }
    return { folder, files, ...d };
  }

  return {
    'datasets:delete': async ({ id, archive: keep }) => {
      const ds = store.datasets.get(id);
      if (!ds) return { deleted: false, archived: null };
      const dependents = store.datasets.dependents(id);
      if (hasDependents(dependents) && !keep) {
        throw new AppError(
          'conflict',
          `"${ds.name}" has ${describeDependents(dependents)}; deleting it would erase them. Export them first, or delete with ` +
            'archive, which writes them as CSV files to the data folder and then deletes the dataset.',
          { dependents },
        );
      }
      const archived = hasDependents(dependents) ? await archive(id, ds.name, dependents) : null;
      const deleted = store.transaction(() => {
        // A vote cast while the archive was written would be erased without a copy: then nothing is deleted.
        const now = store.datasets.dependents(id);
        if (JSON.stringify(now) !== JSON.stringify(dependents)) {
          throw new AppError('conflict', `"${ds.name}" changed while its judgements were archived (now ${describeDependents(now)}); nothing was deleted, try again`);
        }
        return store.datasets.delete(id);
      });
      if (deleted) ctx.events.emit('datasets:changed', { datasetId: id });
      return { deleted, archived };
    },
  };
}

// Removing a dataset or photo collection: one confirmation that says what goes, and a second, with the counts, before any study vote or photo rating is erased (they are archived to CSV first).
import { AppError } from '../../src-shared/api/errors';
import { dependentsOf, describeDependents } from '../../src-shared/api/dependents';
import { call } from './api';

export interface DeleteOutcome {
  deleted: boolean;
  /** What the user is told afterwards (where the archive went), or null. */
  note: string | null;
}

/** Asks, deletes, and when studies or ratings depend on it asks again and archives them first. Cancelled: deleted false. */
export async function deleteDataset(ds: { id: number; name: string }, what: 'dataset' | 'collection'): Promise<DeleteOutcome> {
  const files = what === 'collection' ? 'The photos and their sidecars stay on disk' : 'Image files are not touched';
  if (!confirm(`Remove the ${what} "${ds.name}" from the workbench? Its image records, labels, splits and model scores are deleted. ${files}.`)) {
    return { deleted: false, note: null };
  }
  try {
    const r = await call('datasets:delete', { id: ds.id });
    return { deleted: r.deleted, note: null };
  } catch (err) {
    const e = AppError.from(err);
    const d = e.code === 'conflict' ? dependentsOf(e.details) : null;
    if (!d) throw err;
    const ask =
      `"${ds.name}" has ${describeDependents(d)}. Deleting it erases them from the database.\n\n` +
      'OK writes them as CSV files to an archive folder in the data folder first, then deletes. Cancel keeps everything.';
    if (!confirm(ask)) return { deleted: false, note: null };
    const r = await call('datasets:delete', { id: ds.id, archive: true });
    const kept = r.archived ? ` ${describeDependents(r.archived)} were saved as ${r.archived.files.join(', ')} in ${r.archived.folder}.` : '';
    return { deleted: r.deleted, note: `Removed "${ds.name}".${kept}` };
  }
}

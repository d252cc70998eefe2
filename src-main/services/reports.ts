// A job's full problem list as a CSV file in the data folder (<data>/reports/<jobId>.csv), served by job id: the job itself keeps only the first ones.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import { toCsv, type CsvCell } from '../../src-shared/csv';
import type { DataPaths } from '../app/paths';
import type { ServedFile } from './files.service';

/** A report's id is its job's id (a UUID): nothing a client sends becomes a path. */
const REPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Reports older than this are removed when the app starts (the CLI leaves one behind for each big failure). */
export const REPORT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface JobReport {
  /** The job id; the file is served as /files/report/<id> (iqa://report/<id> in the desktop app). */
  id: string;
  rows: number;
  /** Where it lies, for the command line. */
  path: string;
}

const reportsDir = (paths: DataPaths) => join(paths.dataDir, 'reports');

export async function writeReport(paths: DataPaths, id: string, header: string[], rows: readonly (readonly CsvCell[])[]): Promise<JobReport> {
  if (!REPORT_ID.test(id)) throw new AppError('internal', `bad report id ${id}`);
  await mkdir(reportsDir(paths), { recursive: true });
  const path = join(reportsDir(paths), `${id}.csv`);
  await writeFile(path, toCsv(header, rows));
  return { id, rows: rows.length, path };
}

export function reportFile(paths: DataPaths, id: string): ServedFile {
  if (!REPORT_ID.test(id)) throw new AppError('validation', 'Invalid report id');
  const path = join(reportsDir(paths), `${id}.csv`);
  if (!existsSync(path)) throw new AppError('not_found', 'No such report (reports of old jobs are removed)');
  return { path, contentType: 'text/csv; charset=utf-8' };
}

export async function removeReport(paths: DataPaths, id: string): Promise<void> {
  if (REPORT_ID.test(id)) await rm(join(reportsDir(paths), `${id}.csv`), { force: true });
}

/** Removes reports older than REPORT_MAX_AGE_MS. */
export async function sweepReports(paths: DataPaths, now = Date.now()): Promise<void> {
  const names = await readdir(reportsDir(paths)).catch(() => [] as string[]);
  for (const name of names) {
    const file = join(reportsDir(paths), name);
    const st = await stat(file).catch(() => null);
    if (st && now - st.mtimeMs > REPORT_MAX_AGE_MS) await rm(file, { force: true });
  }
}

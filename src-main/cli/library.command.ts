// `iqa library ...`: the photographer's workflow headless: add a folder, score it, list and cull, calibrate, XMP, CSV.
import { writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import { LIBRARY_KINDS, type Calibration, type PhotoColor, type DatasetSummary, type PhotoFilter, type PhotoItem, type PhotoPage, type PhotoRatingFilter, type PhotoSort, type PhotoStats, type SidecarNaming, type XmpBackups, type XmpTarget } from '../../src-shared/api/schemas';
import type { BackendChoice } from '../iqa/backend';
import type { Runtime } from '../runtime';
import type { RescanResult } from '../services/import-folder';
import type { ScoreJobResult } from '../services/scores.service';
import { DEFAULT_MODEL } from '../iqa/default-model';
import type { XmpReadResult, XmpWriteResult } from '../services/library.service';
import { csvLine } from '../../src-shared/csv';
import { termSafe } from './term';
import { findDataset, withRuntime } from './datasets.command';
import { invokeOrThrow, runJob } from './run-job';

interface Common {
  json: boolean;
  dataDir?: string;
}

export interface FilterFlags {
  rating?: PhotoRatingFilter;
  starsMin?: number;
  scoreMin?: number;
  scoreMax?: number;
  search?: string;
  color?: PhotoColor | 'none';
}

const PAGE = 1000;

function filterOf(flags: FilterFlags): PhotoFilter | undefined {
  const f: PhotoFilter = { rating: flags.rating ?? 'all' };
  if (flags.starsMin !== undefined) f.starsMin = flags.starsMin;
  if (flags.scoreMin !== undefined) f.scoreMin = flags.scoreMin;
  if (flags.scoreMax !== undefined) f.scoreMax = flags.scoreMax;
  if (flags.search !== undefined) f.search = flags.search;
  if (flags.color !== undefined) f.color = flags.color;
  return Object.keys(f).length > 1 || f.rating !== 'all' ? f : undefined;
}

async function findCollection(rt: Runtime, name: string): Promise<DatasetSummary> {
  const ds = await findDataset(rt, name);
  if (!LIBRARY_KINDS.includes(ds.kind)) {
    throw new AppError('validation', `"${ds.name}" is a ${ds.kind} dataset, not a library collection (add a folder with iqa library add)`);
  }
  return ds;
}

/** A line for people: names and paths in it are made terminal-safe (cli/term.ts). */
const print = (line: string) => void process.stdout.write(`${termSafe(line)}\n`);
const printJson = (value: unknown) => void process.stdout.write(`${JSON.stringify(value)}\n`);

export const starsText = (p: Pick<PhotoItem, 'stars' | 'rejected' | 'predicted' | 'color'>): string =>
  (p.rejected ? 'rejected' : p.stars !== null ? '★'.repeat(p.stars) + '☆'.repeat(5 - p.stars) : p.predicted !== null ? `(${p.predicted} predicted)` : '-') +
  (p.color ? ` ${p.color}` : '');

export async function libraryAddCommand(folder: string, flags: Common & { name?: string; recursive: boolean }): Promise<void> {
  const root = resolve(folder);
  const name = flags.name ?? basename(root) ?? 'photos';
  await withRuntime(flags.dataDir, async (rt) => {
    const result = (await runJob(rt, 'datasets:import', { format: 'folder', root, name, recursive: flags.recursive })) as { datasetId: number; unreadableCount?: number };
    const ds = (await invokeOrThrow(rt, 'datasets:get', { id: result.datasetId })) as DatasetSummary;
    if (flags.json) return printJson({ collection: ds, ...result });
    const bad = result.unreadableCount ?? 0;
    print(`Added "${ds.name}" (id ${ds.id}): ${ds.imageCount} photos${bad ? `, ${bad} unreadable (listed, not scored)` : ''}. Next: iqa library score "${ds.name}"`);
  });
}

export async function libraryRescanCommand(collection: string, flags: Common & { recursive: boolean }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const r = (await runJob(rt, 'library:rescan', { datasetId: ds.id, recursive: flags.recursive })) as RescanResult;
    if (flags.json) return printJson(r);
    print(`${ds.name}: ${r.added ? `${r.added} new photo${r.added === 1 ? '' : 's'} added${r.failed.length ? ` (${r.failed.length} unreadable)` : ''}` : 'no new photos'}` +
      `${r.missing ? `; ${r.missing} gone from the folder (kept with their ratings): ${r.missingNames.join(', ')}` : ''}`);
  });
}

async function collectionStats(rt: Runtime, ds: DatasetSummary): Promise<PhotoStats> {
  return (await invokeOrThrow(rt, 'library:stats', { datasetId: ds.id })) as PhotoStats;
}

export async function libraryCollectionsCommand(flags: Common): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const all = (await invokeOrThrow(rt, 'datasets:list', {})) as DatasetSummary[];
    const rows = await Promise.all(all.filter((d) => LIBRARY_KINDS.includes(d.kind)).map(async (d) => ({ collection: d, stats: await collectionStats(rt, d) })));
    if (flags.json) return printJson(rows);
    if (!rows.length) return print('No collections yet: iqa library add <folder>');
    for (const { collection: d, stats: s } of rows) {
      print(`${String(d.id).padStart(4)}  ${d.name.padEnd(28)} ${String(s.total).padStart(7)} photos  ${String(s.scored).padStart(7)} scored  ${String(s.rated).padStart(6)} rated  ${String(s.rejected).padStart(6)} rejected`);
    }
  });
}

export interface ListFlags extends Common, FilterFlags {
  sort: PhotoSort;
  descending: boolean;
  limit?: number;
  csv: boolean;
}

/** Every photo the filter keeps, in the asked order, a page at a time. */
async function* photosOf(rt: Runtime, ds: DatasetSummary, q: { filter?: PhotoFilter | undefined; sort?: PhotoSort; descending?: boolean; limit?: number }): AsyncGenerator<PhotoItem> {
  const limit = q.limit ?? Infinity;
  let seen = 0;
  for (let offset = 0; seen < limit; offset += PAGE) {
    const page = (await invokeOrThrow(rt, 'library:list', {
      datasetId: ds.id, offset, limit: PAGE, sort: q.sort ?? 'name', descending: q.descending ?? false, ...(q.filter ?? {}),
    })) as PhotoPage;
    for (const item of page.items) {
      if (seen++ >= limit) return;
      yield item;
    }
    if (offset + PAGE >= page.total) return;
  }
}

export async function libraryListCommand(collection: string, flags: ListFlags): Promise<void> {
  if (flags.json && flags.csv) throw new AppError('validation', 'Choose --json or --csv, not both');
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const items = photosOf(rt, ds, { filter: filterOf(flags), sort: flags.sort, descending: flags.descending, ...(flags.limit ? { limit: flags.limit } : {}) });
    if (flags.csv) process.stdout.write(csvLine(['id', 'path', 'score', 'stars', 'rejected', 'predicted_stars', 'color']));
    for await (const p of items) {
      if (flags.json) printJson(p);
      else if (flags.csv) process.stdout.write(csvLine([p.id, p.path, p.score, p.stars, p.rejected ? 1 : 0, p.predicted, p.color]));
      else print(`${String(p.id).padStart(7)}  ${p.score === null ? '       -' : p.score.toFixed(4).padStart(8)}  ${starsText(p).padEnd(21)} ${p.error ? `${p.name}  (unreadable: ${p.error})` : p.name}`);
    }
  });
}

export async function libraryStatsCommand(collection: string, flags: Common): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const s = await collectionStats(rt, ds);
    if (flags.json) return printJson({ collection: ds, stats: s });
    print(`${ds.name}: ${s.total} photos, ${s.scored} scored, ${s.rated} rated by you, ${s.rejected} rejected, ${s.predicted} with predicted stars`);
    print(`stars shown (not rejected): ${s.stars.map((n, k) => `${k}★ ${n}`).join('  ')}`);
    for (const src of s.scoreSources) print(`scores: ${src.model} (${src.source}${src.runId ? `, run #${src.runId}` : ''}), ${src.scale}: ${src.count}`);
  });
}

export interface LibraryScoreFlags extends Common {
  model?: string;
  run?: number;
  checkpoint?: string;
  crops?: number;
  backend: BackendChoice;
}

export async function libraryScoreCommand(collection: string, flags: LibraryScoreFlags): Promise<void> {
  if (flags.run !== undefined && flags.checkpoint) throw new AppError('validation', 'Give --run or --checkpoint, not both');
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const result = (await runJob(rt, 'scores:start', {
      datasetId: ds.id,
      ...(flags.model || flags.run !== undefined || flags.checkpoint ? (flags.model ? { model: flags.model } : {}) : { model: DEFAULT_MODEL }),
      ...(flags.run !== undefined ? { runId: flags.run } : {}),
      ...(flags.checkpoint ? { checkpoint: resolve(flags.checkpoint) } : {}),
      ...(flags.crops ? { crops: flags.crops } : {}),
    })) as ScoreJobResult;
    if (result.failed) process.exitCode = 1;
    if (flags.json) return printJson(result);
    print(`Scored ${result.scored} of ${result.total} photos in "${ds.name}" with ${result.model} (${result.source}; ${result.scale})${result.failed ? `, ${result.failed} failed` : ''}`);
    for (const e of result.errors) print(`  ${e.name}: ${e.error}`);
  }, flags.backend);
}

export interface RateFlags extends Common, FilterFlags {
  stars?: number;
  reject?: boolean;
  setColor?: PhotoColor | 'none';
}

/** A photo named by its path (as given or absolute), its name in the collection, or its id. */
async function findPhoto(rt: Runtime, ds: DatasetSummary, ref: string): Promise<{ id: number }> {
  const abs = resolve(ref);
  const matches: PhotoItem[] = [];
  for await (const p of photosOf(rt, ds, { filter: { rating: 'all', search: basename(ref) } })) {
    if (p.path === abs || p.path === ref || p.name === ref) matches.push(p);
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new AppError('validation', `"${ref}" names ${matches.length} photos in "${ds.name}"; give its path`);
  if (/^\d+$/.test(ref)) {
    const image = await rt.invoke('images:get', { id: Number(ref) });
    if (image.ok && (image.result as { datasetId: number }).datasetId === ds.id) return { id: Number(ref) };
  }
  throw new AppError('not_found', `No photo "${ref}" in "${ds.name}" (give its path, name or id; see iqa library list)`);
}

/** Rates the photos named, or every photo the filter keeps (cull by threshold: --score-max 2.5 --reject). */
export async function libraryRateCommand(collection: string, refs: string[], flags: RateFlags): Promise<void> {
  if (flags.stars === undefined && flags.reject === undefined && flags.setColor === undefined) {
    throw new AppError('validation', 'Give --stars N (0-5), --reject, --no-reject or --set-color');
  }
  const filter = filterOf(flags);
  if (refs.length && filter) throw new AppError('validation', 'Name photos or give a filter (--rating, --score-min, ...), not both');
  if (!refs.length && !filter) throw new AppError('validation', 'Name the photos to rate, or give a filter such as --score-max 2.5');
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const photos: { id: number }[] = [];
    if (filter) for await (const p of photosOf(rt, ds, { filter })) photos.push(p);
    else for (const ref of refs) photos.push(await findPhoto(rt, ds, ref));
    for (const p of photos) {
      const updated = (await invokeOrThrow(rt, 'library:rate', {
        imageId: p.id,
        ...(flags.stars !== undefined ? { stars: flags.stars } : {}),
        ...(flags.reject !== undefined ? { rejected: flags.reject } : {}),
        ...(flags.setColor !== undefined ? { color: flags.setColor === 'none' ? null : flags.setColor } : {}),
      })) as PhotoItem;
      if (flags.json) printJson(updated);
      else print(`${updated.name}: ${starsText(updated)}`);
    }
    if (filter && !flags.json) process.stderr.write(`${photos.length} photo${photos.length === 1 ? '' : 's'} matched the filter\n`);
  });
}

export async function libraryCalibrateCommand(collection: string, flags: Common & { apply: boolean }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const cal = (await invokeOrThrow(rt, 'library:calibrate', { datasetId: ds.id })) as Calibration;
    const applied = flags.apply ? ((await invokeOrThrow(rt, 'library:applyCalibration', { datasetId: ds.id })) as { predicted: number; unscored: number; kept: number }) : null;
    if (flags.json) return printJson({ calibration: cal, ...(applied ? { applied } : {}) });
    const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
    print(`Calibrated "${ds.name}" on ${cal.n} photos you rated (${cal.model}, ${cal.scale}):`);
    print(`  SRCC ${cal.srcc === null ? '-' : cal.srcc.toFixed(3)}  exact ${pct(cal.agreement)}  within one star ${pct(cal.withinOne)}  MAE ${cal.mae.toFixed(2)}` +
      `${cal.looAgreement === null ? '' : `  exact on unseen photos (leave-one-out) ${pct(cal.looAgreement)}`}`);
    for (const b of cal.bands) print(`  ${b.stars}★  score ${b.lo === null ? '-∞' : b.lo.toFixed(4)} .. ${b.hi === null ? '+∞' : b.hi.toFixed(4)}`);
    print('  your stars ↓ / predicted →   1    2    3    4    5');
    cal.confusion.forEach((row, k) => print(`  ${k + 1}★${' '.repeat(24)}${row.map((n) => String(n).padStart(5)).join('')}`));
    for (const w of cal.warnings) print(`  warning: ${w}`);
    if (applied) print(`Predicted stars for ${applied.predicted} photos (${applied.kept} keep your own stars, ${applied.unscored} unscored)`);
  });
}

export async function libraryXmpWriteCommand(collection: string, flags: Common & FilterFlags & { naming: SidecarNaming; into: XmpTarget; predicted: boolean; score: boolean }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const filter = filterOf(flags);
    const r = (await runJob(rt, 'library:writeXmp', {
      datasetId: ds.id, naming: flags.naming, into: flags.into, includePredicted: flags.predicted, includeScore: flags.score, ...(filter ? { filter } : {}),
    })) as XmpWriteResult;
    if (r.failed) process.exitCode = 1;
    if (flags.json) return printJson(r);
    const inside = r.into === 'file' ? `${r.intoFile} written inside JPEG/TIFF/DNG files (${r.backups} originals kept as FILE_original until \`iqa library xmp backups --confirm\`), ` : '';
    print(`XMP for ${r.total} photos: ${inside}${r.written - r.intoFile} sidecars (${r.naming} naming) written (${r.created} new), ${r.unchanged} unchanged, ${r.skipped} with nothing to write${r.failed ? `, ${r.failed} failed` : ''}`);
    for (const e of r.errors) print(`  ${e.name}: ${e.error}`);
  });
}

export async function libraryXmpReadCommand(collection: string, flags: Common & { prefer: SidecarNaming; overwrite: boolean }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const r = (await runJob(rt, 'library:readXmp', { datasetId: ds.id, prefer: flags.prefer, overwrite: flags.overwrite })) as XmpReadResult;
    if (r.failed) process.exitCode = 1;
    if (flags.json) return printJson(r);
    print(`Read sidecars of ${r.total} photos: ${r.imported} ratings imported, ${r.replaced} replaced, ${r.unchanged} unchanged, ${r.colors} colour labels, ${r.noSidecar} without a sidecar, ${r.noRating} without a rating${r.failed ? `, ${r.failed} failed` : ''}`);
    if (r.conflicts) print(`  ${r.conflicts} differ from your ratings here and were kept (--overwrite takes the sidecar's): ${r.conflictNames.join(', ')}`);
    for (const e of r.errors) print(`  ${e.name}: ${e.error}`);
  });
}

export async function libraryXmpBackupsCommand(collection: string, flags: Common & { confirm?: boolean; restore?: boolean }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const action = flags.confirm ? 'confirm' : flags.restore ? 'restore' : null;
    if (!action) {
      const b = (await invokeOrThrow(rt, 'library:xmpBackups', { datasetId: ds.id })) as XmpBackups;
      if (flags.json) return printJson(b);
      print(b.count ? `${b.count} photos of "${ds.name}" keep their originals from a write into the file (--confirm deletes them, --restore puts them back):` : `No backups in "${ds.name}"`);
      for (const n of b.names) print(`  ${n}`);
      return;
    }
    const r = (await invokeOrThrow(rt, 'library:settleBackups', { datasetId: ds.id, action })) as { settled: number; failed: number; errors: { name: string; error: string }[] };
    if (r.failed) process.exitCode = 1;
    if (flags.json) return printJson(r);
    print(action === 'confirm' ? `${r.settled} backups deleted` : `${r.settled} photos restored from their backups`);
    for (const e of r.errors) print(`  ${e.name}: ${e.error}`);
  });
}

export async function libraryExportCommand(collection: string, flags: FilterFlags & { out?: string; dataDir?: string }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findCollection(rt, collection);
    const filter = filterOf(flags);
    const r = (await invokeOrThrow(rt, 'library:exportCsv', { datasetId: ds.id, ...(filter ? { filter } : {}) })) as { csv: string; rows: number };
    if (!flags.out) return void process.stdout.write(r.csv);
    await writeFile(flags.out, r.csv);
    process.stderr.write(`${r.rows} photos written to ${flags.out}\n`);
  });
}

// The photographer's library: photos with stars and rejects committed per keypress, score→stars calibration, XMP sidecar write/read jobs, CSV export.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Handlers, ParsedInputOf } from '../../src-shared/api/contract';
import { AppError } from '../../src-shared/api/errors';
import { MEASURE_CSV_COLUMNS, MEASURE_KEYS, type Calibration, type PhotoStats, type SidecarNaming, type XmpTarget } from '../../src-shared/api/schemas';
import { seededRandom, shuffle } from '../util/random';
import { calibrate, MIN_SAMPLES, predictStars, scaleHigherIsBetter } from '../photo/calibration';
import { colorOfLabel, labelOfColor } from '../photo/color-labels';
import { decodeForAnalysis } from '../iqa/quality/features';
import { analyseRgb, TILE } from '../iqa/quality/measures';
import { findSidecar, readSidecar, sidecarPath, writeSidecar, type SidecarUpdate } from '../photo/xmp';
import { confirmIntoFile, hasBackup, readFromFile, restoreFromBackup, takesXmpInside, writeIntoFile, type InFileUpdate } from '../photo/xmp-in-file';
import type { SidecarRow } from '../store/repos/photos.repo';
import { toCsv } from '../../src-shared/csv';
import { checkImportRoot } from './access';
import type { ServiceContext } from './context';
import { notFound } from './datasets.service';
import { rescanFolder } from './import-folder';

/** At most this many per-file errors (and conflicts) are listed in a job's result; all are counted. */
const MAX_LISTED = 100;
/** Ratings read from sidecars are written in transactions of this many photos. */
const READ_BATCH = 100;

export interface FileError {
  imageId: number;
  name: string;
  error: string;
}

export interface XmpWriteResult {
  datasetId: number;
  naming: SidecarNaming;
  into: XmpTarget;
  total: number;
  /** Sidecars whose bytes changed (created included), and files written inside. */
  written: number;
  /** Of those, JPEG, TIFF and DNG files written inside (into 'file'). */
  intoFile: number;
  /** Files whose original was kept as `<file>_original` by this job (the first write since a confirm). */
  backups: number;
  created: number;
  /** Sidecars that already held these values. */
  unchanged: number;
  /** Photos with nothing to write (no stars, no reject, no colour label, no score). */
  skipped: number;
  failed: number;
  errors: FileError[];
}

export interface XmpReadResult {
  datasetId: number;
  total: number;
  /** Ratings taken from sidecars for photos without a rating here. */
  imported: number;
  /** Ratings here replaced by the sidecar's (overwrite). */
  replaced: number;
  unchanged: number;
  /** Sidecars that disagree with a rating made here, kept (overwrite off). */
  conflicts: number;
  /** Colour labels (xmp:Label Red..Purple) taken from sidecars: for photos without one here, or replacing it with overwrite. */
  colors: number;
  noSidecar: number;
  /** Sidecars without a rating (or 0, "unrated"). */
  noRating: number;
  /** Photos with both photo.ext.xmp and photo.xmp; the preferred one was read. */
  both: number;
  failed: number;
  errors: FileError[];
  conflictNames: string[];
}

/** A short name for the weights behind a score, for the UI and sidecars: `hyperiqa (shipped)`, `cnniqa (run #3)`. */
export function describeScoreSource(model: string, source: string, runId?: number | null): string {
  if (source.startsWith('shipped:')) return `${model} (shipped)`;
  if (runId) return `${model} (run #${runId})`;
  return `${model} (${source.split(/[\\/]/).filter(Boolean).slice(-2).join('/')})`;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

export function libraryHandlers(ctx: ServiceContext): Pick<
  Handlers,
  | 'library:list'
  | 'library:stats'
  | 'library:rate'
  | 'library:sample'
  | 'library:calibrate'
  | 'library:calibration'
  | 'library:applyCalibration'
  | 'library:clearPredictions'
  | 'library:writeXmp'
  | 'library:readXmp'
  | 'library:exportCsv'
  | 'library:rescan'
  | 'library:sharpnessMap'
  | 'library:xmpBackups'
  | 'library:settleBackups'
> {
  const { store } = ctx;
  const photos = store.photos;
  const requireDataset = (id: number) => store.datasets.get(id) ?? notFound('collection', id);

  /** The photos a job works on: the given ids (all in the collection), else the filter's, else every photo. */
  function jobIds(datasetId: number, imageIds: number[] | undefined, filter?: ParsedInputOf<'library:writeXmp'>['filter']): number[] {
    if (imageIds) {
      const found = photos.idsIn(datasetId, imageIds);
      if (found.length !== new Set(imageIds).size) throw new AppError('validation', `${new Set(imageIds).size - found.length} of the given photos are not in this collection`);
      return found;
    }
    const ids = photos.ids(datasetId, filter ?? {});
    if (!ids.length) throw new AppError('validation', 'No photos match; nothing to do');
    return ids;
  }

  /** The weights most of the collection's latest scores come from. */
  function mainSource(stats: PhotoStats): { label: string; scale: string } | null {
    const s = stats.scoreSources[0];
    return s ? { label: describeScoreSource(s.model, s.source, s.runId), scale: s.scale } : null;
  }

  async function sidecarUpdate(row: SidecarRow, target: string, input: ParsedInputOf<'library:writeXmp'>): Promise<SidecarUpdate | null> {
    const update: SidecarUpdate = {};
    if (row.rejected) update.rating = -1;
    else if (row.stars !== null) update.rating = row.stars;
    else if (row.picked) update.rating = 0;
    else if (input.includePredicted && row.predicted !== null) {
      // A prediction never replaces a rating a person made, here or in another program.
      const existing = (await isFile(target)) ? (await readSidecar(target)).rating : null;
      if (existing === null || existing === 0) update.rating = row.predicted;
    }
    // Lightroom's flag as digiKam's PickLabel; an unflagged photo clears one left in its sidecar.
    if (row.picked || row.rejected) update.pick = row.picked ? 'picked' : 'rejected';
    else if ((await isFile(target)) && (await readSidecar(target)).pick) update.pick = 'none';
    // A photo without a colour here leaves any label another program set.
    if (row.color) update.label = labelOfColor(row.color);
    if (input.includeScore && row.score) {
      update.score = { value: row.score.value, model: describeScoreSource(row.score.model, row.score.source, row.score.runId), scale: row.score.scale, scoredAt: row.score.scoredAt };
    }
    // The technical measures travel with the score (iqa:Sharpness, iqa:Noise, ...).
    if (input.includeScore && row.measures) update.measures = row.measures;
    return update.rating === undefined && update.pick === undefined && update.label === undefined && update.score === undefined && update.measures === undefined ? null : update;
  }

  /** The same rules as sidecarUpdate for the XMP inside a file (the score has no place there: ExifTool knows no iqa namespace). */
  async function inFileUpdate(row: SidecarRow, input: ParsedInputOf<'library:writeXmp'>): Promise<{ update: InFileUpdate; unchanged: boolean } | null> {
    const current = await readFromFile(row.path);
    let rating: number | undefined;
    if (row.rejected) rating = -1;
    else if (row.stars !== null) rating = row.stars;
    else if (row.picked) rating = 0;
    else if (input.includePredicted && row.predicted !== null && (current.rating === null || current.rating === 0)) rating = row.predicted;
    const pick = row.picked ? 'picked' : row.rejected ? 'rejected' : current.pick && current.pick !== 'none' ? 'none' : undefined;
    const label = row.color ? labelOfColor(row.color) : undefined;
    if (rating === undefined && pick === undefined && label === undefined) return null;
    const update: InFileUpdate = { rating: rating ?? current.rating ?? 0, ...(pick ? { pick } : {}), ...(label !== undefined ? { label } : {}) };
    const unchanged = update.rating === (current.rating ?? 0) && (update.pick === undefined || update.pick === (current.pick ?? 'none')) && (update.label === undefined || update.label === current.label);
    return { update, unchanged };
  }

  /** The collection's photos that still have a backup of a write into the file. */
  async function backedUp(datasetId: number): Promise<SidecarRow[]> {
    const rows = photos.sidecarRows(photos.ids(datasetId, {})).filter((r) => takesXmpInside(r.path));
    const flags = await Promise.all(rows.map((r) => hasBackup(r.path)));
    return rows.filter((_, i) => flags[i]);
  }

  return {
    'library:list': (q) => (requireDataset(q.datasetId), photos.list(q)),
    'library:stats': ({ datasetId }) => (requireDataset(datasetId), photos.stats(datasetId)),
    'library:rate': ({ imageId, stars, rejected, picked, color }) => {
      const current = photos.getPhoto(imageId) ?? notFound('photo', imageId);
      let nextStars = stars === undefined ? current.stars : stars;
      // One flag at a time (Lightroom): a pick clears a reject and a reject clears a pick.
      const nextRejected = picked === true ? false : (rejected ?? current.rejected);
      const nextPicked = rejected === true ? false : (picked ?? (nextRejected ? false : current.picked));
      // Un-rejecting a photo without stars records "no stars", so a -1 already written to its sidecar becomes 0.
      // A pick says so in its sidecar itself (xmp:Rating 0 and digiKam:PickLabel), so it leaves the stars as they are.
      if (stars === undefined && picked !== true && current.rejected && !nextRejected && nextStars === null) nextStars = 0;
      return photos.setRating(imageId, nextStars, nextRejected, color === undefined ? current.color : color, nextPicked);
    },
    'library:sample': ({ datasetId, size, seed }) => {
      requireDataset(datasetId);
      const pool = photos.unratedByScore(datasetId);
      if (!pool.length) throw new AppError('validation', 'No scored photos without a rating: score the collection first');
      const n = Math.min(size, pool.length);
      // Evenly spaced ranks cover the whole score range; the order is shuffled so the scores cannot be read from it.
      const picks = Array.from({ length: n }, (_, k) => pool[Math.floor(((k + 0.5) * pool.length) / n)]!);
      return shuffle(picks, seededRandom(seed));
    },
    'library:calibrate': ({ datasetId }) => {
      requireDataset(datasetId);
      const stats = photos.stats(datasetId);
      const source = mainSource(stats);
      const rated = photos.ratedScores(datasetId);
      if (!source || rated.length < MIN_SAMPLES) {
        throw new AppError('validation', `Rate at least ${MIN_SAMPLES} scored photos with 1-5 stars first (${rated.length} so far)`);
      }
      if (new Set(rated.map((r) => r.stars)).size < 2) throw new AppError('validation', 'Your ratings all have the same stars; rate photos you like more and less');
      const higherIsBetter = scaleHigherIsBetter(source.scale);
      const fit = calibrate(rated, higherIsBetter);
      const mixed = stats.scoreSources.length > 1
        ? [`The latest scores come from ${stats.scoreSources.length} different models or weights; score the whole collection with one for a consistent mapping.`]
        : [];
      const calibration: Calibration = {
        datasetId,
        method: 'agreement-thresholds',
        higherIsBetter,
        scale: source.scale,
        model: source.label,
        ...fit,
        warnings: [...mixed, ...fit.warnings],
        fittedAt: new Date().toISOString(),
      };
      photos.saveCalibration(calibration);
      return calibration;
    },
    'library:calibration': ({ datasetId }) => (requireDataset(datasetId), photos.getCalibration(datasetId)),
    'library:applyCalibration': ({ datasetId }) => {
      requireDataset(datasetId);
      const c = photos.getCalibration(datasetId);
      if (!c) throw new AppError('validation', 'Fit a calibration first: rate a sample, then Fit');
      const now = mainSource(photos.stats(datasetId));
      if (!now || now.label !== c.model || now.scale !== c.scale) {
        throw new AppError('validation', `The calibration was fitted to ${c.model} scores, but the collection is now scored with ${now?.label ?? 'nothing'}; fit it again`);
      }
      return photos.applyPredictions(datasetId, (score) => predictStars(c.bands, score));
    },
    'library:clearPredictions': ({ datasetId }) => (requireDataset(datasetId), { cleared: photos.clearPredictions(datasetId) }),

    'library:writeXmp': (input) => {
      const ds = requireDataset(input.datasetId);
      const ids = jobIds(ds.id, input.imageIds, input.filter);
      const inside = input.into === 'file';
      const what = inside ? 'XMP into JPEG, TIFF and DNG files (sidecars for other RAW)' : `${input.naming} XMP sidecars`;
      return ctx.jobs.start('xmp-write', `Write ${what} for ${ids.length} photos of ${ds.name}`, async ({ signal, progress }) => {
        const rows = photos.sidecarRows(ids);
        const result: XmpWriteResult = {
          datasetId: ds.id, naming: input.naming, into: input.into, total: rows.length, written: 0, intoFile: 0, backups: 0, created: 0, unchanged: 0, skipped: 0, failed: 0, errors: [],
        };
        const fail = (row: SidecarRow, err: unknown) => {
          result.failed++;
          if (result.errors.length < MAX_LISTED) result.errors.push({ imageId: row.id, name: row.name, error: AppError.from(err).message });
        };
        // Lightroom naming drops the extension, so IMG_1.CR2 and IMG_1.JPG would share IMG_1.xmp.
        const owners = new Map<string, SidecarRow[]>();
        for (const row of rows) {
          if (inside && takesXmpInside(row.path)) continue;
          try {
            const key = sidecarPath(row.path, input.naming).toLowerCase();
            owners.set(key, [...(owners.get(key) ?? []), row]);
          } catch {
            // An unusable path fails below, with its own message.
          }
        }
        const writeInside = async (row: SidecarRow) => {
          if (!(await isFile(row.path))) throw new AppError('bad_input', 'the photo file is missing; nothing written');
          const planned = await inFileUpdate(row, input);
          if (!planned) result.skipped++;
          else if (planned.unchanged) result.unchanged++;
          else {
            const w = await writeIntoFile(row.path, planned.update);
            result.written++;
            result.intoFile++;
            if (w.backedUp) result.backups++;
          }
        };
        const writeBeside = async (row: SidecarRow) => {
          const target = sidecarPath(row.path, input.naming);
          const sharing = (owners.get(target.toLowerCase()) ?? []).filter((o) => o.id !== row.id);
          if (sharing.length) {
            throw new AppError('conflict', `${basename(target)} would also be the sidecar of ${sharing.map((o) => basename(o.path)).join(', ')}; write darktable sidecars (photo.ext.xmp) for photos that share a name`);
          }
          if (!(await isFile(row.path))) throw new AppError('bad_input', 'the photo file is missing; no sidecar written');
          const update = await sidecarUpdate(row, target, input);
          if (!update) result.skipped++;
          else {
            const w = await writeSidecar(target, update);
            if (!w.changed) result.unchanged++;
            else {
              result.written++;
              if (w.created) result.created++;
            }
          }
        };
        progress(0, rows.length);
        for (const [n, row] of rows.entries()) {
          if (signal.aborted) break;
          try {
            if (inside && takesXmpInside(row.path)) await writeInside(row);
            else await writeBeside(row);
          } catch (err) {
            fail(row, err);
          }
          progress(n + 1, rows.length, `${result.written} written${result.failed ? `, ${result.failed} failed` : ''}`);
        }
        if (signal.aborted) {
          throw new AppError('cancelled', `Cancelled after ${result.written + result.unchanged + result.skipped + result.failed} of ${result.total} photos; the sidecars written so far stay`, result);
        }
        return result;
      });
    },

    'library:readXmp': (input) => {
      const ds = requireDataset(input.datasetId);
      const ids = jobIds(ds.id, input.imageIds);
      return ctx.jobs.start('xmp-read', `Read XMP ratings for ${ids.length} photos of ${ds.name}`, async ({ signal, progress }) => {
        const rows = photos.sidecarRows(ids);
        const result: XmpReadResult = {
          datasetId: ds.id, total: rows.length, imported: 0, replaced: 0, unchanged: 0, conflicts: 0, colors: 0, noSidecar: 0, noRating: 0, both: 0, failed: 0, errors: [], conflictNames: [],
        };
        let pending: Parameters<typeof photos.setRatings>[0][number][] = [];
        const flush = () => {
          photos.setRatings(pending);
          pending = [];
        };
        try {
          progress(0, rows.length);
          for (const [n, row] of rows.entries()) {
            if (signal.aborted) break;
            try {
              const found = await findSidecar(row.path, { prefer: input.prefer });
              if (found.both) result.both++;
              const sidecar = found.path ? await readSidecar(found.path) : null;
              const rating = sidecar?.rating ?? null;
              const next = { imageId: row.id, stars: row.stars, rejected: row.rejected, color: row.color };
              if (!sidecar) result.noSidecar++;
              else if (rating === null || rating === 0) result.noRating++;
              else {
                const want = rating === -1 ? { stars: row.stars, rejected: true } : { stars: rating, rejected: false };
                const mine = row.stars !== null || row.rejected;
                if (want.rejected === row.rejected && want.stars === row.stars) result.unchanged++;
                else if (mine && !input.overwrite) {
                  result.conflicts++;
                  if (result.conflictNames.length < MAX_LISTED) result.conflictNames.push(row.name);
                } else {
                  Object.assign(next, want);
                  if (mine) result.replaced++;
                  else result.imported++;
                }
              }
              const color = colorOfLabel(sidecar?.label);
              if (color && color !== row.color && (row.color === null || input.overwrite)) {
                next.color = color;
                result.colors++;
              }
              if (next.stars !== row.stars || next.rejected !== row.rejected || next.color !== row.color) pending.push(next);
            } catch (err) {
              result.failed++;
              if (result.errors.length < MAX_LISTED) result.errors.push({ imageId: row.id, name: row.name, error: AppError.from(err).message });
            }
            if (pending.length >= READ_BATCH) flush();
            progress(n + 1, rows.length, `${result.imported + result.replaced} ratings read${result.failed ? `, ${result.failed} failed` : ''}`);
          }
          flush();
        } finally {
          if (pending.length) flush();
          if (result.imported + result.replaced + result.colors) ctx.events.emit('datasets:changed', { datasetId: ds.id });
        }
        if (signal.aborted) throw new AppError('cancelled', `Cancelled; the ${result.imported + result.replaced} ratings read so far are kept`, result);
        return result;
      });
    },

    'library:rescan': async ({ datasetId, recursive }) => {
      const ds = requireDataset(datasetId);
      // The folder may have been swapped for a symlink since it was added: rescan only where clients may read.
      if (ds.root && ctx.importRoots) await checkImportRoot(ctx, ds.root);
      return ctx.jobs.start('rescan', `Look for new photos in ${ds.name}`, async ({ signal, progress }) => {
        const result = await rescanFolder(store, ds.id, { recursive, signal, onProgress: progress });
        if (result.added) ctx.events.emit('datasets:changed', { datasetId: ds.id });
        return result;
      });
    },

    'library:sharpnessMap': async ({ imageId }) => {
      const photo = photos.getPhoto(imageId) ?? notFound('photo', imageId);
      const img = await decodeForAnalysis(photo.path);
      const { map } = analyseRgb(img.data, img.width, img.height);
      return { width: img.width, height: img.height, tile: TILE, cols: map.cols, rows: map.rows, values: Array.from(map.values, (v) => (Number.isFinite(v) ? v : null)) };
    },
    'library:xmpBackups': async ({ datasetId }) => {
      requireDataset(datasetId);
      const rows = await backedUp(datasetId);
      return { count: rows.length, names: rows.slice(0, MAX_LISTED).map((r) => r.name) };
    },
    'library:settleBackups': async ({ datasetId, action }) => {
      requireDataset(datasetId);
      const out = { settled: 0, failed: 0, errors: [] as { name: string; error: string }[] };
      for (const row of await backedUp(datasetId)) {
        try {
          if (action === 'confirm') await confirmIntoFile(row.path);
          else await restoreFromBackup(row.path);
          out.settled++;
        } catch (err) {
          out.failed++;
          if (out.errors.length < MAX_LISTED) out.errors.push({ name: row.name, error: AppError.from(err).message });
        }
      }
      return out;
    },
    'library:exportCsv': ({ datasetId, filter }) => {
      const ds = requireDataset(datasetId);
      const rows = photos.exportRows(datasetId, filter ?? {});
      const csv = toCsv(
        ['path', 'score', 'stars', 'rejected', 'predicted_stars', 'score_model', 'score_scale', 'color', ...MEASURE_CSV_COLUMNS],
        rows.map((r) => [
          r.path, r.score, r.stars, r.rejected ? 1 : 0, r.predicted, r.model, r.scale, r.color,
          ...MEASURE_KEYS.map((k) => (r.measures ? Number(r.measures[k].toFixed(3)) : null)),
        ]),
      );
      const slug = ds.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'collection';
      return { filename: `${slug}-ratings.csv`, csv, rows: rows.length };
    },
  };
}

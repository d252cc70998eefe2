// Burst and near-duplicate grouping of a collection as a job: EXIF and dHash read once per photo, groups by capture-time gap and likeness, the best pre-picked.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { GroupResult } from '../../src-shared/api/schemas';
import { openImage } from '../imaging/open-image';
import { scaleHigherIsBetter } from '../photo/calibration';
import { dhashOf, hashToHex, hexToHash } from '../photo/dhash';
import { readExif } from '../photo/exif';
import { groupPhotos, type GroupInput } from '../photo/grouping';
import type { GroupRow } from '../store/repos/photo-culling.repo';
import type { Store } from '../store/store';
import { mapLimit } from '../util/map-limit';
import type { ServiceContext } from './context';

/** Reads EXIF and the dHash of photos that lack them (two at a time), storing them as it goes. */
export async function measureForGrouping(store: Store, rows: GroupRow[], onDone: (n: number) => void, signal?: AbortSignal): Promise<void> {
  const todo = rows.filter((r) => !r.seen || !r.dhash);
  let done = 0;
  const pending: Parameters<Store['culling']['saveExif']>[0][number][] = [];
  await mapLimit(todo, 2, async (r) => {
    if (signal?.aborted) return;
    // EXIF read on import is kept; only photos never read get it here.
    const exif = r.seen ? null : await readExif(r.path).catch(() => null);
    const hash = await openImage(r.path).then(dhashOf, () => null);
    r.dhash = hash === null ? null : hashToHex(hash);
    if (r.seen) {
      if (r.dhash) store.culling.saveHash(r.id, r.dhash);
    } else {
      const row = {
        imageId: r.id,
        capturedAt: exif?.capturedAt ?? null, camera: exif?.camera ?? null, lens: exif?.lens ?? null, focalLength: exif?.focalLength ?? null,
        iso: exif?.iso ?? null, shutter: exif?.shutter ?? null, aperture: exif?.aperture ?? null, rawPath: null, dhash: r.dhash,
      };
      r.capturedAt = row.capturedAt;
      pending.push(row);
    }
    if (pending.length >= 50) store.culling.saveExif(pending.splice(0));
    onDone(++done);
  });
  if (pending.length) store.culling.saveExif(pending);
}

/** Grouping inputs: capture time as ms of the camera's local time, scores flipped where lower is better. */
export function groupInputs(rows: readonly GroupRow[], higherIsBetter: boolean): GroupInput[] {
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    time: r.capturedAt ? Date.parse(`${r.capturedAt}Z`) : null,
    hash: r.dhash ? hexToHash(r.dhash) : null,
    score: r.score === null ? null : higherIsBetter ? r.score : -r.score,
    sharpness: r.sharpness,
  }));
}

export function photoGroupHandlers(ctx: ServiceContext): Pick<Handlers, 'library:group'> {
  const { store } = ctx;
  return {
    'library:group': ({ datasetId, gapSeconds, maxDistance, flagBest }) => {
      const ds = store.datasets.get(datasetId) ?? AppError.notFound('collection', datasetId);
      return ctx.jobs.start('group', `Group bursts and near-duplicates in ${ds.name}`, async ({ signal, progress }) => {
        const t0 = performance.now();
        const rows = store.culling.groupRows(ds.id);
        progress(0, rows.length, 'reading EXIF and likeness');
        await measureForGrouping(store, rows, (n) => progress(n, rows.length, 'reading EXIF and likeness'), signal);
        const scale = store.photos.stats(ds.id).scoreSources[0]?.scale;
        const groups = groupPhotos(groupInputs(rows, scale ? scaleHigherIsBetter(scale) : true), { gapSeconds, maxDistance });
        const unflagged = new Set(rows.filter((r) => !r.picked && !r.rejected).map((r) => r.id));
        const flags = store.culling.replaceGroups(ds.id, groups, flagBest ? { unflagged } : null);
        ctx.events.emit('datasets:changed', { datasetId: ds.id });
        const result: GroupResult = {
          photos: rows.length,
          groups: groups.length,
          grouped: groups.reduce((n, g) => n + g.ids.length, 0),
          picked: flags.picked,
          rejected: flags.rejected,
          ms: Math.round(performance.now() - t0),
        };
        return result;
      });
    },
  };
}

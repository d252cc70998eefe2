// Photo EXIF, dHashes and burst groups in SQLite: what grouping reads and writes, and the flags it pre-sets.
import type { Db } from '../db';
import type { PhotoExif } from '../../../src-shared/api/schemas';

export interface GroupRow {
  id: number;
  path: string;
  name: string;
  score: number | null;
  sharpness: number | null;
  capturedAt: string | null;
  dhash: string | null;
  /** Whether the photo has an EXIF row (read once). */
  seen: boolean;
  picked: boolean;
  rejected: boolean;
}

export function createPhotoCullingRepo(db: Db) {
  const upsertExif = db.prepare(`
    INSERT INTO photo_exif (image_id, captured_at, camera, lens, focal_length, iso, shutter, aperture, raw_path, dhash)
    VALUES (@imageId, @capturedAt, @camera, @lens, @focalLength, @iso, @shutter, @aperture, @rawPath, @dhash)
    ON CONFLICT (image_id) DO UPDATE SET captured_at = excluded.captured_at, camera = excluded.camera, lens = excluded.lens,
      focal_length = excluded.focal_length, iso = excluded.iso, shutter = excluded.shutter, aperture = excluded.aperture,
      raw_path = coalesce(excluded.raw_path, photo_exif.raw_path), dhash = coalesce(excluded.dhash, photo_exif.dhash)`);
  const flag = db.prepare(`
    INSERT INTO photo_ratings (image_id, picked, rejected) VALUES (@id, @picked, @rejected)
    ON CONFLICT (image_id) DO UPDATE SET picked = excluded.picked, rejected = excluded.rejected, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`);

  return {
    /** Stores EXIF (and optionally the RAW companion and dHash) of photos, in one transaction. */
    saveExif(rows: readonly (PhotoExif & { imageId: number; dhash: string | null })[]): void {
      db.transaction(() => {
        for (const r of rows) upsertExif.run(r);
      })();
    },
    /** Every photo of a collection with what grouping needs. */
    groupRows(datasetId: number): GroupRow[] {
      const rows = db
        .prepare(
          `SELECT i.id, i.path, i.name, i.score, m.sharpness, e.captured_at AS capturedAt, e.dhash, e.image_id IS NOT NULL AS seen,
                  coalesce(r.picked, 0) AS picked, coalesce(r.rejected, 0) AS rejected
           FROM images i LEFT JOIN image_measures m ON m.image_id = i.id LEFT JOIN photo_exif e ON e.image_id = i.id
           LEFT JOIN photo_ratings r ON r.image_id = i.id WHERE i.dataset_id = ? AND i.error IS NULL ORDER BY i.id`,
        )
        .all(datasetId) as (Omit<GroupRow, 'seen' | 'picked' | 'rejected'> & { seen: number; picked: number; rejected: number })[];
      return rows.map((r) => ({ ...r, seen: r.seen === 1, picked: r.picked === 1, rejected: r.rejected === 1 }));
    },
    /**
     * Replaces a collection's groups, and (with `flags`) picks each group's best and rejects the rest among photos
     * without a flag of their own. Returns how many were picked and rejected.
     */
    replaceGroups(datasetId: number, groups: readonly { ids: number[]; best: number }[], flags: { unflagged: ReadonlySet<number> } | null): { picked: number; rejected: number } {
      const out = { picked: 0, rejected: 0 };
      const insert = db.prepare('INSERT INTO photo_groups (image_id, dataset_id, group_no, size, best) VALUES (?, ?, ?, ?, ?)');
      db.transaction(() => {
        db.prepare('DELETE FROM photo_groups WHERE dataset_id = ?').run(datasetId);
        groups.forEach((g, n) => {
          for (const id of g.ids) {
            insert.run(id, datasetId, n + 1, g.ids.length, id === g.best ? 1 : 0);
            if (!flags?.unflagged.has(id)) continue;
            const best = id === g.best;
            flag.run({ id, picked: best ? 1 : 0, rejected: best ? 0 : 1 });
            if (best) out.picked++;
            else out.rejected++;
          }
        });
      })();
      return out;
    },
  };
}
export type PhotoCullingRepo = ReturnType<typeof createPhotoCullingRepo>;

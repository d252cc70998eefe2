// Image-level look-ups beside the datasets repo: an image's reference, its neighbours in name order, a dataset's images to score.
import type { Db } from '../db';

/** A dataset's image as a scoring job reads it (unreadable ones carry their error). */
export interface ImageToScore {
  id: number;
  path: string;
  name: string;
  error: string | null;
}

/** An image's neighbours among its dataset's readable images in (name, id) order. */
export interface ImageNeighbourRows {
  prev: number | null;
  next: number | null;
  /** Readable images before it in that order, and in all. */
  before: number;
  total: number;
}

export function createImagesRepo(db: Db) {
  const referenceOf = db.prepare('SELECT reference_id AS id FROM images WHERE id = ?');
  const referencePathOf = db.prepare('SELECT r.path AS path FROM images i JOIN reference_images r ON r.id = i.reference_id WHERE i.id = ?');
  const forScoring = db.prepare('SELECT id, path, name, error FROM images WHERE dataset_id = ? ORDER BY id');
  const neighbour = (before: boolean) =>
    db.prepare(
      `SELECT id FROM images WHERE dataset_id = ? AND error IS NULL AND (name ${before ? '<' : '>'} ? OR (name = ? AND id ${before ? '<' : '>'} ?))
       ORDER BY name ${before ? 'DESC' : 'ASC'}, id ${before ? 'DESC' : 'ASC'} LIMIT 1`,
    );
  const prevOf = neighbour(true);
  const nextOf = neighbour(false);
  const positionOf = db.prepare(
    `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN name < ? OR (name = ? AND id < ?) THEN 1 ELSE 0 END), 0) AS before
     FROM images WHERE dataset_id = ? AND error IS NULL`,
  );
  return {
    /** The id of the image's pristine reference, or null (also for an unknown image). */
    referenceId(imageId: number): number | null {
      return (referenceOf.get(imageId) as { id: number | null } | undefined)?.id ?? null;
    },
    /** The path of the image's pristine reference as stored, or null when it has none or none on disk was recorded. */
    referencePath(imageId: number): string | null {
      return (referencePathOf.get(imageId) as { path: string | null } | undefined)?.path ?? null;
    },
    /** Every image of the dataset in id order, readable or not. */
    toScore(datasetId: number): ImageToScore[] {
      return forScoring.all(datasetId) as ImageToScore[];
    },
    neighbours(image: { id: number; datasetId: number; name: string }): ImageNeighbourRows {
      const args = [image.datasetId, image.name, image.name, image.id] as const;
      const prev = (prevOf.get(...args) as { id: number } | undefined)?.id ?? null;
      const next = (nextOf.get(...args) as { id: number } | undefined)?.id ?? null;
      const { before, total } = positionOf.get(image.name, image.name, image.id, image.datasetId) as { before: number; total: number };
      return { prev, next, before, total };
    },
  };
}
export type ImagesRepo = ReturnType<typeof createImagesRepo>;

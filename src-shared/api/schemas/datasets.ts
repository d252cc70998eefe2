// Shared schemas: datasets, their images, splits, facets and the folders they come from.
import { z } from 'zod';
import { Id, LabelKind, ScoreDirection } from './common';

/** Dataset kinds that are photo collections: the Library screen's and `iqa library`'s. */
export const LIBRARY_KINDS: readonly string[] = ['folder', 'demo', 'library'];

export const DatasetSummary = z.object({
  id: Id,
  name: z.string(),
  kind: z.string(),
  root: z.string().nullable(),
  description: z.string(),
  labelKind: LabelKind,
  scoreMin: z.number().nullable(),
  scoreMax: z.number().nullable(),
  direction: ScoreDirection,
  imageCount: z.number().int().nonnegative(),
  referenceCount: z.number().int().nonnegative(),
  labelledCount: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const ImageItem = z.object({
  id: Id,
  datasetId: Id,
  path: z.string(),
  name: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  format: z.string().nullable(),
  bytes: z.number().int().nullable(),
  referenceName: z.string().nullable(),
  distortion: z.string().nullable(),
  level: z.number().int().nullable(),
  label: z.number().nullable(),
  labelStd: z.number().nullable(),
  /** The image's latest model score (scores:start), in that model's scale; null until scored. */
  score: z.number().nullable(),
  error: z.string().nullable(),
});
export type ImageItem = z.infer<typeof ImageItem>;

export const ImageSort = z.enum(['name', 'label', 'score', 'distortion', 'level', 'added']);
export type ImageSort = z.infer<typeof ImageSort>;

export const ImagePage = z.object({
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  items: z.array(ImageItem),
});
export type ImagePage = z.infer<typeof ImagePage>;

/** Human judgements a dataset delete would take with it (datasets:delete refuses while any is non-zero, unless archive). */
export const DatasetDependents = z.object({
  studies: z.number().int(),
  votes: z.number().int(),
  raters: z.number().int(),
  photoRatings: z.number().int(),
});
export type DatasetDependents = z.infer<typeof DatasetDependents>;

/** Where datasets:delete with archive wrote the judgements before deleting: CSV files in the data folder. */
export const DeleteArchive = DatasetDependents.extend({ folder: z.string(), files: z.array(z.string()) });
export type DeleteArchive = z.infer<typeof DeleteArchive>;

export const ImportFormat = z.object({ id: z.string(), label: z.string(), expects: z.string() });
export type ImportFormat = z.infer<typeof ImportFormat>;

export const SplitSummary = z.object({
  id: Id,
  datasetId: Id,
  name: z.string(),
  protocol: z.string(),
  seed: z.number().int().nullable(),
  counts: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
});
export type SplitSummary = z.infer<typeof SplitSummary>;

export const DatasetFacets = z.object({
  distortions: z.array(z.object({ name: z.string(), count: z.number().int() })),
  levels: z.array(z.number().int()),
  labelRange: z.tuple([z.number(), z.number()]).nullable(),
  scoreRange: z.tuple([z.number(), z.number()]).nullable(),
  unreadable: z.number().int(),
});
export type DatasetFacets = z.infer<typeof DatasetFacets>;

/** A dataset folder path as sent by a client: absolute, no NUL, bounded. */
export const FolderPath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'path contains a NUL byte');

/** A server-side folder's subfolders and image count (folders:browse), for choosing a folder to add or import. */
export const FolderListing = z.object({
  path: z.string(),
  /** The folder above, or null at the file-system root or an allowed root. */
  parent: z.string().nullable(),
  /** Images directly inside (by extension). */
  images: z.number().int().nonnegative(),
  /** Subfolders by name, hidden ones left out, with their own images and subfolders; the counts are null past the first ones counted. */
  folders: z.array(
    z.object({ name: z.string(), path: z.string(), images: z.number().int().nonnegative().nullable(), folders: z.number().int().nonnegative().nullable() }),
  ),
  /** More subfolders than listed. */
  truncated: z.boolean(),
  /** The folders this server may read from (serve --allow-root); empty when any folder is allowed. */
  roots: z.array(z.string()),
});
export type FolderListing = z.infer<typeof FolderListing>;

/** An image's place in its dataset (readable images in name order, as the Datasets grid lists them): the one before and after. */
export const ImageNeighbours = z.object({
  imageId: Id,
  datasetId: Id,
  prev: Id.nullable(),
  next: Id.nullable(),
  /** 1-based position among the readable images; 0 when the image itself is unreadable. */
  index: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type ImageNeighbours = z.infer<typeof ImageNeighbours>;


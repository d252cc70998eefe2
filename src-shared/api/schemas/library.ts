// Shared schemas: the photographer's library: photos, culling filters, measures, stats and star calibration.
import { z } from 'zod';
import { Id } from './common';
import { ExifFilter, PhotoExif, PhotoGroupInfo } from './photo';

/** Colour labels, in Lightroom's key order (6-9) and darktable's (F1-F5); written to XMP as xmp:Label "Red" and so on. */
export const PHOTO_COLORS = ['red', 'yellow', 'green', 'blue', 'purple'] as const;
export const PhotoColor = z.enum(PHOTO_COLORS);
export type PhotoColor = z.infer<typeof PhotoColor>;

/** The technical measures the default quality model writes beside its score (see src-main/iqa/quality/measures.ts). */
export const MEASURE_KEYS = ['sharpness', 'noise', 'clippedHighlights', 'clippedShadows', 'meanLuminance', 'compression'] as const;
/** Each measure's column in CSV exports, in MEASURE_KEYS order. */
export const MEASURE_CSV_COLUMNS = ['sharpness', 'noise', 'clipped_highlights_pct', 'clipped_shadows_pct', 'mean_luminance_pct', 'compression'] as const;
export const MeasureKey = z.enum(MEASURE_KEYS);
export type MeasureKey = z.infer<typeof MeasureKey>;
export const PhotoMeasures = z.object({
  /** 0..100, 100 = crisp (the best-focused part of the photo). */
  sharpness: z.number(),
  /** Estimated noise sigma on the 0..255 scale. */
  noise: z.number(),
  /** Blown pixels (a channel at 254-255), %. */
  clippedHighlights: z.number(),
  /** Black pixels (luma <= 3), %. */
  clippedShadows: z.number(),
  /** Mean luma, 0..100 %. */
  meanLuminance: z.number(),
  /** Block artefacts of lossy compression, 0 = none. */
  compression: z.number(),
});
export type PhotoMeasures = z.infer<typeof PhotoMeasures>;

/** Sharpness per tile (0..1, 1 = crisp; null = too little texture to tell), row-major, over the photo as shown. */
export const SharpnessMap = z.object({
  /** The photo as analysed (upright, scaled to fit 400 px); each tile is `tile` px square there, the last row and column cut short. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  tile: z.number().int().positive(),
  cols: z.number().int().positive(),
  rows: z.number().int().positive(),
  values: z.array(z.number().min(0).max(1).nullable()),
});
export type SharpnessMap = z.infer<typeof SharpnessMap>;

/** A photo of a library collection with its culling state. */
export const PhotoItem = z.object({
  id: Id,
  datasetId: Id,
  path: z.string(),
  name: z.string(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  error: z.string().nullable(),
  /** The latest model score (scores:start), in that model's scale. */
  score: z.number().nullable(),
  /** The photographer's own stars, 0-5; null until they rate. */
  stars: z.number().int().min(0).max(5).nullable(),
  rejected: z.boolean(),
  /** Stars the collection's calibration predicts from the score; shown while `stars` is null. */
  predicted: z.number().int().min(0).max(5).nullable(),
  color: PhotoColor.nullable(),
  /** Technical measures, once the photo was scored with the default quality model. */
  measures: PhotoMeasures.nullable(),
  /** Lightroom's pick flag (never with `rejected`). */
  picked: z.boolean(),
  exif: PhotoExif.nullable(),
  group: PhotoGroupInfo.nullable(),
});
export type PhotoItem = z.infer<typeof PhotoItem>;

export const PhotoPage = z.object({ total: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), items: z.array(PhotoItem) });
export type PhotoPage = z.infer<typeof PhotoPage>;

export const PhotoSort = z.enum(['name', 'score', 'stars', 'added', 'captured', ...MEASURE_KEYS]);
export type PhotoSort = z.infer<typeof PhotoSort>;

/** all; notRejected; rejected; unrated: no stars of yours yet and not rejected; rated: stars of yours; predicted: predicted stars only. */
export const PhotoRatingFilter = z.enum(['all', 'notRejected', 'rejected', 'unrated', 'rated', 'predicted', 'picked']);
export type PhotoRatingFilter = z.infer<typeof PhotoRatingFilter>;

/** Which photos of a collection: the grid's filters, shared by listing, XMP and CSV export. */
export const PhotoFilter = z
  .object({
    rating: PhotoRatingFilter.default('all'),
    /** At least this many stars (yours, else predicted); excludes rejected photos. */
    starsMin: z.number().int().min(0).max(5).optional(),
    scoreMin: z.number().optional(),
    scoreMax: z.number().optional(),
    search: z.string().max(200).optional(),
    /** A colour label, or 'none' for photos without one. */
    color: z.union([PhotoColor, z.literal('none')]).optional(),
    /** Ranges of technical measures (photos without measures are left out by any of them). */
    measures: z.array(z.object({ key: MeasureKey, min: z.number().optional(), max: z.number().optional() }).strict()).max(MEASURE_KEYS.length).optional(),
    ...ExifFilter,
  })
  .strict();
export type PhotoFilter = z.infer<typeof PhotoFilter>;

export const PhotoStats = z.object({
  total: z.number().int(),
  scored: z.number().int(),
  /** Photos with stars of the photographer's own (0 included). */
  rated: z.number().int(),
  rejected: z.number().int(),
  predicted: z.number().int(),
  /** Photos (not rejected) by shown stars 0-5: theirs, else predicted, else 0. */
  stars: z.array(z.number().int()).length(6),
  /** Which weights gave the photos' latest scores, most photos first. */
  scoreSources: z.array(z.object({ model: z.string(), source: z.string(), runId: Id.nullable(), scale: z.string(), count: z.number().int() })),
  /** Cameras and lenses in the collection's EXIF, for the filters. */
  cameras: z.array(z.string()),
  lenses: z.array(z.string()),
  /** Burst/near-duplicate groups. */
  groups: z.number().int(),
});
export type PhotoStats = z.infer<typeof PhotoStats>;

export const SidecarNaming = z.enum(['darktable', 'lightroom']);
export type SidecarNaming = z.infer<typeof SidecarNaming>;

/** Where ratings go: sidecars (the default), or inside JPEG, TIFF and DNG files (what Lightroom reads for them; other RAW files keep sidecars). */
export const XmpTarget = z.enum(['sidecar', 'file']);
export type XmpTarget = z.infer<typeof XmpTarget>;

/** Files holding a backup from an unconfirmed write into the file. */
export const XmpBackups = z.object({ count: z.number().int(), names: z.array(z.string()) });
export type XmpBackups = z.infer<typeof XmpBackups>;

/** A score interval [lo, hi) (null: unbounded) predicted as `stars`. */
export const CalibrationBand = z.object({ stars: z.number().int().min(0).max(5), lo: z.number().nullable(), hi: z.number().nullable() });
export type CalibrationBand = z.infer<typeof CalibrationBand>;

/** A monotone score→stars mapping fitted to the photographer's own stars, and how well it agrees with them. */
export const Calibration = z.object({
  datasetId: Id,
  /** Ordinal thresholds chosen to maximise exact agreement (ties: smallest absolute error), see docs/library.md. */
  method: z.literal('agreement-thresholds'),
  higherIsBetter: z.boolean(),
  scale: z.string(),
  model: z.string(),
  bands: z.array(CalibrationBand),
  /** Rated photos used (not rejected, 1-5 stars of the photographer's own, scored). */
  n: z.number().int(),
  srcc: z.number().nullable(),
  /** Share of the sample the mapping gives exactly the photographer's stars, and within one star. */
  agreement: z.number(),
  withinOne: z.number(),
  mae: z.number(),
  /** Exact agreement with each photo left out of its own fit: what to expect on photos not rated. */
  looAgreement: z.number().nullable(),
  /** counts[user - 1][predicted - 1], stars 1-5. */
  confusion: z.array(z.array(z.number().int()).length(5)).length(5),
  warnings: z.array(z.string()),
  fittedAt: z.string(),
});
export type Calibration = z.infer<typeof Calibration>;

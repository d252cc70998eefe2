// Photo culling schemas beyond ratings: camera EXIF, burst/near-duplicate groups and their thresholds, writing XMP into the file.
import { z } from 'zod';

/** What the camera wrote (EXIF), read with exiftool; any field may be missing. */
export const PhotoExif = z.object({
  /** DateTimeOriginal as local time, ISO 8601 without zone. */
  capturedAt: z.string().nullable(),
  camera: z.string().nullable(),
  lens: z.string().nullable(),
  /** mm. */
  focalLength: z.number().nullable(),
  iso: z.number().nullable(),
  /** Exposure time in seconds. */
  shutter: z.number().nullable(),
  aperture: z.number().nullable(),
  /** The RAW file of a RAW+JPEG pair shown as this one photo. */
  rawPath: z.string().nullable(),
});
export type PhotoExif = z.infer<typeof PhotoExif>;

/** A photo's burst or near-duplicate group: `no` numbers the collection's groups in capture order. */
export const PhotoGroupInfo = z.object({ no: z.number().int().min(1), size: z.number().int().min(2), best: z.boolean() });
export type PhotoGroupInfo = z.infer<typeof PhotoGroupInfo>;

/** Thresholds of grouping: photos within `gapSeconds` of the previous one and within `maxDistance` bits of its dHash. */
export const GroupOptions = z
  .object({
    gapSeconds: z.number().min(0).max(3600).default(2),
    /** Hamming distance of 64-bit dHashes, 0 = identical pictures. */
    maxDistance: z.number().int().min(0).max(64).default(12),
    /** Pre-pick the best of each group and reject the rest (only photos without a flag of the photographer's own). */
    flagBest: z.boolean().default(true),
  })
  .strict();
export type GroupOptions = z.infer<typeof GroupOptions>;

export const GroupResult = z.object({
  photos: z.number().int(),
  groups: z.number().int(),
  grouped: z.number().int(),
  picked: z.number().int(),
  rejected: z.number().int(),
  ms: z.number(),
});
export type GroupResult = z.infer<typeof GroupResult>;

/** EXIF filters of the grid. */
export const ExifFilter = {
  camera: z.string().max(200).optional(),
  lens: z.string().max(200).optional(),
  isoMax: z.number().positive().optional(),
  /** Collapsed stacks: a group shows as its best photo only. */
  collapseGroups: z.boolean().optional(),
};

// Shared schemas: one image's model scores, a hallucinating model's maps and its content's siblings.
import { z } from 'zod';
import { Id } from './common';
import { ImageItem } from './datasets';

/** One model score of one image: which weights gave it, in which scale, and when. */
export const ImageScore = z.object({
  model: z.string(),
  /** A checkpoint folder, 'shipped:<model>' or a weights file. */
  source: z.string(),
  runId: Id.nullable(),
  score: z.number(),
  /** e.g. 'mos 1-5 higher' (the training labels' scale), or 'raw' for the model's own output. */
  scale: z.string(),
  crops: z.number().int().nullable(),
  scoredAt: z.string(),
});
export type ImageScore = z.infer<typeof ImageScore>;

/** The views of a hallucinating model (HIQA) of one image: the input, G's reference, |I_d − G(I_d)|, and the true reference and |I_d − I_r| when known. */
export const MapKind = z.enum(['distorted', 'hallucinated', 'discrepancy', 'reference', 'difference']);
export type MapKind = z.infer<typeof MapKind>;

export const ImageMaps = z.object({
  imageId: Id,
  runId: Id,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Each view is a PNG of width x height, served as file kind `map` by its fileId. */
  views: z.array(z.object({ kind: MapKind, fileId: z.string() })),
  /** The hallucinated reference against the true one (when the image has a reference and they differ). */
  psnr: z.number().optional(),
  ssim: z.number().optional(),
  /** The fixed gain of the discrepancy and difference maps' fixed-gain views (`scales[].fixedFileId`). */
  discrepancyGain: z.number(),
  /**
   * How each |d| map (discrepancy; difference) is scaled: its view in `views` is auto-scaled, white at the 99th
   * percentile of |d| over the image (byte = min(255, round(|d|·gain·255))); `fixedFileId` is the same map at
   * `discrepancyGain`. |d| values are on the 0-1 pixel scale.
   */
  scales: z.array(
    z.object({
      kind: MapKind,
      p99: z.number().min(0),
      max: z.number().min(0),
      gain: z.number().positive(),
      fixedFileId: z.string(),
    }),
  ),
});
export type ImageMaps = z.infer<typeof ImageMaps>;

/** One content's images: its pristine reference (served as file kind "reference") and every distorted version, e.g. a DT-GAN's levels. */
export const ImageSiblings = z.object({
  referenceId: Id.nullable(),
  referenceName: z.string().nullable(),
  /** The reference file exists and can be shown. */
  referenceShown: z.boolean(),
  /** Set for a TTL-IQA auxiliary dataset: the DT-GAN run and its number of levels. */
  auxiliary: z.object({ dtganRunId: Id, levels: z.number().int() }).nullable(),
  items: z.array(ImageItem.extend({ ssim: z.number().nullable(), psnr: z.number().nullable() })),
});
export type ImageSiblings = z.infer<typeof ImageSiblings>;

// Shared schemas: subjective studies: settings, raters, rating sessions and results.
import { z } from 'zod';
import { Id } from './common';

/** ACR: 5 levels (5 Excellent … 1 Bad); slider: continuous 0-100; DCR: the reference first, then the image, 5 (imperceptible) … 1 (very annoying); pairwise: which of two is better. */
export const StudyMethod = z.enum(['acr', 'slider', 'dcr', 'pairwise']);
export type StudyMethod = z.infer<typeof StudyMethod>;
export const StudyItemRole = z.enum(['test', 'training', 'gold']);

/** Crowd studies (P.808 / P.910): one join link, per-rater quota, checks before rating, a completion code. */
export const CrowdSettings = z.object({
  /** Opening `#/join/<joinToken>` creates a rater and sends them to their own link. */
  joinToken: z.string().nullable(),
  /** Most items one rater rates (null: all). */
  quota: z.number().int().min(1).nullable(),
  /** Shown when a rater finishes; `returnUrl` may hold {code} (Prolific: …/submissions/complete?cc={code}). */
  completionCode: z.string(),
  returnUrl: z.string().nullable(),
  /** Screen at least this large (CSS px) and the brightness test pattern read correctly. */
  environment: z.object({ minWidth: z.number().int(), minHeight: z.number().int(), brightness: z.boolean() }).nullable(),
  demographics: z.boolean(),
  /** Share of qualification items a rater must answer within tolerance to go on. */
  qualificationMin: z.number().min(0).max(1),
  /** Gold items shown with an instruction saying which answer to give (trapping questions). */
  trapImageIds: z.array(z.number().int()),
});
export type CrowdSettings = z.infer<typeof CrowdSettings>;

export const StudySettings = z.object({
  /** Grey screen between stimuli, in milliseconds. */
  pauseMs: z.number().int().min(0).max(10_000),
  /** After this many ratings in one sitting the rater is asked to take a break. */
  maxPerSitting: z.number().int().min(1).max(10_000),
  seed: z.number().int(),
  /** Pairwise: comparisons per image. */
  pairsPerImage: z.number().int().min(1).max(50),
  /** Luminance (0-255) of the constant neutral surround and of the pause between stimuli (P.910: mid-grey). */
  surround: z.number().int().min(0).max(255).optional(),
  crowd: CrowdSettings.optional(),
  /** Gold and trapping items spaced evenly through each rater's quota (studies created since); older studies keep their plain seeded order. */
  goldSpacing: z.boolean().optional(),
});
export type StudySettings = z.infer<typeof StudySettings>;

export const StudyRaterProgress = z.object({
  raterId: Id,
  name: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  lastAt: z.string().nullable(),
  medianMs: z.number().nullable(),
});

export const StudySummary = z.object({
  id: Id,
  name: z.string(),
  datasetId: Id,
  datasetName: z.string(),
  method: StudyMethod,
  status: z.enum(['open', 'closed']),
  createdAt: z.string(),
  settings: StudySettings,
  items: z.object({ test: z.number().int(), training: z.number().int(), gold: z.number().int() }),
  ratings: z.number().int(),
  raters: z.array(StudyRaterProgress),
});
export type StudySummary = z.infer<typeof StudySummary>;

/** A new rater's link; the token is shown once (only its hash is stored). */
export const StudyRaterLink = z.object({ raterId: Id, name: z.string(), token: z.string(), path: z.string() });
export type StudyRaterLink = z.infer<typeof StudyRaterLink>;

/** One stimulus as a rater sees it; `first` is shown before `second` (DCR: the reference, then the image; pairwise: left, right). */
export const RateItem = z.object({
  itemId: Id,
  role: StudyItemRole,
  first: z.string(),
  second: z.string().nullable(),
  /** A trapping item: the answer the rater is asked to give, shown with the image. */
  instruction: z.string().nullable().optional(),
});
export type RateItem = z.infer<typeof RateItem>;

export const RateSession = z.object({
  study: z.object({ id: Id, name: z.string(), method: StudyMethod, status: z.enum(['open', 'closed']), pauseMs: z.number(), maxPerSitting: z.number(), surround: z.number() }),
  /** Crowd steps still to do before rating, the qualification items, and the completion code once done. */
  crowd: z
    .object({
      pending: z.array(z.enum(['environment', 'demographics', 'qualification'])),
      environment: z.object({ minWidth: z.number(), minHeight: z.number(), pattern: z.string().nullable() }).nullable(),
      qualification: z.array(RateItem),
      disqualified: z.boolean(),
      completion: z.object({ code: z.string(), returnUrl: z.string().nullable() }).nullable(),
    })
    .nullable(),
  rater: z.object({ id: Id, name: z.string() }),
  done: z.number().int(),
  total: z.number().int(),
  /** Training stimuli, shown before the first rating and never stored (empty once the rater has started). */
  training: z.array(RateItem),
  current: RateItem.nullable(),
  /** The stimulus after `current`, for preloading. */
  next: RateItem.nullable(),
  canUndo: z.boolean(),
});
export type RateSession = z.infer<typeof RateSession>;

export const StudyItemResult = z.object({
  imageId: Id,
  name: z.string(),
  score: z.number(),
  std: z.number().nullable(),
  n: z.number().int(),
  /** The 95% interval, clamped to the scale; null below 3 votes (then tooFewVotes). */
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  tooFewVotes: z.boolean(),
});
export const StudyRaterResult = z.object({
  raterId: Id,
  name: z.string(),
  votes: z.number().int(),
  rejected: z.boolean(),
  reasons: z.array(z.string()),
  goldAccuracy: z.number().nullable(),
  medianMs: z.number().nullable(),
  /** Pearson correlation of the rater's votes with the MOS (null under 5 items). */
  mosCorrelation: z.number().nullable(),
  /** SUREAL MLE: the rater's bias and inconsistency (null for the MOS model). */
  bias: z.number().nullable(),
  inconsistency: z.number().nullable(),
});
export const StudyResults = z.object({
  studyId: Id,
  method: StudyMethod,
  model: z.enum(['mos', 'mle']),
  screening: z.enum(['none', 'bt500']),
  zscore: z.boolean(),
  scale: z.tuple([z.number(), z.number()]),
  items: z.array(StudyItemResult),
  raters: z.array(StudyRaterResult),
});
export type StudyResults = z.infer<typeof StudyResults>;
/** One page of a study's results: `items` from `offset`, of `total` matching items, aggregated over `votes` votes at `computedAt`. */
export const StudyResultsPage = StudyResults.extend({ total: z.number().int(), offset: z.number().int(), votes: z.number().int(), computedAt: z.string() });
export type StudyResultsPage = z.infer<typeof StudyResultsPage>;

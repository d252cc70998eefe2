// Domain shapes shared by the back end and the renderer, as zod schemas with inferred types.
import { z } from 'zod';

export const Id = z.number().int().positive();

export const ScoreDirection = z.enum(['higher_better', 'lower_better']);
export const LabelKind = z.enum(['mos', 'dmos', 'level', 'stars', 'none']);

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

export const TensorBackendName = z.enum(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
export type TensorBackendName = z.infer<typeof TensorBackendName>;

export const BackendInfo = z.object({
  name: TensorBackendName,
  tfjsVersion: z.string(),
  requested: z.string(),
  tried: z.array(z.object({ name: TensorBackendName, ok: z.boolean(), reason: z.string().optional() })),
  simd: z.boolean().optional(),
  threads: z.number().int().optional(),
});
export type BackendInfo = z.infer<typeof BackendInfo>;

/** What runs the models when scoring: ONNX Runtime and its execution provider, or tfjs (the training backend). */
export const InferenceInfo = z.object({
  engine: z.enum(['onnxruntime', 'tfjs']),
  version: z.string().nullable(),
  provider: z.string().nullable(),
  threads: z.number().int().nullable(),
  requested: z.string(),
  tried: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string().optional() })),
});
export type InferenceInfo = z.infer<typeof InferenceInfo>;

export const AppInfo = z.object({
  app: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'serve', 'cli']),
  node: z.string(),
  electron: z.string().nullable(),
  versions: z.record(z.string(), z.string()),
  databasePath: z.string(),
  schemaVersion: z.number().int(),
  dataDir: z.string(),
  backend: BackendInfo.nullable(),
  inference: InferenceInfo.nullable().default(null),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const RunStatus = z.enum(['queued', 'running', 'paused', 'cancelled', 'failed', 'completed']);
export const RunSummary = z.object({
  id: Id,
  name: z.string(),
  model: z.string(),
  datasetId: Id.nullable(),
  status: RunStatus,
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const SettingKey = z.enum(['ui.theme', 'ui.lastScreen', 'tensor.backend', 'library.roots', 'library.autoAdvance', 'library.sidecarNaming']);
export type SettingKey = z.infer<typeof SettingKey>;

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

export const JobInfo = z.object({
  jobId: z.string(),
  kind: z.string(),
  label: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  done: z.number().nonnegative(),
  total: z.number().nonnegative().nullable(),
  message: z.string().optional(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  startedAt: z.string(),
});
export type JobInfo = z.infer<typeof JobInfo>;

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

export const ModelInfo = z.object({
  id: z.string(),
  label: z.string(),
  citation: z.string(),
  /** 'translator' models (DT-GAN) make images, not scores. */
  kind: z.enum(['scorer', 'translator']),
  /** Trained weights ship with the app, so it scores without a run. */
  shipped: z.boolean(),
  /** Training runs can train it (the default quality model trains with scripts/quality/train.ts instead). */
  trainable: z.boolean(),
  defaults: z.record(z.string(), z.unknown()),
  /** Training hyper-parameters this model defaults to (the paper's values where it gives them). */
  hyper: z.object({ epochs: z.number(), batchImages: z.number(), lr: z.number(), weightDecay: z.number(), lrDecay: z.object({ every: z.number(), factor: z.number() }), seed: z.number() }),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const TrainHyperInput = z
  .object({
    epochs: z.number().int().min(1).max(1000),
    batchImages: z.number().int().min(1).max(512),
    lr: z.number().positive().max(1),
    weightDecay: z.number().min(0).max(1),
    lrDecay: z.object({ every: z.number().int().min(0), factor: z.number().positive().max(1) }).strict(),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
  })
  .partial()
  .strict();

export const MetricPoint = z.object({ step: z.number(), epoch: z.number().nullable(), part: z.string(), name: z.string(), value: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;

export const RunDetail = RunSummary.extend({
  splitId: Id.nullable(),
  /** The run this one started from (initFromRun) or followed in a chain (TTL-IQA's stages). */
  parentRunId: Id.nullable(),
  config: z.record(z.string(), z.unknown()),
  checkpointPath: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  metrics: z.array(MetricPoint),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const RunPrediction = z.object({
  imageId: Id,
  name: z.string(),
  score: z.number(),
  label: z.number().nullable(),
  labelStd: z.number().nullable(),
  distortion: z.string().nullable(),
  level: z.number().nullable(),
  reference: z.string().nullable(),
});
export type RunPrediction = z.infer<typeof RunPrediction>;

export const RunProgress = z.object({
  runId: Id,
  status: RunStatus,
  epoch: z.number().int().optional(),
  epochs: z.number().int().optional(),
  step: z.number().int().optional(),
  stepsPerEpoch: z.number().int().optional(),
  loss: z.number().optional(),
  etaSeconds: z.number().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  error: z.string().optional(),
});
export type RunProgress = z.infer<typeof RunProgress>;

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
  /** Gain the discrepancy and difference maps are scaled by. */
  discrepancyGain: z.number(),
});
export type ImageMaps = z.infer<typeof ImageMaps>;

const TtlMetrics = z.object({ srcc: z.number().nullable(), plcc: z.number().nullable(), epoch: z.number().nullable() });
/** What a TTL-IQA chain job ends with: the ids of what it made, and held-out SRCC/PLCC with and without the auxiliary domain. */
export const TtlChainResult = z.object({
  datasetId: Id,
  dtganRunId: Id.nullable(),
  auxiliaryDatasetId: Id.nullable(),
  stage1RunId: Id.nullable(),
  stage2RunId: Id.nullable(),
  directRunId: Id.nullable(),
  ttl: TtlMetrics.nullable(),
  direct: TtlMetrics.nullable(),
});
export type TtlChainResult = z.infer<typeof TtlChainResult>;

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

// ---- Subjective studies -------------------------------------------------------------------------------------------

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

// ---- Photographer's library -----------------------------------------------------------------------------------------

/** A photo of a library collection with its culling state. */
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
});
export type PhotoItem = z.infer<typeof PhotoItem>;

export const PhotoPage = z.object({ total: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), items: z.array(PhotoItem) });
export type PhotoPage = z.infer<typeof PhotoPage>;

export const PhotoSort = z.enum(['name', 'score', 'stars', 'added', ...MEASURE_KEYS]);
export type PhotoSort = z.infer<typeof PhotoSort>;

/** all; notRejected; rejected; unrated: no stars of yours yet and not rejected; rated: stars of yours; predicted: predicted stars only. */
export const PhotoRatingFilter = z.enum(['all', 'notRejected', 'rejected', 'unrated', 'rated', 'predicted']);
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
});
export type PhotoStats = z.infer<typeof PhotoStats>;

export const SidecarNaming = z.enum(['darktable', 'lightroom']);
export type SidecarNaming = z.infer<typeof SidecarNaming>;

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

/** A run's checkpoint evaluated on a dataset (runs:evaluate): the cross-dataset matrix's cells. */
export const RunEvaluation = z.object({
  id: Id,
  runId: Id,
  datasetId: Id,
  /** 'test': the test part of `split` (the run's own dataset); 'all': every labelled image of the dataset. */
  part: z.enum(['test', 'all']),
  split: z.string().nullable(),
  checkpointPath: z.string(),
  n: z.number().int(),
  srcc: z.number().nullable(),
  krcc: z.number().nullable(),
  plcc: z.number().nullable(),
  plccFitted: z.number().nullable(),
  rmse: z.number().nullable(),
  rmseFitted: z.number().nullable(),
  /** The model's direction (MOS vs DMOS) differed from the dataset's: its scores were negated before comparing. */
  flippedDirection: z.boolean(),
  perDistortion: z.array(z.object({ group: z.string(), n: z.number().int(), srcc: z.number().nullable() })),
  createdAt: z.string(),
});
export type RunEvaluation = z.infer<typeof RunEvaluation>;

/** One run's score of one image (runs:scoreImage), for comparing runs on the same image. */
export const RunImageScore = z.object({
  runId: Id,
  imageId: Id,
  model: z.string(),
  score: z.number(),
  /**
   * 'prediction': the run's own test prediction (its last epoch, the checkpoint's); 'stored': a score of the run's
   * checkpoint from scores:start; 'scored': scored just now with the run's checkpoint as scores:start would.
   */
  source: z.enum(['prediction', 'stored', 'scored']),
  /** e.g. 'mos 1-5 higher' (the run's training labels), or 'raw'. */
  scale: z.string(),
  crops: z.number().int().nullable(),
});
export type RunImageScore = z.infer<typeof RunImageScore>;

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

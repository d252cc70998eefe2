// THE API contract: every request's input schema and result type, and every event's payload, for both shells.
import { z } from 'zod';
import type { EventChannel, InvokeChannel } from './channels';
import { CompareExperimentsInput, CompareExperimentsResult, RunStatsInput, RunStatsResult } from './stats-schemas';
import {
  AppInfo,
  BackendChoice,
  Calibration,
  DatasetFacets,
  DatasetSummary,
  DeleteArchive,
  FolderListing,
  FolderPath,
  Id,
  ImageItem,
  ImageMaps,
  ImagePage,
  ImageScore,
  ImageSiblings,
  ImageSort,
  ImportFormat,
  JobInfo,
  LabelKind,
  ModelInfo,
  PhotoColor,
  PhotoFilter,
  SharpnessMap,
  GroupOptions,
  PhotoItem,
  PhotoPage,
  PhotoSort,
  PhotoStats,
  RunDetail,
  RunEvaluation,
  RunImageScore,
  ImageNeighbours,
  RunPrediction,
  RunProgress,
  RateSession,
  RunSummary,
  StudyMethod,
  StudyRaterLink,
  StudyResultsPage,
  StudySummary,
  TrainHyperInput,
  SettingKey,
  SidecarNaming,
  XmpBackups,
  XmpTarget,
  SplitSummary,
} from './schemas';

const NoInput = z.object({}).strict();

/** What starts a training run (runs:start); runs:startSeries takes it with `splits` instead of `split`. */
const RunStartInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    model: z.string().min(1).max(60),
    datasetId: Id,
    split: z.string().min(1).max(100).optional(),
    /** Whole-dataset training (the cross-dataset tables): train on every labelled image of `datasetId`, test on every one of this dataset; no split. */
    testDatasetId: Id.optional(),
    modelConfig: z.record(z.string(), z.json()).default({}),
    hyper: TrainHyperInput.default({}),
    backend: BackendChoice.optional(),
    /** Start from this run's latest weights (fine-tuning, or the next stage of a chain); its optimizer state is not reused. */
    initFromRun: Id.optional(),
  })
  .strict();

export const contract = {
  'app:info': { input: NoInput, output: AppInfo },
  'datasets:list': { input: NoInput, output: z.array(DatasetSummary) },
  'datasets:get': { input: z.object({ id: Id }).strict(), output: DatasetSummary },
  'datasets:formats': { input: NoInput, output: z.array(ImportFormat) },
  'datasets:import': {
    input: z
      .object({
        format: z.string().min(1).max(40),
        root: FolderPath,
        name: z.string().trim().min(1).max(200),
        file: z.string().min(1).max(4096).optional(),
        scoreRange: z.tuple([z.number(), z.number()]).optional(),
        higherIsBetter: z.boolean().optional(),
        labelKind: LabelKind.extract(['mos', 'dmos']).optional(),
        recursive: z.boolean().default(true),
      })
      .strict(),
    output: JobInfo,
  },
  /** Refused (conflict, details.dependents) while studies, votes or photo ratings depend on it, unless archive: true writes them to CSV first. */
  'datasets:delete': {
    input: z.object({ id: Id, archive: z.boolean().default(false) }).strict(),
    output: z.object({ deleted: z.boolean(), archived: DeleteArchive.nullable() }),
  },
  'datasets:facets': { input: z.object({ datasetId: Id }).strict(), output: DatasetFacets },
  'splits:list': { input: z.object({ datasetId: Id }).strict(), output: z.array(SplitSummary) },
  'splits:create': {
    input: z
      .object({
        datasetId: Id,
        trainRatio: z.number().gt(0).lt(1).default(0.8),
        valRatio: z.number().min(0).lt(1).default(0),
        repeats: z.number().int().min(1).max(100).default(10),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(123),
      })
      .strict(),
    output: z.array(SplitSummary),
  },
  'images:list': {
    input: z
      .object({
        datasetId: Id,
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(1000).default(200),
        sort: ImageSort.default('name'),
        descending: z.boolean().default(false),
        distortion: z.string().max(100).optional(),
        level: z.number().int().min(0).max(100).optional(),
        labelMin: z.number().optional(),
        labelMax: z.number().optional(),
        scoreMin: z.number().optional(),
        scoreMax: z.number().optional(),
        unreadableOnly: z.boolean().optional(),
        search: z.string().max(200).optional(),
      })
      .strict(),
    output: ImagePage,
  },
  'images:get': { input: z.object({ id: Id }).strict(), output: ImageItem },
  /** A folder's subfolders (default: the first allowed root, else the home folder); a path that does not exist lists its nearest existing parent. */
  'folders:browse': { input: z.object({ path: FolderPath.optional() }).strict(), output: FolderListing },

  /** The images sharing this image's content (reference), with SSIM/PSNR against the reference where sizes match. */
  'images:siblings': { input: z.object({ imageId: Id }).strict(), output: ImageSiblings },
  'images:maps': { input: z.object({ imageId: Id, runId: Id }).strict(), output: ImageMaps },
  'scores:start': {
    input: z
      .object({
        datasetId: Id,
        /** A registered model: its shipped weights, or with runId/checkpoint the model they must hold. */
        model: z.string().min(1).max(60).optional(),
        /** A training run: its latest checkpoint. */
        runId: Id.optional(),
        /** A workbench checkpoint folder (epoch-NNNN), absolute. */
        checkpoint: FolderPath.optional(),
        /** Crops per image (default: the model's test crops). */
        crops: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
    output: JobInfo,
  },
  'scores:list': { input: z.object({ imageId: Id }).strict(), output: z.array(ImageScore) },
  'runs:list': { input: NoInput, output: z.array(RunSummary) },
  'runs:get': { input: z.object({ id: Id }).strict(), output: RunDetail },
  'runs:start': {
    input: RunStartInput,
    output: RunSummary,
  },
  /**
   * The same config trained on N content-disjoint splits, one run after another (the N-split protocol from the UI):
   * the first run starts now, each next one when the previous completes; the series stops at a run that fails or is
   * cancelled, or when the workbench closes. Splits are made (80/20, content-disjoint) when the dataset has fewer.
   */
  'runs:startSeries': {
    input: RunStartInput.omit({ split: true, testDatasetId: true }).extend({ splits: z.number().int().min(2).max(20) }).strict(),
    output: z.object({ first: RunSummary, splits: z.array(z.string()) }),
  },
  'runs:cancel': { input: z.object({ id: Id }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'runs:resume': { input: z.object({ id: Id }).strict(), output: RunSummary },
  'runs:predictions': { input: z.object({ id: Id }).strict(), output: z.array(RunPrediction) },
  /** Bootstrap 95% intervals of SRCC/PLCC per run, paired differences with a baseline run, the runs' mean as one experiment. */
  'runs:stats': { input: RunStatsInput, output: RunStatsResult },
  /** Two experiments paired by split on their shared test images: mean per-split Δ SRCC/PLCC with a split-stratified paired bootstrap. */
  'runs:compareExperiments': { input: CompareExperimentsInput, output: CompareExperimentsResult },
  'models:list': { input: NoInput, output: z.array(ModelInfo) },
  /** TTL-IQA's whole chain as one job (DT-GAN → auxiliary dataset → SFTnet stage 1 → stage 2, and direct training to compare); its result is a TtlChainResult. */
  'ttl:start': {
    input: z
      .object({
        datasetId: Id,
        name: z.string().trim().min(1).max(200).optional(),
        /** Network sizes of every stage: the paper's, or CPU-sized ones. */
        scale: z.enum(['paper', 'small', 'tiny']).default('small'),
        levels: z.number().int().min(2).max(5).default(3),
        perDistortionType: z.boolean().default(false),
        /** SFTnet's SDA attention block (off = plain VGG, the ablation of Table IX). */
        attention: z.boolean().default(true),
        optimizer: z.enum(['sgd', 'adam']).optional(),
        /** Also train the same SFTnet directly on the target (no auxiliary domain) to compare. */
        compareDirect: z.boolean().default(true),
        /** Pristine photos for the DT-GAN and the auxiliary domain; default: the references of the training split. */
        pristineFolder: FolderPath.optional(),
        /** A torchvision vgg16 state dict (.pth/.safetensors) for SFTnet's backbone in stage 1 and direct training (paper scale) [P §V-B]. */
        sftnetWeights: FolderPath.optional(),
        /** A torchvision vgg16 state dict for DT-GAN's semantic loss L_s (eq. 13); without it L_s is off. */
        vggWeights: FolderPath.optional(),
        /** Longest side of the auxiliary images; default: the shorter side at SFTnet's crop × 8/7 (256 for 224). */
        maxSide: z.number().int().min(32).max(2048).optional(),
        split: z.string().min(1).max(100).optional(),
        /** Run the whole chain on this many content-disjoint 80/20 splits and report the mean (the paper: 10) [P §VI-A]. */
        splits: z.number().int().min(1).max(20).default(1),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
        backend: BackendChoice.optional(),
        dtganHyper: TrainHyperInput.default({}),
        stage1Hyper: TrainHyperInput.default({}),
        stage2Hyper: TrainHyperInput.default({}),
      })
      .strict(),
    output: JobInfo,
  },
  /** Translates pristine photos with a DT-GAN run to every quality level and stores them as a labelled dataset. */
  'ttl:auxiliary': {
    input: z
      .object({
        dtganRunId: Id,
        name: z.string().trim().min(1).max(200).optional(),
        pristineFolder: FolderPath.optional(),
        /** Longest side of the translated images; default: the shorter side at the SFTnet crop × 8/7 (256 for 224). */
        maxSide: z.number().int().min(32).max(2048).optional(),
      })
      .strict(),
    output: JobInfo,
  },
  'studies:list': { input: NoInput, output: z.array(StudySummary) },
  /** The study dashboard: items, ratings and each rater's progress. */
  'studies:get': { input: z.object({ id: Id }).strict(), output: StudySummary },
  'studies:create': {
    input: z
      .object({
        name: z.string().trim().min(1).max(200),
        datasetId: Id,
        method: StudyMethod,
        /** The test images; default: every readable image of the dataset (or `limit` of them, drawn by the seed). */
        imageIds: z.array(Id).min(1).max(100_000).optional(),
        limit: z.number().int().min(1).max(100_000).optional(),
        /** Shown first to every rater, never stored. */
        trainingImageIds: z.array(Id).max(50).default([]),
        /** Gold items with the answer expected of an attentive rater (ACR/DCR: 1-5; slider: 0-100; pairwise: 1 = the first image). */
        gold: z.array(z.object({ imageId: Id, otherImageId: Id.optional(), expected: z.number().finite() }).strict()).max(500).default([]),
        pauseMs: z.number().int().min(0).max(10_000).default(1000),
        maxPerSitting: z.number().int().min(1).max(10_000).default(100),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
        pairsPerImage: z.number().int().min(1).max(50).default(4),
        surround: z.number().int().min(0).max(255).default(128),
        /** A crowd study: join link, quota, environment check, demographics, qualification items, trapping items, completion code. */
        crowd: z
          .object({
            joinLink: z.boolean().default(true),
            quota: z.number().int().min(1).max(100_000).nullable().default(null),
            completionCode: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/).optional(),
            returnUrl: z.string().url().max(500).nullable().default(null),
            environment: z.object({ minWidth: z.number().int().min(0).max(10_000).default(1024), minHeight: z.number().int().min(0).max(10_000).default(600), brightness: z.boolean().default(true) }).strict().nullable().default(null),
            demographics: z.boolean().default(false),
            qualification: z.array(z.object({ imageId: Id, expected: z.number().finite() }).strict()).max(50).default([]),
            qualificationMin: z.number().min(0).max(1).default(1),
            traps: z.array(z.object({ imageId: Id, expected: z.number().finite() }).strict()).max(100).default([]),
          })
          .strict()
          .optional(),
      })
      .strict(),
    output: StudySummary,
  },
  'studies:addRater': { input: z.object({ studyId: Id, name: z.string().trim().min(1).max(100) }).strict(), output: StudyRaterLink },
  'studies:setStatus': { input: z.object({ id: Id, status: z.enum(['open', 'closed']) }).strict(), output: StudySummary },
  /** MOS (or pairwise scale values) with 95% CIs, after optional BT.500 rater screening and z-scoring. */
  'studies:results': {
    input: z
      .object({
        id: Id,
        screening: z.enum(['none', 'bt500']).default('bt500'),
        zscore: z.boolean().default(false),
        model: z.enum(['mos', 'mle']).default('mos'),
        /** A page of the items (all of them without `limit`), in `sort` order, optionally only names containing `query`. */
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).optional(),
        sort: z.enum(['image', 'name', 'score', '-score', 'n', 'ci']).default('image'),
        query: z.string().max(200).optional(),
        /** Results up to this old may be reused while votes come in (a live dashboard); 0: always the latest votes. */
        maxAgeMs: z.number().int().min(0).max(600_000).default(0),
      })
      .strict(),
    output: StudyResultsPage,
  },
  /** The aggregated labels as a new dataset version (child of the study's dataset); the raw votes stay. */
  'studies:publish': {
    input: z
      .object({ id: Id, name: z.string().trim().min(1).max(200), screening: z.enum(['none', 'bt500']).default('bt500'), zscore: z.boolean().default(false) })
      .strict(),
    output: DatasetSummary,
  },
  'studies:export': {
    input: z
      .object({
        id: Id,
        /** votes / mos: CSV; sureal: SUREAL's dataset file (Python); pyiqa: pyiqa meta-info CSV with a split column; report: a P.910-style report (Markdown). */
        what: z.enum(['votes', 'mos', 'sureal', 'pyiqa', 'report']),
        screening: z.enum(['none', 'bt500']).default('bt500'),
        zscore: z.boolean().default(false),
        model: z.enum(['mos', 'mle']).default('mos'),
      })
      .strict(),
    output: z.object({ filename: z.string(), csv: z.string() }),
  },
  /** Rater calls: the token of a rater link identifies the rater and the study (no access token needed in serve mode). */
  'rate:session': { input: z.object({ token: z.string().min(16).max(200) }).strict(), output: RateSession },
  'rate:submit': {
    input: z
      .object({ token: z.string().min(16).max(200), itemId: Id, value: z.number().finite(), durationMs: z.number().int().min(0).max(3_600_000).nullable().default(null) })
      .strict(),
    output: RateSession,
  },
  'rate:undo': { input: z.object({ token: z.string().min(16).max(200) }).strict(), output: RateSession },
  /** A crowd study's join link: a new rater (named by the platform's participant id, if given) and their own link. */
  'rate:join': {
    input: z.object({ joinToken: z.string().min(16).max(200), participant: z.string().trim().max(100).regex(/^[A-Za-z0-9_.@-]*$/).default('') }).strict(),
    output: z.object({ token: z.string(), path: z.string() }),
  },
  /** A crowd step before rating: the environment check, the demographics form, or the qualification answers. */
  'rate:crowd': {
    input: z
      .object({
        token: z.string().min(16).max(200),
        environment: z.object({ screenWidth: z.number().int().min(0).max(100_000), screenHeight: z.number().int().min(0).max(100_000), pattern: z.string().max(20) }).strict().optional(),
        demographics: z.object({ age: z.enum(['18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'no answer']), vision: z.enum(['normal', 'corrected', 'impaired', 'no answer']), gender: z.string().trim().max(50).default('') }).strict().optional(),
        qualification: z.array(z.object({ itemId: Id, value: z.number().finite() }).strict()).max(50).optional(),
      })
      .strict(),
    output: RateSession,
  },
  'settings:get': { input: z.object({ key: SettingKey }).strict(), output: z.unknown() },
  'settings:set': {
    input: z.object({ key: SettingKey, value: z.json() }).strict(),
    output: z.object({ key: SettingKey }),
  },
  'jobs:list': { input: NoInput, output: z.array(JobInfo) },
  'jobs:cancel': { input: z.object({ jobId: z.string().uuid() }).strict(), output: z.object({ cancelled: z.boolean() }) },
  /** A library collection's photos with their stars, reject flag and score, a page at a time. */
  'library:list': {
    input: PhotoFilter.extend({
      datasetId: Id,
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      sort: PhotoSort.default('name'),
      descending: z.boolean().default(false),
    }).strict(),
    output: PhotoPage,
  },
  'library:stats': { input: z.object({ datasetId: Id }).strict(), output: PhotoStats },
  /** Sets a photo's stars, reject flag and/or colour label (null clears it); committed before the reply. */
  'library:rate': {
    input: z
      .object({ imageId: Id, stars: z.number().int().min(0).max(5).nullable().optional(), rejected: z.boolean().optional(), picked: z.boolean().optional(), color: PhotoColor.nullable().optional() })
      .strict(),
    output: PhotoItem,
  },
  /** Scored photos not yet rated, spread evenly over the score range, in a seeded random order: the calibration sample. */
  'library:sample': {
    input: z.object({ datasetId: Id, size: z.number().int().min(5).max(500).default(30), seed: z.number().int().min(0).max(2 ** 31 - 1).default(1) }).strict(),
    output: z.array(PhotoItem),
  },
  /** Fits the score→stars mapping to the photographer's stars in the collection and keeps it as its calibration. */
  'library:calibrate': { input: z.object({ datasetId: Id }).strict(), output: Calibration },
  'library:calibration': { input: z.object({ datasetId: Id }).strict(), output: Calibration.nullable() },
  /** Predicted stars from the kept calibration for every scored photo without stars of the photographer's own. */
  'library:applyCalibration': {
    input: z.object({ datasetId: Id }).strict(),
    output: z.object({ predicted: z.number().int(), unscored: z.number().int(), kept: z.number().int() }),
  },
  'library:clearPredictions': { input: z.object({ datasetId: Id }).strict(), output: z.object({ cleared: z.number().int() }) },
  /** Writes xmp:Rating (-1 rejected) and the score to sidecars as a job; the photos: `imageIds`, else `filter`, else all. */
  'library:writeXmp': {
    input: z
      .object({
        datasetId: Id,
        naming: SidecarNaming,
        /** 'file': inside JPEG, TIFF and DNG files (ExifTool keeps each original as `<file>_original` until confirmed); other files get `naming` sidecars. */
        into: XmpTarget.default('sidecar'),
        imageIds: z.array(Id).min(1).max(100_000).optional(),
        filter: PhotoFilter.optional(),
        /** Predicted stars go only into sidecars without a rating. */
        includePredicted: z.boolean().default(true),
        includeScore: z.boolean().default(true),
      })
      .strict(),
    output: JobInfo,
  },
  /** Imports xmp:Rating from existing sidecars (either naming) as a job. */
  'library:readXmp': {
    input: z
      .object({
        datasetId: Id,
        prefer: SidecarNaming.default('darktable'),
        imageIds: z.array(Id).min(1).max(100_000).optional(),
        /** Without a sidecar, read the XMP inside JPEG, TIFF and DNG files. */
        inside: z.boolean().default(false),
        /** Replace stars or rejects already set here with the sidecar's. */
        overwrite: z.boolean().default(false),
      })
      .strict(),
    output: JobInfo,
  },
  /** Adds the photos that appeared in a collection's folder since it was added, as a job; reports files gone from disk. */
  'library:rescan': { input: z.object({ datasetId: Id, recursive: z.boolean().default(true) }).strict(), output: JobInfo },
  /** The collection's photos whose originals are still kept from a write into the file. */
  'library:xmpBackups': { input: z.object({ datasetId: Id }).strict(), output: XmpBackups },
  /** Confirms those writes (the backups go) or restores the originals (the backups replace the files). */
  'library:settleBackups': {
    input: z.object({ datasetId: Id, action: z.enum(['confirm', 'restore']) }).strict(),
    output: z.object({ settled: z.number().int(), failed: z.number().int(), errors: z.array(z.object({ name: z.string(), error: z.string() })) }),
  },
  'library:exportCsv': {
    input: z.object({ datasetId: Id, filter: PhotoFilter.optional() }).strict(),
    output: z.object({ filename: z.string(), csv: z.string(), rows: z.number().int() }),
  },
  /** Where a photo is in focus: the default quality model's sharpness per tile, for the loupe's heat map. */
  'library:sharpnessMap': { input: z.object({ imageId: Id }).strict(), output: SharpnessMap },
  /** Groups a collection's bursts and near-duplicates (capture-time gap and dHash) as a job; its result is a GroupResult. */
  'library:group': { input: GroupOptions.extend({ datasetId: Id }).strict(), output: JobInfo },
  /**
   * Evaluates a run's latest checkpoint on a dataset as a job, as `iqa eval` does (MOS/DMOS direction flipped when they
   * differ), and stores the result: on another dataset every labelled image, on its own the test part of its split.
   * The job's result is the RunEvaluation.
   */
  'runs:evaluate': { input: z.object({ id: Id, datasetId: Id }).strict(), output: JobInfo },
  /** Stored evaluations, newest first; of one run when `runId` is given. */
  'runs:evaluations': { input: z.object({ runId: Id.optional() }).strict(), output: z.array(RunEvaluation) },
  /** One image scored by one run: its stored test prediction, else a stored score of its checkpoint, else scored now with it (not stored). */
  'runs:scoreImage': { input: z.object({ id: Id, imageId: Id }).strict(), output: RunImageScore },
  /** The readable images before and after this one in its dataset, in the Datasets grid's name order. */
  'images:neighbours': { input: z.object({ imageId: Id }).strict(), output: ImageNeighbours },
} as const satisfies Record<InvokeChannel, { input: z.ZodType; output: z.ZodType }>;

export const events = {
  'jobs:progress': JobInfo,
  'datasets:changed': z.object({ datasetId: Id.nullable() }),
  'runs:progress': RunProgress,
  'studies:progress': z.object({ studyId: Id, raterId: Id, done: z.number().int(), total: z.number().int() }),
} as const satisfies Record<EventChannel, z.ZodType>;

export type Contract = typeof contract;
/** What a caller may send (defaults optional). */
export type InputOf<C extends InvokeChannel> = z.input<Contract[C]['input']>;
/** What a handler receives, after validation and defaults. */
export type ParsedInputOf<C extends InvokeChannel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends InvokeChannel> = z.output<Contract[C]['output']>;
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]>;

export type Handlers = {
  [C in InvokeChannel]: (input: ParsedInputOf<C>) => OutputOf<C> | Promise<OutputOf<C>>;
};

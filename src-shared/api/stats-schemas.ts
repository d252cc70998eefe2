// Schemas of the statistics channel: bootstrap intervals per run and per experiment, paired comparisons with a baseline.
import { z } from 'zod';

const Id = z.number().int().positive();

export const CorrelationInterval = z.object({
  estimate: z.number(),
  lo: z.number(),
  hi: z.number(),
  level: z.number(),
  resamples: z.number().int(),
  n: z.number().int(),
});
export type CorrelationInterval = z.infer<typeof CorrelationInterval>;

/** A difference of correlations with its bootstrap interval (DifferenceEstimate in src-shared/metrics/bootstrap.ts). */
const DifferenceEstimate = z.object({
  metric: z.enum(['srcc', 'plcc']),
  n: z.number().int(),
  diff: z.number(),
  lo: z.number(),
  hi: z.number(),
  level: z.number(),
  resamples: z.number().int(),
  p: z.number(),
  withinNoise: z.boolean(),
  /** Why the interval says nothing (too few images, identical predictions, zero width); null when usable. */
  degenerate: z.string().nullable(),
});

export const PairedDifference = DifferenceEstimate.extend({
  a: z.number(),
  b: z.number(),
  williams: z.object({ t: z.number(), df: z.number(), p: z.number() }).nullable(),
});
export type PairedDifference = z.infer<typeof PairedDifference>;

export const RunStatsInput = z
  .object({
    ids: z.array(Id).min(1).max(100),
    /** Compare every run with this one on the test images they share. */
    baseline: Id.optional(),
    resamples: z.number().int().min(100).max(10_000).default(1000),
  })
  .strict();

export const RunStats = z.object({
  runId: Id,
  /** Test images with a label and a prediction in the run's last epoch. */
  n: z.number().int(),
  srcc: CorrelationInterval.nullable(),
  plcc: CorrelationInterval.nullable(),
  /** Against the baseline on their common images (null for the baseline itself or with fewer than 4 in common). */
  vsBaseline: z.object({ srcc: PairedDifference, plcc: PairedDifference }).nullable(),
});
export type RunStats = z.infer<typeof RunStats>;

export const RunStatsResult = z.object({
  runs: z.array(RunStats),
  /** The runs as one experiment (e.g. N splits): the mean of each metric with a bootstrap interval over the runs. */
  experiment: z.object({ runs: z.number().int(), srcc: CorrelationInterval, plcc: CorrelationInterval }).nullable(),
});
export type RunStatsResult = z.infer<typeof RunStatsResult>;

/** Two experiments (e.g. an ablation row and its baseline), their completed runs paired by split. */
export const CompareExperimentsInput = z
  .object({
    runs: z.array(Id).min(1).max(100),
    baseline: z.array(Id).min(1).max(100),
    resamples: z.number().int().min(100).max(10_000).default(1000),
  })
  .strict();

/** The mean of the per-split differences (runs − baseline) with its split-stratified paired bootstrap interval. */
export const SplitsComparison = DifferenceEstimate.extend({
  splits: z.array(z.object({ split: z.string(), n: z.number().int(), a: z.number(), b: z.number(), diff: z.number() })),
});
export type SplitsComparison = z.infer<typeof SplitsComparison>;

export const CompareExperimentsResult = z.object({
  srcc: SplitsComparison,
  plcc: SplitsComparison,
  /** Splits of each side (completed runs) that the other side lacks: left out of Δ. */
  unmatched: z.object({ runs: z.array(z.string()), baseline: z.array(z.string()) }),
});
export type CompareExperimentsResult = z.infer<typeof CompareExperimentsResult>;

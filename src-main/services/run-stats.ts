// Statistics over runs' test predictions: bootstrap intervals, paired comparisons with a baseline, experiment means.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import { bootstrapCorrelation, mulberry32, pairedComparison, percentileSorted, type CorrelationMetric } from '../../src-shared/metrics/bootstrap';
import { pairedOverSplits, type SplitPair } from '../../src-shared/metrics/paired-splits';
import type { CorrelationInterval, RunStats } from '../../src-shared/api/stats-schemas';
import type { ServiceContext } from './context';

/** Mean over runs with a percentile-bootstrap interval over the runs (the experiment's split-to-split spread). */
export function meanInterval(values: readonly number[], resamples: number, seed = 1): CorrelationInterval {
  const mean = (x: readonly number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const rand = mulberry32(seed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) means.push(mean(values.map(() => values[Math.floor(rand() * values.length)]!)));
  means.sort((a, b) => a - b);
  return { estimate: mean(values), lo: percentileSorted(means, 0.025), hi: percentileSorted(means, 0.975), level: 0.95, resamples, n: values.length };
}

export function createRunStatsService(ctx: ServiceContext) {
  const labelled = (id: number) => {
    if (!ctx.store.runs.get(id)) AppError.notFound('run', id);
    return new Map(ctx.store.runs.predictionsWithLabels(id).filter((p) => p.label !== null && Number.isFinite(p.score)).map((p) => [p.imageId, { score: p.score, label: p.label! }]));
  };
  /** Completed runs by split name (a run without a split counts as split ''), oldest first. */
  const bySplit = (ids: readonly number[]) => {
    const out = new Map<string, number[]>();
    for (const id of ids) {
      const run = ctx.store.runs.get(id) ?? AppError.notFound('run', id);
      if (run.status !== 'completed') continue;
      const split = String(run.config.split ?? '');
      out.set(split, [...(out.get(split) ?? []), id]);
    }
    return out;
  };
  /** Per split both sides ran on: every run's predictions on the labelled test images all of them predicted. */
  function splitPairs(runs: readonly number[], baseline: readonly number[]) {
    const a = bySplit(runs);
    const b = bySplit(baseline);
    const pairs: SplitPair[] = [];
    for (const [split, idsA] of [...a.entries()].sort(([x], [y]) => x.localeCompare(y))) {
      const idsB = b.get(split);
      if (!idsB) continue;
      const preds = [...idsA, ...idsB].map(labelled);
      const common = [...preds[0]!.keys()].filter((k) => preds.every((p) => p.has(k)));
      const vectors = preds.map((p) => common.map((k) => p.get(k)!.score));
      pairs.push({ split, a: vectors.slice(0, idsA.length), b: vectors.slice(idsA.length), mos: common.map((k) => preds[0]!.get(k)!.label) });
    }
    return { pairs, unmatched: { runs: [...a.keys()].filter((k) => !b.has(k)), baseline: [...b.keys()].filter((k) => !a.has(k)) } };
  }
  const handlers: Pick<Handlers, 'runs:stats' | 'runs:compareExperiments'> = {
    'runs:compareExperiments': ({ runs, baseline, resamples }) => {
      const { pairs, unmatched } = splitPairs(runs, baseline);
      return { srcc: pairedOverSplits(pairs, 'srcc', { resamples }), plcc: pairedOverSplits(pairs, 'plcc', { resamples }), unmatched };
    },
    'runs:stats': ({ ids, baseline, resamples }) => {
      const base = baseline !== undefined ? labelled(baseline) : null;
      const runs: RunStats[] = ids.map((runId) => {
        const preds = labelled(runId);
        const pred = [...preds.values()].map((p) => p.score);
        const mos = [...preds.values()].map((p) => p.label);
        const interval = (m: CorrelationMetric) => (pred.length >= 4 ? bootstrapCorrelation(pred, mos, m, { resamples }) : null);
        let vsBaseline: RunStats['vsBaseline'] = null;
        if (base && runId !== baseline) {
          const common = [...preds.keys()].filter((k) => base.has(k));
          if (common.length >= 4) {
            const a = common.map((k) => preds.get(k)!.score);
            const b = common.map((k) => base.get(k)!.score);
            const y = common.map((k) => preds.get(k)!.label);
            vsBaseline = { srcc: pairedComparison(a, b, y, 'srcc', { resamples }), plcc: pairedComparison(a, b, y, 'plcc', { resamples }) };
          }
        }
        return { runId, n: pred.length, srcc: interval('srcc'), plcc: interval('plcc'), vsBaseline };
      });
      const usable = runs.filter((r) => r.srcc && r.plcc && Number.isFinite(r.srcc.estimate) && Number.isFinite(r.plcc.estimate));
      const experiment =
        usable.length >= 2
          ? { runs: usable.length, srcc: meanInterval(usable.map((r) => r.srcc!.estimate), resamples), plcc: meanInterval(usable.map((r) => r.plcc!.estimate), resamples) }
          : null;
      return { runs, experiment };
    },
  };
  return { handlers };
}

// Test metrics of one epoch in the dataset's own label space: SRCC, KRCC, PLCC (raw and after the logistic fit), RMSE, per type.
import { evaluate, perGroupSrcc } from '../../src-shared/metrics/index';

/** Predictions are in the labels' own space (DMOS predicted as DMOS), so the correlations are positive for a good model. */
export function epochMetrics(predicted: number[], labels: number[], groups: (string | null)[]): Record<string, number> {
  if (predicted.length < 3) return {};
  const e = evaluate(predicted, labels, { logistic: 5 });
  const out: Record<string, number> = { srcc: e.srcc, krcc: e.krcc, plcc: e.plcc, plcc_fitted: e.plccFitted, rmse: e.rmse, rmse_fitted: e.rmseFitted };
  if (groups.some((g) => g)) {
    for (const g of perGroupSrcc(predicted, labels, groups.map((x) => x ?? 'none'))) {
      if (g.n >= 3) out[`srcc/${g.group}`] = g.srcc;
    }
  }
  return out;
}

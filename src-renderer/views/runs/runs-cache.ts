// What Runs / Compare keeps across visits (e.g. to Inspect and back), so the screen comes back whole at once.
import type { DatasetSummary, RunPrediction } from '../../../src-shared/api/schemas';

export const runsCache: {
  datasetNames: Map<number, string>;
  datasets: DatasetSummary[];
  /** The detail run's predictions, keyed by run, metric count and status (they change with each epoch). */
  predictions: { key: string; list: RunPrediction[] } | null;
} = { datasetNames: new Map(), datasets: [], predictions: null };

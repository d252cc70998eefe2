// Training and evaluation runs.
import type { Db } from '../db';
import type { RunSummary } from '../../../src-shared/api/schemas';

interface RunRow {
  id: number;
  name: string;
  model: string;
  dataset_id: number | null;
  status: RunSummary['status'];
  created_at: string;
  finished_at: string | null;
}

export function createRunsRepo(db: Db) {
  return {
    list(): RunSummary[] {
      const rows = db
        .prepare('SELECT id, name, model, dataset_id, status, created_at, finished_at FROM runs ORDER BY id DESC')
        .all() as RunRow[];
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        model: r.model,
        datasetId: r.dataset_id,
        status: r.status,
        createdAt: r.created_at,
        finishedAt: r.finished_at,
      }));
    },
  };
}
export type RunsRepo = ReturnType<typeof createRunsRepo>;

// Training and evaluation runs, their per-epoch metrics and their per-image predictions.
import { hostname } from 'node:os';
import type { Db } from '../db';

function processAlive(pid: number): boolean {
  if (pid === process.pid) return false; // this process is starting up: it owns no run yet
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
import type { RunEvaluation, RunPrediction, RunSummary } from '../../../src-shared/api/schemas';

interface RunRow {
  id: number;
  name: string;
  model: string;
  dataset_id: number | null;
  split_id: number | null;
  parent_run_id: number | null;
  status: RunSummary['status'];
  config: string;
  checkpoint_path: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface RunRecord extends RunSummary {
  splitId: number | null;
  /** The run this one continued from (initFromRun) or was started after in a chain. */
  parentRunId: number | null;
  config: Record<string, unknown>;
  checkpointPath: string | null;
  error: string | null;
  startedAt: string | null;
}

export interface MetricPoint {
  step: number;
  epoch: number | null;
  part: string;
  name: string;
  value: number;
}

const now = () => new Date().toISOString();

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    name: r.name,
    model: r.model,
    datasetId: r.dataset_id,
    splitId: r.split_id,
    parentRunId: r.parent_run_id,
    status: r.status,
    config: JSON.parse(r.config) as Record<string, unknown>,
    checkpointPath: r.checkpoint_path,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

interface EvaluationRow {
  id: number;
  run_id: number;
  dataset_id: number;
  part: 'test' | 'all';
  split_name: string | null;
  checkpoint_path: string;
  n: number;
  srcc: number | null;
  krcc: number | null;
  plcc: number | null;
  plcc_fitted: number | null;
  rmse: number | null;
  rmse_fitted: number | null;
  flipped: number;
  per_distortion: string;
  created_at: string;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function toEvaluation(r: EvaluationRow): RunEvaluation {
  return {
    id: r.id, runId: r.run_id, datasetId: r.dataset_id, part: r.part, split: r.split_name, checkpointPath: r.checkpoint_path, n: r.n,
    srcc: r.srcc, krcc: r.krcc, plcc: r.plcc, plccFitted: r.plcc_fitted, rmse: r.rmse, rmseFitted: r.rmse_fitted,
    flippedDirection: r.flipped === 1, perDistortion: JSON.parse(r.per_distortion) as RunEvaluation['perDistortion'], createdAt: r.created_at,
  };
}

export type NewRunEvaluation = Omit<RunEvaluation, 'id' | 'createdAt' | 'srcc' | 'krcc' | 'plcc' | 'plccFitted' | 'rmse' | 'rmseFitted' | 'perDistortion'> & {
  srcc: number; krcc: number; plcc: number; plccFitted: number; rmse: number; rmseFitted: number;
  perDistortion: { group: string; n: number; srcc: number }[];
};

export function createRunsRepo(db: Db) {
  const insertMetric = db.prepare('INSERT INTO run_metrics (run_id, step, epoch, part, name, value) VALUES (?, ?, ?, ?, ?, ?)');
  const insertPrediction = db.prepare('INSERT INTO predictions (run_id, image_id, model, score) VALUES (?, ?, ?, ?)');
  return {
    list(): RunSummary[] {
      return (db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RunRow[]).map((r) => {
        const { id, name, model, datasetId, status, createdAt, finishedAt } = toRecord(r);
        return { id, name, model, datasetId, status, createdAt, finishedAt };
      });
    },
    get(id: number): RunRecord | undefined {
      const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
      return row && toRecord(row);
    },
    create(r: { name: string; model: string; datasetId: number | null; splitId: number | null; config: Record<string, unknown>; parentRunId?: number | null }): number {
      return Number(
        db
          .prepare('INSERT INTO runs (name, model, dataset_id, split_id, config, parent_run_id) VALUES (?, ?, ?, ?, ?, ?)')
          .run(r.name, r.model, r.datasetId, r.splitId, JSON.stringify(r.config), r.parentRunId ?? null).lastInsertRowid,
      );
    },
    setStatus(id: number, status: RunSummary['status'], error: string | null = null): void {
      const finished = status === 'completed' || status === 'failed' || status === 'cancelled' ? now() : null;
      const running = status === 'running' || status === 'queued';
      db.prepare(
        `UPDATE runs SET status = ?, error = ?, finished_at = ?, started_at = CASE WHEN ? = 'running' THEN coalesce(started_at, ?) ELSE started_at END,
           owner_host = ?, owner_pid = ? WHERE id = ?`,
      ).run(status, error, finished, status, now(), running ? hostname() : null, running ? process.pid : null, id);
    },
    setCheckpoint(id: number, path: string, sha256: string | null): void {
      db.prepare('UPDATE runs SET checkpoint_path = ?, checkpoint_sha256 = ? WHERE id = ?').run(path, sha256, id);
    },
    /** Records one finished epoch atomically: its metrics, its predictions (replacing older ones) and its checkpoint. */
    recordEpoch(id: number, model: string, epoch: number, step: number, metrics: Record<string, number>, predictions: { imageId: number; score: number }[], checkpoint: string | null): void {
      db.transaction(() => {
        for (const [name, value] of Object.entries(metrics)) {
          if (Number.isFinite(value)) insertMetric.run(id, step, epoch, name === 'train_loss' ? 'train' : 'test', name, value);
        }
        db.prepare('DELETE FROM predictions WHERE run_id = ?').run(id);
        for (const p of predictions) insertPrediction.run(id, p.imageId, model, p.score);
        if (checkpoint) db.prepare('UPDATE runs SET checkpoint_path = ? WHERE id = ?').run(checkpoint, id);
      })();
    },
    /** Metrics of epochs after `epoch` are dropped when a run resumes from that epoch's checkpoint. */
    dropMetricsAfter(id: number, epoch: number): void {
      db.prepare('DELETE FROM run_metrics WHERE run_id = ? AND epoch > ?').run(id, epoch);
    },
    metrics(id: number): MetricPoint[] {
      return db.prepare('SELECT step, epoch, part, name, value FROM run_metrics WHERE run_id = ? ORDER BY name, step, id').all(id) as MetricPoint[];
    },
    /** Each predicted image with its label and content facts, for scatter plots and error lists. */
    predictionsWithLabels(id: number): RunPrediction[] {
      return db
        .prepare(
          `SELECT p.image_id AS imageId, i.name, p.score, i.label, i.label_std AS labelStd, i.distortion, i.level, r.name AS reference
           FROM predictions p JOIN images i ON i.id = p.image_id LEFT JOIN reference_images r ON r.id = i.reference_id
           WHERE p.run_id = ? ORDER BY p.image_id`,
        )
        .all(id) as RunPrediction[];
    },
    /** The run's stored prediction (its last epoch's) for one image, or null. */
    prediction(id: number, imageId: number): number | null {
      return (db.prepare('SELECT score FROM predictions WHERE run_id = ? AND image_id = ?').get(id, imageId) as { score: number } | undefined)?.score ?? null;
    },
    predictions(id: number): { imageId: number; score: number }[] {
      return db.prepare('SELECT image_id AS imageId, score FROM predictions WHERE run_id = ? ORDER BY image_id').all(id) as { imageId: number; score: number }[];
    },
    /** Stores an evaluation of a run on a dataset, replacing an older one of the same run, dataset and part. */
    saveEvaluation(e: NewRunEvaluation): RunEvaluation {
      const id = db
        .prepare(
          `INSERT INTO run_evaluations (run_id, dataset_id, part, split_name, checkpoint_path, n, srcc, krcc, plcc, plcc_fitted, rmse, rmse_fitted, flipped, per_distortion)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, dataset_id, part) DO UPDATE SET split_name = excluded.split_name, checkpoint_path = excluded.checkpoint_path, n = excluded.n,
             srcc = excluded.srcc, krcc = excluded.krcc, plcc = excluded.plcc, plcc_fitted = excluded.plcc_fitted, rmse = excluded.rmse,
             rmse_fitted = excluded.rmse_fitted, flipped = excluded.flipped, per_distortion = excluded.per_distortion,
             created_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
           RETURNING id`,
        )
        .get(
          e.runId, e.datasetId, e.part, e.split, e.checkpointPath, e.n, finiteOrNull(e.srcc), finiteOrNull(e.krcc), finiteOrNull(e.plcc),
          finiteOrNull(e.plccFitted), finiteOrNull(e.rmse), finiteOrNull(e.rmseFitted), e.flippedDirection ? 1 : 0,
          JSON.stringify(e.perDistortion.map((g) => ({ ...g, srcc: finiteOrNull(g.srcc) }))),
        ) as { id: number };
      return toEvaluation(db.prepare('SELECT * FROM run_evaluations WHERE id = ?').get(id.id) as EvaluationRow);
    },
    evaluations(runId?: number): RunEvaluation[] {
      const rows = runId === undefined
        ? db.prepare('SELECT * FROM run_evaluations ORDER BY created_at DESC, id DESC').all()
        : db.prepare('SELECT * FROM run_evaluations WHERE run_id = ? ORDER BY created_at DESC, id DESC').all(runId);
      return (rows as EvaluationRow[]).map(toEvaluation);
    },
    /** Runs a crash left 'running': they stop as cancelled, resumable from their last checkpoint. */
    /**
     * Marks runs left 'running' by a process that no longer exists (crash, kill) as interrupted. Runs owned by a live
     * process on this host (another `iqa` sharing the database) are left alone; other hosts' runs cannot be checked.
     */
    recoverInterrupted(): number {
      const stale = (db.prepare("SELECT id, owner_host AS host, owner_pid AS pid FROM runs WHERE status IN ('running', 'queued')").all() as { id: number; host: string | null; pid: number | null }[])
        .filter((r) => r.host === null || r.pid === null || (r.host === hostname() && !processAlive(r.pid)));
      const mark = db.prepare("UPDATE runs SET status = 'cancelled', error = 'interrupted: the app stopped during training', finished_at = ?, owner_host = NULL, owner_pid = NULL WHERE id = ?");
      db.transaction(() => stale.forEach((r) => mark.run(now(), r.id)))();
      return stale.length;
    },
  };
}
export type RunsRepo = ReturnType<typeof createRunsRepo>;

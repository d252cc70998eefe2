// Messages between a run's controller (main thread) and its training worker thread.
import type { Sample } from '../data/patch-source';
import type { BackendChoice } from '../backend';
import type { LabelSpace } from './checkpoint';
import type { EpochResult, StepInfo, TrainHyper } from './trainer';

export interface TrainJob {
  runId: number;
  modelId: string;
  modelConfig: Record<string, unknown>;
  hyper: TrainHyper;
  train: Sample[];
  test: Sample[];
  /** Folder for this run's checkpoints. */
  checkpointDir: string;
  /** Checkpoint to continue from (resume); training restarts at its epoch + 1. */
  resumeFrom: string | null;
  /** Weights to start a fresh run from (another run's checkpoint); ignored when resuming. */
  initFrom: string | null;
  backend: BackendChoice;
  labels: LabelSpace;
}

export type ToWorker = { type: 'start'; job: TrainJob } | { type: 'cancel' };

export type FromWorker =
  | { type: 'ready'; backend: string }
  /** Something the run's log should say (e.g. which weights a chained run took from its parent). */
  | { type: 'note'; message: string }
  | { type: 'step'; info: StepInfo }
  | { type: 'epoch'; result: EpochResult; checkpoint: string }
  | { type: 'done' }
  | { type: 'cancelled'; epoch: number }
  | { type: 'error'; message: string };

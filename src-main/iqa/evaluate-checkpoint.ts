// A checkpoint evaluated on a dataset's labelled images (its split's test part, or all of them): `iqa eval` and runs:evaluate.
import { AppError } from '../../src-shared/api/errors';
import { evaluate, perGroupSrcc, type Evaluation, type GroupSrcc } from '../../src-shared/metrics/index';
import { scoreInOrder } from './score/pipelined';
import { loadScorer } from './score/scorer';

export interface EvalImage {
  id: number;
  path: string;
  label: number;
  distortion: string | null;
}

/** The images to evaluate on (the store's evaluation images of `dataset`: the test part of `splitName`, or all), refused when too few. */
export function enoughToEvaluate(images: EvalImage[], dataset: { name: string }, splitName: string | null): EvalImage[] {
  if (images.length < 3) throw new AppError('bad_input', `Too few labelled images to evaluate (${images.length}) in ${dataset.name}${splitName ? ` / ${splitName} test part` : ''}`);
  return images;
}

export interface CheckpointEvaluation extends Evaluation {
  /** The model's direction (MOS vs DMOS) differed from the dataset's: its scores were negated before comparing. */
  flippedDirection: boolean;
  perDistortion: GroupSrcc[];
}

/**
 * Scores every image with the checkpoint and compares with the labels. A model trained on MOS evaluated on DMOS data
 * (or the reverse) is compared after flipping its direction. `onScored` runs after each image (progress, cancel).
 */
export async function evaluateCheckpoint(
  checkpoint: string,
  images: readonly EvalImage[],
  datasetHigherIsBetter: boolean,
  onScored: (done: number, total: number) => void = () => {},
): Promise<CheckpointEvaluation> {
  const scorer = await loadScorer({ checkpoint });
  const pred: number[] = [];
  try {
    for await (const r of scoreInOrder(scorer, images.map((img) => img.path))) {
      if ('error' in r) throw r.error;
      pred.push(r.score.score);
      onScored(r.index + 1, images.length);
    }
  } finally {
    scorer.dispose();
  }
  const flip = scorer.labels !== null && scorer.labels.higherIsBetter !== datasetHigherIsBetter;
  const p = flip ? pred.map((v) => -v) : pred;
  const labels = images.map((r) => r.label);
  return {
    ...evaluate(p, labels),
    flippedDirection: flip,
    perDistortion: perGroupSrcc(p, labels, images.map((r) => r.distortion ?? 'none')).filter((g) => g.group !== 'none'),
  };
}

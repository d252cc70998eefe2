// Last-epoch and best-epoch figures of a run: the best picked by test SRCC and flagged as selected on the test set.
import { describe, expect, it } from 'vitest';
import { BEST_EPOCH_NOTE, figuresText, runFigures } from '../../../src-shared/metrics/epoch-figures';

const point = (epoch: number | null, name: string, value: number) => ({ step: epoch ?? 0, epoch, part: 'test', name, value });

describe('runFigures', () => {
  it('reports the last epoch and the epoch of highest test SRCC (earliest on a tie), each with its own PLCC/RMSE', () => {
    const metrics = [
      ...[0.6, 0.83, 0.83, 0.79].flatMap((srcc, i) => [point(i + 1, 'srcc', srcc), point(i + 1, 'plcc', srcc + 0.01), point(i + 1, 'rmse', 1 - srcc)]),
      point(2, 'srcc/blur', 0.99),
      point(null, 'hallucination_psnr_init', 30),
      point(3, 'train_loss', 0.1),
    ];
    const f = runFigures(metrics);
    expect(f.last).toEqual({ epoch: 4, srcc: 0.79, plcc: 0.8, rmse: 1 - 0.79 });
    expect(f.best).toMatchObject({ epoch: 2, srcc: 0.83, plcc: 0.84 });
    expect(figuresText(f)).toBe(`SRCC 0.790 (last, epoch 4) · best 0.830 at epoch 2, ${BEST_EPOCH_NOTE}`);
  });

  it('says when the best epoch is the last, and when there is no epoch yet', () => {
    const f = runFigures([point(1, 'srcc', 0.5), point(2, 'srcc', 0.7)]);
    expect(f.best!.epoch).toBe(2);
    expect(figuresText(f)).toBe('SRCC 0.700 (last, epoch 2); best epoch is the last');
    expect(runFigures([])).toEqual({ last: null, best: null });
    expect(figuresText(runFigures([]))).toBe('no epoch yet');
  });
});

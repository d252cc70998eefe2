#!/usr/bin/env python3
"""Golden values for src-shared/metrics/bootstrap.ts, from numpy and scipy:

- percentile-bootstrap 95 % intervals of SRCC and PLCC, drawing the resamples with the same mulberry32 stream as the
  TypeScript code (its twin is below), each correlation from scipy.stats.spearmanr / pearsonr and the interval from
  numpy.percentile (linear), so that the TypeScript figures must agree to about 1e-12;
- the paired bootstrap of a difference between two predictors on the same images (interval and p-value);
- Williams' t-test for two dependent correlations (Steiger 1980, eq. 7) with its two-sided p from scipy.stats.t.sf;
- scipy.stats.bootstrap's own percentile interval (its own random stream, 2000 resamples), which ours must come near.

Cases: a good and a weaker predictor on 60 images with ties in the labels, a small set (n = 12) and a near-tie pair.
Run from the repository root:  /usr/bin/python3 tests/golden/stats/make_golden.py
"""
import json
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
M = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M


def mulberry32(seed):
    a = seed & M

    def rand():
        nonlocal a
        a = (a + 0x6D2B79F5) & M
        t = imul(a ^ (a >> 15), 1 | a)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & M) ^ t
        return ((t ^ (t >> 14)) & M) / 4294967296

    return rand


def resample_sets(n, resamples, seed):
    rand = mulberry32(seed)
    for _ in range(resamples):
        yield np.array([int(rand() * n) for _ in range(n)])


def corr(metric, x, y):
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float('nan')
    return float(stats.spearmanr(x, y)[0] if metric == 'srcc' else stats.pearsonr(x, y)[0])


def interval(pred, mos, metric, resamples, seed):
    vals = [corr(metric, pred[i], mos[i]) for i in resample_sets(len(pred), resamples, seed)]
    vals = np.sort([v for v in vals if np.isfinite(v)])
    return {'estimate': corr(metric, pred, mos), 'lo': float(np.percentile(vals, 2.5)), 'hi': float(np.percentile(vals, 97.5))}


def williams(r12, r13, r23, n):
    det = 1 - r12 ** 2 - r13 ** 2 - r23 ** 2 + 2 * r12 * r13 * r23
    rbar = (r12 + r13) / 2
    t = (r12 - r13) * np.sqrt((n - 1) * (1 + r23) / (2 * (n - 1) / (n - 3) * det + rbar ** 2 * (1 - r23) ** 3))
    return {'t': float(t), 'df': n - 3, 'p': float(2 * stats.t.sf(abs(t), n - 3))}


def paired(a, b, mos, metric, resamples, seed):
    diffs = []
    for i in resample_sets(len(a), resamples, seed):
        d = corr(metric, a[i], mos[i]) - corr(metric, b[i], mos[i])
        if np.isfinite(d):
            diffs.append(d)
    diffs = np.sort(diffs)
    le, ge = int(np.sum(diffs <= 0)), int(np.sum(diffs >= 0))
    ra, rb = corr(metric, a, mos), corr(metric, b, mos)
    return {'a': ra, 'b': rb, 'diff': ra - rb, 'lo': float(np.percentile(diffs, 2.5)), 'hi': float(np.percentile(diffs, 97.5)),
            'p': min(1.0, 2 * (min(le, ge) + 1) / (len(diffs) + 1)), 'williams': williams(ra, rb, corr(metric, a, b), len(a))}


def scipy_interval(pred, mos, metric):
    res = stats.bootstrap((pred, mos), lambda x, y: corr(metric, x, y), paired=True, vectorized=False, n_resamples=2000,
                          method='percentile', random_state=np.random.default_rng(7))
    return {'lo': float(res.confidence_interval.low), 'hi': float(res.confidence_interval.high)}


def main():
    rng = np.random.default_rng(20261205)
    cases = []
    n = 60
    mos = np.round(rng.uniform(1, 5, n) * 2) / 2  # half-point steps: ties
    good = mos + rng.normal(0, 0.6, n)
    weak = mos + rng.normal(0, 1.2, n)
    close = good + rng.normal(0, 0.15, n)
    small_mos = np.arange(12, dtype=float) + rng.normal(0, 0.5, 12)
    small_pred = small_mos + rng.normal(0, 2.0, 12)
    for name, a, b, y in [('good-vs-weak', good, weak, mos), ('good-vs-close', good, close, mos), ('small', small_pred, small_mos[::-1] * 0 + rng.normal(0, 1, 12) + small_mos * 0.3, small_mos)]:
        case = {'name': name, 'a': a.tolist(), 'b': b.tolist(), 'mos': y.tolist(), 'resamples': 500, 'seed': 11, 'metrics': {}}
        for metric in ('srcc', 'plcc'):
            case['metrics'][metric] = {
                'intervalA': interval(a, y, metric, 500, 11),
                'paired': paired(a, b, y, metric, 500, 11),
                'scipyIntervalA': scipy_interval(a, y, metric),
            }
        cases.append(case)
    tdist = [{'t': t, 'df': df, 'p': float(2 * stats.t.sf(abs(t), df))} for t, df in [(0.5, 3), (2.1, 10), (-3.3, 57), (1.96, 1000), (6.0, 20)]]
    stream = mulberry32(42)
    with open(os.path.join(HERE, 'golden.json'), 'w') as fh:
        json.dump({'cases': cases, 'tTwoSided': tdist, 'mulberry32Seed42': [stream() for _ in range(5)],
                   'versions': {'numpy': np.__version__, 'scipy': __import__('scipy').__version__}}, fh, indent=1)
        fh.write('\n')


if __name__ == '__main__':
    main()

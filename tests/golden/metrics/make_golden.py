#!/usr/bin/env python3
"""Golden values for src-shared/metrics: SRCC, KRCC (tau-b), PLCC, RMSE from scipy.stats, and the logistic fits
from scipy.optimize.curve_fit (Levenberg-Marquardt) started where the TypeScript code starts (standardised data).

Cases include ties on one side, ties on both sides, joint ties, negative correlation and a saturating curve.
Run from the repository root:  python3 tests/golden/metrics/make_golden.py
"""
import json
import os

import numpy as np
from scipy import optimize, stats

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261123)


def logistic5(x, b1, b2, b3, b4, b5):
    return b1 * (0.5 - 1.0 / (1.0 + np.exp(np.clip(b2 * (x - b3), -50, 50)))) + b4 * x + b5


def logistic4(x, b1, b2, b3, b4):
    return (b1 - b2) / (1.0 + np.exp(np.clip(-(x - b3) / np.abs(b4), -50, 50))) + b2


def fitted(x, y, kind):
    mx, sx = x.mean(), x.std() or 1.0
    my, sy = y.mean(), y.std() or 1.0
    xs, ys = (x - mx) / sx, (y - my) / sy
    sign = 1.0 if np.sum(xs * ys) >= 0 else -1.0
    r = ys.max() - ys.min()
    if kind == 5:
        starts = [[sign * r, b2, b3, 0, 0] for b2 in (0.5, 1, 2, 3, 5, 10) for b3 in (-1, 0, 1)] + [[sign * r * 0.5, 0.5, 0, sign * 0.5, 0], [0, 1, 0, sign, 0]]
        f = logistic5
    else:
        starts = [[r / 2 + 0.5, -r / 2 - 0.5, b3, w] if sign >= 0 else [-r / 2 - 0.5, r / 2 + 0.5, b3, w] for w in (0.25, 0.5, 1, 2) for b3 in (-1, 0, 1)]
        f = logistic4
    best = None
    for p0 in starts:
        try:
            p, _ = optimize.curve_fit(f, xs, ys, p0=p0, method="lm", maxfev=20000, xtol=1e-12, ftol=1e-12)
        except RuntimeError:
            continue
        sse = float(np.sum((ys - f(xs, *p)) ** 2))
        if best is None or sse < best[0]:
            best = (sse, p)
    p = best[1]
    return f(xs, *p) * sy + my


def case(name, x, y):
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    out = {
        "name": name,
        "pred": x.tolist(),
        "mos": y.tolist(),
        "srcc": stats.spearmanr(x, y).statistic,
        "krcc": stats.kendalltau(x, y).statistic,  # tau-b
        "plcc": stats.pearsonr(x, y).statistic,
        "rmse": float(np.sqrt(np.mean((x - y) ** 2))),
    }
    for kind in (4, 5):
        fy = fitted(x, y, kind)
        out[f"plcc_fitted{kind}"] = stats.pearsonr(fy, y).statistic
        out[f"rmse_fitted{kind}"] = float(np.sqrt(np.mean((fy - y) ** 2)))
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}


cases = []
x = rng.normal(size=60)
cases.append(case("continuous", x, 3 + 0.8 * x + 0.5 * rng.normal(size=60)))
xt = rng.integers(0, 6, size=80).astype(float)
cases.append(case("ties_in_pred", xt, xt + rng.normal(scale=1.5, size=80)))
a = rng.integers(1, 6, size=50).astype(float)
b = np.clip(a + rng.integers(-1, 2, size=50), 1, 5).astype(float)
cases.append(case("ties_both_sides", a, b))
u = rng.uniform(0, 1, size=120)
cases.append(case("saturating", u, 1 + 4 / (1 + np.exp(-(u - 0.5) * 12)) + 0.2 * rng.normal(size=120)))
v = rng.uniform(0, 100, size=70)
cases.append(case("negative_dmos", v, 90 - 0.7 * v + 8 * rng.normal(size=70)))
cases.append(case("small", [0.1, 0.4, 0.35, 0.8, 0.9, 0.95, 0.2], [1.2, 2.5, 2.0, 4.1, 4.4, 4.2, 1.9]))

with open(os.path.join(HERE, "golden.json"), "w") as fh:
    json.dump({"scipy": __import__("scipy").__version__, "cases": cases}, fh, indent=1)
print(f"wrote {len(cases)} cases")

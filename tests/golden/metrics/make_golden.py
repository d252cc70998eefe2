#!/usr/bin/env python3
"""Golden values for src-shared/metrics: SRCC, KRCC (tau-b), PLCC, RMSE from scipy.stats, and the 4- and 5-parameter
logistic fits at their global least-squares optimum, found independently of the TypeScript code (which runs
Levenberg-Marquardt from a fixed set of starts): a dense grid over the two nonlinear parameters with the others solved
exactly by least squares (variable projection), polished by scipy.optimize.curve_fit (Levenberg-Marquardt) from the
grid's best point; curve_fit from its own default start is kept if it does better. Data are standardised first,
which changes the parameters but not the fitted curve (the families are closed under affine maps of x and y); the
exponent is clipped at ±50 as in the TypeScript code.

Cases include ties on one side, ties on both sides, joint ties, negative correlation and a saturating curve.
Run from the repository root:  /usr/bin/python3 tests/golden/metrics/make_golden.py
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


def grid_search(xs, ys, kind):
    """The global least-squares optimum on a grid of the two nonlinear parameters, the linear ones solved exactly
    (variable projection): 5-parameter, for each (b2, b3) the best (b1, b4, b5) by least squares; 4-parameter, for each
    (b3, |b4|) the best (b1, b2). b3 runs over the midpoints between distinct x values and an even grid beyond the
    data; the slope over ±10^-2..10^3 (steep enough to be a step wherever the exponent is clipped at ±50)."""
    u = np.unique(xs)
    b3s = np.unique(np.concatenate([(u[1:] + u[:-1]) / 2, np.linspace(xs.min() - 2, xs.max() + 2, 401)]))
    slopes = np.logspace(-2, 3, 121)
    best = (np.inf, None)
    for k in (np.concatenate([-slopes, slopes]) if kind == 5 else slopes):
        t = np.clip((k * (xs[None, :] - b3s[:, None])) if kind == 5 else (-(xs[None, :] - b3s[:, None]) / k), -50, 50)
        sig = 1.0 / (1.0 + np.exp(t))  # [b3, n]
        for j, b3 in enumerate(b3s):
            cols = [0.5 - sig[j], xs, np.ones_like(xs)] if kind == 5 else [sig[j], 1 - sig[j]]
            a = np.stack(cols, 1)
            coef, *_ = np.linalg.lstsq(a, ys, rcond=None)
            sse = float(np.sum((ys - a @ coef) ** 2))
            if sse < best[0]:
                p = [coef[0], k, b3, coef[1], coef[2]] if kind == 5 else [coef[0], coef[1], b3, k]
                best = (sse, p)
    return best[1]


def fitted(x, y, kind):
    mx, sx = x.mean(), x.std() or 1.0
    my, sy = y.mean(), y.std() or 1.0
    xs, ys = (x - mx) / sx, (y - my) / sy
    f = logistic5 if kind == 5 else logistic4
    sse = lambda p: float(np.sum((ys - f(xs, *p)) ** 2))
    start = grid_search(xs, ys, kind)
    fits = [np.array(start, float)]
    # Polish with Levenberg-Marquardt from the grid's optimum, and also try curve_fit's own default start (all ones).
    for p0 in (start, None):
        try:
            fits.append(optimize.curve_fit(f, xs, ys, p0=p0, method="lm", maxfev=20000, xtol=1e-12, ftol=1e-12)[0])
        except RuntimeError:
            pass
    p = min(fits, key=sse)
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
    json.dump({"scipy": __import__("scipy").__version__, "numpy": np.__version__, "cases": cases}, fh, indent=1)
print(f"wrote {len(cases)} cases")

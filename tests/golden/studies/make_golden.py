#!/usr/bin/env python3
"""Golden values for src-main/studies (MOS and CIs, BT.500 screening, SUREAL's SR_MOS screening, z-scores,
Bradley-Terry and Thurstone Case V scaling), computed with numpy/scipy/mpmath independently of the TypeScript code.

Writes ratings.json (the 12-rater x 30-item ratings matrix, regenerated from its seed) and golden.json (inputs and
expected values), which tests/unit/studies/*.test.ts read. Run from the repository root:
    /usr/bin/python3 tests/golden/studies/make_golden.py
Needs python3-numpy, python3-scipy, python3-mpmath (Debian).
"""
import json
import math
import os
import sys

import mpmath
import numpy as np
import scipy
from scipy import optimize, stats

HERE = os.path.dirname(os.path.abspath(__file__))


def floats(a):
    return [None if (x is None or (isinstance(x, float) and math.isnan(x))) else float(x) for x in a]


# --------------------------------------------------------------------------------------------------------------------
# The ratings matrix: 12 raters x 30 items on 0-100. Two noise raters (10, 11), one rater biased by +25 (9), about
# 10 % of the cells unrated, and item 0 with a single vote (rater 3's 55.5, set by hand).
# --------------------------------------------------------------------------------------------------------------------

def ratings_matrix():
    rng = np.random.default_rng(2024)
    r_count, i_count = 12, 30
    q = rng.uniform(20, 80, i_count)
    bias = rng.normal(0, 5, r_count)
    m = np.clip(np.round(q[None, :] + bias[:, None] + rng.normal(0, 5, (r_count, i_count)), 1), 0, 100)
    m[10] = np.round(rng.uniform(0, 100, i_count), 1)
    m[11] = np.round(rng.uniform(0, 100, i_count), 1)
    m[9] = np.clip(m[9] + 25, 0, 100)
    m[rng.uniform(size=(r_count, i_count)) < 0.1] = np.nan
    m[:, 0] = np.nan
    m[3, 0] = 55.5
    return m


# --------------------------------------------------------------------------------------------------------------------
# MOS, sample std and Student-t intervals; the t and normal quantiles themselves.
# --------------------------------------------------------------------------------------------------------------------

T_PS = [1e-06, 0.025, 0.1, 0.6, 0.9, 0.975, 0.995, 0.9995]
T_DOFS = [1, 2, 5, 10, 30, 100]
T_CDF_ARGS = [[-3.2, 1], [0.7, 2], [2.1, 7], [-1.5, 4.5], [12.0, 30]]
Z_PS = [1e-10, 0.001, 0.3, 0.8, 0.999]
T_PPF_NONINT_ARGS = [[0.975, 2.5], [0.99, 7.3], [0.975, 1000], [0.975, 100000.0]]


def t_cdf_mp(t, dof):
    """Student t CDF to 40 digits through the regularised incomplete beta: 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0."""
    mpmath.mp.dps = 40
    t, nu = mpmath.mpf(t), mpmath.mpf(dof)
    tail = mpmath.betainc(nu / 2, mpmath.mpf(1) / 2, 0, nu / (nu + t * t), regularized=True) / 2
    return 1 - tail if t >= 0 else tail


def t_quantile_mp(p, dof):
    """The t quantile of the float p to 40 digits (findroot on t_cdf_mp from scipy's estimate)."""
    mpmath.mp.dps = 40
    start = mpmath.mpf(stats.t.ppf(p, dof))
    return float(mpmath.findroot(lambda t: t_cdf_mp(t, dof) - mpmath.mpf(p), start, tol=mpmath.mpf(10) ** -35))


def z_quantile_mp(p):
    mpmath.mp.dps = 40
    return float(mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1))


def mos_golden(m):
    n = (~np.isnan(m)).sum(0)
    mos = np.nanmean(m, 0)
    std, hw95, hw99 = [], [], []
    for j in range(m.shape[1]):
        if n[j] < 2:
            std.append(None), hw95.append(None), hw99.append(None)
            continue
        s = np.nanstd(m[:, j], ddof=1)
        std.append(s)
        hw95.append(t_quantile_mp(0.975, int(n[j]) - 1) * s / math.sqrt(n[j]))
        hw99.append(t_quantile_mp(0.995, int(n[j]) - 1) * s / math.sqrt(n[j]))
    return {
        't_ps': T_PS,
        't_dofs': T_DOFS,
        # Quantiles and the CDF from mpmath at 40 digits: scipy's own t.ppf is off by up to 1e-9 relative in Debian 12's
        # scipy 1.10 and by ~1e-10 next to p = 0.5 in newer ones; the tests ask for 1e-12 to 1e-14.
        't_ppf': [[t_quantile_mp(p, dof) for p in T_PS] for dof in T_DOFS],
        't_cdf': [[t, dof, float(t_cdf_mp(t, dof))] for t, dof in T_CDF_ARGS],
        'z_ppf': [[p, z_quantile_mp(p)] for p in Z_PS],
        't_ppf_nonint': [[p, dof, t_quantile_mp(p, dof)] for p, dof in T_PPF_NONINT_ARGS],
        'near_half': {
            't': [[0.5000001, 7, t_quantile_mp(0.5000001, 7)], [0.49999999999, 12, t_quantile_mp(0.49999999999, 12)]],
            'z': [[0.5000001, z_quantile_mp(0.5000001)], [0.49999999999, z_quantile_mp(0.49999999999)]],
        },
        'n': [int(x) for x in n],
        'mos': floats(mos),
        'std': floats(std),
        'hw95': floats(hw95),
        'hw99': floats(hw99),
    }


# --------------------------------------------------------------------------------------------------------------------
# Rater screening: ITU-R BT.500 Annex 1 §A1-2.3.1, SUREAL's SR_MOS variant, z-scores.
# --------------------------------------------------------------------------------------------------------------------

def bt500(m, ddof=1, denominator='rated', items=None):
    """Per item with n >= 2 votes and std > 0: limits mean ± k·s with k = 2 if 2 <= β2 <= 4 else √20 (β2 the Pearson
    kurtosis, population moments); P_i counts votes >= the upper limit, Q_i votes <= the lower one; reject rater i if
    (P_i + Q_i)/J > 0.05 and |P_i − Q_i|/(P_i + Q_i) < 0.3, J = the items the rater rated (or all items)."""
    cols = range(m.shape[1]) if items is None else items
    p = np.zeros(m.shape[0], int)
    q = np.zeros(m.shape[0], int)
    beta2 = {}
    for j in cols:
        col = m[:, j]
        rated = ~np.isnan(col)
        v = col[rated]
        if len(v) < 2 or np.std(v) == 0:
            beta2[j] = None
            continue
        b2 = stats.kurtosis(v, fisher=False, bias=True)
        beta2[j] = float(b2)
        s = np.std(v, ddof=ddof)
        k = 2 if 2 <= b2 <= 4 else math.sqrt(20)
        mu = v.mean()
        for r in np.where(rated)[0]:
            p[r] += col[r] >= mu + k * s
            q[r] += col[r] <= mu - k * s
    rejected = []
    for r in range(m.shape[0]):
        j = (~np.isnan(m[r, list(cols)])).sum() if denominator == 'rated' else len(list(cols))
        if p[r] + q[r] > 0 and (p[r] + q[r]) / j > 0.05 and abs(p[r] - q[r]) / (p[r] + q[r]) < 0.3:
            rejected.append(r)
    return p.tolist(), q.tolist(), rejected, beta2


def sureal_sr_mos(m):
    """SUREAL's subject rejection (sureal/subjective_model.py, the SR_MOS branch of
    _get_opinion_score_2darray_with_preprocessing), written again: o[e, s] is the score of subject s on item e; per
    item the mean and np.std (ddof 0) of the non-NaN scores, the kurtosis β2 (scipy, Pearson) deciding k = 2 or √20;
    P_s and Q_s count scores >= mean + k·std and <= mean − k·std; subject s is rejected when (P + Q)/E > 0.05 and
    |(P − Q)/(P + Q)| < 0.3 with E the number of items."""
    o = m.T  # items x subjects, as SUREAL holds it
    e_count, s_count = o.shape
    p = np.zeros(s_count, int)
    q = np.zeros(s_count, int)
    for e in range(e_count):
        row = o[e]
        v = row[~np.isnan(row)]
        mu, sd = v.mean(), np.std(v)
        k = 2.0 if 2 <= stats.kurtosis(v, fisher=False) <= 4 else math.sqrt(20)
        for s in range(s_count):
            if not np.isnan(row[s]):
                p[s] += row[s] >= mu + k * sd
                q[s] += row[s] <= mu - k * sd
    rejected = [s for s in range(s_count) if (p[s] + q[s]) / e_count > 0.05 and p[s] + q[s] > 0 and abs((p[s] - q[s]) / (p[s] + q[s])) < 0.3]
    return p.tolist(), q.tolist(), rejected


def zscores(m):
    mu = np.nanmean(m, 1)
    sd = np.array([np.nanstd(m[r], ddof=1) for r in range(m.shape[0])])
    z = (m - mu[:, None]) / sd[:, None]
    n = (~np.isnan(m)).sum(1)
    pooled_mean = np.nansum(m) / (~np.isnan(m)).sum()
    pooled_std = math.sqrt(np.sum((n - 1) * sd ** 2) / np.sum(n - 1))
    return {'rater_std': floats(sd), 'pooled_mean': float(pooled_mean), 'pooled_std': pooled_std, 'zs_mos': floats(np.nanmean(z * pooled_std + pooled_mean, 0))}


# --------------------------------------------------------------------------------------------------------------------
# Pairwise scaling. W[i][j] = times item i was preferred over item j (a tie counts half to each side).
# --------------------------------------------------------------------------------------------------------------------

A_ITEMS = ['A', 'B', 'C', 'D', 'E']
A_W = [[0, 5, 3, 4, 2], [0, 0, 6, 2, 3], [0, 4, 0, 5, 0], [0, 8, 3, 0, 7], [0, 1, 0, 2, 0]]  # A unbeaten; C-E never met
# X-Y: X preferred 3 times, Y once, 2 ties; Y-Z 2 : 2; X-Z 4 ties.
B_COMPARISONS = [
    {'winner': 'X', 'loser': 'Y', 'count': 3},
    {'winner': 'Y', 'loser': 'X', 'count': 1},
    {'winner': 'Y', 'loser': 'X', 'count': 2, 'tie': True},
    {'winner': 'Y', 'loser': 'Z', 'count': 2},
    {'winner': 'Z', 'loser': 'Y', 'count': 2},
    {'winner': 'X', 'loser': 'Z', 'count': 4, 'tie': True},
]
C_ITEMS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5']
C_W = [[0, 8, 8, 6, 2, 1], [12, 0, 10, 1, 6, 4], [12, 10, 0, 8, 5, 3], [14, 19, 12, 0, 6, 5], [18, 14, 15, 14, 0, 8], [19, 16, 17, 15, 12, 0]]


def wins_matrix(items, comparisons):
    idx = {x: i for i, x in enumerate(items)}
    w = np.zeros((len(items), len(items)))
    for c in comparisons:
        i, j = idx[c['winner']], idx[c['loser']]
        if c.get('tie'):
            w[i, j] += c['count'] / 2
            w[j, i] += c['count'] / 2
        else:
            w[i, j] += c['count']
    return w


def bradley_terry_map(w, prior):
    """MAP of Σ W_ij·log σ(θ_i − θ_j) + prior·Σ_i [log σ(θ_i) + log σ(−θ_i)] (each item given `prior` wins and losses
    against a virtual item at θ = 0), by trust-exact with the analytic gradient and Hessian, then Newton steps;
    centred to mean 0. Returns the scores, the Fisher SE of the centred scores and max |gradient|."""
    n = len(w)
    sig = lambda x: 1 / (1 + np.exp(-x))

    def f(t):
        d = t[:, None] - t[None, :]
        return -(np.sum(w * np.log(sig(d))) + prior * np.sum(np.log(sig(t)) + np.log(sig(-t))))

    def grad(t):
        pij = sig(t[:, None] - t[None, :])
        g = np.array([np.sum(w[i] * (1 - pij[i])) - np.sum(w[:, i] * (1 - pij[:, i])) for i in range(n)])
        g += prior * (sig(-t) - sig(t))
        return -g

    def hess(t):
        d = t[:, None] - t[None, :]
        pij = sig(d)
        c = (w + w.T) * pij * (1 - pij)
        h = -c
        np.fill_diagonal(h, 0)
        h[np.diag_indices(n)] = c.sum(1) - np.diag(c) + 2 * prior * sig(t) * sig(-t)
        return h

    res = optimize.minimize(f, np.zeros(n), jac=grad, hess=hess, method='trust-exact', options={'gtol': 1e-14})
    t = res.x
    for _ in range(5):
        t = t - np.linalg.solve(hess(t), grad(t))
    g = float(np.max(np.abs(grad(t))))
    cmat = np.eye(n) - np.ones((n, n)) / n
    se = np.sqrt(np.diag(cmat @ np.linalg.inv(hess(t)) @ cmat.T))
    return (t - t.mean()).tolist(), se.tolist(), g


def thurstone_case_v(w):
    """p = W_ij/N_ij with 0 → 0.5/(N+1) and 1 → (N+0.5)/(N+1); z = Φ⁻¹(p); least squares on rows
    √N_ij·(e_i − e_j) = √N_ij·z_ij over the compared pairs i < j (the minimum-norm, mean-0 solution)."""
    n = len(w)
    rows, rhs = [], []
    for i in range(n):
        for j in range(i + 1, n):
            total = w[i, j] + w[j, i]
            if total == 0:
                continue
            p = w[i, j] / total
            p = 0.5 / (total + 1) if p == 0 else (total + 0.5) / (total + 1) if p == 1 else p
            row = np.zeros(n)
            row[i], row[j] = 1, -1
            rows.append(math.sqrt(total) * row)
            rhs.append(math.sqrt(total) * stats.norm.ppf(p))
    x = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
    return (x - x.mean()).tolist()


def pairwise_golden():
    wa = np.array(A_W, float)
    wb = wins_matrix(['X', 'Y', 'Z'], B_COMPARISONS)
    wc = np.array(C_W, float)
    bt_a5, _, g_a5 = bradley_terry_map(wa, 0.5)
    bt_a1, _, g_a1 = bradley_terry_map(wa, 0.1)
    bt_b, _, g_b = bradley_terry_map(wb, 0.5)
    bt_c, se_c, g_c = bradley_terry_map(wc, 0.5)
    for name, g in [('A 0.5', g_a5), ('A 0.1', g_a1), ('B', g_b), ('C', g_c)]:
        print(f'Bradley-Terry {name}: max |gradient| = {g:.1e}', file=sys.stderr)
        assert g < 1e-12
    return {
        'a': {'items': A_ITEMS, 'w': A_W, 'bt_prior_0_5': bt_a5, 'bt_prior_0_1': bt_a1, 'thurstone': thurstone_case_v(wa)},
        'b': {'items': ['X', 'Y', 'Z'], 'comparisons': B_COMPARISONS, 'bt': bt_b, 'thurstone': thurstone_case_v(wb)},
        'c': {'items': C_ITEMS, 'w': C_W, 'bt': bt_c, 'bt_fisher_se': se_c, 'thurstone': thurstone_case_v(wc)},
    }


def main():
    m = ratings_matrix()
    with open(os.path.join(HERE, 'ratings.json'), 'w') as fh:
        rows = [json.dumps(floats(r), separators=(',', ':')) for r in m]
        fh.write('{"M": [\n' + ',\n'.join(rows) + '\n]}\n')
    p, q, rejected, beta2 = bt500(m)
    sp, sq, srej = sureal_sr_mos(m[:, 1:])  # item 0 has one vote, which SUREAL's loop cannot take (std of one value)
    golden = {
        'versions': {'python': sys.version.split()[0], 'numpy': np.__version__, 'scipy': scipy.__version__, 'mpmath': mpmath.__version__},
        'mos': mos_golden(m),
        'bt500': {'p': p, 'q': q, 'rejected': rejected, 'beta2': [beta2[j] for j in range(m.shape[1])]},
        'sureal': {'items': list(range(1, 30)), 'p': sp, 'q': sq, 'rejected': srej},
        'zscore': zscores(m),
        'pairwise': pairwise_golden(),
    }
    with open(os.path.join(HERE, 'golden.json'), 'w') as fh:
        json.dump(golden, fh, indent=1)
        fh.write('\n')
    print('wrote ratings.json and golden.json', file=sys.stderr)


if __name__ == '__main__':
    main()

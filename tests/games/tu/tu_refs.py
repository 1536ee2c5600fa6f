"""Independent references for the TU tests (none of them shares code with coopt.games.tu).

* ``dense_least_core``: the least-core LP with all 2^n - 2 rows, by SciPy's linprog;
* ``reference_nucleolus``: the textbook sequential-LP nucleolus over all coalitions, where a coalition
  is fixed when its row is tight in *every* optimum of the level's LP -- decided by one more LP per
  coalition (maximise its slack over the optimal face), no duals, no span test;
* ``kohlberg_ok``: the Kohlberg criterion by brute force -- every level collection's balancedness by
  an LP over its coalitions (SciPy);
* ``shapley_by_orders``: the Shapley value as the average marginal contribution over all n! orders.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import linprog


def members(m: int, n: int) -> np.ndarray:
    return np.array([(m >> i) & 1 for i in range(n)], dtype=float)


def dense_least_core(v: np.ndarray, n: int, domain: str = "preimputation") -> float | None:
    """e* by SciPy over every proper coalition (None: infeasible)."""
    P = range(1, 2**n - 1)
    A_ub = np.array([np.r_[-members(m, n), -1.0] for m in P])
    b_ub = np.array([-v[m] for m in P])
    c = np.r_[np.zeros(n), 1.0]
    bounds = [(None, None)] * (n + 1)
    if domain == "imputation":
        bounds = [(v[1 << i], None) for i in range(n)] + [(None, None)]
    r = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[v[-1]], bounds=bounds,
                method="highs")
    return float(r.fun) if r.status == 0 else None


def reference_nucleolus(v: np.ndarray, n: int, domain: str = "imputation", tol: float = 1e-8) -> np.ndarray:
    """The (pre)nucleolus by sequential LPs over all coalitions (slow, for n <= 5)."""
    free = set(range(1, 2**n - 1))
    fixed: dict[int, float] = {}
    bounds = [(v[1 << i], None) if domain == "imputation" else (None, None) for i in range(n)]
    x = None
    while free:
        def constraints(eps_col: bool):
            A_ub, b_ub, A_eq, b_eq = [], [], [np.r_[np.ones(n), 0.0]], [v[-1]]
            for m in free:
                A_ub.append(np.r_[-members(m, n), -1.0])
                b_ub.append(-v[m])
            for m, lev in fixed.items():
                A_eq.append(np.r_[members(m, n), 0.0])
                b_eq.append(v[m] - lev)
            return A_ub, b_ub, A_eq, b_eq
        A_ub, b_ub, A_eq, b_eq = constraints(True)
        r = linprog(np.r_[np.zeros(n), 1.0], A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                    bounds=bounds + [(None, None)], method="highs")
        assert r.status == 0
        eps = r.fun
        x = r.x[:n]
        newly = []
        for m in sorted(free):  # tight in every optimum: max slack over the optimal face is 0
            A2, b2 = list(A_ub), list(b_ub)
            A2.append(np.r_[np.zeros(n), 1.0])
            b2.append(eps + tol)
            c = np.r_[members(m, n), 1.0]  # maximise x(S) + e - v(S)  (slack of the row)
            r2 = linprog(-c, A_ub=A2, b_ub=b2, A_eq=A_eq, b_eq=b_eq, bounds=bounds + [(None, None)],
                         method="highs")
            assert r2.status == 0
            if -r2.fun - v[m] <= 10 * tol:
                newly.append(m)
        assert newly
        for m in newly:
            fixed[m] = eps
            free.discard(m)
        # coalitions whose excess is now constant leave: in the span of the fixed ones and N
        basis = np.array([members(m, n) for m in fixed] + [np.ones(n)])
        rank = np.linalg.matrix_rank(basis)
        for m in sorted(free):
            if np.linalg.matrix_rank(np.vstack([basis, members(m, n)])) == rank:
                free.discard(m)
        if rank == n:
            A_ub, b_ub, A_eq, b_eq = constraints(False)
            r = linprog(np.zeros(n + 1), A_eq=A_eq, b_eq=b_eq, bounds=bounds + [(0, 0)], method="highs")
            x = r.x[:n]
            break
    return np.asarray(x)


def kohlberg_ok(v: np.ndarray, n: int, x: np.ndarray, domain: str, tol: float = 1e-7) -> bool:
    """Brute-force Kohlberg: each collection {S : e(S) >= t} balanced (relative to the singletons at v(i))."""
    if abs(x.sum() - v[-1]) > tol:
        return False
    X0 = [i for i in range(n) if domain == "imputation" and x[i] - v[1 << i] <= tol]
    if domain == "imputation" and any(x[i] < v[1 << i] - tol for i in range(n)):
        return False
    exc = {m: v[m] - members(m, n) @ x for m in range(1, 2**n - 1)}
    levels = sorted(set(np.round(list(exc.values()), 7)), reverse=True)
    for t in levels:
        C = [m for m, e in exc.items() if e >= t - tol]
        k = len(C)
        # max s s.t. sum_S y_S 1_S + sum mu_i 1_i = lam 1_N, y_S >= s, sum y = 1
        cols = k + len(X0) + 2
        A_eq = np.zeros((n + 1, cols))
        for j, m in enumerate(C):
            A_eq[:n, j] = members(m, n)
            A_eq[n, j] = 1.0
        for j, i in enumerate(X0):
            A_eq[i, k + j] = 1.0
        A_eq[:n, k + len(X0)] = -1.0
        b_eq = np.r_[np.zeros(n), 1.0]
        A_ub = np.zeros((k, cols))
        for j in range(k):
            A_ub[j, j] = -1.0
            A_ub[j, -1] = 1.0
        c = np.zeros(cols)
        c[-1] = -1.0
        r = linprog(c, A_ub=A_ub, b_ub=np.zeros(k), A_eq=A_eq, b_eq=b_eq,
                    bounds=[(0, None)] * (k + len(X0)) + [(None, None), (None, 1)], method="highs")
        if r.status != 0 or -r.fun <= 1e-9:
            return False
        if np.linalg.matrix_rank(np.array([members(m, n) for m in C])) == n:
            break  # a balanced collection spanning R^n: every larger one is balanced too
    return True


def shapley_by_orders(v: np.ndarray, n: int) -> np.ndarray:
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        m = 0
        for i in order:
            phi[i] += v[m | 1 << i] - v[m]
            m |= 1 << i
    return phi / math.factorial(n)


def random_game(rng: np.random.Generator, n: int, kind: str = "normal") -> np.ndarray:
    """v over all 2^n masks (v[0] = 0) of a few kinds, including degenerate ones."""
    size = np.array([bin(m).count("1") for m in range(2**n)])
    if kind == "normal":
        v = rng.normal(size=2**n) * size
    elif kind == "integer":
        v = rng.integers(-2, 4, size=2**n).astype(float) * size
    elif kind == "symmetric":
        f = np.r_[0.0, np.sort(rng.integers(0, 5, size=n)).astype(float)]
        v = f[size]
    elif kind == "superadditive":
        v = size.astype(float) ** 1.5 * rng.uniform(0.9, 1.1, size=2**n)
        v[size == 1] = rng.uniform(0, 0.5, size=(size == 1).sum())
    else:
        raise ValueError(kind)
    v[0] = 0.0
    return v

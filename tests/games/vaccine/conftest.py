"""Independent reference for the vaccine game tests: S-shaped functions and a brute-force v(S).

v(S) here is a dense budget-grid dynamic programme (max-plus convolution over the players of S)
followed by a local polish (SLSQP) from the best grid point -- independent of coopt's exact
enumeration and of its heuristic. Small n only (n <= 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.optimize import brentq, minimize

from coopt.formulations.vaccine.core_lp import CoalitionValues


@dataclass(frozen=True)
class SCurve:
    kind: str
    a: float
    b: float

    def F(self, f: float) -> float:
        if self.kind == "logistic":
            return 1.0 / (1.0 + math.exp(-self.a * f + self.b))
        return math.exp(self.a - self.b / f) if f > 0 else 0.0

    def dF(self, f: float) -> float:
        if self.kind == "logistic":
            e = math.exp(-self.a * f + self.b)
            return self.a * e / (1 + e) ** 2
        return self.b / f**2 * math.exp(self.a - self.b / f) if f > 0 else 0.0

    @property
    def c(self) -> float:
        return self.b / self.a if self.kind == "logistic" else self.b / 2

    @property
    def f_tilde(self) -> float:
        if self.kind == "ginsberg":
            return self.b
        F0 = self.F(0.0)

        def h(f):
            return f * self.dF(f) - (self.F(f) - F0)

        return brentq(h, self.c, self.c + 50.0 / self.a, xtol=1e-15)


def brute_value(curves, M, budget, grid=1500):
    """max sum M_i F_i(f_i) s.t. sum f_i M_i <= budget (grid DP + SLSQP polish); returns (v, f)."""
    k = len(curves)
    if budget <= 0:
        return sum(m * c.F(0.0) for c, m in zip(curves, M)), np.zeros(k)
    h = budget / grid
    amounts = np.arange(grid + 1) * h
    tables = [np.array([m * c.F(a / m) for a in amounts]) for c, m in zip(curves, M)]
    best = tables[0].copy()
    choice = []
    for t in tables[1:]:
        # new[b] = max_j best[b - j] + t[j]
        idx = np.arange(grid + 1)
        mat = np.where(idx[:, None] >= idx[None, :], best[np.clip(idx[:, None] - idx[None, :], 0, None)] + t[None, :],
                       -np.inf)
        j = np.argmax(mat, axis=1)
        choice.append(j)
        best = mat[idx, j]
    # backtrack at full budget
    b = grid
    units = [0] * k
    for pos in range(k - 1, 0, -1):
        j = int(choice[pos - 1][b])
        units[pos] = j
        b -= j
    units[0] = b
    f0 = np.array([u * h / m for u, m in zip(units, M)])
    M = np.asarray(M, float)

    def neg(f):
        return -sum(m * c.F(x) for c, m, x in zip(curves, M, f))

    def grad(f):
        return -np.array([m * c.dF(x) for c, m, x in zip(curves, M, f)])

    res = minimize(neg, f0, jac=grad, method="SLSQP", bounds=[(0, budget / m) for m in M],
                   constraints=[{"type": "ineq", "fun": lambda f: budget - M @ f, "jac": lambda f: -M}],
                   options={"ftol": 1e-15, "maxiter": 500})
    f = np.clip(res.x, 0, None) if -res.fun >= -neg(f0) else f0
    if M @ f > budget:
        f = f * budget / (M @ f)
    return max(-neg(f), -neg(f0)), f


def brute_game(curves, M, r, names=None, grid=1500):
    """All coalition values by brute force; returns (CoalitionValues, f* of N)."""
    n = len(curves)
    names = tuple(names or (f"p{i}" for i in range(n)))
    v = np.zeros(2**n)
    f_grand = None
    for mask in range(1, 2**n):
        idx = [i for i in range(n) if mask >> i & 1]
        val, f = brute_value([curves[i] for i in idx], [M[i] for i in idx], sum(r[i] for i in idx), grid)
        v[mask] = val
        if mask == 2**n - 1:
            f_grand = f
    return CoalitionValues(names, v), f_grand


@pytest.fixture
def scurve():
    return SCurve


@pytest.fixture
def brute():
    return brute_game

"""Nucleolus by sequential LPs with the vaccine separation oracle == sequential LPs on the full table.

Reference: the Maschler-Peleg-Shapley sequential LPs over all 2^n - 2 coalitions with the exact v(S)
of the KKT enumeration (SciPy/HiGHS), written here independently of the constraint-generation code;
the nucleolus is unique, so the allocations must agree.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from coopt.data.base import validate
from coopt.data.vaccine.schema import VaccineInstance
from coopt.games.vaccine.characteristic import solve_all
from coopt.games.vaccine.nucleolus_cg import nucleolus_cg
from coopt.games.vaccine.separation import VaccineSeparationOracle
from coopt.solve.result import Status


def random_instance(n: int, seed: int, d: float) -> VaccineInstance:
    """Section 6.1's random logistic games (type (ii)) with individual functions."""
    rng = np.random.default_rng(seed)
    players = []
    for i in range(n):
        a = rng.uniform(25, 100)
        players.append({"name": f"p{i}", "M": rng.uniform(10, 100), "r": 0.0,
                        "return_function": {"type": "logistic", "a": a, "b": rng.uniform(0, a)}})
    inst = validate(VaccineInstance, {"family": "vaccine", "name": f"random-{seed}", "players": players})
    r = rng.uniform(0, d * np.array([f.f_tilde for f in inst.functions]) * inst.M)
    return inst.with_overrides(players=[{**p, "r": float(x)} for p, x in zip(players, r)])


def reference_nucleolus(v: np.ndarray, n: int) -> np.ndarray:
    masks = np.arange(1, 2**n - 1)
    B = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    single = v[1 << np.arange(n)]
    fixed: dict[int, float] = {}
    x = None
    while True:
        free = [k for k in range(len(masks)) if k not in fixed]
        if fixed:  # drop coalitions in the span of the fixed rows and N: their excess is constant
            basis = np.vstack([np.ones(n), B[list(fixed)]])
            rank = np.linalg.matrix_rank(basis)
            if rank == n:
                return x
            free = [k for k in free if np.linalg.matrix_rank(np.vstack([basis, B[k]])) > rank]
        A_eq = np.vstack([np.r_[np.ones(n), 0.0]] + [np.r_[B[k], 0.0] for k in fixed])
        b_eq = np.r_[v[-1], [v[masks[k]] - e for k, e in fixed.items()]]
        res = linprog(np.r_[np.zeros(n), 1.0], A_ub=np.hstack([-B[free], -np.ones((len(free), 1))]),
                      b_ub=-v[masks[free]], A_eq=A_eq, b_eq=b_eq,
                      bounds=[(s, None) for s in single] + [(None, None)], method="highs")
        x, e = res.x[:n], res.x[n]
        y = -res.ineqlin.marginals
        new = [free[j] for j in np.nonzero(y > 1e-9 * max(1.0, y.max()))[0]]
        for i in np.nonzero(res.lower.marginals > 1e-9)[0]:  # an imputation bound tight in every optimum
            new.append(int(np.nonzero(masks == (1 << int(i)))[0][0]))
        for k in new:
            fixed[k] = e if k not in fixed else fixed[k]
        if not new:
            return x


@pytest.mark.parametrize("n, seed, d", [pytest.param(6, 1, 1.0, marks=pytest.mark.slow), (7, 2, 1.0),
                                        pytest.param(7, 4, 0.5, marks=pytest.mark.slow)])
def test_nucleolus_by_generation_equals_full_sequential_lps(n, seed, d):
    inst = random_instance(n, seed, d)
    ref = reference_nucleolus(np.asarray(solve_all(inst).v, float), n)
    nu = nucleolus_cg(VaccineSeparationOracle(inst, rel_tol=1e-10), tol=1e-8)
    assert nu.status == Status.OPTIMAL and nu.rank == n
    scale = abs(float(ref.sum()))
    np.testing.assert_allclose(nu.x, ref, atol=2e-6 * scale)
    assert all(a >= b - 1e-9 * scale for a, b in zip(nu.levels, nu.levels[1:]))  # levels do not increase


def test_time_limit_reports_the_levels_fixed():
    inst = random_instance(7, 2, 1.0)
    nu = nucleolus_cg(VaccineSeparationOracle(inst), tol=1e-8, time_limit=0.0)
    assert nu.status == Status.TIME_LIMIT and nu.to_dict()["levels_fixed"] == len(nu.levels) < 7

"""VaccineSeparationOracle: certified v(S), exact separation, and constraint generation == enumeration.

References: v(S) of every coalition by the exact KKT enumeration (coopt.games.vaccine.characteristic,
n <= 16) and the least core of the full 2^n - 2 row LP written here (SciPy/HiGHS).
The constraint-generation loop here is a minimal one (master LP by SciPy/HiGHS); it stops on the
oracle's certified global bound.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

import coopt
from coopt.data.base import validate
from coopt.data.vaccine.schema import VaccineInstance
from coopt.games.vaccine.characteristic import solve_all
from coopt.games.vaccine.separation import VaccineSeparationOracle, members_of, subgame
from coopt.solve.result import Status


def random_instance(n: int, seed: int, d: float = 1.0) -> VaccineInstance:
    rng = np.random.default_rng(seed)
    players = []
    for i in range(n):
        a = rng.uniform(25, 100)
        rf = {"type": "logistic", "a": a, "b": rng.uniform(0, a)}
        M = rng.uniform(10, 100)
        players.append({"name": f"p{i}", "M": M, "r": 0.0, "return_function": rf})
    inst = validate(VaccineInstance, {"family": "vaccine", "name": f"random-{seed}", "players": players})
    ft = np.array([f.f_tilde for f in inst.functions])
    r = rng.uniform(0, d * ft * inst.M)
    return inst.with_overrides(players=[{**p, "r": float(x)} for p, x in zip(players, r)])


def cg_least_core(oracle: VaccineSeparationOracle, tol: float, k: int = 4, rounds: int = 300):
    """Minimal constraint generation: (epsilon, x, last separation, rounds)."""
    n = oracle.n
    vN = oracle.grand_value().value
    rows = {}
    for i in range(n):
        for m in (1 << i, ((1 << n) - 1) ^ (1 << i)):
            rows[m] = oracle.value(m).value
    for it in range(rounds):
        masks = list(rows)
        A = np.array([members_of(m, n) for m in masks], float)
        res = linprog(np.r_[np.zeros(n), 1.0], A_ub=np.hstack([-A, -np.ones((len(masks), 1))]),
                      b_ub=-np.array([rows[m] for m in masks]), A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[vN],
                      bounds=[(None, None)] * (n + 1), method="highs")
        x, e = res.x[:n], res.x[-1]
        sep = oracle.separate(x, k=k)
        assert sep.status == Status.OPTIMAL
        if sep.upper_bound - e <= tol:
            return e, x, sep, it
        new = [c for c in sep.coalitions if c.mask not in rows]
        assert new, "the oracle's bound says violated but it returned no new coalition"
        for c in new:
            rows[c.mask] = c.value
    raise AssertionError("constraint generation did not converge")


@pytest.fixture(scope="module")
def game8():
    inst = random_instance(8, 7)
    return inst, solve_all(inst), VaccineSeparationOracle(inst, rel_tol=1e-10)


def test_values_are_certified(game8):
    inst, ref, oracle = game8
    for mask in range(1, 2**8, 11):
        c = oracle.value(mask)
        assert c.value == pytest.approx(ref.v[mask], rel=1e-8, abs=1e-9)
        assert c.value <= ref.bound[mask] * (1 + 1e-10) + 1e-12 and c.upper >= ref.v[mask] * (1 - 1e-10) - 1e-12
    assert oracle.grand_value().value == pytest.approx(ref.v[-1], rel=1e-9)
    with pytest.raises(ValueError):
        oracle.value(0)


def test_separation_matches_brute_force(game8):
    inst, ref, oracle = game8
    n = inst.n
    masks = np.arange(1, 2**n - 1)
    bits = (masks[:, None] >> np.arange(n)) & 1
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = ref.v[-1] * rng.dirichlet(np.ones(n))
        excess = ref.v[masks] - bits @ x
        sep = oracle.separate(x, k=3)
        assert sep.status == Status.OPTIMAL
        assert sep.upper_bound >= excess.max() - 1e-9
        best = sep.coalitions[0]
        got = best.value - x[members_of(best.mask, n)].sum()
        assert got == pytest.approx(excess.max(), abs=1e-8 * max(1.0, abs(excess.max())))
        assert sep.upper_bound - got <= 1e-8 * max(1.0, abs(got)) + oracle.pool.chord_error
        assert len(sep.coalitions) <= 3 and all(0 < c.mask < 2**n - 1 for c in sep.coalitions)
        assert len({c.mask for c in sep.coalitions}) == len(sep.coalitions)


def test_time_limited_separation_has_no_certificate(game8):
    inst, _, _ = game8
    oracle = VaccineSeparationOracle(inst, rel_tol=0.0, node_limit=0)
    sep = oracle.separate(np.zeros(inst.n))
    assert sep.status == Status.TIME_LIMIT


def dense_least_core(v: np.ndarray, n: int) -> float:
    """epsilon* of the least-core LP with all 2^n - 2 rows (SciPy/HiGHS), from exact v(S)."""
    masks = np.arange(1, 2**n - 1)
    B = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    res = linprog(np.r_[np.zeros(n), 1.0], A_ub=np.hstack([-B, -np.ones((len(masks), 1))]), b_ub=-v[masks],
                  A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[v[-1]], bounds=[(None, None)] * (n + 1), method="highs")
    assert res.status == 0
    return float(res.x[-1])


@pytest.mark.parametrize("n, seed, d", [(6, 1, 1.0), pytest.param(8, 2, 0.5, marks=pytest.mark.slow),
                                        pytest.param(9, 4, 2.0, marks=pytest.mark.slow)])
def test_constraint_generation_equals_enumeration(n, seed, d):
    inst = random_instance(n, seed, d)
    e_ref = dense_least_core(np.asarray(solve_all(inst).v, float), n)
    oracle = VaccineSeparationOracle(inst, rel_tol=1e-10)
    scale = abs(oracle.grand_value().value)
    # stop within the B&B tolerance plus the price tables' chord error (the oracle's resolution)
    e, x, sep, rounds = cg_least_core(oracle, tol=1e-9 * scale + oracle.pool.chord_error)
    assert e == pytest.approx(e_ref, abs=1e-7 * scale)
    assert x.sum() == pytest.approx(oracle.grand_value().value, rel=1e-12)


@pytest.mark.slow
def test_constraint_generation_on_eight_us_states():
    us = coopt.load("vaccine/us-states")
    inst = subgame(us, list(us.names[:8]))
    e_ref = dense_least_core(np.asarray(solve_all(inst).v, float), inst.n)
    oracle = VaccineSeparationOracle(inst)
    scale = oracle.grand_value().value
    e, _, _, _ = cg_least_core(oracle, tol=1e-8 * scale + oracle.pool.chord_error)
    assert e == pytest.approx(e_ref, abs=1e-7 * scale)


@pytest.mark.parametrize("n, seed, d", [(8, 11, 1.0), pytest.param(10, 12, 0.5, marks=pytest.mark.slow),
                                        pytest.param(12, 14, 1.0, marks=pytest.mark.slow)])
def test_generic_engine_with_the_oracle_equals_enumeration(n, seed, d):
    """Issue acceptance: on random games with n <= 12, constraint generation (the tu engine with this
    oracle) and full enumeration agree on epsilon* to 1e-7 relative."""
    from coopt.games.tu.generation import least_core_cg

    inst = random_instance(n, seed, d)
    e_ref = dense_least_core(np.asarray(solve_all(inst).v, float), n)
    oracle = VaccineSeparationOracle(inst, rel_tol=1e-10)
    vN = oracle.grand_value().value
    lc = least_core_cg(oracle, tol=1e-9 + oracle.pool.chord_error / vN, batch=16)
    assert lc.status == Status.OPTIMAL
    assert lc.epsilon == pytest.approx(e_ref, abs=1e-7 * abs(vN))
    assert lc.separation_bound - lc.epsilon <= 1e-7 * abs(vN)

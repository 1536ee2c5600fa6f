"""vaccine.allocation: every formulation on the same coalitions; bounds bound, heuristics fall short.

References: exact v(S) checked independently in tests/games/vaccine/test_characteristic.py; here
the formulations are compared with each other (SCIP global and Ipopt local agree with the exact
value where they should, the PWL MILP optimum bounds it, the heuristic does not exceed it) and the
heuristic of Appendix B.1 is checked against hand computations from the paper's rules.
"""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.catalog import run
from coopt.data.vaccine.returns import Logistic
from coopt.formulations.vaccine.allocation import heuristic_allocation, heuristic_game_values, heuristic_values

EX3 = 2.331900


@pytest.fixture(scope="module")
def ex3():
    return coopt.load("vaccine/example-3")


def test_exact(ex3):
    res = run("vaccine.allocation", ex3, solver="exact")
    sol = res.solution
    assert res.status.value == "optimal" and sol["method"] == "exact"
    assert sol["value"] == pytest.approx(EX3, abs=1e-6) and sol["bound"] - sol["value"] < 1e-9
    assert set(sol["f"]) == {"1", "2", "3"}


def test_scip_global_matches_exact(ex3):
    res = run("vaccine.allocation", ex3, solver="scip")
    assert res.status.value == "optimal"
    assert res.solution["value"] == pytest.approx(EX3, abs=1e-5)
    assert res.solution["bound"] >= EX3 - 1e-5


def test_ipopt_is_local(ex3):
    good = run("vaccine.allocation", ex3, solver="ipopt", start="pro-rata")
    assert good.solution["value"] == pytest.approx(EX3, abs=1e-6)
    # from the heuristic's start Ipopt stays in a worse local optimum (notes: 2.0000)
    bad = run("vaccine.allocation", ex3, solver="ipopt", start="heuristic")
    assert bad.status.value == "locally_optimal"
    assert bad.solution["value"] < EX3 - 0.1


def test_pwl_milp_is_an_upper_bound_with_a_stated_gap(ex3):
    res = run("vaccine.allocation", ex3, solver="highs", pieces=16)
    sol = res.solution
    assert sol["method"] == "pwl-milp"
    assert sol["bound"] >= EX3 - 1e-9 and sol["value"] <= EX3 + 1e-9
    assert res.gap == pytest.approx((sol["bound"] - sol["value"]) / sol["value"], rel=1e-9)
    finer = run("vaccine.allocation", ex3, solver="highs", pieces=64).solution
    assert finer["bound"] - EX3 < sol["bound"] - EX3 + 1e-9  # refining the pieces tightens the bound


def test_coalition_option(ex3):
    res = run("vaccine.allocation", ex3, solver="exact", coalition=["2", "3"])
    assert res.solution["value"] == pytest.approx(1.999989, abs=1e-6)
    assert set(res.solution["f"]) == {"2", "3"}


def test_heuristic_rules_case_a_and_b():
    fn = Logistic(45, 25)
    ft = fn.f_tilde
    # case (a): R < sum M f~ -> fill f~ in the D-order (ties: file order), remainder to the next
    g = heuristic_allocation(np.array([1.0, 1.0, 1.0]), 1.0, [fn] * 3)
    assert g == pytest.approx([ft, 1.0 - ft, 0.0])
    # case (b): everybody f~ plus the surplus pro rata
    g = heuristic_allocation(np.array([1.0, 2.0]), 3 * ft + 0.3, [fn] * 2)
    assert g == pytest.approx([ft + 0.1, ft + 0.1])


def test_heuristic_falls_short_on_example2_and_repair_helps():
    ex2 = coopt.load("vaccine/example-2")
    raw, v, g = heuristic_values(ex2.M, ex2.r, ex2.functions)
    assert raw[7] == pytest.approx(0.96492, abs=1e-5)  # notes: v^H(N) = 0.96492 < v(N) = 1
    assert v[7] >= raw[7]
    fn = ex2.functions[0]  # pair: case (a) fills f~ for player 1, the remainder 2/3 - f~ for player 2
    assert v[3] == pytest.approx(fn.F(fn.f_tilde) + fn.F(2 / 3 - fn.f_tilde), rel=1e-12)
    assert v[3] < 0.993307 - 0.02  # exact pair value: all to one player
    for S in range(1, 8):  # the repair makes v^H superadditive
        K = (S - 1) & S
        while K:
            assert v[S] >= v[K] + v[S ^ K] - 1e-12
            K = (K - 1) & S
    frame, gN = heuristic_game_values(ex2)
    assert list(frame.columns) == ["members", "v", "v_raw", "bound"]
    assert sum(gN.values()) <= 1.0 + 1e-12


def test_heuristic_shortfall_under_scarcity():
    """Identical functions, scarce resources: B.1 ignores Thm 2(a) (smallest player first)."""
    from coopt.formulations.vaccine.knapsack import solve_arrays

    fn = Logistic(45, 25)
    M = np.array([3.0, 1.0])
    r = np.array([0.3, 0.3])  # R = 0.6 < f~ min M = 0.629: all to the smallest (player 2)
    exact = solve_arrays(M, r, [fn, fn], ("big", "small"))
    raw, v, g = heuristic_values(M, r, [fn, fn])
    assert exact.f[3] == pytest.approx([0.0, 0.6], abs=1e-9)
    assert v[3] < 0.05 * exact.v[3]  # the heuristic gives it to the big player: almost nothing


def test_sir_implicit_final_size_model_with_ipopt():
    """The Pyomo model writes eq. (24) implicitly; at Ipopt's point its objective equals the Lambert-W
    value of the same f (the '<=' final-size relation is tight) and never beats the exact optimum."""
    from coopt.games.vaccine.characteristic import coalition_value

    us = coopt.load("vaccine/us-hhs-2009")
    members = ["New England", "West", "Pacific Northwest"]
    res = run("vaccine.allocation", us, solver="ipopt", coalition=members)
    exact, _, _ = coalition_value(us, members)
    sol = res.solution
    s, f = res.values["s"], res.values["f"]
    assert set(s) == set(members)  # one final-size variable per SIR region
    funcs = us.return_functions()
    model_value = sum(us.M[us.names.index(nm)] * (s[nm] + funcs[nm].slope * f[nm]) for nm in members)
    # tight up to Ipopt's tolerance (1e-8 on s e^{-sigma s}, whose slope (1 - sigma s) e^{-sigma s} is small)
    assert model_value == pytest.approx(sol["value"], rel=1e-5)
    assert sol["value"] <= exact * (1 + 1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_repair_equals_the_loop(seed, monkeypatch):
    """The superadditivity repair by coalition size gives the loop's v and g, ties included."""
    from coopt.formulations.vaccine import allocation as al

    rng = np.random.default_rng(seed)
    n = 6
    v_raw = np.round(rng.uniform(0, 4, 2**n), 0)  # few distinct values: many ties between splits
    v_raw[0] = 0.0
    g = rng.uniform(0, 1, (2**n, n))
    fast = al._superadditive_repair(v_raw, g, n)
    monkeypatch.setattr(al, "REPAIR_TABLE_MAX", 0)
    loop = al._superadditive_repair(v_raw, g, n)
    assert np.array_equal(fast[0], loop[0]) and np.array_equal(fast[1], loop[1])
    assert np.any(fast[0] > v_raw)  # the repair did something


def test_heuristic_values_equal_coalition_by_coalition():
    """heuristic_values (f~, D~ once per player, F on arrays) = heuristic_allocation per coalition."""
    rng = np.random.default_rng(4)
    funcs = [Logistic(a, rng.uniform(0.2, 0.8) * a) for a in rng.uniform(25, 100, 5)]
    M = rng.uniform(10, 100, 5)
    r = rng.uniform(0, 1, 5) * M * 0.3
    raw, _, _ = heuristic_values(M, r, funcs)
    for S in range(1, 32):
        idx = [i for i in range(5) if S >> i & 1]
        gi = heuristic_allocation(M[idx], float(np.sum(r[idx])), [funcs[i] for i in idx])
        assert raw[S] == sum(m * f.F(x) for f, m, x in zip([funcs[i] for i in idx], M[idx], gi))

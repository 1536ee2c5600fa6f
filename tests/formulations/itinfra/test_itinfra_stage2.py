"""itinfra.stage2 and itinfra.singleton: Stage-2 payoffs from solves against eqs. (4)-(9), every solver."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coopt
from coopt.catalog import run
from coopt.errors import InputError
from coopt.formulations.itinfra import closed_form as cf

SOLVERS = ["highs", "ipopt", "scip", "exact", "clarabel", "osqp", "highs-cvxpy"]
TOL = 1e-6


@pytest.mark.parametrize("solver", SOLVERS)
def test_worked_case_every_size_matches_the_paper(solver):
    inst = coopt.load("itinfra/worked-case")
    n, k, b, a = inst.n, inst.kappa, inst.beta, inst.alpha
    r0 = run("itinfra.stage2", inst, solver=solver, j=0)
    assert r0.ok and r0.solution["S_single"] == pytest.approx(0.668688, abs=1e-6)  # notes' worked case
    for j in range(2, n + 1):
        r = run("itinfra.stage2", inst, solver=solver, j=j)
        assert r.ok, (j, r.status)
        s = r.solution
        assert s["g_in"] == pytest.approx(cf.g_in(j, k, a), rel=TOL)
        assert s["g_out"] == pytest.approx(cf.g_out(k), rel=TOL)
        assert s["S_in"] == pytest.approx(cf.S_in(j, n, k, b, a), rel=TOL)
        assert s["CW"] == pytest.approx(cf.CW(j, n, k, b, a), rel=TOL)
        if j < n:
            assert s["S_out"] == pytest.approx(cf.S_out(j, n, k, b, a), rel=TOL)
        assert r.closed_form_error < TOL
    assert run("itinfra.stage2", inst, solver=solver, j=2).solution["S_in"] == pytest.approx(0.778278, abs=1e-6)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 12), kappa=st.floats(0.0, 0.5), beta=st.floats(0.0, 1.0), alpha=st.floats(0.05, 0.95),
       p=st.floats(0.2, 5.0))
def test_random_instances_exact_and_highs_agree_with_eq_5_8_9(n, kappa, beta, alpha, p):
    inst = coopt.load("itinfra/paper-figure1", {"n": n, "kappa": kappa, "beta": beta, "alpha": alpha, "p": p})
    for solver in ("exact", "highs"):
        s0 = run("itinfra.stage2", inst, solver=solver, j=0).solution
        assert s0["S_single"] == pytest.approx(cf.S_single(n, kappa, beta, p), rel=TOL, abs=1e-9)
        for j in range(2, n + 1):
            s = run("itinfra.stage2", inst, solver=solver, j=j).solution
            assert s["S_in"] == pytest.approx(cf.S_in(j, n, kappa, beta, alpha, p), rel=TOL, abs=1e-9)
            # eq. (5): B_in = S_in + TC/j
            b_in = s["S_in"] + alpha * p * s["total_inside"] ** 2 / j
            assert b_in == pytest.approx(cf.B_in(j, n, kappa, beta, alpha, p), rel=TOL, abs=1e-9)
            if j < n:
                assert s["S_out"] == pytest.approx(cf.S_out(j, n, kappa, beta, alpha, p), rel=TOL, abs=1e-9)


def test_binding_upper_bound_is_solved_by_the_model_not_the_closed_form():
    inst = coopt.load("itinfra/worked-case", {"g_max": 0.4})
    for solver in ("exact", "highs"):
        r = run("itinfra.stage2", inst, solver=solver, j=2)
        assert r.ok
        assert r.solution["g_in"] == pytest.approx(0.4, rel=1e-6)  # unconstrained 0.5556 > g_max
        assert r.closed_form == {}


def test_bad_size_is_one_line_input_error():
    inst = coopt.load("itinfra/worked-case")
    with pytest.raises(InputError, match="option 'j' = 1"):
        run("itinfra.stage2", inst, solver="exact", j=1)


@pytest.mark.parametrize("solver", ["highs", "ipopt", "scip"])
def test_singleton_problem_matches_eq_9(solver):
    inst = coopt.load("itinfra/worked-case")
    r = run("itinfra.singleton", inst, solver=solver)
    assert r.ok
    assert r.solution["S_single"] == pytest.approx(cf.S_single(inst.n, inst.kappa, inst.beta), rel=TOL)
    assert r.solution["g_single"] == pytest.approx(cf.g_single(inst.kappa), rel=TOL)
    assert r.solution["SW_single"] == pytest.approx(cf.SW_single(inst.n, inst.kappa, inst.beta), rel=TOL)
    assert r.closed_form_error < TOL

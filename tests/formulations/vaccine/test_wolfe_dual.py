"""Wolfe dual (14): the Pyomo model (SCIP) against the exact bisection and the paper's dual points."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coopt.errors import InputError
from coopt.formulations.vaccine.wolfe_dual import (
    Envelope,
    build,
    dual_function,
    ginsberg_expr,
    logistic_expr,
    solve_exact,
)
from coopt.solve import Status, solve


def gins(f):
    return math.exp(0.75 - 0.5 / f) if f > 0 else 0.0


def dgins(f):
    return 0.5 / f**2 * gins(f) if f > 0 else 0.0


M = (10.0, 20.0, 30.0, 45.0)
D_TILDE = 2 * math.exp(-0.25)  # D_F(f~) of exp(0.75 - 0.5/f), notes 1.1


def players():
    return [Envelope(m, gins, dgins, 0.5) for m in M]


@pytest.mark.parametrize("R,lam", [(20.0, D_TILDE), (70.0, 1.125), (3.0, D_TILDE)])
def test_exact_multiplier_matches_dual_points_15_16(R, lam):
    # (15): R = f~ (M1 + M2) -> lambda = D_F(f~); (16): R = 70 > f~ sum M -> lambda = F'(2/3) = 1.125;
    # scarcity R = 3: the envelope is linear where it matters, lambda = D_F(f~)
    sol = solve_exact(players(), R)
    assert sol.lam == pytest.approx(lam, rel=1e-10)
    assert sol.value == pytest.approx(sol.primal_value, rel=1e-10)  # strong duality D(S) = v_2(S)
    assert abs(sol.budget_residual) <= 1e-9 * R


def test_dual_function_is_minimised_at_lambda_star():
    sol = solve_exact(players(), 70.0)
    for d in (-0.05, -1e-3, 1e-3, 0.05):
        assert dual_function(players(), 70.0, sol.lam + d) >= sol.value - 1e-10


@pytest.mark.parametrize("R", [3.0, 20.0, 70.0])
def test_scip_model_agrees_with_exact(R):
    m = build(players(), R, [ginsberg_expr(0.75, 0.5)] * 4)
    res = solve(m, "scip", "MINLP", tol=1e-8, gap=1e-7, time_limit=60)
    assert res.status == Status.OPTIMAL
    exact = solve_exact(players(), R)
    assert res.objective == pytest.approx(exact.value, rel=1e-6)
    assert res.values["lam"] == pytest.approx(exact.lam, rel=1e-6)


def test_logistic_players_individual_functions():
    rng = np.random.default_rng(2)
    env, exprs = [], []
    for _ in range(3):
        a = rng.uniform(25, 100)
        b = rng.uniform(0.2, 0.8) * a

        def F(f, a=a, b=b):
            return 1 / (1 + math.exp(-a * f + b))

        def dF(f, a=a, b=b):
            e = math.exp(-a * f + b)
            return a * e / (1 + e) ** 2

        from scipy.optimize import brentq

        ft = brentq(lambda f, F=F, dF=dF: f * dF(f) - (F(f) - F(0)), b / a, b / a + 50 / a, xtol=1e-15)
        env.append(Envelope(rng.uniform(10, 100), F, dF, ft))
        exprs.append(logistic_expr(a, b))
    R = 0.8 * sum(e.M * e.f_tilde for e in env)
    exact = solve_exact(env, R)
    res = solve(build(env, R, exprs), "scip", "MINLP", tol=1e-8, gap=1e-7, time_limit=60)
    assert res.status == Status.OPTIMAL
    assert res.objective == pytest.approx(exact.value, rel=1e-6)


def test_bad_input():
    with pytest.raises(InputError, match="R\\(S\\)"):
        solve_exact(players(), 0.0)
    with pytest.raises(InputError, match="one Pyomo expression"):
        build(players(), 5.0, [ginsberg_expr(0.75, 0.5)])

"""Composed problems report what actually happened inside them (issues 9.4 and 10.1).

A composed problem carries the worst status of its sub-solves (time limit, local optimum, infeasible
sub-problem), never optimal by default; a missing gap never counts as 0; an infeasible LP is an
answer in its own field, not an optimum.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import coopt
import coopt.data.itinfra.heterogeneous  # noqa: F401  (registers the itinfra-het family)
from coopt.catalog import run
from coopt.solve import Result, Status
from coopt.solve.registry import SOLVERS


def test_wolfe_dual_reports_scip_time_limit():
    inst = coopt.load("vaccine/example-3")
    r = run("vaccine.wolfe_dual", inst, solver="scip", time_limit=1e-3)
    assert r.status == Status.TIME_LIMIT  # it said optimal whatever SCIP did
    assert r.solution["model_status"] == "time_limit" and any("time_limit" in m for m in r.messages)
    ok = run("vaccine.wolfe_dual", inst, solver="scip")
    assert ok.status == Status.OPTIMAL and ok.solution["model_status"] == "optimal"


def test_wolfe_dual_scip_bound_checked_against_the_exact_dual(monkeypatch):
    """A SCIP lower bound on (14) above the exact D(S) (a feasible value of (14)) is a failed certificate."""
    import coopt.games.vaccine.wolfe as W

    real = W.solve

    def forged(model, solver, cls, **opts):
        res = real(model, solver, cls, **opts)
        res.bound = (res.objective or 0.0) + 1.0  # a 'lower bound' above a feasible value
        return res

    monkeypatch.setattr(W, "solve", forged)
    r = run("vaccine.wolfe_dual", coopt.load("vaccine/example-3"), solver="scip")
    assert r.solution["model_status"] == "feasible" and r.status == Status.FEASIBLE
    assert any("failed certificate" in m for m in r.solution["model_messages"])


@pytest.mark.parametrize("solver", ["ipopt", "scip"])
def test_heterogeneous_time_limit_is_a_status_not_a_key_error(solver):
    if not SOLVERS[solver].available:
        pytest.skip(f"{solver} not installed")
    inst = coopt.load("itinfra/het-two-types")
    t0 = time.perf_counter()
    r = run("itinfra.heterogeneous", inst, solver=solver, time_limit=0.05)
    assert time.perf_counter() - t0 < 30  # one time limit for the whole enumeration
    assert r.status == Status.TIME_LIMIT
    assert r.solution["equilibria"] is None and any("not every composition" in m for m in r.messages)


def test_heterogeneous_carries_the_worst_sub_status():
    inst = coopt.load("itinfra/het-two-types")
    r = run("itinfra.heterogeneous", inst, solver="ipopt")  # local solves: no global claim
    assert r.status == Status.LOCALLY_OPTIMAL and r.solution["equilibria"]


def test_dpshare_milp_search_missing_gap_is_not_zero(monkeypatch):
    import coopt.solve as S

    real = S.solve

    def no_bound(model, solver, cls, **opts):
        res = real(model, solver, cls, **opts)
        res.bound = res.gap = None
        return res

    monkeypatch.setattr(S, "solve", no_bound)
    inst = coopt.load("dpshare/lemma3-example")
    r = run("dpshare.equilibria", inst, solver="highs")
    assert r.gap is None and r.status == Status.FEASIBLE  # was: gap 0.0 and optimal
    assert any("without a bound" in m or "no bound" in m for m in r.messages)
    b = run("dpshare.best_stable", inst, solver="highs")
    assert b.gap is None and b.status == Status.FEASIBLE


def test_market_lp_infeasible_is_an_answer_field():
    r = run("vaccine.market", coopt.load("vaccine/example-2"), solver="highs")  # Example 2: empty core
    assert r.solution["lp_status"] == "infeasible" and r.objective is None
    assert r.solution["market_allocation_exists"] is False and r.solution["core_price_interval"] is None
    assert r.status == Status.OPTIMAL  # the answer "no market allocation" is proven twice (LP and interval)
    ok = run("vaccine.market", coopt.load("vaccine/example-3"), solver="highs")
    assert ok.solution["market_allocation_exists"] is True and ok.objective == pytest.approx(1.7980, abs=2e-4)


def sixteen_players():
    rng = np.random.default_rng(16)
    players = []
    for i in range(16):
        a = float(rng.uniform(25, 100))
        players.append({"name": f"P{i}", "M": float(rng.uniform(10, 100)), "r": float(rng.uniform(0, 0.3)),
                        "return_function": {"type": "logistic", "a": a, "b": float(rng.uniform(0, a))}})
    from coopt.experiments.vaccine.common import make_instance

    return make_instance({"name": "sixteen", "players": players})


def test_exact_values_of_16_players_honour_the_time_limit():
    inst = sixteen_players()
    for problem in ("vaccine.game", "vaccine.allocation"):
        t0 = time.perf_counter()
        r = run(problem, inst, solver="exact", time_limit=0.5)
        assert r.status == Status.TIME_LIMIT, (problem, r.status)
        assert time.perf_counter() - t0 < 15, problem  # the limit, plus set-up and one unit of work
        assert any("time limit" in m for m in r.messages)


def test_vaccine_game_exact_gap_is_judged():
    r = run("vaccine.game", coopt.load("vaccine/example-1"), solver="exact")
    assert r.status == Status.OPTIMAL and r.gap is not None and r.gap <= 1e-6


def test_stage2_table_keeps_the_worst_status(monkeypatch):
    import coopt.games.itinfra.stage2_table as T

    calls = {"n": 0}
    real = T.solve

    def flaky(model, solver, cls, **opts):
        res = real(model, solver, cls, **opts)
        calls["n"] += 1
        if calls["n"] == 2:
            res.status = Status.TIME_LIMIT
        elif calls["n"] == 3:
            res.status = Status.LOCALLY_OPTIMAL
        return res

    monkeypatch.setattr(T, "solve", flaky)
    table = T.solve_stage2(coopt.load("itinfra/paper-figure1"), "highs")
    assert table.status == Status.TIME_LIMIT  # not the first non-optimal one met, the worst


def test_result_worst_helper_in_composed_results():
    from coopt.solve.status import worst

    subs = [Result("p", Status.OPTIMAL, "s"), Result("p", Status.INFEASIBLE, "s")]
    assert worst(r.status for r in subs) == Status.INFEASIBLE

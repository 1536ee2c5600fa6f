"""vaccine.market: LP (18)-(23), closed-form interval, prices p1-p4 and benchmarks on the examples."""

from __future__ import annotations

import numpy as np
import pytest

from coopt.games.vaccine.market import MarketData, analyze_market


def data_for(curves, M, r, f):
    return MarketData(np.asarray(M, float), np.asarray(r, float), [c.F for c in curves], [c.dF for c in curves],
                      np.array([c.f_tilde for c in curves]), np.asarray(f, float))


def test_example3_core_non_empty_but_no_market_allocation(scurve, brute):
    F = scurve("logistic", 45, 25)
    r = [0.1, 1.0, 0.65]
    game, f = brute([F] * 3, [1, 1, 1], r)
    assert f == pytest.approx([1.75 / 3] * 3, abs=1e-6)
    sol = analyze_market(game, data_for([F] * 3, [1, 1, 1], r, f))
    assert sol["lp_objective"] == pytest.approx(1.7980, abs=2e-4)
    assert not sol["market_allocation_in_core"] and sol["core_price_interval"] is None
    assert sol["lp_agrees_with_interval"]
    assert not any(p["in_core"] for p in sol["prices"].values())
    # individual prices of the LP: player 1 pays at most 1.60821, player 3 asks at least 3.12955 (notes 4)
    p = sol["lp_prices"]
    assert p["p0"] <= 1.60821 + 1e-5 and p["p2"] >= 3.12955 - 3e-4
    assert max(p.values()) - min(p.values()) == pytest.approx(sol["lp_objective"], abs=1e-7)


def test_example1_market_allocation_and_p1_in_core(scurve, brute):
    F = scurve("logistic", 45, 25)
    r = [0.2, 0.2, 0.2]
    game, f = brute([F] * 3, [1, 1, 1], r)
    sol = analyze_market(game, data_for([F] * 3, [1, 1, 1], r, f))
    assert sol["market_allocation_in_core"] and sol["lp_objective"] == pytest.approx(0.0, abs=1e-7)
    assert sol["prices"]["p1"]["price"] == pytest.approx(1.467995, abs=1e-5)
    assert sol["prices"]["p1"]["in_core"]  # Theorem 3: A(N) is a core price
    assert sol["proportional"]["pro_rata"]["in_core"]  # the equal split (paper, Example 1)


def test_theorem5_instance_p4_in_core_p1_not(scurve, brute):
    F = scurve("ginsberg", 0.75, 0.5)
    M, r = [10, 20, 30, 45], [5, 25, 12, 28]
    game, f = brute([F] * 4, M, r)
    sol = analyze_market(game, data_for([F] * 4, M, r, np.full(4, 2 / 3)), rel_tol=1e-7)
    assert sol["prices"]["p4"]["in_core"] and sol["prices"]["p4"]["price"] == pytest.approx(1.125)
    assert not sol["prices"]["p1"]["in_core"]
    assert sol["prices"]["p1"]["most_violated"]  # names the coalition that objects
    assert sol["core_price_interval"] == pytest.approx([1.106762, 1.173640], abs=1e-5)  # epsilon = 1e-5


def test_empty_core_lp_infeasible(scurve, brute):
    F = scurve("logistic", 45, 25)
    r = [1 / 3] * 3
    game, f = brute([F] * 3, [1, 1, 1], r)
    sol = analyze_market(game, data_for([F] * 3, [1, 1, 1], r, f))
    assert sol["lp_status"] == "infeasible" and sol["lp_objective"] is None
    assert not sol["market_allocation_in_core"]

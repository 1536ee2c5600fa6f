"""Market-price LP (18)-(23) against the closed-form price interval and the paper's examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coopt.formulations.vaccine import market_lp
from coopt.formulations.vaccine.core_lp import CoalitionValues, member_matrix
from coopt.solve import Status, solve

NAMES = ("1", "2", "3")


def F(f):  # logistic(45, 25) of Examples 1-3
    return 1.0 / (1.0 + math.exp(-45 * f + 25))


def three(v1, v2, v3, v12, v13, v23, vN):
    return CoalitionValues.from_mapping(NAMES, {
        ("1",): v1, ("2",): v2, ("3",): v3, ("1", "2"): v12, ("1", "3"): v13, ("2", "3"): v23,
        ("1", "2", "3"): vN})


def lp(game, own, trade, eps=1e-5):
    m = market_lp.build(game, own, trade, eps)
    res = solve(m, "highs", "LP")
    return res, (res.objective * market_lp.price_unit(m) if res.objective is not None else None)


def test_example1_market_price_interval_and_lp_zero():
    # f* = (0.6, 0, 0): all resources to player 1 (notes: core prices [0.002278, 2.201992])
    vN = F(0.6) + 2 * F(0)
    g = three(F(0.2), F(0.2), F(0.2), F(0.4) + F(0), F(0.4) + F(0), F(0.4) + F(0), vN)
    own = np.array([F(0.6), F(0), F(0)])
    trade = np.array([0.2 - 0.6, 0.2, 0.2])
    lo, hi = market_lp.market_price_interval(g, own, trade, epsilon=0.0)
    assert lo == pytest.approx(0.002278, abs=2e-6) and hi == pytest.approx(2.201992, abs=2e-6)
    res, obj = lp(g, own, trade)
    assert res.status == Status.OPTIMAL and obj == pytest.approx(0.0, abs=1e-9)


def test_example3_no_market_allocation_lp_spread():
    # exact values and f* = 1.75/3 each (notes): LP optimum 1.7980, interval empty
    g = three(0, 1.0, 0.985936, 1.0, 0.999842, 1.999989, 3 * F(1.75 / 3))
    fs = 1.75 / 3
    own = np.array([F(fs)] * 3)
    trade = np.array([0.1, 1.0, 0.65]) - fs
    assert market_lp.market_price_interval(g, own, trade) is None
    res, obj = lp(g, own, trade)
    assert res.status == Status.OPTIMAL
    assert obj == pytest.approx(1.7980, abs=2e-4)
    # the paper's bounds of Example 3 (exact: 1.60821 and 3.12955)
    assert (F(fs) - 0) / (fs - 0.1) == pytest.approx(1.60821, abs=1e-5)
    assert (0.985936 - F(fs)) / (0.65 - fs) == pytest.approx(3.12955, abs=1e-4)


def test_empty_core_makes_lp_infeasible():
    g = three(4.5e-5, 4.5e-5, 4.5e-5, 0.993307, 0.993307, 0.993307, 1.0)
    own = np.array([F(1.0), 0, 0])
    trade = np.array([1 / 3 - 1.0, 1 / 3, 1 / 3])
    res, _ = lp(g, own, trade)
    assert res.status == Status.INFEASIBLE
    assert market_lp.market_price_interval(g, own, trade) is None


def test_theorem1_two_player_interval():
    # notes 7.3: F1 = exp(0.6 - 0.4/f), F2 = logistic(30, 12), M = (40, 25), r = (14, 2), f* = (0.4, 0)
    def F1(f):
        return math.exp(0.6 - 0.4 / f) if f > 0 else 0.0

    def F2(f):
        return 1 / (1 + math.exp(-30 * f + 12))

    M, r, fs = np.array([40.0, 25.0]), np.array([14.0, 2.0]), np.array([0.4, 0.0])
    g = CoalitionValues.from_mapping(("a", "b"), {
        ("a",): 40 * F1(14 / 40), ("b",): 25 * F2(2 / 25), ("a", "b"): 40 * F1(0.4) + 25 * F2(0.0)})
    own = np.array([40 * F1(0.4), 25 * F2(0.0)])
    lo, hi = market_lp.market_price_interval(g, own, r - fs * M, epsilon=0.0)
    assert lo == pytest.approx(0.000770, abs=1e-6) and hi == pytest.approx(1.784688, abs=1e-6)


@pytest.mark.parametrize("seed", range(10))
def test_lp_verdict_equals_interval_on_random_games(seed):
    rng = np.random.default_rng(seed)
    n = 4
    B = member_matrix(n)
    trade = rng.normal(size=n)
    trade -= trade.mean()
    own = rng.uniform(1, 2, n)
    p0 = rng.uniform(0.5, 1.5)
    x0 = own + p0 * trade  # a market allocation; v(S) just below or above it
    v = B @ x0 - rng.uniform(-0.05, 0.3, 2**n)
    v[0] = 0
    v[-1] = own.sum()
    g = CoalitionValues(tuple("abcd"), v)
    interval = market_lp.market_price_interval(g, own, trade, epsilon=0.0)
    res, obj = lp(g, own, trade, eps=0.0)
    if interval is not None:
        assert res.status == Status.OPTIMAL and obj == pytest.approx(0.0, abs=1e-8)
        p = 0.5 * (interval[0] + interval[1])
        assert np.all(B[1:-1] @ (own + p * trade) >= v[1:-1] - 1e-9)
    else:
        assert res.status == Status.INFEASIBLE or obj > 1e-8

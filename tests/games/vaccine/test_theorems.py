"""Theorems 1-5 of the paper on generated instances, with v(S) by an independent brute force.

Theorem 1 (two players: core = market allocations with the printed price interval), Theorem 2
(identical F: the optimal structure in cases a, b, c), Theorems 3-5 (identical F: the market
allocation with the theorem's price is in the core), and the Wolfe-dual multiplier (Thms 4-5).
"""

from __future__ import annotations

import numpy as np
import pytest

from coopt.formulations.vaccine import market_lp
from coopt.formulations.vaccine.prices import market_allocation
from coopt.formulations.vaccine.wolfe_dual import Envelope, solve_exact
from coopt.games.vaccine.core import least_core, most_violated

REL = 2e-7  # brute-force v(S) is exact to ~1e-9 relative; core checks allow this much round-off


def in_core(game, x, rel=REL):
    mv = most_violated(game, x)
    tol = rel * max(1.0, game.v.max())
    return mv["excess"] <= tol and abs(mv["efficiency_gap"]) <= tol, mv


def random_curve(rng, scurve, kind):
    if kind == "ginsberg":
        return scurve("ginsberg", rng.uniform(0, 1), rng.uniform(0.2, 1))
    a = rng.uniform(25, 100)
    return scurve("logistic", a, rng.uniform(0.1, 0.9) * a)


@pytest.mark.parametrize("seed", range(6))
def test_theorem1_two_players_core_equals_market_interval(seed, scurve, brute):
    rng = np.random.default_rng(seed)
    curves = [random_curve(rng, scurve, k) for k in ("ginsberg", "logistic")]
    M = rng.uniform(10, 100, 2)
    r = np.array([rng.uniform(0, 1.5 * c.f_tilde * m) for c, m in zip(curves, M)])
    game, f = brute(curves, M, r)
    lc = least_core(game)
    assert lc.epsilon_star <= 1e-9 * game.v.max()  # the two-player core is never empty
    own = np.array([m * c.F(x) for c, m, x in zip(curves, M, f)])
    trade = r - f * M
    interval = market_lp.market_price_interval(game, own, trade, epsilon=0.0, rel_tol=1e-7)
    assert interval is not None
    if abs(trade[0]) < 1e-9 * r.sum():
        return  # nobody trades: every price works
    s, b = (0, 1) if trade[0] > 0 else (1, 0)
    lo = M[s] * (curves[s].F(r[s] / M[s]) - curves[s].F(f[s])) / (r[s] - M[s] * f[s])
    hi = M[b] * (curves[b].F(f[b]) - curves[b].F(r[b] / M[b])) / (M[b] * f[b] - r[b])
    assert interval == pytest.approx((lo, hi), rel=1e-6, abs=1e-9)
    # the core's x_1 range [v1, v(N) - v2] maps onto that price interval (all core points are market)
    x1_lo, x1_hi = game.v[1], game.v_grand - game.v[2]
    p_from_x1 = sorted(((x1_lo - own[0]) / trade[0], (x1_hi - own[0]) / trade[0]))
    assert p_from_x1 == pytest.approx([lo, hi], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("case", ["a", "b", "c"])
def test_theorem2_identical_functions_structure(case, scurve, brute):
    F = scurve("ginsberg", 0.75, 0.5)  # f~ = 0.5
    M = np.array([10.0, 20.0, 30.0, 45.0])
    ft = F.f_tilde
    R = {"a": 0.8 * ft * M.min(), "b": ft * (M[0] + M[2]), "c": 1.3 * ft * M.sum()}[case]
    v, f = brute([F] * 4, M, [R, 0, 0, 0], grid=1200)
    claimed = {"a": np.array([R / M[0], 0, 0, 0]), "b": np.array([ft, 0, ft, 0]),
               "c": np.full(4, R / M.sum())}[case]
    v_claim = sum(m * F.F(x) for m, x in zip(M, claimed))
    assert v.v_grand == pytest.approx(v_claim, rel=1e-9)
    assert M @ claimed == pytest.approx(R)


def identical_instance(rng, scurve, kind):
    F = random_curve(rng, scurve, kind)
    M = rng.uniform(10, 100, 4)
    return F, M


@pytest.mark.parametrize("kind,seed", [("ginsberg", 0), ("logistic", 1), ("ginsberg", 2)])
def test_theorem3_scarcity_price_in_core(kind, seed, scurve, brute):
    rng = np.random.default_rng(seed)
    F, M = identical_instance(rng, scurve, kind)
    k = int(np.argmin(M))
    R = 0.7 * F.f_tilde * M[k]
    r = rng.dirichlet(np.ones(4)) * R
    game, _ = brute([F] * 4, M, r)
    f = np.zeros(4)
    f[k] = R / M[k]
    p = (F.F(R / M[k]) - F.F(0)) / (R / M[k])  # D_F(R(N) / M_k)
    ok, mv = in_core(game, market_allocation(M, r, f, [F.F] * 4, p))
    assert ok, mv


@pytest.mark.parametrize("kind,seed", [("ginsberg", 3), ("logistic", 4)])
def test_theorem4_tangent_price_in_core_and_wolfe_multiplier(kind, seed, scurve, brute):
    rng = np.random.default_rng(seed)
    F, M = identical_instance(rng, scurve, kind)
    ft = F.f_tilde
    K = [0, 2]
    R = ft * M[K].sum()
    r = rng.dirichlet(np.ones(4)) * R
    game, _ = brute([F] * 4, M, r, grid=2000)
    f = np.zeros(4)
    f[K] = ft
    D = (F.F(ft) - F.F(0)) / ft
    ok, mv = in_core(game, market_allocation(M, r, f, [F.F] * 4, D))
    assert ok, mv
    w = solve_exact([Envelope(m, F.F, F.dF, ft) for m in M], R)
    assert w.lam == pytest.approx(D, rel=1e-9)
    assert w.value == pytest.approx(game.v_grand, rel=1e-7)  # relaxation tight: v_2(N) = v(N)


@pytest.mark.parametrize("kind,seed", [("ginsberg", 5), ("logistic", 6)])
def test_theorem5_abundance_price_in_core(kind, seed, scurve, brute):
    rng = np.random.default_rng(seed)
    F, M = identical_instance(rng, scurve, kind)
    R = 1.4 * F.f_tilde * M.sum()
    r = rng.dirichlet(np.ones(4)) * R
    game, _ = brute([F] * 4, M, r)
    fstar = R / M.sum()
    p = F.dF(fstar)
    ok, mv = in_core(game, market_allocation(M, r, np.full(4, fstar), [F.F] * 4, p))
    assert ok, mv
    w = solve_exact([Envelope(m, F.F, F.dF, F.f_tilde) for m in M], R)
    assert w.lam == pytest.approx(p, rel=1e-9)
    # A(N) = D_F(f*) >= F'(f*): the average price is not always a core price (notes 7.4)
    assert (F.F(fstar) - F.F(0)) / fstar >= p


def test_theorem5_notes_instance_p1_not_in_core(scurve, brute):
    # notes 7.4: F = exp(0.75 - 0.5/f), M = (10,20,30,45), r = (5,25,12,28): p4 = 1.125 in core, A(N) = 1.5 not
    F = scurve("ginsberg", 0.75, 0.5)
    M, r = np.array([10.0, 20, 30, 45]), np.array([5.0, 25, 12, 28])
    game, _ = brute([F] * 4, M, r)
    f = np.full(4, 2 / 3)
    assert in_core(game, market_allocation(M, r, f, [F.F] * 4, 1.125))[0]
    assert not in_core(game, market_allocation(M, r, f, [F.F] * 4, 1.5))[0]
    interval = market_lp.market_price_interval(game, M * F.F(2 / 3), r - f * M, epsilon=0.0, rel_tol=1e-7)
    assert interval == pytest.approx((1.106762, 1.173640), abs=2e-6)


def test_wolfe_analysis_theorem4_instance_lambda_is_core_price(scurve, brute):
    from coopt.formulations.vaccine.wolfe_dual import ginsberg_expr
    from coopt.games.vaccine.wolfe import wolfe_analysis

    F = scurve("ginsberg", 0.75, 0.5)
    M, r = np.array([10.0, 20, 30, 45]), np.array([2.0, 8, 4, 6])  # R = f~ (M1 + M3): f* = (0.5, 0, 0.5, 0)
    game, _ = brute([F] * 4, M, r, grid=2000)
    g = np.array([0.5, 0, 0.5, 0])
    env = [Envelope(m, F.F, F.dF, F.f_tilde) for m in M]
    out = wolfe_analysis(game.names, env, float(r.sum()), [ginsberg_expr(0.75, 0.5)] * 4, game, r, g)
    D = 2 * np.exp(-0.25)
    assert out["lambda"] == pytest.approx(D, rel=1e-9)
    assert out["lambda_model"] == pytest.approx(D, rel=1e-6)
    assert set(out["lambda_equals_D"]) == set(game.names)
    assert out["relaxation_tight"] and out["lambda_in_core_interval"]
    assert out["market_allocation_at_lambda_in_core"]
    assert out["core_price_interval"][0] == pytest.approx(D, rel=1e-6)  # notes: lower end of [1.5576, 1.5664]


def test_wolfe_relaxation_not_tight_in_the_gap(scurve, brute):
    # notes: logistic(45,25), M = (1,1), R = 1: optimum (1, 0) but v = 1.0 < v_2 = F(0) + 1 * D(f~) + F(0)
    from coopt.games.vaccine.wolfe import wolfe_analysis

    F = scurve("logistic", 45, 25)
    M, r = np.array([1.0, 1.0]), np.array([0.5, 0.5])
    game, f = brute([F] * 2, M, r)
    env = [Envelope(m, F.F, F.dF, F.f_tilde) for m in M]
    out = wolfe_analysis(game.names, env, 1.0, None, game, r, f)
    assert out["v2"] == pytest.approx(2 * F.F(0) + (F.F(F.f_tilde) - F.F(0)) / F.f_tilde, rel=1e-9)
    assert not out["relaxation_tight"]

"""tu.shapley / tu.banzhaf against the defining formulas, the Shapley axioms as properties, and sampling."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tu_refs import random_game, shapley_by_orders

import coopt
from coopt.data.tu import TUGame, from_game
from coopt.games.tu.values import banzhaf, shapley, shapley_sampled
from coopt.solve.result import Status


def banzhaf_formula(v, n):
    return np.array([sum(v[m | 1 << i] - v[m] for m in range(2**n) if not m >> i & 1) / 2 ** (n - 1)
                     for i in range(n)])


def shapley_formula(v, n):
    phi = np.zeros(n)
    for i in range(n):
        for m in range(2**n):
            if not m >> i & 1:
                s = bin(m).count("1")
                phi[i] += math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) * (v[m | 1 << i] - v[m])
    return phi


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_exact_values_equal_the_formulas(n):
    v = random_game(np.random.default_rng(n), n, "normal")
    g = TUGame(tuple(f"p{i}" for i in range(n)), v)
    np.testing.assert_allclose(shapley(g), shapley_formula(v, n), atol=1e-12)
    np.testing.assert_allclose(banzhaf(g), banzhaf_formula(v, n), atol=1e-12)
    if n <= 5:
        np.testing.assert_allclose(shapley(g), shapley_by_orders(v, n), atol=1e-12)


def test_blocked_pass_equals_a_single_pass(monkeypatch):
    """n above the block size: the blockwise sums over 2^n masks give the same value."""
    import coopt.games.tu.values as values

    v = random_game(np.random.default_rng(3), 9, "normal")
    g = TUGame(tuple(f"p{i}" for i in range(9)), v)
    whole = shapley(g), banzhaf(g)
    monkeypatch.setattr(values, "BLOCK", 4)
    np.testing.assert_allclose(values.shapley(g), whole[0], atol=1e-12)
    np.testing.assert_allclose(values.banzhaf(g), whole[1], atol=1e-12)


game_args = dict(n=st.integers(2, 7), seed=st.integers(0, 10**6))


def _game(n, seed, kind="normal"):
    return TUGame(tuple(f"p{i}" for i in range(n)), random_game(np.random.default_rng(seed), n, kind))


@settings(max_examples=40, deadline=None)
@given(**game_args)
def test_shapley_efficiency(n, seed):
    g = _game(n, seed)
    assert shapley(g).sum() == pytest.approx(g.v_grand, abs=1e-9 * max(1.0, g.scale()))


@settings(max_examples=40, deadline=None)
@given(**game_args, i=st.integers(0, 6), j=st.integers(0, 6))
def test_shapley_symmetry(n, seed, i, j):
    i, j = i % n, j % n
    v = random_game(np.random.default_rng(seed), n, "normal")
    for m in range(2**n):  # make i and j symmetric: v(S + i) = v(S + j) for S without both
        if (m >> i & 1) and not (m >> j & 1):
            v[m] = v[(m & ~(1 << i)) | 1 << j]
    g = TUGame(tuple(f"p{k}" for k in range(n)), v)
    phi = shapley(g)
    assert phi[i] == pytest.approx(phi[j], abs=1e-9 * max(1.0, g.scale()))


@settings(max_examples=40, deadline=None)
@given(**game_args, d=st.integers(0, 6))
def test_shapley_dummy_player(n, seed, d):
    d %= n
    v = random_game(np.random.default_rng(seed), n, "normal")
    c = float(np.random.default_rng(seed + 1).normal())
    for m in range(2**n):  # v(S + d) = v(S) + c: a dummy worth c
        if m >> d & 1:
            v[m] = v[m & ~(1 << d)] + c
    g = TUGame(tuple(f"p{k}" for k in range(n)), v)
    assert shapley(g)[d] == pytest.approx(c, abs=1e-9 * max(1.0, g.scale()))
    assert banzhaf(g)[d] == pytest.approx(c, abs=1e-9 * max(1.0, g.scale()))


@settings(max_examples=40, deadline=None)
@given(**game_args, seed2=st.integers(0, 10**6))
def test_shapley_additivity(n, seed, seed2):
    a = random_game(np.random.default_rng(seed), n, "normal")
    b = random_game(np.random.default_rng(seed2), n, "superadditive")
    names = tuple(f"p{k}" for k in range(n))
    lhs = shapley(TUGame(names, a + b))
    rhs = shapley(TUGame(names, a)) + shapley(TUGame(names, b))
    np.testing.assert_allclose(lhs, rhs, atol=1e-9 * max(1.0, np.abs(a).max() + np.abs(b).max()))


def test_sampled_estimate_is_efficient_and_covers_the_exact_value():
    v = random_game(np.random.default_rng(21), 6, "superadditive")
    g = TUGame(tuple(f"p{i}" for i in range(6)), v)
    exact = shapley(g)
    est, half = shapley_sampled(lambda m: g.v[m], 6, 4000, seed=5)
    assert est.sum() == pytest.approx(g.v_grand, abs=1e-9)
    assert np.mean(np.abs(est - exact) <= half) >= 4 / 6  # 95% intervals: most of them cover
    assert np.all(np.abs(est - exact) <= 3 * half + 1e-12)
    res = coopt.run("tu.shapley", from_game(g), samples=2000)
    assert res.status == Status.FEASIBLE and "sampled" in res.solution["method"]


def test_cli_shapley_banzhaf_on_a_csv_game(main_cli, tmp_path):
    f = tmp_path / "glove.csv"
    f.write_text("coalition,value\nL1,0\nL2,0\nR,0\nL1+L2,0\nL1+R,1\nL2+R,1\nL1+L2+R,1\n")
    code, out, err = main_cli("solve", "tu.shapley", "--data", str(f), "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["solution"]["allocation"] == pytest.approx({"L1": 1 / 6, "L2": 1 / 6, "R": 2 / 3})
    assert d["solution"]["in_core"] is False  # the core of the glove game is {(0, 0, 1)}
    code, out, err = main_cli("solve", "tu.banzhaf", "--data", str(f), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["solution"]["allocation"] == pytest.approx({"L1": 0.25, "L2": 0.25, "R": 0.75})
    code, _, err = main_cli("solve", "tu.shapley", "--data", str(f), "--set", "samples=-3")
    assert code == 2 and "samples" in err

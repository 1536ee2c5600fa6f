"""Core / epsilon-core / least-core LPs (Appendix B.2, LP 17) against independent computations.

References: the notes' exact values of Examples 1-3 (an independent numpy implementation), the
closed-form least core of 3-player games (minimal balanced collections), strong duality, and a
second solver (CVXPY + Clarabel) on random games.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coopt.errors import InputError
from coopt.formulations.vaccine.core_lp import (
    CoalitionValues,
    build_balancing_dual,
    build_epsilon_core,
    build_least_core,
    member_matrix,
)
from coopt.solve import Status, solve

NAMES = ("1", "2", "3")


def three_player(v1, v2, v3, v12, v13, v23, vN) -> CoalitionValues:
    return CoalitionValues.from_mapping(NAMES, {
        ("1",): v1, ("2",): v2, ("3",): v3, ("1", "2"): v12, ("1", "3"): v13, ("2", "3"): v23,
        ("1", "2", "3"): vN})


# exact values of the notes (section 4), Examples 1-3
EX1 = three_player(0, 0, 0, 0.000911, 0.000911, 0.000911, 0.880797)
EX2 = three_player(4.5e-5, 4.5e-5, 4.5e-5, 0.993307, 0.993307, 0.993307, 1.0)
EX3 = three_player(0, 1.0, 0.985936, 1.0, 0.999842, 1.999989, 2.331900)


def least_core_closed_form(g: CoalitionValues) -> float:
    """e* of a 3-player game: max over the minimal balanced collections of
    (sum lambda_S v(S) - v(N)) / sum lambda_S (the least-core LP's dual vertices)."""
    v = g.v
    vN = g.v_grand
    cands = [(v[1] + v[2] + v[4] - vN) / 3]
    cands += [(v[1 << i] + v[7 ^ (1 << i)] - vN) / 2 for i in range(3)]
    cands += [((v[3] + v[5] + v[6]) / 2 - vN) / 1.5]
    return max(cands)


def solve_e(g: CoalitionValues, rows=None) -> tuple[float, np.ndarray]:
    m = build_least_core(g, rows)
    res = solve(m, "highs", "LP")
    assert res.status == Status.OPTIMAL
    scale = m.scale.value
    return res.objective * scale, np.array([res.values["x"][i] for i in range(g.n)]) * scale


@pytest.mark.parametrize("game,want", [(EX1, -0.293599), (EX2, 0.326640), (EX3, -0.115321)])
def test_examples_least_core_matches_notes(game, want):
    e, x = solve_e(game)
    assert e == pytest.approx(want, abs=2e-6)
    assert x.sum() == pytest.approx(game.v_grand, rel=1e-9)
    assert e == pytest.approx(least_core_closed_form(game), abs=1e-9)


def test_example2_closed_form_and_paper_allocation_of_example3():
    # Ex 2: e* = v({1,2}) - 2/3 v(N) (notes); Ex 3: the paper's x = (0.1319, 1.1, 1.1) is in the core
    e, _ = solve_e(EX2)
    assert e == pytest.approx(0.993307 - 2 / 3, abs=1e-9)
    x = np.array([2.3319 - 2.2, 1.1, 1.1])
    sums = EX3.coalition_sums(x)
    assert np.all(sums[1:7] >= EX3.v[1:7] - 1e-12) and sums[7] == pytest.approx(EX3.v_grand)


@pytest.mark.parametrize("seed", range(12))
def test_random_three_player_games_against_balanced_collections(seed):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0, 1, 7) * np.array([1, 1, 1, 2, 2, 2, 3])
    g = three_player(*v)
    e, _ = solve_e(g)
    assert e == pytest.approx(least_core_closed_form(g), abs=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_dual_equals_primal_and_weights_are_balanced(seed):
    rng = np.random.default_rng(100 + seed)
    n = 5
    B = member_matrix(n)
    v = (B.sum(1) ** 1.5) * rng.uniform(0.7, 1.3, 2**n)
    v[0] = 0
    g = CoalitionValues(tuple(f"p{i}" for i in range(n)), v)
    e, _ = solve_e(g)
    d = build_balancing_dual(g)
    res = solve(d, "highs", "LP")
    assert res.status == Status.OPTIMAL
    assert res.objective * d.scale.value == pytest.approx(e, abs=1e-9 * g.v.max())
    t = res.values["t"]
    lam = {s: w / t for s, w in res.values["w"].items()}
    cover = sum(lam[s] * B[s] for s in lam)
    assert np.allclose(cover, 1.0, atol=1e-8)
    # weak duality with the balanced collection: sum lambda v(S) - v(N) = e* sum lambda
    total = sum(lam[s] * v[s] for s in lam) - g.v_grand
    assert total == pytest.approx(e * sum(lam.values()), abs=1e-8 * g.v.max())


@pytest.mark.parametrize("game,epsilon,feasible", [
    (EX1, 1e-5, True), (EX2, 1e-5, False), (EX3, 1e-5, True), (EX2, 0.33, True), (EX2, 0.3266, False)])
def test_epsilon_core_lp17_feasibility(game, epsilon, feasible):
    res = solve(build_epsilon_core(game, epsilon), "highs", "LP")
    assert (res.status == Status.OPTIMAL) is feasible
    if not feasible:
        assert res.status == Status.INFEASIBLE


def test_second_solver_cvxpy_clarabel_agrees():
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(7)
    n = 6
    B = member_matrix(n)
    v = np.sqrt(B.sum(1)) * rng.uniform(0.5, 1.5, 2**n)
    v[0] = 0
    g = CoalitionValues(tuple("abcdef"), v)
    e_h, _ = solve_e(g)
    x, e = cp.Variable(n), cp.Variable()
    proper = list(range(1, 2**n - 1))
    cons = [cp.sum(x) == g.v_grand, B[proper] @ x >= v[proper] - e]
    val = cp.Problem(cp.Minimize(e), cons).solve(solver="CLARABEL")
    assert e_h == pytest.approx(val, abs=1e-7)


def test_subset_of_rows_is_a_relaxation():
    rng = np.random.default_rng(3)
    n = 6
    v = member_matrix(n).sum(1) ** 1.4 * rng.uniform(0.8, 1.2, 2**n)
    v[0] = 0
    g = CoalitionValues(tuple("abcdef"), v)
    e_all, _ = solve_e(g)
    rows = [1 << i for i in range(n)] + [g.grand ^ (1 << i) for i in range(n)]
    e_sub, _ = solve_e(g, rows)
    assert e_sub <= e_all + 1e-12


def test_coalition_values_naming_and_errors():
    assert EX3.value(["2", "3"]) == pytest.approx(1.999989)
    assert EX3.members(5) == ("1", "3")
    frame = EX3.to_frame()
    assert list(frame["members"][:3]) == [("1",), ("2",), ("1", "2")]
    assert CoalitionValues.from_frame(frame).value(["1", "3"]) == pytest.approx(0.999842)
    with pytest.raises(InputError, match="'9' is not a player"):
        EX3.value(["9"])
    with pytest.raises(InputError, match="no value for coalition"):
        CoalitionValues.from_mapping(NAMES, {("1",): 1.0})
    with pytest.raises(InputError, match="epsilon"):
        build_epsilon_core(EX1, -1.0)
    with pytest.raises(InputError, match="not a non-empty proper"):
        build_least_core(EX1, [7])


def test_every_proper_coalition_is_a_row():
    m = build_least_core(EX3)
    assert sorted(m.stability.keys()) == list(range(1, 7))
    assert len(list(itertools.chain(m.efficiency.values()))) == 1

"""vaccine.core: least core, constraint generation, certificates and the most violated coalition."""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.errors import InputError
from coopt.formulations.vaccine.core_lp import CoalitionValues, member_matrix
from coopt.games.vaccine.core import core_solution, least_core, most_violated

NAMES = ("1", "2", "3")


def three(v1, v2, v3, v12, v13, v23, vN):
    return CoalitionValues.from_mapping(NAMES, {
        ("1",): v1, ("2",): v2, ("3",): v3, ("1", "2"): v12, ("1", "3"): v13, ("2", "3"): v23,
        ("1", "2", "3"): vN})


EX2 = three(4.5e-5, 4.5e-5, 4.5e-5, 0.993307, 0.993307, 0.993307, 1.0)
EX3 = three(0, 1.0, 0.985936, 1.0, 0.999842, 1.999989, 2.331900)


def random_game(n, seed, power=1.3):
    rng = np.random.default_rng(seed)
    v = member_matrix(n).sum(1) ** power * rng.uniform(0.85, 1.15, 2**n)
    v[0] = 0
    return CoalitionValues(tuple(f"r{i}" for i in range(n)), v)


def test_empty_core_has_balancing_certificate():
    lc = least_core(EX2)
    sol = core_solution(lc, 1e-5)
    assert sol["empty"] and sol["allocation"] is None
    assert sol["least_core_epsilon"] == pytest.approx(0.993307 - 2 / 3, abs=1e-9)
    weights = {tuple(w["members"]): w["weight"] for w in sol["balancing_weights"]}
    assert weights == pytest.approx({("1", "2"): 0.5, ("1", "3"): 0.5, ("2", "3"): 0.5})
    assert sol["balanced_excess"] == pytest.approx(1.5 * 0.993307 - 1.0)  # > 0 proves emptiness
    assert sol["certificate"]["dual_objective"] == pytest.approx(sol["least_core_epsilon"], abs=1e-9)


def test_non_empty_core_returns_core_allocation():
    lc = least_core(EX3)
    sol = core_solution(lc, 1e-5)
    assert not sol["empty"] and sol["balancing_weights"] == []
    x = sol["allocation"]
    assert sum(x.values()) == pytest.approx(2.3319)
    assert most_violated(EX3, x)["in_core"]
    assert sol["tight_coalitions"]  # some rows are at e*


@pytest.mark.parametrize("n,seed", [(6, 0), (8, 1), (9, 2), (11, 3)])
def test_constraint_generation_equals_all_rows(n, seed):
    g = random_game(n, seed)
    full = least_core(g, generation=False, with_dual=False)
    gen = least_core(g, generation=True, batch=5)
    assert gen.epsilon_star == pytest.approx(full.epsilon_star, abs=1e-9 * g.v.max())
    assert gen.max_excess_check == pytest.approx(gen.epsilon_star, abs=1e-8 * g.v.max())
    assert gen.dual_objective == pytest.approx(gen.epsilon_star, abs=1e-8 * g.v.max())
    if n > 6:
        assert gen.rows_used < 2**n - 2  # generation really skipped rows


def test_balanced_excess_sign_decides_emptiness_on_random_games():
    for seed in range(6):
        g = random_game(5, 50 + seed, power=1.0 + 0.2 * seed)
        lc = least_core(g)
        B = member_matrix(5)
        cover = sum(w * B[s] for s, w in lc.weights.items())
        assert np.allclose(cover, 1.0, atol=1e-8)
        excess = sum(w * g.v[s] for s, w in lc.weights.items()) - g.v_grand
        assert np.sign(round(excess, 9)) == np.sign(round(lc.epsilon_star, 9))


def test_most_violated_names_the_coalition():
    mv = most_violated(EX2, {"1": 1 / 3, "2": 1 / 3, "3": 1 / 3})
    assert mv["members"] in (["1", "2"], ["1", "3"], ["2", "3"])
    assert mv["excess"] == pytest.approx(0.993307 - 2 / 3)
    assert not mv["in_core"]
    mv = most_violated(EX3, np.array([0.0, 0.0, 2.3319]))
    assert mv["members"] == ["2"] and mv["excess"] == pytest.approx(1.0)
    with pytest.raises(InputError, match="missing"):
        most_violated(EX3, {"1": 1.0})


def test_scale_invariance_case_study_magnitudes():
    g = random_game(7, 9)
    big = CoalitionValues(g.names, g.v * 3e8)
    a, b = least_core(g), least_core(big)
    assert b.epsilon_star == pytest.approx(a.epsilon_star * 3e8, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("n,seed", [(3, 0), (5, 1), (7, 2)])
def test_scipy_fast_path_equals_pyomo_model(n, seed):
    from coopt.games.vaccine.core import least_core_epsilon

    g = random_game(n, 200 + seed, power=1.1 + 0.1 * seed)
    e, x = least_core_epsilon(g)
    assert e == pytest.approx(least_core(g, with_dual=False).epsilon_star, abs=1e-9 * g.v.max())
    assert np.max(g.v[1:-1] - g.coalition_sums(x)[1:-1]) == pytest.approx(e, abs=1e-8 * g.v.max())


def test_catalog_runs_on_bundled_examples():
    import coopt
    from coopt.catalog import run

    res = run("vaccine.core", coopt.load("vaccine/example-2"))
    assert res.solution["empty"] and res.solution["least_core_epsilon"] == pytest.approx(0.326640, abs=1e-6)
    assert res.kkt_residual < 1e-12 and res.primal_residual <= 1e-12
    res = run("vaccine.core", coopt.load("vaccine/example-3"))
    assert not res.solution["empty"] and most_violated(coopt.load("vaccine/example-3"),
                                                        res.solution["allocation"])["in_core"]
    with pytest.raises(InputError, match="generation"):
        run("vaccine.core", coopt.load("vaccine/example-3"), generation="maybe")


def test_market_and_wolfe_runs_on_bundled_examples():
    import coopt
    from coopt.catalog import run

    m = run("vaccine.market", coopt.load("vaccine/example-3")).solution
    assert m["lp_objective"] == pytest.approx(1.7980, abs=2e-4) and not m["market_allocation_in_core"]
    w = run("vaccine.wolfe_dual", coopt.load("vaccine/example-1"), solver="exact").solution
    assert w["lambda"] == pytest.approx(1.533545, abs=1e-6)  # D_F(f~) of logistic(45, 25), notes 1.1
    assert w["lambda_in_core_interval"] and not w["relaxation_tight"]
    with pytest.raises(InputError, match="option .coalition.: unknown player .9."):
        run("vaccine.wolfe_dual", coopt.load("vaccine/example-1"), solver="exact", coalition=["9"])


def test_wolfe_on_a_proper_coalition_uses_its_own_v_and_bounds_it():
    """A proper coalition S: v(S) is the game's value of S (not the grand coalition's), v2 = D(S) >= v(S),
    and members named out of file order or twice are handled like every vaccine option."""
    import coopt
    from coopt.catalog import run

    inst = coopt.load("vaccine/example-3")
    table = {tuple(c["members"]): c["v"] for c in run("vaccine.game", inst, solver="exact").solution["coalitions"]}
    for S in (("1", "2"), ("2", "3"), ("1", "3")):
        w = run("vaccine.wolfe_dual", inst, solver="exact", coalition=list(reversed(S))).solution
        assert w["v"] == pytest.approx(table[S], rel=1e-9)
        assert w["v2"] >= w["v"] - 1e-9
        assert w["relaxation_tight"] == (w["v2"] - w["v"] <= 1e-7 * max(1.0, abs(w["v"])))
    with pytest.raises(InputError, match="named twice"):
        run("vaccine.wolfe_dual", inst, solver="exact", coalition=["1", "1"])


def test_least_core_at_case_study_scale_matches_a_tight_dense_lp():
    """At v ~ 3e8 an LP solved at HiGHS's default 1e-7 tolerance is off by ~10 (SciPy's default gave
    e* = -2.96 with an allocation whose max excess is +9.8, and flipped this cell's core verdict); coopt's
    e* must agree with a dense LP at 1e-10 tolerances and with the max excess recomputed at its own x."""
    import numpy as np
    from scipy.optimize import linprog

    from coopt.experiments.vaccine.case_study import case_instance
    from coopt.games.vaccine.core import exact_game

    inst = case_instance("vaccine/us-hhs-2009-nc", 10, 6.5e7)
    game = exact_game(inst)[0]
    n, P = game.n, np.arange(1, 2**game.n - 1)
    B = ((P[:, None] >> np.arange(n)) & 1).astype(float)
    sc = float(np.abs(game.v).max())
    ref = linprog(np.r_[np.zeros(n), 1.0], A_ub=np.hstack([-B, -np.ones((len(P), 1))]), b_ub=-game.v[P] / sc,
                  A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[game.v[-1] / sc], bounds=[(None, None)] * (n + 1),
                  method="highs", options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    r = coopt.run("vaccine.core", inst, solver="highs")
    assert r.ok
    e = r.solution["least_core_epsilon"]
    x = np.array([r.solution["least_core_allocation"][nm] for nm in game.names])
    assert abs(e - ref.x[-1] * sc) <= 1e-9 * sc
    assert abs(np.max(game.v[P] - B @ x) - e) <= 1e-9 * sc  # e* is what its own allocation achieves
    assert r.solution["empty"] == (e > r.solution["decision_tolerance"])


def test_core_verdict_not_certified_when_the_interval_straddles_the_threshold():
    from coopt.games.tu.core import verdict_uncertain

    assert verdict_uncertain(-1.0, 1.0, 0.5) is not None
    assert verdict_uncertain(0.6, 1.0, 0.5) is None and verdict_uncertain(-1.0, 0.5, 0.5) is None
    assert verdict_uncertain(None, 1.0, 0.5) is None

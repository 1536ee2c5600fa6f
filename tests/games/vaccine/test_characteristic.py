"""Exact v(S): paper examples, random instances against a dense grid and the PWL MILP bound, structure.

Independent references: a dense budget-grid dynamic programme (every grid point is a feasible
allocation, so exact v(S) must be at least its value and close to it), the piecewise-linear MILP
upper bound solved by HiGHS, Theorem 2's closed forms for identical functions.
"""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.data.vaccine.returns import Ginsberg, Logistic
from coopt.errors import InputError
from coopt.formulations.vaccine.knapsack import solve_arrays
from coopt.games.vaccine.characteristic import coalition_value, game_values, solve_all


def grid_dp(funcs, M, budget, steps=1200):
    """max sum M_i F_i(x_i / M_i) over x_i on the grid budget * k / steps (feasible points)."""
    x = np.arange(steps + 1) * budget / steps
    best = None
    for fn, m in zip(funcs, M):
        row = m * fn.F(x / m)
        if best is None:
            best = row
            continue
        k = np.arange(steps + 1)
        prev = best[np.clip(k[:, None] - k[None, :], 0, None)]
        mat = np.where(k[:, None] >= k[None, :], prev + row[None, :], -np.inf)
        best = mat.max(axis=1)
    return float(best[-1])


def random_game(rng, kind, n=4):
    if kind == "logistic":
        a = rng.uniform(25, 100, n)
        funcs = [Logistic(ai, rng.uniform(0, ai)) for ai in a]
    else:
        funcs = [Ginsberg(rng.uniform(0, 1), rng.uniform(0.05, 1)) for _ in range(n)]
    M = rng.uniform(10, 100, n)
    d = rng.choice([0.05, 0.5, 1.0, 2.0, 5.0])
    r = rng.uniform(0, 1, n) * d * np.array([f.f_tilde for f in funcs]) * M
    return funcs, M, r


@pytest.mark.parametrize("table,key", [
    ({(0,): 0, (1,): 0, (2,): 0, (0, 1): 0.000911, (0, 2): 0.000911, (1, 2): 0.000911, (0, 1, 2): 0.880797}, 1),
    ({(0,): 4.5e-5, (0, 1): 0.993307, (1, 2): 0.993307, (0, 1, 2): 1.0}, 2),
    ({(0,): 0, (1,): 1.0, (2,): 0.985936, (0, 1): 1.0, (0, 2): 0.999842, (1, 2): 1.999989, (0, 1, 2): 2.331900}, 3),
])
def test_paper_examples(table, key):
    inst = coopt.load(f"vaccine/example-{key}")
    frame = game_values(inst).set_index("members")
    for idx, want in table.items():
        members = tuple(inst.names[i] for i in idx)
        assert frame.loc[[members], "v"].iloc[0] == pytest.approx(want, abs=1e-6)
    assert (frame["bound"] >= frame["v"]).all()


def test_example3_optimum_is_equal_split():
    v, bound, f = coalition_value(coopt.load("vaccine/example-3"), ["1", "2", "3"])
    assert v == pytest.approx(2.331900, abs=1e-6) and bound - v < 1e-9
    assert list(f.values()) == pytest.approx([1.75 / 3] * 3, abs=1e-7)


@pytest.mark.parametrize("seed", range(10))
def test_random_games_against_dense_grid(seed):
    rng = np.random.default_rng(seed)
    funcs, M, r = random_game(rng, "logistic" if seed % 2 == 0 else "ginsberg")
    sol = solve_arrays(M, r, funcs, tuple("abcd"))
    for mask in range(1, 16):
        idx = [i for i in range(4) if mask >> i & 1]
        budget = float(r[idx].sum())
        ref = grid_dp([funcs[i] for i in idx], M[idx], budget)
        v, b, f = sol.v[mask], sol.bound[mask], sol.f[mask]
        assert v >= ref - 1e-9 * max(1, ref)  # no feasible grid point beats the exact optimum
        assert v <= ref + 2e-3 * max(1.0, ref)  # and the grid gets close to it
        assert b >= v and b - v <= 1e-7 * max(1.0, v)
        assert M @ f <= budget * (1 + 1e-12) + 1e-12  # f is feasible and attains v
        assert sum(M[i] * funcs[i].F(f[i]) for i in idx) == pytest.approx(v, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 3])
def test_pwl_milp_bounds_the_exact_value(seed):
    from coopt.catalog import run
    from coopt.experiments.vaccine.common import make_instance

    rng = np.random.default_rng(100 + seed)
    funcs, M, r = random_game(rng, "logistic")
    players = [{"name": f"p{i}", "M": float(M[i]), "r": float(r[i]),
                "return_function": {"type": "logistic", "a": funcs[i].a, "b": funcs[i].b}} for i in range(4)]
    inst = make_instance({"name": "rand", "players": players})
    v, bound, _ = coalition_value(inst, None)
    res = run("vaccine.allocation", inst, solver="highs", pieces=24)
    assert res.solution["bound"] >= v - 1e-9  # the MILP optimum is an upper bound
    assert res.solution["value"] <= v + 1e-9  # its f is feasible: no better than the optimum
    assert res.solution["bound"] >= bound - 1e-6 * max(1.0, v) or res.solution["bound"] >= v


def test_superadditive_and_monotone_in_members():
    inst = coopt.load("vaccine/us-hhs-2009")
    sol = solve_all(inst)
    n = inst.n
    full = 2**n
    rng = np.random.default_rng(0)
    for S in rng.integers(1, full, 200):
        K = int(S) & int(rng.integers(0, full))
        if K in (0, S):
            continue
        assert sol.v[S] >= sol.v[K] + sol.v[S ^ K] - 1e-7 * sol.v[S]


def test_case_study_cells_match_notes():
    """Notes section 5: v(N) at (tau, V) = (0, 5e6), (0, 3e7), (0, 6e7), (20, 3e7)."""
    for tau, V, want in [(0, 5e6, 2.114084e8), (0, 3e7, 2.576416e8), (0, 6e7, 2.972922e8), (20, 3e7, 2.559470e8)]:
        inst = coopt.load("vaccine/us-hhs-2009", overrides={
            "resources": {"total": V, "split": "pro-rata"},
            "return_function": {"type": "sir", "tau": tau, "infectious_days": 2.3, "initial_infected_fraction": 1e-4}})
        v, bound, f = coalition_value(inst, None)
        assert v == pytest.approx(want, rel=1e-6)
        assert bound - v <= 1e-9 * v


@pytest.mark.parametrize("R,expect", [(3.0, "smallest"), (0.5 * (10 + 30), "K"), (50.0, "pro-rata")])
def test_theorem2_identical_functions(R, expect):
    fn = Ginsberg(0.75, 0.5)  # f~ = 0.5
    M = np.array([10.0, 20.0, 30.0, 45.0])
    r = M / M.sum() * R
    sol = solve_arrays(M, r, [fn] * 4, tuple("abcd"))
    f = sol.f[15]
    if expect == "smallest":  # (a) R < f~ min M: all to the smallest player
        assert f == pytest.approx([R / 10, 0, 0, 0], abs=1e-9)
    elif expect == "K":  # (b) R = f~ (M_1 + M_3): f~ on K
        assert sorted(np.round(f, 9)) == pytest.approx([0, 0, 0.5, 0.5], abs=1e-7) or \
            sol.v[15] == pytest.approx(10 * fn.F(0.5) + 30 * fn.F(0.5), rel=1e-9)
        assert sol.v[15] == pytest.approx(40 * fn.F(0.5), rel=1e-9)
    else:  # (c) R > f~ sum M: pro rata
        assert f == pytest.approx([R / M.sum()] * 4, rel=1e-9)


def test_unknown_member_is_an_input_error():
    with pytest.raises(InputError, match="unknown player 'Atlantis'"):
        coalition_value(coopt.load("vaccine/us-hhs-2009"), ["West", "Atlantis"])


def test_frame_is_named_by_players():
    frame = game_values(coopt.load("vaccine/example-3"))
    assert list(frame.columns) == ["members", "v", "bound"]
    assert frame["members"].tolist()[:3] == [("1",), ("2",), ("3",)]
    assert frame["members"].iloc[-1] == ("1", "2", "3") and len(frame) == 7


@pytest.mark.parametrize("seed", range(4))
def test_random_sir_games_against_dense_grid(seed):
    """SIR functions with caps (free disposal) and all three variants, several vaccination days."""
    from coopt.data.vaccine.returns import SIR

    rng = np.random.default_rng(50 + seed)
    tau = float(rng.choice([0, 15, 30, 40]))
    variants = ["paper", "A", "B"]
    funcs = [SIR(float(s), 2.3, 1e-4, tau, variants[(seed + k) % 3]) for k, s in enumerate(rng.uniform(1.1, 1.5, 3))]
    M = rng.uniform(10, 100, 3)
    r = rng.uniform(0, 0.4, 3) * M
    sol = solve_arrays(M, r, funcs, ("a", "b", "c"))
    for mask in range(1, 8):
        idx = [i for i in range(3) if mask >> i & 1]
        ref = grid_dp([funcs[i] for i in idx], M[idx], float(r[idx].sum()), steps=2000)
        assert ref - 1e-9 * ref <= sol.v[mask] <= ref + 1e-3 * ref
        assert sol.bound[mask] - sol.v[mask] <= 1e-7 * sol.v[mask]


def test_zero_budget_values_are_exact_and_certified():
    """V = 0 (Figure 7's first column): f = 0 is the only feasible point, so v(S) = sum_i M_i F_i(0) with a
    bound equal to it (a loose bound there left constraint generation unable to certify the least core)."""
    import numpy as np

    from coopt.experiments.vaccine.case_study import case_instance
    from coopt.games.vaccine.characteristic import solve_all

    inst = case_instance("vaccine/us-hhs-2009", 45, 0.0)
    sol = solve_all(inst)
    n = len(inst.names)
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    h0 = np.array([m * fn.F0 for m, fn in zip(inst.M, inst.functions)])
    assert np.allclose(sol.v, bits @ h0, rtol=1e-12, atol=0)
    assert np.array_equal(np.asarray(sol.bound), np.asarray(sol.v))

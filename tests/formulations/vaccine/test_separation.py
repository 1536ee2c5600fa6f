"""vaccine.separation: the exact branch and bound, SCIP on the MINLP and the PWL MILP bound agree.

References are independent: brute force over every proper coalition S of the exact v(S) (KKT
enumeration of coopt.games.vaccine.characteristic, itself checked against a grid DP) minus x(S).
"""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.catalog import run
from coopt.data.vaccine.returns import make_return_function
from coopt.errors import InputError
from coopt.formulations.vaccine import lagrangian_bb as bb
from coopt.games.vaccine.characteristic import solve_arrays


def random_game(n: int, seed: int, d: float):
    """The random instances of Section 6.1 (logistic type (ii) or Ginsberg type (i) by seed)."""
    rng = np.random.default_rng(seed)
    funcs = []
    for _ in range(n):
        if seed % 2 == 0:
            a = rng.uniform(25, 100)
            funcs.append(make_return_function({"type": "logistic", "a": a, "b": rng.uniform(0, a)}))
        else:
            funcs.append(make_return_function({"type": "ginsberg", "a": rng.uniform(0, 1), "b": rng.uniform(0.05, 1)}))
    M = rng.uniform(10, 100, n)
    r = rng.uniform(0, d * np.array([f.f_tilde for f in funcs]) * M)
    return M, r, funcs


def brute_separation(v: np.ndarray, x: np.ndarray) -> float:
    n = len(x)
    masks = np.arange(1, 2**n - 1)
    bits = (masks[:, None] >> np.arange(n)) & 1
    return float(np.max(v[masks] - bits @ x))


CASES = [(5, 0, 0.5), (5, 1, 1.0), (6, 2, 2.0), (6, 3, 0.05), (5, 4, 4.0), (6, 5, 1.5)]
SLOW = [pytest.param(*c, marks=pytest.mark.slow) for c in CASES[4:]]


@pytest.mark.parametrize("n, seed, d", CASES[:4] + SLOW)
def test_exact_separation_equals_brute_force(n, seed, d):
    M, r, funcs = random_game(n, seed, d)
    ref = solve_arrays(M, r, funcs, tuple(f"p{i}" for i in range(n)))
    P = bb.prepare(M, r, funcs)
    tol = 1e-10 * P.scale
    rng = np.random.default_rng(100 + seed)
    for trial in range(3):
        x = ref.v[-1] * rng.dirichlet(np.ones(n)) if trial else np.zeros(n)
        want = brute_separation(ref.v, x)
        got = bb.solve(P, x=x, tol=tol)
        assert got.status == "optimal"
        assert got.value == pytest.approx(want, abs=1e-8 * max(1.0, abs(want)))
        assert got.upper >= want - 1e-9 * max(1.0, abs(want))  # the bound bounds
        assert got.upper - got.value <= tol + P.chord_error
        S = got.members
        assert 0 < S.sum() < n  # proper and non-empty
        assert float(M @ got.f) <= float(r[S].sum()) * (1 + 1e-12)  # the returned f is feasible in S


@pytest.mark.parametrize("n, seed, d", CASES[:2] + [pytest.param(*CASES[2], marks=pytest.mark.slow)])
def test_exact_coalition_values_equal_enumeration(n, seed, d):
    M, r, funcs = random_game(n, seed, d)
    ref = solve_arrays(M, r, funcs, tuple(f"p{i}" for i in range(n)))
    P = bb.prepare(M, r, funcs)
    for S in range(1, 2**n):
        mem = np.array([(S >> i) & 1 for i in range(n)], bool)
        got = bb.solve(P, members=mem, tol=1e-10 * P.scale)
        assert got.value == pytest.approx(ref.v[S], rel=1e-8, abs=1e-9)
        assert got.upper >= ref.v[S] * (1 - 1e-10) - 1e-12
        assert got.value <= ref.bound[S] * (1 + 1e-10) + 1e-12


def test_stopped_early_is_not_optimal_but_still_bounds():
    M, r, funcs = random_game(6, 2, 2.0)
    ref = solve_arrays(M, r, funcs, tuple(f"p{i}" for i in range(6)))
    P = bb.prepare(M, r, funcs)
    x = np.full(6, 1.0)
    got = bb.solve(P, x=x, tol=0.0, node_limit=0)
    assert got.status == "time_limit"
    assert got.upper >= brute_separation(ref.v, x) - 1e-9


@pytest.fixture(scope="module")
def ex3():
    return coopt.load("vaccine/example-3")


X3 = "0.1319,1.1,1.1"  # the core allocation of Example 3 (notes: in the core)


def test_three_formulations_on_example_3(ex3):
    game = solve_arrays(ex3.M, ex3.r, ex3.functions, ex3.names)
    want = brute_separation(game.v, np.array([0.1319, 1.1, 1.1]))
    exact = run("vaccine.separation", ex3, solver="exact", x=X3)
    assert exact.status.value == "optimal" and exact.solution["method"] == "exact"
    assert exact.solution["excess"] == pytest.approx(want, abs=1e-9)
    assert exact.solution["in_core"] is True and exact.bound <= 0
    scip = run("vaccine.separation", ex3, solver="scip", x=X3)
    assert scip.status.value == "optimal"
    assert scip.solution["excess"] == pytest.approx(want, abs=1e-5)
    assert scip.bound >= want - 1e-6
    pwl = run("vaccine.separation", ex3, solver="highs", x=X3, pieces=32)
    assert pwl.solution["method"] == "pwl-milp"
    assert pwl.solution["bound"] >= want - 1e-9  # the lifted PWL MILP bounds the largest excess
    assert pwl.solution["excess"] <= want + 1e-9  # its (S, f) is feasible, evaluated exactly


def test_pro_rata_default_and_x_forms(ex3):
    vN = solve_arrays(ex3.M, ex3.r, ex3.functions, ex3.names).v[-1]
    res = run("vaccine.separation", ex3, solver="exact")
    assert res.solution["x"]["1"] == pytest.approx(vN / 3)
    named = run("vaccine.separation", ex3, solver="exact", x="1:0.1319,2:1.1,3:1.1")
    listed = run("vaccine.separation", ex3, solver="exact", x=X3)
    assert named.objective == pytest.approx(listed.objective)


@pytest.mark.parametrize("bad", ["1,2", "1:1,9:2", "a,b,c", "nan,1,1"])
def test_bad_x_is_an_input_error(ex3, bad):
    with pytest.raises(InputError, match="option 'x'"):
        run("vaccine.separation", ex3, solver="exact", x=bad)


def test_cli_compare(cli):
    p = cli("compare", "vaccine.separation", "--data", "vaccine/example-3", "--set", f"x={X3}", "--format", "csv")
    assert p.returncode == 0, p.stderr
    assert "exact-lagrangian" in p.stdout and "minlp" in p.stdout and "pwl-milp" in p.stdout
    bad = cli("solve", "vaccine.separation", "--data", "vaccine/example-3", "--set", "x=1,2")
    assert bad.returncode == 2 and "option 'x'" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("n, seed, d", [CASES[0], CASES[3]] + [pytest.param(*CASES[i], marks=pytest.mark.slow)
                                                                 for i in (1, 2)])
def test_excluded_coalitions_are_skipped_and_still_bounded(n, seed, d):
    M, r, funcs = random_game(n, seed, d)
    ref = solve_arrays(M, r, funcs, tuple(f"p{i}" for i in range(n)))
    P = bb.prepare(M, r, funcs)
    x = ref.v[-1] * np.random.default_rng(seed).dirichlet(np.ones(n))
    masks = np.arange(1, 2**n - 1)
    bits = (masks[:, None] >> np.arange(n)) & 1
    excess = ref.v[masks] - bits @ x
    banned = set(masks[np.argsort(-excess)[:4]].tolist())  # the four most violated coalitions
    got = bb.solve(P, x=x, tol=1e-10 * P.scale, exclude=lambda z: bb._mask(z) in banned)
    want = max(e for m, e in zip(masks, excess) if int(m) not in banned)
    assert bb._mask(got.members) not in banned and not set(got.pool) & banned
    assert got.value == pytest.approx(want, abs=1e-8 * max(1.0, abs(want)))
    assert want - 1e-9 <= got.upper <= want + 1e-10 * P.scale + P.chord_error

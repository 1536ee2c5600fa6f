"""The exact knapsack's per-players caches and batched brackets change no number.

Reference: the enumeration loop of solve_arrays (USE_PIECES = False: the algorithm without the
batched pieces) on the same players; the answers must be bit-identical (v, bound, f, number of
polished configurations).
The loop's own correctness is checked against a dense-grid DP in tests/games/vaccine/.
"""

from __future__ import annotations

import numpy as np
import pytest

from coopt.data.vaccine.returns import SIR, Ginsberg, Logistic
from coopt.formulations.vaccine import knapsack as K


def random_players(rng, kind, n):
    if kind == "logistic":
        a = rng.uniform(25, 100, n)
        funcs = [Logistic(ai, rng.uniform(0, ai)) for ai in a]
    elif kind == "ginsberg":
        funcs = [Ginsberg(rng.uniform(0, 1), rng.uniform(0.05, 1)) for _ in range(n)]
    else:
        funcs = [SIR(rng.uniform(1.1, 1.6), 2.3, 1e-4, tau=float(rng.choice([0, 10, 30]))) for _ in range(n)]
    M = rng.uniform(10, 100, n)
    return funcs, M


def budgets(rng, funcs, M, d):
    return rng.uniform(0, 1, len(M)) * d * np.array([max(f.f_tilde, 0.05) for f in funcs]) * M


def solve_loop(M, r, funcs):
    K.USE_PIECES = False
    try:
        return K.solve_arrays(M, r, funcs, tuple(f"p{i}" for i in range(len(M))))
    finally:
        K.USE_PIECES = True


def assert_identical(a, b):
    assert np.array_equal(a.v, b.v)
    assert np.array_equal(a.bound, b.bound)
    assert np.array_equal(a.f, b.f)
    assert a.polished == b.polished


@pytest.mark.parametrize("kind,n,seed", [("logistic", 5, 1), ("logistic", 7, 2), ("ginsberg", 5, 3),
                                          ("sir", 6, 4), ("logistic", 2, 5)])
def test_pieces_equal_the_loop_for_every_budget(kind, n, seed):
    rng = np.random.default_rng(seed)
    funcs, M = random_players(rng, kind, n)
    K.clear_table_cache()
    for d in (0.0, 0.05, 0.5, 1.0, 2.0, 5.0):  # same players, new budgets: the cached pieces are reused
        r = budgets(rng, funcs, M, d)
        got = K.solve_arrays(M, r, funcs, tuple(f"p{i}" for i in range(n)))
        assert_identical(got, solve_loop(M, r, funcs))
    P = K._players(M, r, funcs)
    assert isinstance(K._structure(P)[2], K._Pieces)  # the batched path was the one tested


def test_cache_is_keyed_by_the_functions_and_sizes():
    rng = np.random.default_rng(9)
    funcs, M = random_players(rng, "logistic", 4)
    r = budgets(rng, funcs, M, 1.0)
    K.clear_table_cache()
    a = K.solve_arrays(M, r, funcs, ("a", "b", "c", "d"))
    assert len(K._TABLE_CACHE) == 1 and len(K._PIECE_CACHE) == 1
    # other sizes M: new tables (a stale cache would give the old players' values)
    b = K.solve_arrays(2 * M, r, funcs, ("a", "b", "c", "d"))
    assert len(K._TABLE_CACHE) == 2
    assert_identical(b, solve_loop(2 * M, r, funcs))
    assert not np.array_equal(a.v, b.v)
    # other functions with equal parameters are other objects: a new entry, the same numbers
    twins = [Logistic(f.a, f.b) for f in funcs]
    c = K.solve_arrays(M, r, twins, ("a", "b", "c", "d"))
    assert_identical(c, a)
    lam, tables, _ = K._structure(K._players(M, r, funcs))
    with pytest.raises(ValueError):
        tables[0][0, 0] = 1.0  # shared between calls: read only


def test_large_player_sets_use_the_loop(monkeypatch):
    rng = np.random.default_rng(3)
    funcs, M = random_players(rng, "logistic", 4)
    monkeypatch.setattr(K, "PIECES_MAX_PLAYERS", 3)
    K.clear_table_cache()
    r = budgets(rng, funcs, M, 1.0)
    assert K._structure(K._players(M, r, funcs))[2] is None  # None: the loop
    got = K.solve_arrays(M, r, funcs, ("a", "b", "c", "d"))
    K.clear_table_cache()
    monkeypatch.setattr(K, "PIECES_MAX_PLAYERS", 12)
    assert_identical(got, K.solve_arrays(M, r, funcs, ("a", "b", "c", "d")))

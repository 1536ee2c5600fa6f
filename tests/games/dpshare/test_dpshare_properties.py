"""Property tests: enumeration vs a brute force straight from Definitions 7 and 8 (hypothesis, n <= 8)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopt.catalog import run
from coopt.data.dpshare import from_costs
from coopt.formulations.dpshare import closed_form as cf
from coopt.games.dpshare import definitions as D
from coopt.games.dpshare.stability import Enumeration, enumerate_stable, sigma2_window

costs = st.lists(st.floats(1e-4, 5e-2), min_size=2, max_size=8)
alphas = st.sampled_from([-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0])


def sets(masks, n):
    return {frozenset(Enumeration.members(int(m), n)) for m in masks}


def near_tie(c, S, s2, alpha, rel=1e-6):
    """True if sigma2 is within rel of an end of S's Nash or robust window (numeric eps cannot decide)."""
    for kind in ("nash", "robust"):
        for x in sigma2_window(c, list(S), alpha, kind):
            if np.isfinite(x) and abs(x - s2) <= rel * s2:
                return True
    for l in set(range(len(c))) - set(S):     # valid-entry ties of the augmented coalition
        lo, _ = sigma2_window(c, sorted(set(S) | {l}), alpha, "robust")
        if abs(lo - s2) <= rel * s2:
            return True
    return False


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(c=costs, alpha=alphas, u=st.floats(0.0, 1.0))
def test_enumeration_matches_definitions(c, alpha, u):
    c = np.sort(np.array(c))
    # sigma2 spread around the exit thresholds so that equilibria actually occur
    Tk = cf.prefix_T(c, alpha)[2:]
    s2 = float(np.exp(np.log(Tk.min()) - 0.5 + u * (np.log(Tk.max()) - np.log(Tk.min()) + 1.0)))
    e = enumerate_stable(c, s2, alpha)
    nash, robust = D.brute_force(c, s2, alpha)
    n = c.size
    sym_n = sets(e.nash, n) ^ nash
    sym_r = sets(e.robust, n) ^ robust
    assert all(near_tie(c, S, s2, alpha) for S in sym_n | sym_r), (sym_n, sym_r)
    assert sets(e.nash, n) <= sets(e.robust, n)                           # Claim 1


@settings(max_examples=40, deadline=None, derandomize=True)
@given(c=costs, alpha=alphas, u=st.floats(0.0, 1.0), pick=st.integers(0, 2**8 - 1))
def test_claims5_6_as_printed_match_definitions(c, alpha, u, pick):
    c = np.sort(np.array(c))
    n = c.size
    S = [i for i in range(n) if pick >> i & 1]
    if len(S) < 2:
        S = [0, n - 1]
    Tk = cf.prefix_T(c, alpha)[2:]
    s2 = float(Tk.min() * np.exp(u * 3.0))
    ws = cf.w(c)
    out = [i for i in range(n) if i not in S]
    wl0 = ws[out[0]] if out else np.inf
    ch = D.check(c, S, s2, alpha)
    if near_tie(c, S, s2, alpha):
        return
    assert cf.claim5(ws[S].sum(), ws[S].max(), wl0, len(S), s2, alpha) == ch.nash
    assert cf.claim6(ws[S].sum(), ws[S].max(), ws[out], len(S), s2, alpha) == ch.robust


@settings(max_examples=8, deadline=None, derandomize=True)
@given(c=st.lists(st.floats(1e-4, 5e-2), min_size=3, max_size=6), alpha=alphas, u=st.floats(0.0, 1.0))
def test_per_size_milp_matches_enumeration(c, alpha, u):
    c = np.sort(np.array(c))
    Tk = cf.prefix_T(c, alpha)[2:]
    s2 = float(Tk.min() * np.exp(u * 2.0))
    inst = from_costs(c, s2, alpha)
    a = run("dpshare.equilibria", inst, solver="exact")
    b = run("dpshare.equilibria", inst, solver="highs")
    for kind in ("nash", "robust"):
        ea = {tuple(x["coalition"]) for x in a.solution[kind]}
        eb = {tuple(x["coalition"]) for x in b.solution[kind]}
        diff = ea ^ eb
        assert all(near_tie(inst.c, inst.index_of(list(S)), s2, alpha) for S in diff), (kind, diff)
    pa = run("dpshare.price_of_stability", inst, solver="exact")
    pb = run("dpshare.price_of_stability", inst, solver="highs")
    for kind in ("nash", "robust"):
        if pa.solution[kind]["coalition"] == pb.solution[kind]["coalition"]:
            assert abs(pa.solution[kind]["pos_sc"] - pb.solution[kind]["pos_sc"]) < 1e-9

"""The paper's examples and the notes' section 8 claims, through the game layer (exact enumeration)."""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.catalog import run
from coopt.data.dpshare import from_costs
from coopt.formulations.dpshare import closed_form as cf
from coopt.games.dpshare import definitions as D
from coopt.games.dpshare.search import find
from coopt.games.dpshare.sigma_profile import step_functions
from coopt.games.dpshare.stability import Enumeration, enumerate_stable, robust_scan


def names(entries):
    return [e["coalition"] for e in entries]


def test_lemma3_lemma4_table():
    inst = coopt.load("dpshare/lemma3-example")
    r = run("dpshare.equilibria", inst, solver="exact")
    sol = r.solution
    assert set(sol) == {"nash", "robust", "method"}
    assert sorted(names(sol["nash"])) == [["a1", "a2", "a3", "a4"], ["a1", "a2", "a3", "a5"]]   # Lemma 3
    assert sorted(names(sol["robust"])) == sorted(names(sol["nash"]))                            # the only ones
    u1, u2 = sorted(sol["nash"], key=lambda e: e["coalition"])
    assert [round(v, 4) for v in u1["epsilon"].values()] == [3.2624, 3.0748, 3.0513, 1.6091]
    assert round(u1["variance"], 4) == 0.1492 and round(u2["variance"], 4) == 0.1502
    assert u1["sigma2_window"] == pytest.approx([0.244287, 0.254363], abs=1e-6)
    assert u2["sigma2_window"] == pytest.approx([0.248555, 0.251216], abs=1e-6)
    for e in sol["nash"] + sol["robust"]:
        assert e["max_deviation_gain"] < 0
    # burdens inside / of unilateral entrants (paper: B(U1), B(U1^c), B(U2), B(U2^c))
    ch1 = D.check(inst.c, [0, 1, 2, 3], 0.25, 1.0)
    assert [round(b, 4) for b in ch1.burdens] == [0.1727, 0.1756, 0.1760, 0.2457]
    ws, W1 = cf.w(inst.c), cf.w(inst.c)[:4].sum()
    assert [round(float(b), 4) for b in cf.burden_entrant(ws[4:], W1, 4, 0.25, 1.0)] == [0.2535, 0.2629]
    W2 = ws[[0, 1, 2, 4]].sum()
    assert [round(float(b), 4) for b in cf.burden_selfish(ws[[0, 1, 2, 4]], W2, 4, 0.25, 1.0)] == [
        0.1737, 0.1767, 0.1771, 0.2489]
    assert [round(float(b), 4) for b in cf.burden_entrant(ws[[3, 5]], W2, 4, 0.25, 1.0)] == [0.2510, 0.2636]
    # Lemma 4: U2 excludes a4 (c4 <= c5) but includes a5
    assert "a4" not in u2["coalition"] and "a5" in u2["coalition"]


def test_lemma3_pos():
    r = run("dpshare.price_of_stability", coopt.load("dpshare/lemma3-example"), solver="exact")
    for kind in ("nash", "robust"):
        s = r.solution[kind]
        assert s["coalition"] == ["a1", "a2", "a3", "a4"] and s["social_cost"] == pytest.approx(1.269998, abs=1e-6)
        assert round(s["pos_sc"], 5) == 1.09226 and round(s["pos_var"], 5) == 1.53949


def test_lemma5():
    inst = coopt.load("dpshare/lemma5-example")
    r = run("dpshare.equilibria", inst, solver="exact")
    assert names(r.solution["nash"]) == [["a1", "a2", "a3", "a4"]] == names(r.solution["robust"])
    p = run("dpshare.price_of_stability", inst, solver="exact")
    assert round(p.solution["nash"]["pos_sc"], 5) == 1.05850
    assert p.values["sc_central"] == pytest.approx(0.483915, abs=1e-6) and p.values["k_star"] == 4
    hi = inst.with_overrides(sigma2=0.16)
    r = run("dpshare.equilibria", hi, solver="exact")
    assert r.solution["nash"] == [] and any("no nash" in m for m in r.messages)
    rob = names(r.solution["robust"])
    assert len(rob) == 6 and max(len(s) for s in rob) == 8
    assert ["a1", "a2", "a5", "a6", "a7", "a8", "a9"] in rob
    b = run("dpshare.best_stable", hi, solver="exact")
    assert b.solution["nash"] is None
    assert b.solution["robust"]["coalition"] == [f"a{i}" for i in range(1, 9)]
    assert b.solution["robust"]["social_cost"] == pytest.approx(1.255628, abs=1e-6)
    p = run("dpshare.price_of_stability", hi, solver="exact")
    assert p.values["k_star"] == 9 and p.values["sc_central"] == pytest.approx(0.864465, abs=1e-6)
    assert p.solution["nash"]["coalition"] is None and p.solution["nash"]["social_cost"] == pytest.approx(9 * 0.16)


FIG1 = [  # notes 5.2: sigma breakpoints, max Nash size, max robust size (0 = none)
    (0.0, 0, 0), (0.19330, 0, 2), (0.20098, 3, 3), (0.21128, 0, 3), (0.23032, 4, 4), (0.28321, 0, 4),
    (0.30083, 5, 5), (0.31008, 0, 5), (0.33255, 6, 6), (0.33414, 0, 6), (0.35956, 7, 7), (0.35983, 0, 7),
    (0.38671, 0, 8), (0.41290, 9, 9)]


def test_figure1_step_functions():
    inst = coopt.load("dpshare/figure1")
    f = step_functions(inst.c, inst.alpha)
    got = [(round(a, 5), int(b), int(c)) for a, b, c in zip(f.sigma_lo, f.max_nash, f.max_robust)]
    assert got == FIG1
    # robust breakpoints are sqrt(T(S_k)); the robust size is monotone (Lemma 6); never a Nash size 8
    np.testing.assert_allclose(f.sigma_lo[f.max_robust.diff() > 0], np.sqrt(cf.prefix_T(inst.c, 1.0)[2:]))
    assert (f.max_robust.diff().dropna() >= 0).all() and 8 not in set(f.max_nash)


def test_phenomena():
    # robust but not Nash; no Nash but robust: Lemma 5 instance at sigma = 0.4 (above)
    fig = coopt.load("dpshare/figure1")
    # no stable coalition at all, with k* > 0 (sigma = 0.19) and with k* = 0
    for s, kstar in [(0.19, 3)]:
        assert enumerate_stable(fig.c, s * s, 1.0).robust.size == 0
        assert cf.design_scan(fig.c, s * s, 1.0)[0] == kstar
    c0 = np.array([1.0, 1.1, 1.2])
    assert enumerate_stable(c0, 0.01, 1.0).robust.size == 0 and cf.design_scan(c0, 0.01, 1.0)[0] == 0
    # an SC-optimal robust coalition that is not downward closed (found by a random search)
    inst = from_costs(np.array([15.2, 17.4, 18.5, 18.8, 23.9, 26.9, 29.3, 33.7]) * 1e-4, 0.12928, 1.0)
    b = run("dpshare.best_stable", inst, solver="exact")
    assert b.solution["robust"]["coalition"] == ["a1", "a2", "a3", "a4", "a7"]


def test_claim7_well_separated_scan_equals_enumeration():
    rng = np.random.default_rng(11)
    seen = 0
    for _ in range(150):
        n = int(rng.integers(3, 10))
        c = np.cumprod(np.r_[rng.uniform(1e-4, 1e-3), rng.uniform(2.0, 3.0, n - 1)])
        assert cf.well_separated(c)
        alpha = float(rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0]))
        ws = cf.w(c)
        s2 = float(np.exp(rng.uniform(np.log(ws[0]), np.log(20 * ws[-1]))))
        e = enumerate_stable(c, s2, alpha)
        nash = sorted(bin(int(m)).count("1") for m in e.nash)
        assert all(int(m) & (int(m) + 1) == 0 for m in e.nash)          # downward closed
        assert nash == cf.nash_scan_downward(c, s2, alpha)
        seen += len(nash)
    assert seen > 20


def test_claim8_lemma6_largest_robust():
    rng = np.random.default_rng(12)
    for _ in range(100):
        n = int(rng.integers(2, 10))
        c = np.sort(rng.uniform(1e-4, 5e-3, n))
        alpha = float(rng.uniform(-1, 1))
        grid = np.sort(rng.uniform(0.001, 0.5, 6))
        Ks = cf.largest_robust(c, grid, alpha)
        assert np.all(np.diff(Ks) >= 0)                                   # Lemma 6
        for s2, K in zip(grid, Ks):
            e = enumerate_stable(c, s2, alpha)
            sizes = [bin(int(m)).count("1") for m in e.robust]
            assert K == (max(sizes) if sizes else 0)
            if K:
                assert (1 << K) - 1 in set(int(m) for m in e.robust)      # S_K is robust
                assert K in robust_scan(c, s2, alpha)


def test_claim3_claim4_identical_costs():
    for alpha in (-1.0, -0.75, -0.5, -0.25, 0.0, 0.5, 1.0):
        for ratio in np.linspace(1.0, 40.0, 25):
            n = 7
            e = enumerate_stable(np.full(n, 0.01), ratio * float(cf.w(0.01)), alpha)
            nash = {bin(int(m)).count("1") for m in e.nash}
            rob = {bin(int(m)).count("1") for m in e.robust} - {n}
            assert nash <= {n}                                              # Claim 3
            if alpha <= -0.5:
                assert not rob                                              # Claim 4 (i)
            else:
                assert len(rob) <= 1                                        # Claim 4 (ii): one size


def test_exact_large_n_paths():
    rng = np.random.default_rng(3)
    c = np.sort(rng.uniform(1e-4, 1e-2, 30))
    inst = from_costs(c, 0.05, 0.5)
    with pytest.raises(coopt.errors.InputError, match="highs"):
        find(inst, "exact", {})
    sep = from_costs(np.cumprod(np.full(25, 2.0)) * 1e-8, 0.05, -1.0)
    f = find(sep, "exact", {})
    assert f.complete["nash"] and not f.complete["robust"]
    K = int(cf.largest_robust(sep.c, 0.05, -1.0))
    assert f.coalitions["robust"] == [] or max(len(s) for s in f.coalitions["robust"]) == K
    assert Enumeration.members(7, 5) == [0, 1, 2]


def test_claim2_message_on_counterexample():
    w1 = float(cf.w(1.0))
    inst = from_costs([1.0, 1.0], sigma2=4.04 * w1, alpha=1.0)
    r = run("dpshare.equilibria", inst, solver="exact")
    assert r.solution["nash"] == [] and r.solution["robust"] == []
    assert any("Claim 2 as printed" in m and "not stable" in m for m in r.messages)


def test_best_stable_milp_large_n_well_separated():
    """n = 24 > 20: the per-size MILP's best Nash coalition equals the best one of Claim 7's O(n) scan."""
    c = np.cumprod(np.full(24, 2.05)) * 1e-9
    for s2 in (float(cf.prefix_T(c, -1.0)[k]) * 1.001 for k in (5, 12)):
        inst = from_costs(c, s2, -1.0)
        sizes = cf.nash_scan_downward(inst.c, s2, -1.0)
        b = run("dpshare.best_stable", inst, solver="highs")
        if not sizes:
            assert b.solution["nash"] is None
            continue
        best = min(sizes, key=lambda k: float(cf.sc_selfish(cf.w(inst.c[:k]).sum(), k, 24, s2, -1.0)))
        assert b.solution["nash"]["coalition"] == inst.names[:best]
        assert b.solution["nash"]["max_deviation_gain"] <= 0


def test_cli_json_contract():
    import json

    from tests.conftest import run_cli

    r = run_cli("solve", "dpshare.price_of_stability", "--data", "dpshare/lemma5-example", "--set", "sigma2=0.16",
                "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"problem", "status", "solver", "objective", "solution"} <= set(d)
    assert d["solution"]["nash"]["coalition"] is None and d["solution"]["robust"]["coalition"][0] == "a1"
    r = run_cli("solve", "dpshare.equilibria", "--data", "dpshare/lemma3-example", "--format", "json")
    d = json.loads(r.stdout)
    assert d["values"]["largest_robust_size"] == 4
    e = d["solution"]["nash"][0]
    assert set(e) == {"coalition", "epsilon", "social_cost", "variance", "sigma2_window", "max_deviation_gain"}


@pytest.mark.parametrize("solver", ["exact", "highs"])
def test_limit_truncates_and_says_so(solver):
    inst = from_costs(np.full(7, 0.01), 5.2 * float(cf.w(0.01)), 0.5)    # 21 robust 5-subsets (Claim 4)
    r = run("dpshare.equilibria", inst, solver=solver, limit=5)
    assert len(r.solution["robust"]) == 5 and r.solution["nash"] == []
    assert any("5" in m and ("first" in m or "incomplete" in m) for m in r.messages)
    if solver == "exact":
        assert r.values["n_robust"] == 21 and r.status.value == "optimal"
    else:
        assert r.status.value == "feasible"

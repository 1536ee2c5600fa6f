"""P1, P2 (convex programs, three solvers) and P3 (exact scan vs declarative MILP) through the catalogue."""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.catalog import run
from coopt.data.dpshare import from_costs
from coopt.formulations.dpshare import closed_form as cf

COAL = "a1,a2,a3,a4"


@pytest.mark.parametrize("solver", ["clarabel", "scs", "ipopt"])
@pytest.mark.parametrize("problem", ["dpshare.best_response", "dpshare.design_fixed"])
def test_convex_programs_match_lemmas(problem, solver):
    inst = coopt.load("dpshare/lemma3-example")
    r = run(problem, inst, solver=solver, coalition=COAL)
    assert r.status.value == "optimal"
    assert r.closed_form_error < 2e-4
    sol = r.solution
    assert sol["coalition"] == ["a1", "a2", "a3", "a4"] and sol["first_order_residual"] < 1e-3
    c = inst.c[:4]
    ref = cf.eps_central(c, 4, 1.0) if problem.endswith("fixed") else cf.eps_selfish(c, 4, 1.0)
    np.testing.assert_allclose([sol["epsilon"][a] for a in COAL.split(",")], ref, rtol=2e-4)
    assert "method" in sol and any(m.startswith("method:") for m in r.messages)


def test_best_response_lemma3_numbers():
    r = run("dpshare.best_response", coopt.load("dpshare/lemma3-example"), solver="ipopt", coalition="a1,a2,a3,a5")
    eps = [round(v, 4) for v in r.solution["epsilon"].values()]
    assert eps == [3.2624, 3.0748, 3.0513, 1.5917]                       # paper, section 5.1 (U2)
    assert round(r.solution["variance"], 4) == 0.1502
    assert [round(v, 4) for v in r.solution["burdens"].values()] == [0.1737, 0.1767, 0.1771, 0.2489]


@pytest.mark.parametrize("seed", range(6))
def test_design_milp_agrees_with_lemma1_scan(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 14))
    alpha = float(rng.choice([-1.0, -0.5, 0.0, 0.5, 0.75, 1.0]))
    inst = from_costs(rng.uniform(1e-3, 5e-2, n), sigma2=float(rng.uniform(0.01, 0.5)), alpha=alpha)
    a = run("dpshare.design", inst, solver="exact")
    b = run("dpshare.design", inst, solver="highs")
    assert a.status.value == b.status.value == "optimal"
    assert b.objective == pytest.approx(a.objective, rel=1e-7)
    assert b.solution["social_cost"] == pytest.approx(a.solution["social_cost"], rel=1e-7)
    assert set(a.solution) == {"coalition", "epsilon", "social_cost", "variance", "method"}
    k, sc = cf.design_scan(inst.c, inst.sigma2, alpha)
    if np.sum(np.isclose(sc[2:], sc[k], rtol=1e-9)) == 1:   # unique optimum: the same coalition
        assert sorted(a.solution["coalition"]) == sorted(b.solution["coalition"])


def test_design_lemma3_reference():
    r = run("dpshare.design", coopt.load("dpshare/lemma3-example"), solver="exact")
    s = r.solution
    assert s["coalition"] == ["a1", "a2", "a3", "a4"]
    assert s["social_cost"] == pytest.approx(1.162723, abs=1e-6) and s["variance"] == pytest.approx(0.096894, abs=1e-6)
    assert [round(v, 4) for v in s["epsilon"].values()] == [5.1787, 4.8809, 4.8436, 2.5544]


def test_design_no_sharing():
    inst = from_costs([1.0, 1.2, 1.5], sigma2=0.01, alpha=1.0)
    r = run("dpshare.design", inst, solver="exact")
    assert r.solution["coalition"] == [] and r.solution["social_cost"] == pytest.approx(0.03)
    assert r.solution["variance"] == pytest.approx(0.01)
    m = run("dpshare.design", inst, solver="highs")
    assert m.solution["coalition"] == [] and m.objective == pytest.approx(0.03)


@pytest.mark.parametrize("problem", ["dpshare.best_response", "dpshare.design_fixed"])
def test_power_cone_twin_and_paper_messages(problem):
    inst = coopt.load("dpshare/lemma3-example")
    r = run(problem, inst, solver="clarabel", formulation="power-cone", coalition="a1,a2,a4")
    assert r.formulation == "power-cone" and r.closed_form_error < 5e-4
    s = run(problem, inst, solver="clarabel", coalition="a1,a2,a4")
    assert s.formulation == "socp" and s.closed_form_error < 1e-5 and s.kkt_residual is not None
    text = " ".join(s.messages)
    assert ("k^(1+alpha)" in text) if problem.endswith("fixed") else ("smaller" in text)

"""itinfra.het_coordinator (B.1): non-convex QCQP by Ipopt (local) and SCIP (global) against the exact
1-D reduction and the paper's g_inH, g_inL; the bound-binding case where the printed forms go negative."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coopt
import coopt.data.itinfra.heterogeneous  # noqa: F401  (registers the itinfra-het family)
from coopt.catalog import run
from coopt.errors import InputError
from coopt.formulations.itinfra import closed_form as cf
from coopt.formulations.itinfra import heterogeneous as het

COMPS = ["2,0", "0,2", "1,1", "2,1", "1,2", "2,2"]


def two_types(pH=2.0, pL=1.0, nH=2, nL=2, **kw):
    d = [{"name": f"H{i}", "p": pH} for i in range(nH)] + [{"name": f"L{i}", "p": pL} for i in range(nL)]
    return coopt.load("itinfra/het-two-types", {"districts": d, **kw})


@pytest.mark.parametrize("solver", ["exact", "ipopt", "scip"])
def test_bundled_two_types_match_printed_closed_forms(solver):
    inst = coopt.load("itinfra/het-two-types")
    for comp in COMPS:
        r = run("itinfra.het_coordinator", inst, solver=solver, composition=comp)
        assert r.status.has_solution, (comp, r.status)
        jH, jL = map(int, comp.split(","))
        if jH:
            assert r.solution["g_in"]["2.0"] == pytest.approx(cf.g_inH(jH, jL, .35, .5, 2, 1), rel=1e-6, abs=1e-8)
        if jL:
            assert r.solution["g_in"]["1.0"] == pytest.approx(cf.g_inL(jH, jL, .35, .5, 2, 1), rel=1e-6, abs=1e-8)
        assert r.solution["equal_treatment_residual"] < 1e-7
        assert r.objective == pytest.approx(het.exact(inst, (jH, jL)).CW, rel=1e-7)
        if solver == "scip":
            assert r.ok and r.gap is not None and r.gap < 1e-6  # global, with its bound


def test_error11_printed_g_inL_negative_and_the_model_solves_the_bound():
    inst = two_types(pH=3.0)
    assert cf.g_inL(2, 2, .35, .5, 3, 1) == pytest.approx(-0.0885, abs=1e-4)  # the printed form
    assert cf.g_inH(2, 2, .35, .5, 3, 1) == pytest.approx(0.5135, abs=1e-4)
    for solver in ("exact", "ipopt", "scip"):
        r = run("itinfra.het_coordinator", inst, solver=solver, composition="2,2")
        assert r.solution["g_in"]["3.0"] == pytest.approx(0.3, abs=1e-6)
        assert r.solution["g_in"]["1.0"] == pytest.approx(0.0, abs=1e-6)
        assert r.closed_form == {}  # the printed forms are infeasible: not used as a reference


@settings(max_examples=10, deadline=None)
@given(kappa=st.floats(0.05, 0.45), beta=st.floats(0.0, 1.0), alpha=st.floats(0.1, 0.95), ratio=st.floats(1.05, 4.0),
       jH=st.integers(0, 3), jL=st.integers(0, 3))
def test_random_two_type_scip_global_equals_exact_reduction(kappa, beta, alpha, ratio, jH, jL):
    if jH + jL < 2:
        return
    inst = two_types(pH=ratio, pL=1.0, nH=3, nL=3, kappa=kappa, beta=beta, alpha=alpha)
    ref = het.exact(inst, (jH, jL))
    r = run("itinfra.het_coordinator", inst, solver="scip", composition=f"{jH},{jL}")
    assert r.ok
    assert r.objective == pytest.approx(ref.CW, rel=1e-6, abs=1e-8)
    assert r.solution["total_inside"] == pytest.approx(ref.G, rel=1e-5, abs=1e-7)


def test_equal_costs_reduce_to_the_homogeneous_model():
    inst = coopt.load("itinfra/het-two-types", {"districts": [{"name": f"d{i}", "p": 1.5} for i in range(5)]})
    for j in range(2, 6):
        o = het.exact(inst, (j,))
        assert o.S_in == pytest.approx(float(cf.S_in(j, 5, .35, .7, .5, 1.5)), abs=1e-12)
        assert o.g[0] == pytest.approx(float(cf.g_in(j, .35, .5, 1.5)), abs=1e-12)


def test_three_cost_types_from_a_csv_table(tmp_path):
    (tmp_path / "d.csv").write_text("name,p\na,3\nb,2\nc,2\nd,1\n")
    (tmp_path / "i.yaml").write_text("family: itinfra-het\nkappa: 0.3\nbeta: 0.8\nalpha: 0.4\ndistricts: d.csv\n")
    inst = coopt.load(tmp_path / "i.yaml")
    assert inst.costs == (3.0, 2.0, 1.0) and inst.counts == (1, 2, 1)
    for solver in ("exact", "scip"):
        r = run("itinfra.het_coordinator", inst, solver=solver, composition="1,1,1")
        assert r.status.has_solution and r.solution["equal_treatment_residual"] < 1e-7
        assert r.objective == pytest.approx(het.exact(inst, (1, 1, 1)).CW, rel=1e-6)


def test_bad_inputs_are_one_line_errors(tmp_path):
    inst = coopt.load("itinfra/het-two-types")
    with pytest.raises(InputError, match="composition"):
        run("itinfra.het_coordinator", inst, solver="exact", composition="3,0")
    (tmp_path / "d.csv").write_text("name,cost\na,1\n")
    (tmp_path / "i.yaml").write_text("family: itinfra-het\nkappa: 0.3\nbeta: 0.8\nalpha: 0.4\ndistricts: d.csv\n")
    with pytest.raises(InputError, match="missing column"):
        coopt.load(tmp_path / "i.yaml")

"""solve(): statuses, options, and the certificate coopt recomputes (independent of the solver)."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pyomo.environ as pyo
import pytest

from coopt.errors import InputError
from coopt.solve import NativeModel, NativeSolution, Status, solve
from coopt.solve.certificate import kkt_residual, primal_residual


def qp() -> pyo.ConcreteModel:
    """min (x-1)^2 + (y-2)^2 s.t. x + y <= 2, x, y >= 0: optimum (0.5, 1.5), value 0.5."""
    m = pyo.ConcreteModel(name="qp")
    m.x = pyo.Var(bounds=(0, None), initialize=0.0)
    m.y = pyo.Var(bounds=(0, None), initialize=0.0)
    m.c = pyo.Constraint(expr=m.x + m.y <= 2)
    m.o = pyo.Objective(expr=(m.x - 1) ** 2 + (m.y - 2) ** 2)
    return m


@pytest.mark.parametrize("solver", ["highs", "ipopt", "scip"])
def test_pyomo_qp_every_solver(solver):
    r = solve(qp(), solver, "QP")
    assert r.status == Status.OPTIMAL
    assert r.objective == pytest.approx(0.5, rel=1e-6)
    assert r.value("x") == pytest.approx(0.5, abs=1e-5)
    assert r.kkt_residual < 1e-5 and r.primal_residual < 1e-7
    assert r.gap is not None and r.gap < 1e-6
    assert r.solver_version


@pytest.mark.parametrize("solver", ["clarabel", "scs", "osqp", "highs-cvxpy"])
def test_cvxpy_qp_every_solver(solver):
    x = cp.Variable(2, nonneg=True)
    prob = cp.Problem(cp.Minimize(cp.sum_squares(x - np.array([1.0, 2.0]))), [cp.sum(x) <= 2])
    r = solve(prob, solver, "QP")
    assert r.status == Status.OPTIMAL
    assert r.objective == pytest.approx(0.5, rel=1e-5)
    assert r.kkt_residual < 1e-4


def test_kkt_residual_detects_a_non_optimal_point():
    m = qp()
    m.x.value, m.y.value = 0.2, 1.0  # feasible, not optimal
    assert primal_residual(m) == 0.0
    assert kkt_residual(m) > 0.1
    m.x.value, m.y.value = 0.5, 1.5
    assert kkt_residual(m) < 1e-12


def test_primal_residual_detects_violation():
    m = qp()
    m.x.value, m.y.value = 2.0, 1.0
    assert primal_residual(m) == pytest.approx(1.0)


def test_infeasible_and_unbounded_are_distinct_statuses():
    m = pyo.ConcreteModel(name="infeasible")
    m.x = pyo.Var(bounds=(0, 1))
    m.c = pyo.Constraint(expr=m.x >= 2)
    m.o = pyo.Objective(expr=m.x)
    assert solve(m, "highs", "LP").status in (Status.INFEASIBLE, Status.INFEASIBLE_OR_UNBOUNDED)
    u = pyo.ConcreteModel(name="unbounded")
    u.x = pyo.Var(bounds=(0, None))
    u.o = pyo.Objective(expr=u.x, sense=pyo.maximize)
    assert solve(u, "highs", "LP").status in (Status.UNBOUNDED, Status.INFEASIBLE_OR_UNBOUNDED)
    r = solve(m, "highs", "LP")
    assert not r.ok and r.objective is None


def test_iteration_limit_is_not_success():
    m = pyo.ConcreteModel(name="nlp")
    m.x = pyo.Var(initialize=-3.0)
    m.o = pyo.Objective(expr=pyo.exp(m.x) - 2 * m.x + m.x**4)
    r = solve(m, "ipopt", "NLP", max_iter=1)
    assert r.status == Status.ITERATION_LIMIT and not r.ok


def test_nonconvex_ipopt_is_only_locally_optimal_scip_global():
    m = pyo.ConcreteModel(name="nc")
    m.x = pyo.Var(bounds=(-2, 2), initialize=1.5)
    m.o = pyo.Objective(expr=(m.x**2 - 1) ** 2 + 0.3 * m.x)
    r = solve(m, "ipopt", "NCNLP")
    assert r.status == Status.LOCALLY_OPTIMAL and not r.ok
    g = solve(m, "scip", "NCNLP")
    assert g.ok and g.value("x") < 0  # the global minimum is the left well
    grid = np.linspace(-2, 2, 400001)
    assert g.objective == pytest.approx(np.min((grid**2 - 1) ** 2 + 0.3 * grid), abs=1e-6)


def test_bad_solver_options():
    with pytest.raises(InputError, match="time_limit"):
        solve(qp(), "highs", "QP", time_limit=-1)
    with pytest.raises(InputError, match="unknown solver option 'threads'"):
        solve(qp(), "highs", "QP", threads=2)


def test_native_model_and_method_mismatch():
    nm = NativeModel("toy", run=lambda **o: NativeSolution("optimal", 1.0, {"x": 1.0}, bound=1.0))
    r = solve(nm, "exact", "NCNLP")
    assert r.ok and r.gap == 0.0
    with pytest.raises(InputError, match="exact method"):
        solve(nm, "heuristic", "NCNLP")


def test_result_exports(tmp_path):
    r = solve(qp(), "highs", "QP")
    d = r.to_dict()
    assert set(d["certificate"]) == {"primal_residual", "kkt_residual", "closed_form_error"}
    frame = r.to_frame()
    assert list(frame.columns) == ["variable", "index", "value"] and len(frame) == 2
    import json

    assert json.loads(r.to_json())["status"] == "optimal"

"""Solver registry: capabilities, installed status, refusals before solving."""

from __future__ import annotations

import pytest

from coopt.errors import SolverUnavailable
from coopt.solve import SOLVERS, capable, check_request

REQUIRED = ("highs", "ipopt", "scip", "clarabel", "scs", "ecos", "osqp", "highs-cvxpy")


def test_required_solvers_are_registered_and_installed():
    for name in REQUIRED:
        assert name in SOLVERS
        assert SOLVERS[name].available, f"{name}: {SOLVERS[name].unavailable_reason}"


def test_unknown_solver_lists_known_ones():
    with pytest.raises(SolverUnavailable, match="unknown solver 'gurobi'.*highs"):
        check_request("gurobi", "LP")


def test_class_refused_with_suggestion():
    with pytest.raises(SolverUnavailable, match="cannot solve a MINLP problem.*try scip"):
        check_request("highs", "MINLP", "pyomo")
    with pytest.raises(SolverUnavailable, match="works on cvxpy models.*try"):
        check_request("clarabel", "QP", "pyomo")


def test_capable_puts_global_solvers_first():
    names = capable("NCNLP", ("pyomo",))
    assert names[0] == "scip" and "ipopt" in names
    assert "highs" not in names

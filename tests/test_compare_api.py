"""coopt.compare() returns the comparison table as a DataFrame; solver-specific options are honoured
or refused (checked by the solver's own API), never dropped."""

from __future__ import annotations

import pytest

import coopt
from coopt.comparison import COLUMNS, parse_solver_options
from coopt.errors import InputError


@pytest.fixture(scope="module")
def inst():
    return coopt.load("itinfra/paper-figure1")


def test_compare_returns_a_frame_matching_the_closed_form(inst):
    frame = coopt.compare("itinfra.coordinator", inst, ["highs", "ipopt", "clarabel"], j=5)
    assert list(frame.columns) == list(COLUMNS) and list(frame["solver"]) == ["highs", "ipopt", "clarabel"]
    assert (frame["status"] == "optimal").all() and (frame["closed_form_error"] < 1e-7).all()
    ref = coopt.run("itinfra.coordinator", inst, solver="highs", j=5).objective
    assert frame["objective"].tolist() == pytest.approx([ref] * 3, rel=1e-7)
    assert frame.attrs == {"problem": "itinfra.coordinator", "instance": "paper-figure1"}


def test_a_solver_that_does_not_fit_is_a_refused_row():
    frame = coopt.compare("vaccine.wolfe_dual", coopt.load("vaccine/example-1"), "highs,exact")
    refused = frame.set_index("solver").loc["highs"]
    assert refused["status"] == "refused" and "solvers that fit" in refused["note"]
    assert frame.set_index("solver").loc["exact", "status"] == "optimal"


def test_solver_options_are_honoured(inst):
    """max_iters is SCS's own option: 5 iterations cannot reach the optimum (status not optimal), the
    default (coopt's 200,000) does."""
    few = coopt.compare("itinfra.coordinator", inst, ["scs"], j=5, solver_options={"scs": {"max_iters": 5}})
    assert few.loc[0, "status"] != "optimal"
    full = coopt.compare("itinfra.coordinator", inst, ["scs"], j=5)
    assert full.loc[0, "status"] == "optimal"
    r = coopt.run("itinfra.coordinator", inst, solver="highs", j=5, solver_options={"simplex_strategy": 4})
    assert r.ok and r.options["solver_options"] == {"simplex_strategy": 4}


@pytest.mark.parametrize(("solver", "opts", "needle"), [
    ("scs", {"max_itres": 5}, "solver option scs.max_itres = 5: not an SCS setting"),
    ("highs", {"presolve": 3.5}, "solver option highs.presolve = 3.5: not a HiGHS option, or a bad value"),
    ("ipopt", {"max_iter": "many"}, "solver option ipopt.max_iter = 'many'"),
    ("scip", {"limits/nope": 1}, "not a SCIP parameter"),
    ("clarabel", {"nope": 1}, "not a Clarabel setting"),
    ("osqp", {"nope": 1}, "not an OSQP setting"),
])
def test_a_bad_solver_option_is_refused_before_solving(inst, solver, opts, needle):
    with pytest.raises(InputError, match=needle.replace(".", r"\.").replace("(", r"\(")):
        coopt.compare("itinfra.coordinator", inst, [solver], j=5, solver_options={solver: opts})


def test_options_for_a_solver_not_compared_or_native_are_refused(inst):
    with pytest.raises(InputError, match="solver options for scs: not among the compared solvers"):
        coopt.compare("itinfra.coordinator", inst, ["highs"], j=5, solver_options={"scs": {"max_iters": 5}})
    with pytest.raises(InputError, match="solver 'exact' takes no solver-specific options"):
        coopt.run("itinfra.stage2", inst, solver="exact", j=5, solver_options={"x": 1})


def test_parse_solver_options():
    got = parse_solver_options(["scs.max_iters=5000", "highs.presolve=off", "scip.limits/time=2.5"],
                               ["scs", "highs", "scip"])
    assert got == {"scs": {"max_iters": 5000}, "highs": {"presolve": "off"}, "scip": {"limits/time": 2.5}}
    with pytest.raises(InputError, match="expected SOLVER.NAME=VALUE"):
        parse_solver_options(["max_iters=5"], ["scs"])
    with pytest.raises(InputError, match="solver 'osqp' is not compared"):
        parse_solver_options(["osqp.max_iter=5"], ["scs"])

"""Your own model without forking: coopt.build, coopt.solve(model), coopt.run(modify=), Result.model.

References are independent of the code under test: the welfare cap is computed from the unedited
optimum and the closed-form concave quadratic CW(G) of the coordinator, the capped objective is
checked against 0.9 of the unedited one, and the quadratic version is solved globally by SCIP.
"""

from __future__ import annotations

import json
import math

import pyomo.environ as pyo
import pytest

import coopt
from coopt.errors import InputError
from coopt.formulations.base import Formulation, NotApplicable, Option, Problem
from coopt.models import fingerprint, stamp_of, structure


@pytest.fixture(scope="module")
def inst():
    return coopt.load("itinfra/paper-figure1")


def _cap_on_total(inst, j: int, fraction: float, optimum: float) -> float:
    """G_cap with CW(G_cap) = fraction * CW*: CW(G) = (1+(j-2)kappa) G - alpha p G^2 + kappa beta j (n-j) g_out
    (the coordinator's welfare as a function of the coalition total), the root below the maximiser."""
    k, b, a, p, n = inst.kappa, inst.beta, inst.alpha, inst.p, inst.n
    lin, const = 1 + (j - 2) * k, k * b * j * (n - j) * (1 - k) / (2 * p)
    target = fraction * optimum
    return (lin - math.sqrt(lin**2 - 4 * a * p * (target - const))) / (2 * a * p)


# ----------------------------------------------------------------------------- the acceptance line of #13


@pytest.mark.parametrize("solver", ["highs", "ipopt"])
def test_edited_coordinator_capped_at_90_percent(inst, solver):
    """Build itinfra.coordinator (j = 5), add a constraint capping the objective at 90% of its optimum,
    solve with coopt.solve: 90% of the optimum, status optimal, no closed-form error."""
    base = coopt.run("itinfra.coordinator", inst, solver="highs", j=5)
    assert base.ok and base.closed_form_error < 1e-9  # the unedited model matches the paper
    model = coopt.build("itinfra.coordinator", inst, j=5)
    assert isinstance(model, pyo.ConcreteModel)
    model.cap = pyo.Constraint(expr=model.G <= _cap_on_total(inst, 5, 0.9, base.objective))
    res = coopt.solve(model, solver=solver, tol=1e-10)
    assert res.status.value == "optimal"
    assert res.objective == pytest.approx(0.9 * base.objective, rel=1e-8)
    assert res.closed_form_error is None and res.closed_form == {}
    assert any(m.startswith("closed form not applicable: the model was changed") for m in res.messages)
    assert res.kkt_residual < 1e-7 and res.gap is not None and res.gap < 1e-7
    assert res.problem == "itinfra.coordinator" and res.formulation == "qp" and res.model is model


def test_quadratic_cap_is_refused_as_a_qp_and_solved_globally_as_ncnlp(inst):
    """welfare <= 0.9 CW* cuts the top off a concave function: a non-convex constraint. Solving it as
    the declared QP is refused (naming the class to pass); SCIP solves it globally as an NCNLP."""
    base = coopt.run("itinfra.coordinator", inst, solver="highs", j=5)
    model = coopt.build("itinfra.coordinator", inst, j=5)
    model.cap = pyo.Constraint(expr=model.welfare.expr <= 0.9 * base.objective)
    with pytest.raises(InputError, match=r"not a QP: constraint cap is a non-convex quadratic.*problem_class='NCNLP'"):
        coopt.solve(model, solver="highs")
    res = coopt.solve(model, solver="scip", problem_class="NCNLP")
    assert res.ok and res.objective == pytest.approx(0.9 * base.objective, rel=1e-7)
    assert res.gap is not None and res.gap < 1e-6 and res.closed_form_error is None
    with pytest.raises(Exception, match="cannot solve a NCNLP"):  # HiGHS takes no non-convex constraint
        coopt.solve(model, solver="highs", problem_class="NCNLP")


# ----------------------------------------------------------------------------- stamps and re-solves


def test_an_unedited_stamped_model_gets_its_solution_and_closed_form(inst):
    model = coopt.build("itinfra.coordinator", inst, j=4)
    st = stamp_of(model)
    assert (st.problem, st.formulation, st.problem_class, st.options["j"]) == ("itinfra.coordinator", "qp", "QP", 4)
    res = coopt.solve(model)  # the problem's default solver (highs)
    ref = coopt.run("itinfra.coordinator", inst, solver="highs", j=4)
    assert res.solver == "highs" and res.objective == pytest.approx(ref.objective, rel=1e-12)
    assert res.closed_form_error is not None and res.closed_form_error < 1e-9
    assert res.solution["j"] == 4 and res.solution["g_in"] == pytest.approx(ref.solution["g_in"])
    again = coopt.solve(res.model, solver="ipopt")  # re-solve the kept model: unchanged, still the closed form
    assert again.ok and again.objective == pytest.approx(ref.objective, rel=1e-9)
    assert again.closed_form_error is not None and again.closed_form_error < 1e-7


def test_solving_does_not_change_the_fingerprint_but_an_edit_or_a_parameter_does(inst):
    model = coopt.build("itinfra.coordinator", inst, j=5)
    before = fingerprint(model)
    coopt.solve(model, solver="ipopt")  # adds Ipopt's dual suffix and sets the variables: not an edit
    assert fingerprint(model) == before
    model.kappa = 0.3
    assert fingerprint(model) != before
    model.kappa = inst.kappa
    assert fingerprint(model) == before
    model.equal[2].deactivate()
    assert fingerprint(model) != before


def test_changing_a_parameter_of_a_built_model_is_a_change_too(inst):
    """kappa changed on the model: the paper's closed form at the instance's kappa no longer applies."""
    model = coopt.build("itinfra.coordinator", inst, j=5)
    model.kappa = 0.2
    res = coopt.solve(model, solver="highs")
    fresh = coopt.run("itinfra.coordinator", inst.with_overrides(kappa=0.2), solver="highs", j=5)
    assert res.objective == pytest.approx(fresh.objective, rel=1e-9)  # g_out follows kappa (an expression)
    assert res.closed_form_error is None and "closed form not applicable" in " ".join(res.messages)


def test_run_modify_edits_before_the_solve(inst):
    base = coopt.run("itinfra.coordinator", inst, solver="highs", j=5)
    G_cap = _cap_on_total(inst, 5, 0.9, base.objective)

    def cap(m):
        m.cap = pyo.Constraint(expr=m.G <= G_cap)

    res = coopt.run("itinfra.coordinator", inst, solver="ipopt", j=5, modify=cap)
    assert res.ok and res.objective == pytest.approx(0.9 * base.objective, rel=1e-7)
    assert res.closed_form_error is None and res.solution == {}
    assert "closed form not applicable: the model was changed by modify=" in res.messages
    assert res.model.cap is not None
    untouched = coopt.run("itinfra.coordinator", inst, solver="highs", j=5, modify=lambda m: None)
    assert untouched.closed_form_error is not None and untouched.closed_form_error < 1e-9


def test_result_json_leaves_the_model_out(inst):
    res = coopt.run("itinfra.coordinator", inst, solver="highs", j=5)
    assert res.model is not None
    d = json.loads(res.to_json())
    assert "model" not in d and d["problem"] == "itinfra.coordinator"


def test_a_cvxpy_model_is_stamped_checked_and_its_parameters_re_solve(inst):
    import cvxpy as cp

    model = coopt.build("itinfra.coordinator", inst, formulation="qp-cvxpy", j=5)
    assert isinstance(model, cp.Problem)
    res = coopt.solve(model, solver="clarabel")
    ref = coopt.run("itinfra.coordinator", inst, solver="highs", j=5)
    assert res.ok and res.objective == pytest.approx(ref.objective, rel=1e-7) and res.closed_form_error < 1e-6
    next(p for p in model.parameters() if p.name() == "alpha").value = 0.3
    moved = coopt.solve(model, solver="clarabel")
    fresh = coopt.run("itinfra.coordinator", inst.with_overrides(alpha=0.3), solver="highs", j=5)
    assert moved.objective == pytest.approx(fresh.objective, rel=1e-7) and moved.closed_form_error is None
    g = model.variables()[0]
    socp = cp.Problem(model.objective, [*model.constraints, cp.norm(g, 2) <= 1.0])
    socp._coopt_stamp = stamp_of(model)
    assert structure(socp).problem_class == "SOCP"
    with pytest.raises(InputError, match="not a QP.*problem_class='SOCP'"):
        coopt.solve(socp, solver="clarabel")
    assert coopt.solve(socp, solver="clarabel", problem_class="SOCP").status.has_solution


def test_an_integer_variable_added_to_an_lp_is_refused_naming_milp():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 3.5))
    m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
    assert coopt.solve(m, solver="highs", problem_class="LP").objective == pytest.approx(3.5)
    m.n = pyo.Var(domain=pyo.Integers, bounds=(0, 10))
    m.c = pyo.Constraint(expr=m.x <= m.n + 0.2)
    m.c2 = pyo.Constraint(expr=m.n <= 2.5)
    with pytest.raises(InputError, match="not a LP: variable n is integer.*problem_class='MILP'"):
        coopt.solve(m, solver="highs", problem_class="LP")
    assert coopt.solve(m, solver="highs", problem_class="MILP").objective == pytest.approx(2.2)


def test_a_model_coopt_did_not_build_needs_its_class():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=(m.x - 0.25) ** 2)
    with pytest.raises(InputError, match="pass problem_class="):
        coopt.solve(m, solver="highs")
    res = coopt.solve(m, solver="highs", problem_class="QP")
    assert res.ok and res.values["x"] == pytest.approx(0.25) and res.model is m
    with pytest.raises(InputError, match="problem_class = 'QCP'"):
        coopt.solve(m, solver="highs", problem_class="QCP")


def test_build_refuses_composed_problems_and_solver_options(inst):
    with pytest.raises(InputError, match="composed of many solves"):
        coopt.build("itinfra.equilibrium", coopt.load("itinfra/worked-case"))
    with pytest.raises(InputError, match="solver options belong to coopt.solve"):
        coopt.build("itinfra.coordinator", inst, j=5, time_limit=3)
    with pytest.raises(InputError, match="composed of many solves"):
        coopt.run("itinfra.equilibrium", coopt.load("itinfra/worked-case"), solver="exact", modify=print)


def test_build_picks_a_declarative_formulation_by_default():
    m = coopt.build("vaccine.allocation", coopt.load("vaccine/example-3"))
    assert isinstance(m, pyo.ConcreteModel) and stamp_of(m).formulation == "nlp"
    n = coopt.build("vaccine.allocation", coopt.load("vaccine/example-3"), solver="highs")
    assert stamp_of(n).formulation == "pwl-milp"


# ----------------------------------------------------------------------------- options and closed forms


def _toy(closed_form) -> Problem:
    """A one-variable problem max -(x - a)^2 on an itinfra instance (a = kappa), with option `shift`
    honoured by the builder and a closed form x* = kappa (+ shift when it names the option)."""

    def build(inst, shift: float = 0.0, **_):
        m = pyo.ConcreteModel()
        m.x = pyo.Var()
        m.obj = pyo.Objective(expr=-(m.x - inst.kappa - shift) ** 2, sense=pyo.maximize)
        return m

    return Problem("toy.shifted", "itinfra", "toy", "none", "none",
                   options={"shift": Option(float, 0.0, "added to the maximiser")},
                   formulations=(Formulation("qp", "pyomo", "QP", build),), closed_form=closed_form)


def test_a_closed_form_covers_only_the_options_it_names(inst):
    narrow = _toy(lambda i, j=None, **_: {"x": i.kappa})  # names an option, not `shift`: does not cover it
    plain = coopt.run(narrow, inst, solver="highs")
    assert plain.closed_form_error == pytest.approx(0.0, abs=1e-9)
    shifted = coopt.run(narrow, inst, solver="highs", shift=0.1)
    assert shifted.values["x"] == pytest.approx(inst.kappa + 0.1)  # the builder honours it
    assert shifted.closed_form_error is None  # never a number from a formula that ignores the option
    assert "closed form not applicable: option shift = 0.1 is not one the closed form covers" in shifted.messages

    def wide(i, shift=0.0, **_):
        return {"x": i.kappa + shift}

    covered = coopt.run(_toy(wide), inst, solver="highs", shift=0.1)
    assert covered.closed_form_error == pytest.approx(0.0, abs=1e-9)
    reader = coopt.run(_toy(lambda i, **o: {"x": i.kappa + o["shift"]}), inst, solver="highs", shift=0.1)
    assert reader.closed_form_error == pytest.approx(0.0, abs=1e-9)  # names none, reads them all: covers all


def test_a_closed_form_may_say_why_it_does_not_apply(inst):
    def picky(i, **_):
        raise NotApplicable("kappa above 0.3")

    res = coopt.run(_toy(picky), inst, solver="highs")
    assert res.ok and res.closed_form_error is None
    assert "closed form not applicable: kappa above 0.3" in res.messages


def test_a_builder_refuses_an_option_it_does_not_name(inst):
    """A formulation whose builder does not name an option refuses a non-default value (exit 2), naming
    the formulations that take it; the default value is always fine."""
    def build_twin(inst, **_ignored):  # a builder that takes no option at all (names none)
        m = pyo.ConcreteModel()
        m.x = pyo.Var()
        m.obj = pyo.Objective(expr=-(m.x - inst.kappa) ** 2, sense=pyo.maximize)
        return m

    build_twin.__signature__ = __import__("inspect").signature(lambda inst, other=None, **_: None)
    prob = _toy(None)
    prob = Problem(prob.name, prob.family, prob.summary, prob.paper, prob.equations, options=prob.options,
                   formulations=(Formulation("twin", "pyomo", "QP", build_twin), *prob.formulations))
    assert coopt.run(prob, inst, solver="highs").formulation == "twin"
    assert coopt.run(prob, inst, solver="highs", shift=0.1).formulation == "qp"  # skipped, not ignored
    with pytest.raises(InputError, match="formulation twin does not take option 'shift' = 0.1; "
                                         "formulations that do: qp"):
        coopt.run(prob, inst, solver="highs", formulation="twin", shift=0.1)

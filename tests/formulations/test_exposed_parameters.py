"""Every exposed parameter of every declarative formulation can be changed on a built model.

An exposed parameter is a mutable Pyomo ``Param`` or a CVXPY ``Parameter``. The contract
(DEVELOPERS.md): it is named after an instance field or a problem option, and nothing computed at
build time depends on it (derived quantities are Pyomo ``Expression``s of it, or constants of the
build). So: set it to a new value on the built model and re-solve, and the answer equals a fresh
build of the instance with that field at the new value (the independent reference). The itinfra
coordinator's CVXPY twin used to expose ``kappa`` while the outside spillover computed from kappa
at build time stayed put (3.7328 instead of 3.1): this test loops over every formulation so that
such a parameter cannot come back.
"""

from __future__ import annotations

import math

import pytest

import coopt
from coopt.problems import problems
from coopt.solve import capable


def _cases() -> list[tuple[str, str]]:
    out = []
    for name, prob in problems().items():
        for f in prob.formulations:
            if f.layer != "native":
                out.append((name, f.name))
    return out


def _exposed(model, layer: str) -> dict[str, float]:
    if layer == "pyomo":
        import pyomo.environ as pyo

        out = {}
        for p in model.component_objects(pyo.Param, descend_into=True):
            if p.mutable:
                assert not p.is_indexed(), f"indexed mutable Param {p.local_name}: expose scalars named after fields"
                out[p.local_name] = float(pyo.value(p))
        return out
    out = {}
    for p in model.parameters():
        assert p.size == 1, f"CVXPY Parameter {p.name()} is not a scalar named after a field"
        out[p.name()] = float(p.value)
    return out


def _set(model, layer: str, name: str, value: float) -> None:
    if layer == "pyomo":
        model.component(name).set_value(value)
    else:
        next(p for p in model.parameters() if p.name() == name).value = value


def _new_value(old: float, field_type: str) -> float:
    if math.isinf(old):
        return 0.1  # an upper bound that was absent: one that binds
    if field_type == "int":
        return old + 1
    return old * 0.8 if old != 0 else 0.3


def _solver(form) -> str:
    names = capable(form.problem_class, (form.layer,))
    assert names, f"no installed solver for {form.layer} {form.problem_class}"
    return "scip" if form.problem_class == "NCNLP" and "scip" in names else names[0]


@pytest.mark.parametrize(("problem", "formulation"), _cases())
def test_changing_an_exposed_parameter_equals_a_fresh_build(problem, formulation):
    prob = problems()[problem]
    form = next(f for f in prob.formulations if f.name == formulation)
    ex = prob.example
    inst = coopt.load(ex["data"])
    opts = prob.parse_options(ex.get("options", {}))
    model = form.build(inst, **opts)
    exposed = _exposed(model, form.layer)
    fields = type(inst).model_fields
    solver = _solver(form)
    for name, old in exposed.items():
        assert name in fields or name in prob.options, (
            f"{problem} [{formulation}] exposes '{name}', which is neither an instance field nor an option: "
            "a derived quantity must be an expression of the exposed parameters or a constant of the build")
        if name in prob.options:
            continue  # an option as a Param: a fresh build with the option at the new value is compared below
        annotation = str(fields[name].annotation)
        new = _new_value(old, "int" if "int" in annotation and "float" not in annotation else "float")
        _set(model, form.layer, name, new)
        edited = coopt.solve(model, solver, problem_class=form.problem_class)
        fresh_inst = inst.with_overrides(**{name: (None if math.isinf(new) else new)})
        fresh = coopt.solve(form.build(fresh_inst, **opts), solver, problem_class=form.problem_class)
        assert edited.status.has_solution and fresh.status.has_solution, (name, edited.status, fresh.status)
        assert edited.objective == pytest.approx(fresh.objective, rel=1e-6, abs=1e-8), (
            f"{problem} [{formulation}]: '{name}' = {new} on the built model gives {edited.objective}, "
            f"a fresh build {fresh.objective}")
        _set(model, form.layer, name, old)  # back, so that each parameter is checked alone
        again = coopt.solve(model, solver, problem_class=form.problem_class)
        base = coopt.solve(form.build(inst, **opts), solver, problem_class=form.problem_class)
        assert again.objective == pytest.approx(base.objective, rel=1e-6, abs=1e-8), name


def test_the_coordinator_twin_no_longer_hides_a_stale_kappa():
    """The issue's case: the CVXPY twin's parameters are alpha and beta (kappa is a build constant)."""
    prob = problems()["itinfra.coordinator"]
    twin = next(f for f in prob.formulations if f.name == "qp-cvxpy")
    model = twin.build(coopt.load("itinfra/paper-figure1"), j=5)
    assert sorted(p.name() for p in model.parameters()) == ["alpha", "beta"]


def test_every_declarative_problem_is_checked():
    """The loop above covers every CVXPY formulation and every Pyomo one (persistent or not)."""
    cases = _cases()
    layers = {problems()[p].formulations[[f.name for f in problems()[p].formulations].index(f)].layer
              for p, f in cases}
    assert {"pyomo", "cvxpy"} <= layers
    persistent = [(p, f.name) for p, prob in problems().items() for f in prob.formulations if f.params]
    assert persistent and set(persistent) <= set(cases)

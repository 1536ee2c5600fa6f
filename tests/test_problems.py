"""The problem registry (coopt.problems): its committed index, lazy loading, solver refusal, register()."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

import coopt
from coopt.data import families
from coopt.errors import InputError, SolverUnavailable
from coopt.formulations.base import Formulation, Option, Problem
from coopt.formulations.native import NativeModel, NativeSolution
from coopt.problems import (
    INDEX_FILE,
    build_index,
    check_solver,
    get_problem,
    index,
    problem_info,
    problems,
    register,
    run,
    solvers_for,
)
from coopt.solve import SOLVERS, solve


def test_index_is_current():
    """problems_index.json is what the problem modules declare (regenerate it when a PROBLEM changes)."""
    committed = {p["name"]: p for p in json.loads(INDEX_FILE.read_text())["problems"]}
    current = {p["name"]: p for p in build_index()["problems"]}
    stale = sorted(n for n in committed.keys() | current.keys() if committed.get(n) != current.get(n))
    assert not stale, (f"coopt/problems_index.json is stale for {', '.join(stale)}: "
                       "run `make index` (python -m coopt.problems --write-index)")


def test_index_describes_every_problem_like_the_loaded_one():
    loaded = problems()
    assert list(index()) == list(loaded)
    for name, info in index().items():
        prob = loaded[name]
        assert (info.family, info.summary, info.paper, info.equations) == \
               (prob.family, prob.summary, prob.paper, prob.equations)
        assert info.classes == prob.classes and info.layers == prob.layers
        assert info.composed == (prob.run is not None)
        assert list(info.solvers) == solvers_for(prob, installed=False)
        for key, opt in prob.options.items():  # options rebuilt from the index parse like the real ones
            assert info.options[key].type == opt.type and info.options[key].default == opt.default, (name, key)
            assert info.options[key].choices == opt.choices


def test_options_never_share_a_name_with_an_instance_field():
    """--set k=v is a field or an option, never both (the CLI checks options before loading data)."""
    fams = families()
    for name, info in index().items():
        assert not set(info.options) & set(fams[info.family].model_fields), name


def test_listing_imports_no_problem_module():
    code = ("import sys; from coopt.problems import index, problem_info; index(); problem_info('vaccine.core');\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('pyomo', 'cvxpy', 'pandas')\n"
            "       or m.startswith(('coopt.formulations.', 'coopt.games.'))\n"
            "       and m not in ('coopt.formulations.base', 'coopt.formulations.native')]\n"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_problem_lists_the_known_ones():
    with pytest.raises(InputError, match=r"unknown problem 'vaccine\.nope' \(known: .*vaccine\.core"):
        get_problem("vaccine.nope")


def test_problem_info_validates_options_like_the_problem():
    info = problem_info("itinfra.coordinator")
    with pytest.raises(InputError, match="option 'j' = 'abc'"):
        info.parse_options({"j": "abc"})
    with pytest.raises(InputError, match="unknown option 'colour'"):
        info.parse_options({"colour": "1"})
    assert info.parse_options({"j": "3"})["j"] == 3


# ------------------------------------------------------------------------------------ solvers that fit
def test_wolfe_dual_refuses_solvers_it_does_not_use():
    """Before: solver='highs' silently ran SCIP and 'clarabel' silently ran the exact method."""
    inst = coopt.load("vaccine/example-1")
    for solver in ("highs", "clarabel"):
        with pytest.raises(SolverUnavailable, match=r"cannot solve vaccine\.wolfe_dual; solvers that fit: scip, exact"):
            coopt.run("vaccine.wolfe_dual", inst, solver=solver)


def test_wolfe_dual_refusal_on_the_command_line(cli):
    r = cli("solve", "vaccine.wolfe_dual", "--data", "vaccine/example-1", "--solver", "highs")
    assert r.returncode == 2
    assert r.stderr.strip() == ("coopt: error: solver 'highs' cannot solve vaccine.wolfe_dual; "
                                "solvers that fit: scip, exact")


@pytest.mark.parametrize("name", [n for n, i in index().items() if i.composed])
def test_every_composed_problem_refuses_an_undeclared_solver_before_running(name):
    prob = get_problem(name)
    assert prob.solvers and prob.default_solver in prob.solvers
    other = next(s for s in SOLVERS if s not in prob.solvers)
    with pytest.raises(SolverUnavailable, match=f"solvers that fit: {', '.join(prob.solvers)}"):
        check_solver(prob, other)
    with pytest.raises(SolverUnavailable, match="unknown solver 'gurobi'"):
        check_solver(prob, "gurobi")
    for s in prob.solvers:
        check_solver(prob, s)  # every declared one is accepted (all are installed here)


def test_solve_needs_the_problem_class():
    """solve() never guesses a problem class: the formulation declares it."""
    param = inspect.signature(solve).parameters["problem_class"]
    assert param.default is inspect.Parameter.empty


def test_stage2_table_serves_the_solvers_the_registry_names():
    from coopt.formulations.itinfra import stage2
    from coopt.games.itinfra.stage2_table import STAGE2_SOLVERS, solve_stage2

    assert STAGE2_SOLVERS == tuple(solvers_for(stage2.PROBLEM, installed=False))
    inst = coopt.load("itinfra/paper-figure1", {"n": 4})
    with pytest.raises(SolverUnavailable, match="cannot solve itinfra.stage2"):
        solve_stage2(inst, "ecos")
    a, b = solve_stage2(inst, "exact"), solve_stage2(inst, "highs")
    assert a.S_in[2:] == pytest.approx(b.S_in[2:], rel=1e-6)


# ------------------------------------------------------------------------------------ register()
def _tiny(name: str = "itinfra.tiny") -> Problem:
    def build(inst, scale: float = 1.0):
        return NativeModel(name=name, run=lambda **_: NativeSolution("optimal", scale * inst.kappa, {"k": inst.kappa},
                                                                      bound=scale * inst.kappa))

    return Problem(name=name, family="itinfra", summary="kappa times a scale", paper="(user)", equations="-",
                   options={"scale": Option(float, 1.0, "a factor")},
                   formulations=(Formulation("direct", "native", "LP", build, "returns kappa", method="exact"),),
                   default_solver="exact")


def test_register_a_problem_of_ones_own(cli):
    from coopt import problems as registry

    prob = register(_tiny())
    try:
        assert "itinfra.tiny" in index() and index()["itinfra.tiny"].solvers == ("exact",)
        res = run("itinfra.tiny", coopt.load("itinfra/paper-figure1"), scale=2.0)
        assert res.objective == pytest.approx(0.7) and res.problem == "itinfra.tiny"
        with pytest.raises(InputError, match="already registered"):
            register(_tiny())
        with pytest.raises(InputError, match="already registered"):
            register(_tiny("itinfra.coordinator"))
        r = cli("solve", "itinfra.tiny", "--data", "itinfra/paper-figure1", "--set", "scale=3", "--format", "json")
        assert r.returncode == 0 and json.loads(r.stdout)["objective"] == pytest.approx(1.05)
    finally:
        registry._REGISTERED.pop(prob.name, None)
    assert "itinfra.tiny" not in index()


def test_register_refuses_a_composed_problem_without_solvers():
    bad = Problem(name="itinfra.loose", family="itinfra", summary="s", paper="p", equations="-",
                  run=lambda inst, solver, opts: None)
    with pytest.raises(InputError, match="declares the solvers its run"):
        register(bad)

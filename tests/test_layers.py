"""The layers as drawn in DEVELOPERS.md, enforced by walking every import of every module in coopt/.

    errors  <-  data -> formulations -> solve -> problems -> games -> experiments -> catalog / cli

A module imports only from its own layer or those to its left (top-level and function-level
imports alike): no formulation imports a game, no game or experiment imports the catalogue or the
command line, and only ``coopt.solve`` talks to a solver package. The package root ``coopt``
(``coopt.load``, ``coopt.run``) sits at the registry's level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "coopt"

#: layer of each top-level part of the package (a module may import its own layer and lower ones)
LAYER = {
    "coopt.errors": 0,
    "coopt.data": 1,
    "coopt.formulations": 2,
    "coopt.solve": 3,
    "coopt.problems": 4,
    "coopt": 4,  # the package root: coopt.load (data) and coopt.run (problems), loaded lazily
    "coopt.games": 5,
    "coopt.experiments": 6,
    "coopt.catalog": 7,
    "coopt.cli": 7,
}

#: the one upward edge allowed: a formulation's solution() hook reads and annotates the Result it is
#: given (Status, relative_gap), the vocabulary of answers; it never calls a solver
VOCABULARY = {"coopt.solve.result"}

#: packages that only coopt.solve may import (modelling layers such as pyomo.environ and cvxpy are free)
SOLVER_PACKAGES = ("pyomo.contrib.solver", "pyomo.contrib.appsi", "pyomo.opt", "pyomo.solvers", "highspy",
                   "cyipopt", "pyscipopt", "clarabel", "scs", "osqp", "ecos", "gurobipy", "scipy.optimize.linprog",
                   "scipy.optimize.milp", "pyomo.environ.SolverFactory", "pyomo.environ.SolverManagerFactory")

#: known violations, each with the stream removing it; the test fails when one is no longer needed
ALLOWED: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_coopt_module(name: str) -> bool:
    """``name`` is a module or package of coopt (a file or a folder under coopt/)."""
    rel = ROOT.parent / Path(*name.split("."))
    return rel.with_suffix(".py").is_file() or (rel / "__init__.py").is_file()


def imports(source: str, me: str, is_package: bool = False) -> list[str]:
    """Every module (and, for ``from X import name``, ``X.name``) imported anywhere in ``source``."""
    package = me if is_package else me.rpartition(".")[0]
    out: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - (node.level - 1)], *([base] if base else [])])
            out.append(base)
            out += [f"{base}.{a.name}" for a in node.names]
    return out


def layer_of(name: str) -> int | None:
    """Layer of a coopt module (by its longest listed prefix); None outside coopt."""
    if name != "coopt" and not name.startswith("coopt."):
        return None
    parts = name.split(".")
    for k in range(len(parts), 1, -1):
        if ".".join(parts[:k]) in LAYER:
            return LAYER[".".join(parts[:k])]
    if name == "coopt":
        return LAYER["coopt"]
    raise AssertionError(f"{name}: not in a layer; add its package to LAYER in tests/test_layers.py")


def is_solver_package(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in SOLVER_PACKAGES)


def check(me: str, targets: list[str]) -> list[tuple[str, str, str]]:
    """(module, imported, why) for each import of ``me`` against the rules."""
    mine = layer_of(me)
    bad = []
    for target in targets:
        if target == "coopt" or target.startswith("coopt."):
            if not is_coopt_module(target):  # `from coopt.x import name` where name is not a module
                continue
            theirs = layer_of(target)
            if target in VOCABULARY and mine >= LAYER["coopt.formulations"]:
                continue
            if theirs > mine:
                bad.append((me, target, f"layer {mine} imports layer {theirs}"))
        elif is_solver_package(target) and not me.startswith("coopt.solve"):
            bad.append((me, target, "a solver package outside coopt.solve"))
    return bad


def violations() -> tuple[list[str], set[tuple[str, str]]]:
    """Offending ``module -> imported`` lines, and the allowed exceptions met on the way."""
    found: set[str] = set()
    used: set[tuple[str, str]] = set()
    for path in sorted(ROOT.rglob("*.py")):
        me = module_name(path)
        for mod, target, why in check(me, imports(path.read_text(), me, path.name == "__init__.py")):
            allowed = [(m, t) for m, t in ALLOWED if m == mod and (target == t or target.startswith(t + "."))]
            if allowed:
                used.update(allowed)
            else:
                found.add(f"{mod} -> {target} ({why})")
    return sorted(found), used


def test_every_module_has_a_layer():
    for path in ROOT.rglob("*.py"):
        assert layer_of(module_name(path)) is not None, path


def test_imports_follow_the_layers():
    found, _ = violations()
    assert not found, "imports against the layers (data -> formulations -> solve -> problems -> games -> " \
                      "experiments -> catalog/cli; solver packages only in coopt.solve):\n  " + "\n  ".join(found)


def test_allowed_exceptions_are_still_needed():
    _, used = violations()
    stale = [f"{m} -> {t} (stream {s})" for (m, t), s in ALLOWED.items() if (m, t) not in used]
    assert not stale, "these allowed exceptions are gone from the code: remove them from ALLOWED:\n  " + \
        "\n  ".join(stale)


@pytest.mark.parametrize("source, target, bad", [
    ("from coopt.games.vaccine.characteristic import solve_all\n", "coopt.games.vaccine.characteristic", True),
    ("def f():\n    import coopt.cli\n", "coopt.cli", True),
    ("from coopt import problems\n", "coopt.problems", True),
    ("import coopt\n", "coopt", True),
    ("from ..games import vaccine\n", "coopt.games.vaccine", True),
    ("from . import native\n", "coopt.formulations.native", False),
    ("from coopt.solve.result import Status\n", "coopt.solve.result", False),
    ("from coopt.solve import solve\n", "coopt.solve", True),
    ("def f():\n    from pyomo.contrib.solver.common.factory import SolverFactory\n",
     "pyomo.contrib.solver.common.factory", True),
    ("from scipy.optimize import linprog\n", "scipy.optimize.linprog", True),
    ("from scipy.optimize import brentq\n", "scipy.optimize.brentq", False),
    ("import pyomo.environ as pyo\n", "pyomo.environ", False),
])
def test_the_walk_sees_every_kind_of_import(source, target, bad):
    """The checker itself, on a pretend formulation module: top-level, function-level, from-package
    and relative imports are all seen, and judged."""
    me = "coopt.formulations.probe"
    found = imports(source, me)
    assert target in found
    assert any(t == target for _, t, _ in check(me, found)) == bad

"""Which solvers coopt knows, what each can do, and whether it is installed.

A solver is declared once with its modelling layer (Pyomo, CVXPY or native), the problem classes
it accepts and those it solves to proven global optimality. A request a solver cannot serve is
refused before solving, with a suggestion of one that can.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from coopt.errors import SolverUnavailable

CONVEX = ("LP", "QP", "SOCP", "CONE", "NLP")


@dataclass(frozen=True)
class SolverSpec:
    """A solver: layer, accepted classes, classes solved to global optimality, availability check."""

    name: str
    layer: str
    classes: tuple[str, ...]
    global_for: tuple[str, ...]
    check: Callable[[], str | None]  # None if available, else the reason it is not
    doc: str = ""
    method: str = ""  # for native solvers: which NativeModel.method they run

    @property
    def available(self) -> bool:
        return _cached_check(self.name) is None

    @property
    def unavailable_reason(self) -> str | None:
        return _cached_check(self.name)


def _has_module(mod: str) -> str | None:
    try:
        importlib.import_module(mod)
    except Exception as err:  # an ImportError or a broken shared library
        return f"python module '{mod}' cannot be imported ({type(err).__name__}: {str(err)[:80]})"
    return None


def _check_ipopt() -> str | None:
    reason = _has_module("cyipopt")
    if reason:
        return reason
    try:
        from pyomo.contrib.pynumero.asl import AmplInterface
    except Exception as err:
        return f"PyNumero cannot be imported ({err}); is 'packaging' installed?"
    if not AmplInterface.available():
        return "PyNumero's ASL library is missing: run `make setup` (builds it against Debian's libamplsolver-dev)"
    return None


def _check_cvxpy(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        reason = _has_module("cvxpy")
        if reason:
            return reason
        import cvxpy as cp

        return None if name in cp.installed_solvers() else f"CVXPY has no {name} installed"

    return check


SOLVERS: dict[str, SolverSpec] = {
    s.name: s
    for s in [
        SolverSpec("highs", "pyomo", ("LP", "QP", "MILP"), ("LP", "QP", "MILP"),
                   lambda: _has_module("highspy"),
                   "HiGHS via Pyomo's pyomo.contrib.solver 'highs' (LP, convex QP, MILP)"),
        SolverSpec("ipopt", "pyomo", ("LP", "QP", "NLP", "NCNLP"), ("LP", "QP", "NLP"), _check_ipopt,
                   "Ipopt 3.14 via cyipopt and Pyomo's PyNumero (local NLP; global only if convex)"),
        SolverSpec("scip", "pyomo", ("LP", "QP", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"),
                   ("LP", "QP", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"),
                   lambda: _has_module("pyscipopt"),
                   "SCIP via PySCIPOpt and Pyomo's scip_direct (spatial branch and bound: global)"),
        SolverSpec("clarabel", "cvxpy", ("LP", "QP", "SOCP", "CONE"), ("LP", "QP", "SOCP", "CONE"),
                   _check_cvxpy("CLARABEL"), "Clarabel interior point via CVXPY (conic)"),
        SolverSpec("scs", "cvxpy", ("LP", "QP", "SOCP", "CONE"), ("LP", "QP", "SOCP", "CONE"),
                   _check_cvxpy("SCS"), "SCS first-order conic solver via CVXPY (low accuracy)"),
        SolverSpec("ecos", "cvxpy", ("SOCP", "CONE"), ("SOCP", "CONE"), _check_cvxpy("ECOS"),
                   "ECOS interior point via CVXPY (SOCP, exponential cone; for QPs use clarabel or osqp, "
                   "ECOS's QP answers are accurate to ~1e-6 only)"),
        SolverSpec("osqp", "cvxpy", ("LP", "QP"), ("LP", "QP"), _check_cvxpy("OSQP"),
                   "OSQP ADMM QP solver via CVXPY"),
        SolverSpec("highs-cvxpy", "cvxpy", ("LP", "QP", "MILP"), ("LP", "QP", "MILP"),
                   _check_cvxpy("HIGHS"), "HiGHS via CVXPY (LP, QP, MILP)"),
        SolverSpec("exact", "native", ("LP", "QP", "SOCP", "CONE", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"),
                   ("LP", "QP", "SOCP", "CONE", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"),
                   lambda: None, "problem-specific exact algorithm of coopt (closed form, enumeration)",
                   method="exact"),
        SolverSpec("heuristic", "native", ("NCNLP", "MINLP", "MILP"), (), lambda: None,
                   "a paper's heuristic, implemented faithfully (no optimality proof)", method="heuristic"),
    ]
}


@functools.cache
def _cached_check(name: str) -> str | None:
    return SOLVERS[name].check()


def get_solver(name: str) -> SolverSpec:
    """The solver named ``name``; unknown names raise with the list of known ones."""
    try:
        return SOLVERS[name]
    except KeyError:
        raise SolverUnavailable(f"unknown solver '{name}' (known: {', '.join(SOLVERS)})") from None


def capable(problem_class: str, layers: tuple[str, ...] | None = None, installed: bool = True) -> list[str]:
    """Solvers that accept ``problem_class`` (in one of ``layers``), global ones first."""
    names = [
        s.name for s in SOLVERS.values()
        if problem_class in s.classes and (layers is None or s.layer in layers) and (not installed or s.available)
    ]
    return sorted(names, key=lambda n: (problem_class not in SOLVERS[n].global_for, n == "heuristic"))


def check_request(name: str, problem_class: str, layer: str | None = None) -> SolverSpec:
    """Refuse, before solving, a solver that is unknown, missing, or cannot handle the class."""
    spec = get_solver(name)
    if layer is not None and spec.layer != layer:
        alt = capable(problem_class, (layer,))
        raise SolverUnavailable(
            f"solver '{name}' works on {spec.layer} models, this model is {layer}; "
            f"try {', '.join(alt) or 'another formulation'}"
        )
    if problem_class not in spec.classes:
        alt = capable(problem_class, (layer,) if layer else None)
        raise SolverUnavailable(
            f"solver '{name}' cannot solve a {problem_class} problem (it handles {', '.join(spec.classes)}); "
            f"try {', '.join(alt) or 'none installed'}"
        )
    if not spec.available:
        raise SolverUnavailable(f"solver '{name}' is not available: {spec.unavailable_reason}")
    return spec

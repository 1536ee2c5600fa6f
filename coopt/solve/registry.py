"""Which solvers coopt knows, what each can do, and whether it is installed.

A solver is declared once with its modelling layer (Pyomo, CVXPY or native), the problem classes
it accepts and those it solves to proven global optimality. A request a solver cannot serve is
refused before solving, with a suggestion of one that can.

Whether a solver is installed is answered cheaply, without importing it (``importlib.util.find_spec``
and, for Ipopt, a look for PyNumero's ASL library file): ``coopt list`` and argument errors never
pay for importing Pyomo or CVXPY. The full check (importing the solver's packages) runs once, when
a solver is actually used (:func:`check_request`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coopt.errors import SolverUnavailable


@dataclass(frozen=True)
class SolverSpec:
    """A solver: layer, accepted classes, classes solved to global optimality, availability check."""

    name: str
    layer: str
    classes: tuple[str, ...]
    global_for: tuple[str, ...]
    check: Callable[[], str | None]  # cheap (no import): None if installed, else the reason it is not
    doc: str = ""
    method: str = ""  # for native solvers: which NativeModel.method they run
    load: Callable[[], str | None] | None = None  # the full check (imports the packages), run on use

    @property
    def available(self) -> bool:
        """Installed, as far as can be told without importing it (``coopt list``)."""
        return _cached_check(self.name) is None

    @property
    def unavailable_reason(self) -> str | None:
        return _cached_check(self.name)


def _find(*mods: str) -> Callable[[], str | None]:
    """Cheap check: the top-level modules ``mods`` are installed (found, not imported)."""

    def check() -> str | None:
        for mod in mods:
            try:
                found = importlib.util.find_spec(mod) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                return f"python module '{mod}' is not installed"
        return None

    return check


def _has_module(mod: str) -> str | None:
    try:
        importlib.import_module(mod)
    except Exception as err:  # an ImportError or a broken shared library
        return f"python module '{mod}' cannot be imported ({type(err).__name__}: {str(err)[:80]})"
    return None


def _asl_library() -> Path | None:
    """PyNumero's ASL library file where Pyomo looks for it (PYOMO_CONFIG_DIR/lib, LD_LIBRARY_PATH)."""
    default = Path(os.environ.get("APPDATA", "~")).expanduser() / ("Pyomo" if os.name == "nt" else ".pyomo")
    dirs = [Path(os.environ.get("PYOMO_CONFIG_DIR", default)) / "lib"]
    dirs += [Path(d) for d in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if d]
    ext = {"win32": ".dll", "darwin": ".dylib"}.get(sys.platform, ".so")
    for d in dirs:
        for name in (f"libpynumero_ASL{ext}", f"pynumero_ASL{ext}"):
            if (d / name).is_file():
                return d / name
    return None


_ASL_MISSING = "PyNumero's ASL library is missing: run `make setup` (builds it against Debian's libamplsolver-dev)"


def _find_ipopt() -> str | None:
    reason = _find("cyipopt", "pyomo")()
    if reason:
        return reason
    return None if _asl_library() is not None else _ASL_MISSING


def _load_ipopt() -> str | None:
    reason = _has_module("cyipopt")
    if reason:
        return reason
    try:
        from pyomo.contrib.pynumero.asl import AmplInterface
    except Exception as err:
        return f"PyNumero cannot be imported ({err}); is 'packaging' installed?"
    if not AmplInterface.available():
        return _ASL_MISSING
    return None


def _load_module(mod: str) -> Callable[[], str | None]:
    return lambda: _has_module(mod)


#: CVXPY's name of each solver and the Python module that provides it
_CVXPY_MODULES = {"CLARABEL": "clarabel", "SCS": "scs", "ECOS": "ecos", "OSQP": "osqp", "HIGHS": "highspy"}


def _load_cvxpy(name: str) -> Callable[[], str | None]:
    def check() -> str | None:
        reason = _has_module("cvxpy")
        if reason:
            return reason
        import cvxpy as cp

        return None if name in cp.installed_solvers() else f"CVXPY has no {name} installed"

    return check


def _cvxpy(name: str) -> dict[str, Callable[[], str | None]]:
    return {"check": _find("cvxpy", _CVXPY_MODULES[name]), "load": _load_cvxpy(name)}


SOLVERS: dict[str, SolverSpec] = {
    s.name: s
    for s in [
        SolverSpec("highs", "pyomo", ("LP", "QP", "MILP"), ("LP", "QP", "MILP"),
                   _find("highspy", "pyomo"),
                   "HiGHS via Pyomo's pyomo.contrib.solver 'highs' (LP, convex QP, MILP)",
                   load=_load_module("highspy")),
        SolverSpec("ipopt", "pyomo", ("LP", "QP", "NLP", "NCNLP"), ("LP", "QP", "NLP"), _find_ipopt,
                   "Ipopt 3.14 via cyipopt and Pyomo's PyNumero (local NLP; global only if convex)",
                   load=_load_ipopt),
        SolverSpec("scip", "pyomo", ("LP", "QP", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"),
                   ("LP", "QP", "NLP", "NCNLP", "MILP", "MIQP", "MINLP"),
                   _find("pyscipopt", "pyomo"),
                   "SCIP via PySCIPOpt and Pyomo's scip_direct (spatial branch and bound: global)",
                   load=_load_module("pyscipopt")),
        SolverSpec("clarabel", "cvxpy", ("LP", "QP", "SOCP", "CONE"), ("LP", "QP", "SOCP", "CONE"),
                   doc="Clarabel interior point via CVXPY (conic)", **_cvxpy("CLARABEL")),
        SolverSpec("scs", "cvxpy", ("LP", "QP", "SOCP", "CONE"), ("LP", "QP", "SOCP", "CONE"),
                   doc="SCS first-order conic solver via CVXPY (low accuracy)", **_cvxpy("SCS")),
        SolverSpec("ecos", "cvxpy", ("SOCP", "CONE"), ("SOCP", "CONE"),
                   doc="ECOS interior point via CVXPY (SOCP, exponential cone; for QPs use clarabel or osqp, "
                   "ECOS's QP answers are accurate to ~1e-6 only)", **_cvxpy("ECOS")),
        SolverSpec("osqp", "cvxpy", ("LP", "QP"), ("LP", "QP"), doc="OSQP ADMM QP solver via CVXPY",
                   **_cvxpy("OSQP")),
        SolverSpec("highs-cvxpy", "cvxpy", ("LP", "QP", "MILP"), ("LP", "QP", "MILP"),
                   doc="HiGHS via CVXPY (LP, QP, MILP)", **_cvxpy("HIGHS")),
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


@functools.cache
def _cached_load(name: str) -> str | None:
    spec = SOLVERS[name]
    return _cached_check(name) or (spec.load() if spec.load is not None else None)


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
    return check_installed(name)


def check_installed(name: str) -> SolverSpec:
    """The solver named ``name``, refused if it is not installed: the full check (importing its
    packages) runs here, once per process, when a solver is about to be used."""
    spec = get_solver(name)
    reason = _cached_load(name)
    if reason is not None:
        raise SolverUnavailable(f"solver '{name}' is not available: {reason}")
    return spec

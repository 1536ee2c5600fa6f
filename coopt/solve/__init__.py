"""Solver layer: any model (Pyomo, CVXPY, native) -> :class:`Result` with its certificate.

    solve(model, solver, problem_class, time_limit=None, gap=None, tol=None)

``problem_class`` is what the model's formulation declares (``Formulation.problem_class``):
coopt never guesses it from the model. The common options are named once here and translated to
each solver's own names. A solver that cannot serve the model's layer or class is refused before
solving, naming one that can.

Importing this package is cheap (the solver registry only); the backends, and ``Result`` /
``Status`` (with pandas), load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coopt.errors import InputError
from coopt.formulations.native import NativeModel, NativeSolution
from coopt.solve.registry import SOLVERS, SolverSpec, capable, check_request, get_solver

if TYPE_CHECKING:
    from coopt.solve.result import Result, Status

__all__ = [
    "SOLVERS", "NativeModel", "NativeSolution", "Result", "SolverSpec", "Status",
    "capable", "check_request", "get_solver", "layer_of", "solve",
]

COMMON_OPTIONS = ("time_limit", "gap", "tol", "max_iter")
#: solvers whose backend passes ``max_iter`` on (the others refuse it instead of ignoring it)
MAX_ITER_SOLVERS = ("highs", "ipopt")


def __getattr__(name: str) -> Any:
    if name in ("Result", "Status"):  # from coopt.solve import Result, Status (loaded on first use)
        from coopt.solve import result

        return getattr(result, name)
    raise AttributeError(f"module 'coopt.solve' has no attribute {name!r}")


def layer_of(model: Any) -> str:
    """The modelling layer of ``model``: ``pyomo``, ``cvxpy``, ``native`` or ``matrix`` (array LP)."""
    if isinstance(model, NativeModel):
        return "native"
    mod = type(model).__module__
    if mod == "coopt.formulations.matrix":
        return "matrix"
    if mod.startswith("pyomo"):
        return "pyomo"
    if mod.startswith("cvxpy"):
        return "cvxpy"
    raise InputError(f"cannot solve an object of type {type(model).__name__}: not a Pyomo, CVXPY or native model")


def _check_options(opts: dict[str, Any]) -> dict[str, Any]:
    from coopt.formulations.base import SOLVER_OPTIONS  # one range per option (finite, typed, no bool)

    out = {}
    for k, v in opts.items():
        if k not in COMMON_OPTIONS:
            raise InputError(f"unknown solver option '{k}' (options: {', '.join(COMMON_OPTIONS)})")
        if v is None:
            continue
        out[k] = SOLVER_OPTIONS[k].parse(k, v)
    return out


def solve(model: Any, solver: str, problem_class: str, **options: Any) -> Result:
    """Solve ``model`` with ``solver`` as a ``problem_class`` problem (LP, QP, ..., the class its
    formulation declares); ``options``: time_limit (s), gap (relative), tol, max_iter."""
    layer = layer_of(model)
    if layer == "matrix":  # array LP, solved by highspy directly (coopt.solve.matrix)
        from coopt.solve.matrix import solve_matrix

        check_request(solver, problem_class)
        opts = _check_options(options)
        result = solve_matrix(model, solver, problem_class, opts)
        result.options = {"solver": solver, **opts}
        return result
    spec = check_request(solver, problem_class, layer)
    opts = _check_options(options)
    if "max_iter" in opts and spec.name not in MAX_ITER_SOLVERS:  # refused, never silently ignored
        raise InputError(f"solver option 'max_iter': {spec.name} does not take an iteration limit here "
                         f"(solvers that do: {', '.join(MAX_ITER_SOLVERS)}); use time_limit")
    if layer == "pyomo":
        from coopt.solve.pyomo_backend import solve_pyomo

        result = solve_pyomo(model, spec, problem_class, opts)
    elif layer == "cvxpy":
        from coopt.solve.cvxpy_backend import solve_cvxpy

        result = solve_cvxpy(model, spec, problem_class, opts)
    else:
        from coopt.solve.native import solve_native

        result = solve_native(model, spec, opts)
    result.options = {"solver": solver, **opts}
    return result

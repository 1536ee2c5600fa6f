"""Solver layer: any model (Pyomo, CVXPY, native) -> :class:`Result` with its certificate.

    solve(model, solver="highs", problem_class="QP", time_limit=None, gap=None, tol=None)

The common options are named once here and translated to each solver's own names. A solver that
cannot serve the model's layer or class is refused before solving, naming one that can.
"""

from __future__ import annotations

import time
from typing import Any

from coopt.errors import InputError
from coopt.solve.native import NativeModel, NativeSolution
from coopt.solve.registry import SOLVERS, SolverSpec, capable, check_request, get_solver
from coopt.solve.result import Result, Status, relative_gap

__all__ = [
    "SOLVERS", "NativeModel", "NativeSolution", "Result", "SolverSpec", "Status",
    "capable", "check_request", "get_solver", "layer_of", "solve",
]

COMMON_OPTIONS = ("time_limit", "gap", "tol", "max_iter")
#: solvers whose backend passes ``max_iter`` on (the others refuse it instead of ignoring it)
MAX_ITER_SOLVERS = ("ipopt",)


def layer_of(model: Any) -> str:
    """The modelling layer of ``model``: ``pyomo``, ``cvxpy`` or ``native``."""
    if isinstance(model, NativeModel):
        return "native"
    mod = type(model).__module__
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


def solve(model: Any, solver: str = "highs", problem_class: str = "QP", **options: Any) -> Result:
    """Solve ``model`` with ``solver``; ``options``: time_limit (s), gap (relative), tol, max_iter."""
    layer = layer_of(model)
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
        result = _solve_native(model, spec, opts)
    result.options = {"solver": solver, **opts}
    return result


def _solve_native(model: NativeModel, spec: SolverSpec, opts: dict[str, Any]) -> Result:
    if model.method != spec.method:
        raise InputError(f"native model '{model.name}' is a {model.method} method: use --solver {model.method}")
    t0 = time.perf_counter()
    sol = model.run(**opts)
    wall = time.perf_counter() - t0
    status = Status(sol.status)
    return Result(
        problem=model.name, status=status, solver=spec.name, solver_version=model.version,
        objective=sol.objective, bound=sol.bound, gap=relative_gap(sol.objective, sol.bound),
        values=sol.values, primal_residual=sol.primal_residual, kkt_residual=sol.kkt_residual,
        wall_time=wall, messages=list(sol.messages),
    )

"""Native backend: exact problem-specific algorithms solved like any model.

A :class:`coopt.formulations.native.NativeModel` (the model type sits with the formulations) is
run by the solver named by its ``method`` (``exact`` or ``heuristic``); what it returns, a
:class:`coopt.formulations.native.NativeSolution`, becomes a :class:`Result`.
"""

from __future__ import annotations

import time
from typing import Any

from coopt.errors import InputError
from coopt.formulations.native import NativeModel
from coopt.solve.registry import SolverSpec
from coopt.solve.result import Result, Status, relative_gap


def solve_native(model: NativeModel, spec: SolverSpec, opts: dict[str, Any]) -> Result:
    """Run ``model`` with the native solver ``spec`` and the common options ``opts``."""
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

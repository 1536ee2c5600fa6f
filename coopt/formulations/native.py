"""The native model type: a problem-specific algorithm wrapped so that it is solved like any model.

A formulation of layer ``native`` returns a :class:`NativeModel` (this module sits with the
formulation base, beside Pyomo's ``ConcreteModel`` and CVXPY's ``Problem``); the solver named by
its ``method`` (``exact`` or ``heuristic``, see :mod:`coopt.solve.native`) calls
``run(**solver_options)`` and gets a :class:`NativeSolution`. The comparison harness then times
exact methods against general solvers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class NativeSolution:
    """What an exact (or heuristic) algorithm returns. ``status`` is a :class:`Status` value string."""

    status: str
    objective: float | None
    values: dict[str, Any]
    bound: float | None = None
    primal_residual: float | None = None
    kkt_residual: float | None = None
    messages: list[str] = field(default_factory=list)


@dataclass
class NativeModel:
    """A problem-specific algorithm as a model: ``run(time_limit=..., tol=...) -> NativeSolution``."""

    name: str
    run: Callable[..., NativeSolution]
    method: str = "exact"
    version: str = "coopt"
    doc: str = ""

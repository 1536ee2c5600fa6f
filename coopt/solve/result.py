"""The answer of every solve: status, values, bound, gap and the certificate coopt recomputed."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from enum import Enum, StrEnum
from typing import Any

import numpy as np
import pandas as pd


class Status(StrEnum):
    """Outcome of a solve. Only a proven optimum is ``optimal``."""

    OPTIMAL = "optimal"  # proven (global for the problem class, or by an exact method)
    LOCALLY_OPTIMAL = "locally_optimal"  # KKT point of a non-convex problem; no global proof
    FEASIBLE = "feasible"  # a feasible point, optimality not proven (heuristic, gap not closed)
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    NUMERICAL_ERROR = "numerical_error"  # inaccurate or failed
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL, Status.FEASIBLE)


def _clean(x: Any) -> Any:
    """JSON-safe values: numpy scalars to Python, NaN/inf to None, tuple keys to strings."""
    if isinstance(x, dict):
        return {_key(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_clean(v) for v in x.tolist()]
    if isinstance(x, Enum):
        return x.value
    if isinstance(x, np.bool_ | bool):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        f = float(x)
        return f if math.isfinite(f) else None
    return x


def _key(k: Any) -> str:
    if isinstance(k, tuple):
        return ",".join(str(i) for i in k)
    return str(k)


@dataclass
class Result:
    """A solve's outcome with its proof of quality.

    ``gap`` is the relative distance between ``objective`` and the proven ``bound`` (None when the
    solver proves no bound); ``primal_residual`` and ``kkt_residual`` are recomputed by coopt after
    the solve; ``closed_form_error`` is the largest relative distance from the paper's closed form.
    """

    problem: str
    status: Status
    solver: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    values: dict[str, Any] = field(default_factory=dict)
    duals: dict[str, Any] = field(default_factory=dict)
    primal_residual: float | None = None
    kkt_residual: float | None = None
    closed_form_error: float | None = None
    closed_form: dict[str, float] = field(default_factory=dict)
    solution: dict[str, Any] = field(default_factory=dict)
    solver_version: str = ""
    formulation: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    wall_time: float = 0.0
    #: the solved model (Pyomo, CVXPY or native), for an edit and a re-solve with ``coopt.solve``; not in the JSON
    model: Any = field(default=None, repr=False, compare=False)
    instance_hash: str = ""
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True only for a proven optimum."""
        return self.status == Status.OPTIMAL

    def value(self, name: str, index: Any = None) -> float:
        """The value of variable ``name`` (at ``index`` for an indexed variable)."""
        v = self.values[name]
        return v[index] if index is not None else v

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dictionary (the CLI's ``--format json`` object)."""
        d = asdict(replace(self, model=None))  # the model is not data (and not copied)
        out = {
            "problem": self.problem,
            "status": self.status.value,
            "solver": self.solver,
            "solver_version": self.solver_version,
            "formulation": self.formulation,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "values": d["values"],
            "duals": d["duals"],
            "certificate": {
                "primal_residual": self.primal_residual,
                "kkt_residual": self.kkt_residual,
                "closed_form_error": self.closed_form_error,
            },
            "closed_form": d["closed_form"],
            "solution": d["solution"],
            "options": d["options"],
            "wall_time": self.wall_time,
            "instance_hash": self.instance_hash,
            "messages": list(self.messages),
        }
        return _clean(out)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def to_frame(self) -> pd.DataFrame:
        """Variable values as a table: one row per (variable, index)."""
        rows = []
        for name, v in self.values.items():
            if isinstance(v, dict):
                rows.extend({"variable": name, "index": _key(k), "value": x} for k, x in v.items())
            else:
                rows.append({"variable": name, "index": "", "value": v})
        return pd.DataFrame(rows, columns=["variable", "index", "value"])

    def duals_frame(self) -> pd.DataFrame:
        rows = []
        for name, v in self.duals.items():
            if isinstance(v, dict):
                rows.extend({"constraint": name, "index": _key(k), "dual": x} for k, x in v.items())
            else:
                rows.append({"constraint": name, "index": "", "dual": v})
        return pd.DataFrame(rows, columns=["constraint", "index", "dual"])


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(1, |objective|), or None when either is unknown."""
    if objective is None or bound is None or not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    return abs(objective - bound) / max(1.0, abs(objective))

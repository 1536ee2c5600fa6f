"""The answer of every solve: status, values, bound, gap and the certificate coopt recomputed."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import Enum, StrEnum
from typing import Any

import numpy as np
import pandas as pd

from coopt.errors import TimeLimitReached


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
    sense: str = ""  # "max" or "min" when known (cross-checks of bounds); not part of the JSON

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


# ---- the vocabulary of certificates (what formulations and games may read and apply) ------------
# The rules that judge a claim (coopt.solve.status.certify) live in coopt.solve.status; these are
# the thresholds, the status order and the small helpers every layer above the data may use.

FEAS_FLOOR = 1e-6  # primal residual, relative to max(1, |b|): SCIP's default feasibility tolerance
KKT_FLOOR = 1e-6  # KKT residual (already relative to max(1, |grad f|))
GAP_FLOOR = 1e-6  # relative gap between the objective and the proven bound
CLOSED_FORM_FLOOR = 1e-6  # relative distance of the objective from a closed form (values: sqrt of the gap)

# how bad each status is, for composed problems (the worst sub-solve wins)
_RANK = {
    Status.OPTIMAL: 0, Status.LOCALLY_OPTIMAL: 1, Status.FEASIBLE: 2, Status.ITERATION_LIMIT: 3,
    Status.TIME_LIMIT: 4, Status.INFEASIBLE_OR_UNBOUNDED: 5, Status.UNBOUNDED: 5, Status.INFEASIBLE: 5,
    Status.NUMERICAL_ERROR: 6, Status.ERROR: 7,
}


@dataclass(frozen=True)
class Tolerances:
    """The thresholds a certificate is judged by (``tol``/``gap`` as the user asked, floored)."""

    feas: float = FEAS_FLOOR
    kkt: float = KKT_FLOOR
    gap: float = GAP_FLOOR
    closed_form: float = CLOSED_FORM_FLOOR

    @classmethod
    def from_options(cls, opts: Mapping[str, Any] | None) -> Tolerances:
        """From the common solver options: ``tol`` loosens feasibility, KKT, gap and closed-form
        checks alike; ``gap`` loosens the gap check."""
        opts = opts or {}
        tol = _positive(opts.get("tol"))
        gap = _positive(opts.get("gap"))
        t = max(tol or 0.0, 0.0)
        return cls(feas=max(FEAS_FLOOR, t), kkt=max(KKT_FLOOR, t), gap=max(GAP_FLOOR, t, gap or 0.0),
                   closed_form=max(CLOSED_FORM_FLOOR, t))


def _positive(x: Any) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and f > 0 else None


def worst(statuses: Iterable[Status]) -> Status:
    """The worst of several statuses (OPTIMAL for none): what a composed problem reports."""
    out = Status.OPTIMAL
    for s in statuses:
        if _RANK.get(Status(s), 7) > _RANK[out]:
            out = Status(s)
    return out


def downgrade(result: Result, why: str, feasible: bool = True) -> None:
    """Withdraw an optimality claim: ``feasible`` (or ``numerical_error`` for an infeasible point)."""
    if result.status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL):
        result.status = Status.FEASIBLE if feasible else Status.NUMERICAL_ERROR
    result.messages.append(why)


def check_bound(result: Result, known_feasible: float | Iterable[float | None] | None, maximize: bool,
                source: str = "a known feasible point", rel_tol: float = 1e-9) -> bool:
    """Is ``result.bound`` consistent with feasible objective values known from elsewhere?

    For a maximisation the bound must be >= every known feasible value (<= for a minimisation),
    up to ``rel_tol``; the result's own objective must not beat the bound either. A bound that fails
    is a failed certificate: the status becomes ``feasible`` (or stays worse), the bound and gap are
    dropped, and a message names the value that refutes it. Returns True when the bound holds.
    """
    if result.bound is None:
        return True
    vals: list[float] = []
    if known_feasible is not None:
        vals = [float(known_feasible)] if isinstance(known_feasible, int | float) else \
            [float(v) for v in known_feasible if v is not None]
    if result.objective is not None and result.status.has_solution:
        vals.append(float(result.objective))
    b = float(result.bound)
    for v in vals:
        if not math.isfinite(v):
            continue
        slack = rel_tol * max(1.0, abs(v))
        if (maximize and b < v - slack) or (not maximize and b > v + slack):
            result.messages.append(f"failed certificate: bound {b:.10g} is {'below' if maximize else 'above'} "
                                   f"{source} {v:.10g}")
            if result.status == Status.OPTIMAL:
                result.status = Status.FEASIBLE
            result.bound = None
            result.gap = None
            return False
    return True


@dataclass
class Deadline:
    """One time limit shared by the many solves of a composed problem (None: no limit)."""

    limit: float | None
    start: float = field(default_factory=time.perf_counter)

    @classmethod
    def from_options(cls, opts: Mapping[str, Any] | None) -> Deadline:
        return cls(_positive((opts or {}).get("time_limit")))

    @property
    def remaining(self) -> float | None:
        if self.limit is None:
            return None
        return self.limit - (time.perf_counter() - self.start)

    @property
    def expired(self) -> bool:
        r = self.remaining
        return r is not None and r <= 0

    def check(self, what: str = "") -> None:
        """Raise :class:`TimeLimitReached` once the limit has passed."""
        if self.expired:
            raise TimeLimitReached(f"time limit of {self.limit:g} s reached" + (f" ({what})" if what else ""))

    def options(self, opts: Mapping[str, Any] | None) -> dict[str, Any]:
        """Solver options with the time limit replaced by what is left of it."""
        out = dict(opts or {})
        r = self.remaining
        if r is not None:
            out["time_limit"] = max(r, 1e-3)
        return out

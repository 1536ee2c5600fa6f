"""Status follows the certificate: the rules every backend and composed problem applies.

A solver's "optimal" is a claim; coopt keeps it only when its own certificate backs it:

* the point is feasible: coopt's primal residual <= the feasibility tolerance (scaled by the size of
  the bounds, ``max(1, |b|)``);
* it is stationary: coopt's KKT (dual) residual <= the optimality tolerance (already relative);
* it is proven: a bound is known and the gap between the objective and it is within the tolerance
  (a missing bound or gap never counts as 0);
* where a closed form applies, the point is within the tolerance of it.

The tolerance is the one the user asked for (``tol``, ``gap``), and never tighter than the floors
below, which are what the default solver settings reliably reach. A claim that fails a check is
downgraded -- ``optimal`` to ``feasible`` when the point is feasible, to ``numerical_error`` when it
is not -- and a message says which check failed and by how much.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coopt.solve.result import Result, Status, relative_gap

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


def certify(result: Result, tols: Tolerances, primal_scale: float = 1.0, need_bound: bool = True,
            check_kkt: bool = True) -> Result:
    """Apply the rules of the module docstring to ``result`` in place (and return it).

    ``primal_scale`` is max(1, |b|) of the model (the size of its bounds and right-hand sides);
    ``need_bound``: the claim is a global one (convex or global solver), so it needs a bound;
    ``check_kkt``: judge the KKT residual (not for a global solver's claim, which rests on its bound).
    """
    if result.status not in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL):
        return result
    pr = result.primal_residual
    if pr is not None and (not math.isfinite(pr) or pr > tols.feas * max(1.0, primal_scale)):
        downgrade(result, f"not certified: primal residual {pr:.2e} > tolerance {tols.feas:.1e} x "
                          f"{max(1.0, primal_scale):.3g}: the point is infeasible", feasible=False)
        return result
    kkt = result.kkt_residual
    if check_kkt and kkt is not None and (not math.isfinite(kkt) or kkt > tols.kkt):
        downgrade(result, f"not certified: KKT residual {kkt:.2e} > tolerance {tols.kkt:.1e}")
        return result
    if result.status == Status.OPTIMAL and need_bound:
        if result.gap is None:
            result.gap = relative_gap(result.objective, result.bound)
        if result.gap is None:
            downgrade(result, "not certified: no bound on the optimum (gap unknown)")
        elif result.gap > tols.gap:
            downgrade(result, f"not certified: gap {result.gap:.2e} > tolerance {tols.gap:.1e}")
    return result


def check_closed_form(result: Result, tols: Tolerances,
                      lookup: Callable[[Result, str], float | None] | None = None) -> Result:
    """Downgrade an optimum that is farther from the paper's closed form than the tolerance.

    The objective is judged at the gap tolerance; variable values at its square root (at least
    ``tols.closed_form``): a flat optimum determines its point only to about the square root of
    the objective's accuracy. ``lookup(result, key)`` reads a key of ``result.closed_form`` from the
    result (default: only ``objective`` and scalar values)."""
    if result.status not in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL) or not result.closed_form:
        return result
    read = lookup or _lookup_plain
    worst_key, worst_excess = None, 0.0
    for key, want in result.closed_form.items():
        got = read(result, key)
        if got is None or want is None or not math.isfinite(float(want)):
            continue
        err = abs(float(got) - float(want)) / max(1.0, abs(float(want)))
        limit = max(tols.closed_form, tols.gap) if key == "objective" else max(tols.closed_form, math.sqrt(tols.gap))
        if not err <= limit and (worst_key is None or err / limit > worst_excess):
            worst_key, worst_excess = (key, err, limit), err / limit
    if worst_key is not None:
        key, err, limit = worst_key
        downgrade(result, f"not certified: {key} is {err:.2e} (relative) from the closed form > tolerance {limit:.1e}")
    return result


def _lookup_plain(result: Result, key: str) -> float | None:
    if key == "objective":
        return result.objective
    v = result.values.get(key)
    return float(v) if isinstance(v, int | float) else None


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


def cross_check(results: Iterable[Result]) -> None:
    """Check every result's bound against the feasible values of the others (``compare``).

    A solver's objective counts as a known feasible value only when its point is feasible (primal
    residual within the default tolerance); the sense (max/min) is the results' own ``sense``."""
    results = [r for r in results if r is not None]
    for r in results:
        if r.bound is None or not r.sense:
            continue
        known = [o.objective for o in results if o is not r and o.status.has_solution and o.objective is not None
                 and o.sense in (r.sense, "") and (o.primal_residual is None or o.primal_residual <= FEAS_FLOOR)]
        check_bound(r, known, maximize=r.sense == "max", source="another solver's feasible value",
                    rel_tol=max(1e-9, 0.1 * GAP_FLOOR))


class TimeLimitReached(Exception):
    """Raised by an exact method that ran out of its time limit (callers report ``time_limit``)."""


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


__all__ = ["Deadline", "TimeLimitReached", "Tolerances", "certify", "check_bound", "check_closed_form",
           "cross_check", "downgrade", "worst"]

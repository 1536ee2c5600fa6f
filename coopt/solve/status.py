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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from coopt.solve.result import Result, Status, relative_gap

FEAS_FLOOR = 1e-6  # primal residual, relative to max(1, |b|): SCIP's default feasibility tolerance
KKT_FLOOR = 1e-6  # KKT residual (already relative to max(1, |grad f|))
GAP_FLOOR = 1e-6  # relative gap between the objective and the proven bound
CLOSED_FORM_FLOOR = 1e-6  # relative distance from a closed form

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


def check_closed_form(result: Result, tols: Tolerances) -> Result:
    """Downgrade an optimum whose distance from the paper's closed form exceeds the tolerance."""
    err = result.closed_form_error
    if err is not None and result.status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL) and err > tols.closed_form:
        downgrade(result, f"not certified: {err:.2e} (relative) from the closed form > tolerance "
                          f"{tols.closed_form:.1e}")
    return result


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


__all__ = ["Tolerances", "certify", "check_bound", "check_closed_form", "downgrade", "worst"]

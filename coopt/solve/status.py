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
from collections.abc import Callable, Iterable

from coopt.solve.result import (  # noqa: F401  (re-exported: the vocabulary lives with Result)
    CLOSED_FORM_FLOOR,
    FEAS_FLOOR,
    GAP_FLOOR,
    KKT_FLOOR,
    Deadline,
    Result,
    Status,
    TimeLimitReached,
    Tolerances,
    check_bound,
    downgrade,
    relative_gap,
    worst,
)


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


__all__ = ["Deadline", "TimeLimitReached", "Tolerances", "certify", "check_bound", "check_closed_form",
           "cross_check", "downgrade", "worst"]

"""Finding stable coalitions with the method the instance allows, and describing them.

* ``exact`` solver, n <= 20: vectorised enumeration of all 2^n subsets (complete).
* ``exact`` solver, n > 20: the O(n) scans the paper's structure justifies: all Nash coalitions when
  costs are well separated (Claim 7); the downward-closed robust coalitions, including the largest
  robust one S_K (notes 3.5, sharper Claim 8). Anything else is refused (use a MILP solver).
* ``highs`` / ``scip``: the per-size MILP (notes 3.6) with no-good cuts, up to ``limit`` per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.data.dpshare import DpShareInstance
from coopt.errors import InputError, SolverUnavailable
from coopt.formulations.dpshare import closed_form as cf
from coopt.formulations.dpshare import stability_milp as SM
from coopt.formulations.dpshare.common import selfish_outcome
from coopt.games.dpshare import definitions as D
from coopt.games.dpshare.stability import Enumeration, enumerate_stable, robust_scan, sigma2_window

ENUM_N = 20
SOLVERS = ("exact", "highs", "scip")
KINDS = ("nash", "robust")


@dataclass
class Found:
    """Stable coalitions of each kind (sorted positions) and how they were established."""

    coalitions: dict[str, list[list[int]]]
    complete: dict[str, bool]
    method: str
    messages: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    gap: float | None = None


def check_solver(solver: str) -> None:
    """Refuse solvers that cannot run the stability search (one line, exit 2)."""
    if solver not in SOLVERS:
        raise SolverUnavailable(
            f"solver '{solver}' cannot search stable coalitions (needs enumeration or a MILP); "
            f"try {', '.join(SOLVERS)}")


def _masks_to_lists(masks: np.ndarray, n: int, limit: int) -> list[list[int]]:
    return [Enumeration.members(int(m), n) for m in masks[:limit]]


def sc_of_masks(masks: np.ndarray, c: np.ndarray, sigma2: float, alpha: float) -> np.ndarray:
    """SC_d (eq. 6) of each coalition mask."""
    ws = cf.w(c)
    n = ws.size
    bits = ((masks[:, None] >> np.arange(n, dtype=np.int64)[None, :]) & 1).astype(float)
    return cf.sc_selfish(bits @ ws, bits.sum(axis=1), n, sigma2, alpha)


def find(inst: DpShareInstance, solver: str, solver_options: dict[str, Any], limit: int = 500,
         delta: float = 1e-12, best_only: bool = False) -> Found:
    """Stable coalitions of ``inst``; with ``best_only`` just the SC_d-optimal one of each kind.

    The method is chosen by the solver and the size: :func:`find_by_enumeration` (``exact``, n <= 20),
    :func:`find_by_scans` (``exact``, n > 20) or :func:`find_by_milp` (``highs``, ``scip``)."""
    check_solver(solver)
    if solver != "exact":
        return find_by_milp(inst, solver, solver_options, limit, delta, best_only)
    if inst.n <= ENUM_N:
        return find_by_enumeration(inst, limit, best_only)
    return find_by_scans(inst, limit, best_only)


def find_by_enumeration(inst: DpShareInstance, limit: int = 500, best_only: bool = False) -> Found:
    """All 2^n subsets with the exact O(1) tests (Claims 5, 6), best social cost first: complete."""
    c, s2, a, n = inst.c, inst.sigma2, inst.alpha, inst.n
    e = enumerate_stable(c, s2, a)
    coal, counts = {}, {"nash": int(e.nash.size), "robust": int(e.robust.size)}
    for kind in KINDS:
        masks = getattr(e, kind)
        if masks.size:
            sc = sc_of_masks(masks, c, s2, a)
            masks = masks[np.lexsort((masks, sc))]   # best social cost first
        coal[kind] = _masks_to_lists(masks, n, 1 if best_only else limit)
    msgs = [f"{kind}: {counts[kind]} coalition(s)" + (f", first {limit} reported (lowest SC first)"
                                                      if counts[kind] > limit and not best_only else "")
            for kind in KINDS]
    return Found(coal, {"nash": True, "robust": True},
                 f"enumeration of all 2^{n} subsets with the exact O(1) tests (Claims 5, 6)", msgs, counts)


def find_by_scans(inst: DpShareInstance, limit: int = 500, best_only: bool = False) -> Found:
    """n > 20: the O(n) scans the paper's structure justifies (Claim 7 for Nash when costs are well
    separated; the downward-closed robust coalitions). Anything else is refused (use a MILP solver)."""
    c, s2, a, n = inst.c, inst.sigma2, inst.alpha, inst.n
    if best_only:
        raise InputError(f"n = {n} > {ENUM_N}: the best stable coalition needs the per-size MILP; "
                         "use --solver highs")
    if not cf.well_separated(c):
        raise InputError(f"n = {n} > {ENUM_N} and costs are not well separated (c_i >= 2 c_(i-1)): "
                         "enumerating every Nash coalition needs the per-size MILP; use --solver highs")
    nash = [list(range(k)) for k in cf.nash_scan_downward(c, s2, a)]
    rob = [list(range(k)) for k in robust_scan(c, s2, a)]
    K = int(cf.largest_robust(c, s2, a))
    msgs = ["nash: complete by Claim 7 (well-separated costs: every Nash coalition is downward closed)",
            f"robust: downward-closed robust coalitions only (O(n) scan); largest robust size K = {K} is exact "
            "(notes 3.5); non-downward-closed robust coalitions are not listed"]
    return Found({"nash": nash[:limit], "robust": rob[:limit]}, {"nash": True, "robust": False},
                 "O(n) scans (Claim 7 for Nash; T(S_k) windows for robust)", msgs,
                 {"nash": len(nash), "robust": len(rob)})


def find_by_milp(inst: DpShareInstance, solver: str, solver_options: dict[str, Any], limit: int = 500,
                 delta: float = 1e-12, best_only: bool = False) -> Found:
    """The per-size MILP with no-good cuts, up to ``limit`` coalitions per kind (or, with
    ``best_only``, SC_d minimised per size); each MILP answer re-checked by the exact test."""
    from coopt.solve import solve

    c, s2, a, n = inst.c, inst.sigma2, inst.alpha, inst.n
    coal = {kind: [] for kind in KINDS}
    complete = {kind: True for kind in KINDS}
    worst_gap = 0.0
    best_sc = {kind: np.inf for kind in KINDS}
    dropped = unproven = gap_unknown = 0
    for kind in KINDS:
        for k in range(2, n + 1):
            found_k: list[list[int]] = []
            while True:
                if not best_only and len(coal[kind]) >= limit:
                    complete[kind] = False
                    break
                m = SM.build(c, k, s2, a, kind, delta=delta * max(1.0, s2), exclude=found_k)
                r = solve(m, solver, SM.PROBLEM_CLASS, **solver_options)
                if not r.status.has_solution:
                    if r.status.value not in ("infeasible",):
                        complete[kind] = False
                    break
                if r.gap is None:  # a missing gap never counts as 0
                    gap_unknown += 1
                else:
                    worst_gap = max(worst_gap, r.gap)
                if r.status.value != "optimal":
                    unproven += 1
                    if best_only:
                        complete[kind] = False
                S = SM.members(m)
                found_k.append(S)
                if not is_stable(c, S, s2, a, kind):  # a solver-tolerance artefact at a window edge
                    dropped += 1
                    continue
                if best_only:
                    if r.objective < best_sc[kind]:
                        best_sc[kind] = r.objective
                        coal[kind] = [S]
                    break
                coal[kind].append(S)
            if not complete[kind]:
                break
    counts = {kind: len(coal[kind]) for kind in KINDS}
    gap_text = f"worst gap {worst_gap:.1e}" if not gap_unknown else f"{gap_unknown} solve(s) without a bound"
    method = (f"per-size MILP ({solver}, notes 3.6), " + ("SC_d minimised per size" if best_only else
              "no-good cuts") + f", strictness tolerance delta = {delta:g} x max(1, sigma2), {gap_text}")
    msgs = [f"{kind}: search incomplete (limit {limit} reached, or a MILP solve stopped early)"
            for kind in KINDS if not complete[kind]]
    if unproven:
        msgs.append(f"{unproven} MILP solve(s) ended without a proof of optimality (time limit?)")
    if gap_unknown:
        msgs.append(f"{gap_unknown} MILP solve(s) returned no bound: their gap is unknown")
    if dropped:
        msgs.append(f"{dropped} MILP solution(s) failed the exact test (solver tolerance at a window edge): dropped")
    return Found(coal, complete, method, msgs, counts, None if gap_unknown else worst_gap)


def is_stable(c: np.ndarray, S: list[int], sigma2: float, alpha: float, kind: str) -> bool:
    """The exact O(1) test (sigma^2 window) of one coalition."""
    lo, hi = sigma2_window(c, S, alpha, kind)
    return bool(lo <= sigma2 < hi)


def describe(inst: DpShareInstance, S: list[int], kind: str) -> dict[str, Any]:
    """One equilibrium as the JSON contract wants it, with its definition-based certificate."""
    out = selfish_outcome(inst, S)
    lo, hi = sigma2_window(inst.c, S, inst.alpha, kind)
    ch = D.check(inst.c, S, inst.sigma2, inst.alpha)
    entry = ch.nash_entry_gain if kind == "nash" else ch.robust_entry_gain
    gains = [g for g in (ch.exit_gain, entry) if np.isfinite(g)]
    return {"coalition": out["coalition"], "epsilon": out["epsilon"], "social_cost": out["social_cost"],
            "variance": out["variance"], "sigma2_window": [lo, hi if np.isfinite(hi) else None],
            "max_deviation_gain": float(max(gains))}

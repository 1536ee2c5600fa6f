"""Large vaccine games (any n): least core, grand-coalition optimum and market verdicts from the oracle.

No 2^n enumeration: v(N) and f* by the exact branch and bound, the least core by constraint
generation with :class:`coopt.games.vaccine.separation.VaccineSeparationOracle`, and any
allocation judged by one separation call (its largest excess, certified).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.games.vaccine.separation import VaccineSeparationOracle, members_of
from coopt.solve.result import Status

ORACLE_ABOVE = 12  # players: tu.least_core / tu.core / vaccine.core use the oracle above this (no 2^n table)
GENERATION_TOL = 1e-7  # generation stops when the certified bound - e <= this x v(N)
BATCH = 32  # coalitions added per round (each gets a certified v(S))


@dataclass
class LargeLeastCore:
    """The least core of a large game with the work done and its certificate."""

    names: tuple[str, ...]
    status: Status
    epsilon: float | None
    x: np.ndarray
    v_grand: float
    separation_bound: float | None  # certified max_S v(S) - x(S) at the end
    rounds: int
    generated: int
    tight: list[int]  # coalitions with a positive dual (the balanced collection when e* > 0)
    weights: dict[int, float] = field(default_factory=dict)  # their dual weights (normalised to the efficiency row)
    worst_value_gap: float = 0.0
    engine: str = ""
    wall_time: float = 0.0
    lower: float | None = None  # proven bounds on e*
    upper: float | None = None
    messages: list[str] = field(default_factory=list)


def grand_optimum(oracle: VaccineSeparationOracle) -> tuple[float, float, np.ndarray, float | None]:
    """(v(N), its bound, f* (fractions, player order), the budget's price lambda* of f*)."""
    from coopt.formulations.vaccine import lagrangian_bb as bb

    P = oracle.pool
    res = bb.solve(P, members=np.ones(P.n, bool), tol=oracle.tol)
    f = res.f
    inner = (f > P.c * (1 + 1e-9)) & (f < P.d * (1 - 1e-9))
    lam = [float(P.funcs[i].dF(f[i])) for i in np.nonzero(inner)[0]]
    return float(res.value), float(res.upper), f, (float(np.median(lam)) if lam else None)


def least_core_large(oracle: VaccineSeparationOracle, tol: float = GENERATION_TOL, time_limit: float | None = None,
                     batch: int = BATCH) -> tuple[LargeLeastCore, Any]:
    """epsilon* and a least-core allocation by the generic constraint-generation engine
    (:func:`coopt.games.tu.generation.least_core_cg`; ``tol`` relative to max |v|, i.e. v(N)).
    Returns (summary, the engine's LeastCore)."""
    import time

    from coopt.games.tu.generation import least_core_cg

    t0 = time.perf_counter()
    names = tuple(oracle.names)
    lc = least_core_cg(oracle, "preimputation", tol=tol, batch=batch, time_limit=time_limit)
    w = lc.balancing_weights() if lc.status == Status.OPTIMAL else {}
    top = float(np.max(lc.row_dual, initial=0.0))
    tight = [int(m) for m, y in zip(lc.masks, lc.row_dual) if y > 1e-9 * max(1.0, top)]
    out = LargeLeastCore(names, lc.status, lc.epsilon, lc.x, lc.grand.value, lc.separation_bound, lc.rounds,
                         lc.generated, tight, w, lc.worst_value_gap, "tu.least_core_cg", time.perf_counter() - t0,
                         lower=lc.lower, upper=lc.upper, messages=list(lc.messages))
    return out, lc


def judge_allocation(oracle: VaccineSeparationOracle, x: np.ndarray, time_limit: float | None = None
                     ) -> dict[str, Any]:
    """Largest excess of x (certified bound), the coalition attaining it, and the core verdict."""
    sep = oracle.separate(np.asarray(x, float), k=1, time_limit=time_limit)
    best = sep.coalitions[0] if sep.coalitions else None
    excess = None if best is None else best.value - float(np.asarray(x)[members_of(best.mask, oracle.n)].sum())
    return {"status": sep.status.value, "max_excess": excess, "bound": sep.upper_bound,
            "coalition": [] if best is None else [oracle.names[i] for i in range(oracle.n) if (best.mask >> i) & 1],
            "in_core": bool(sep.status == Status.OPTIMAL and sep.upper_bound <= oracle.tol)}


def use_oracle(instance: Any) -> bool:
    """A vaccine instance too large for the 2^n table: the least core goes through the oracle."""
    return getattr(instance, "family", None) == "vaccine" and len(instance.names) > ORACLE_ABOVE


def run_problem(problem: str, instance: Any, solver_options: Mapping[str, Any], rel_tol: float = 1e-9) -> Any:
    """tu.least_core, tu.core or vaccine.core on a large vaccine game (no 2^n enumeration).

    The least core by :func:`least_core_large`; the JSON keeps each problem's solution keys and adds the
    certificate of constraint generation: ``separation_bound`` = the oracle's certified bound on
    max_S v(S) - x(S) - e* at the end (what the stopping rule tests), ``max_excess_bound`` = that bound
    on max_S v(S) - x(S) itself, ``lower``/``upper`` (proven bounds on e*), ``rounds``,
    ``coalitions_generated``, ``worst_value_gap``. A time-limited or failed oracle solve leaves the
    engine's status (no certificate)."""
    from coopt.games.tu.result import TUResult
    from coopt.solve.result import relative_gap

    oracle = VaccineSeparationOracle(instance)
    names = tuple(oracle.names)
    lc, raw = least_core_large(oracle, time_limit=solver_options.get("time_limit"))
    vN = lc.v_grand
    res = TUResult(problem=problem, status=lc.status, solver="highs",
                   formulation="least-core LP by constraint generation (exact separation oracle)",
                   objective=lc.epsilon, bound=raw.lower, messages=list(lc.messages))
    certified = lc.status == Status.OPTIMAL and lc.separation_bound is not None and lc.epsilon is not None
    res.certificate_extra = {
        "separation_bound": (lc.separation_bound - lc.epsilon) if certified else None,
        "max_excess_bound": lc.separation_bound if certified else None,
        "lower": raw.lower, "upper": raw.upper, "rounds": lc.rounds, "coalitions_generated": lc.generated,
        "rows_used": len(raw.masks), "worst_value_gap": lc.worst_value_gap, "v_N_bound": raw.grand.upper,
        "oracle": {**oracle.stats, "price_grid": len(oracle.pool.lam), "chord_error": oracle.pool.chord_error},
    }
    if lc.epsilon is not None and raw.lower is not None:
        res.gap = relative_gap(lc.epsilon / vN, raw.lower / vN)
    if lc.status.has_solution:
        res.values = {"x": dict(zip(names, map(float, lc.x))), "e": lc.epsilon}
    game = {"source": "vaccine: exact branch and bound per coalition (separation oracle), no 2^n table",
            "players": len(names), "values_used": len(raw.masks) + 1, "worst_value_gap": lc.worst_value_gap}
    alloc = dict(zip(names, map(float, lc.x)))
    tol = rel_tol * abs(vN)
    weights = [{"members": [names[i] for i in range(len(names)) if (m >> i) & 1], "weight": w}
               for m, w in sorted(lc.weights.items())]
    if lc.weights:  # Bondareva-Shapley re-check with certified values: lower v(S), upper v(N)
        low = {int(m): float(v) for m, v in zip(raw.masks, raw.values)}
        cover = sum(w * members_of(m, len(names)) for m, w in lc.weights.items())
        res.certificate_extra["balance_residual"] = float(np.max(np.abs(cover - 1.0)))
        res.certificate_extra["balanced_excess"] = float(sum(w * low[m] for m, w in lc.weights.items())
                                                         - raw.grand.upper)
    tight = [[names[i] for i in range(len(names)) if (m >> i) & 1] for m in lc.tight]
    if problem == "tu.least_core":
        sol: dict[str, Any] = {"epsilon": lc.epsilon, "domain": "preimputation"}
        if lc.status.has_solution:
            sol.update(allocation=alloc, tight_coalitions=tight, balancing_weights=weights)
    else:
        eps_core = 0.0 if problem == "tu.core" else float(getattr(instance, "epsilon", 1e-5))
        empty = None if lc.epsilon is None else bool(lc.epsilon > eps_core + tol)
        # the verdict must follow the proven interval [lower, upper] of e*, not the master's e alone
        if empty is not None and lc.status == Status.OPTIMAL:
            lo_e = raw.lower if raw.lower is not None else -np.inf
            hi_e = raw.upper if raw.upper is not None else np.inf
            if not (lo_e > eps_core + tol or hi_e <= eps_core + tol):
                empty = None
                res.status = Status.FEASIBLE
                res.messages.append(f"core verdict undetermined: e* in [{lo_e:.6g}, {hi_e:.6g}] straddles the "
                                    f"decision tolerance {eps_core + tol:.6g} (values certified to "
                                    f"{lc.worst_value_gap:.3g})")
        sol = {"epsilon": lc.epsilon if problem == "tu.core" else eps_core, "decision_tolerance": eps_core + tol}
        if problem == "tu.core":
            sol["core_empty"] = empty
        else:
            sol.update(empty=empty, least_core_epsilon=lc.epsilon)
        if lc.status.has_solution:
            sol.update(allocation=alloc if empty is False else None, least_core_allocation=alloc,
                       balancing_weights=weights if empty else [], tight_coalitions=tight if empty is False else [])
    sol["game"] = game
    res.solution = sol
    return res


__all__ = ["LargeLeastCore", "grand_optimum", "judge_allocation", "least_core_large", "run_problem", "use_oracle"]

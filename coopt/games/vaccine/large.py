"""Large vaccine games (any n): least core, grand-coalition optimum and market verdicts from the oracle.

No 2^n enumeration: v(N) and f* by the exact branch and bound, the least core by constraint
generation with :class:`coopt.games.vaccine.separation.VaccineSeparationOracle`, and any
allocation judged by one separation call (its largest excess, certified).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coopt.games.vaccine.separation import VaccineSeparationOracle, members_of
from coopt.solve.result import Status


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


def least_core_large(oracle: VaccineSeparationOracle, tol: float = 1e-7, time_limit: float | None = None,
                     batch: int = 32) -> LargeLeastCore:
    """epsilon* and a least-core allocation by constraint generation (tol relative to v(N))."""
    import time

    t0 = time.perf_counter()
    try:
        from coopt.games.tu.generation import least_core_cg  # the generic engine (stream `tu`)
    except ImportError:  # pragma: no cover - before the merge: LP_1 of the oracle nucleolus
        least_core_cg = None
    names = tuple(oracle.names)
    if least_core_cg is not None:
        lc = least_core_cg(oracle, tol=tol, batch=batch, time_limit=time_limit)
        w = lc.balancing_weights() if lc.status == Status.OPTIMAL else {}
        tight = [int(m) for m, y in zip(lc.masks, lc.row_dual) if y > 1e-9 * max(1.0, float(np.max(lc.row_dual,
                                                                                                     initial=0)))]
        return LargeLeastCore(names, lc.status, lc.epsilon, lc.x, lc.grand.value, lc.separation_bound, lc.rounds,
                              lc.generated, tight, w, lc.worst_value_gap, "tu.least_core_cg",
                              time.perf_counter() - t0, list(lc.messages))
    from coopt.games.vaccine.nucleolus_cg import nucleolus_cg

    nu = nucleolus_cg(oracle, tol=tol, batch=batch, time_limit=time_limit, max_levels=1, domain="preimputation")
    ok = nu.status == Status.OPTIMAL and bool(nu.levels)
    return LargeLeastCore(names, nu.status, nu.levels[0] if ok else None, nu.x, oracle.grand_value().value,
                          nu.separation_bounds[0] if nu.separation_bounds else None, sum(nu.rounds),
                          nu.coalitions_generated, nu.level_coalitions[0] if nu.level_coalitions else [], {}, 0.0,
                          "nucleolus_cg (level 1)", time.perf_counter() - t0, list(nu.messages))


def judge_allocation(oracle: VaccineSeparationOracle, x: np.ndarray, time_limit: float | None = None
                     ) -> dict[str, Any]:
    """Largest excess of x (certified bound), the coalition attaining it, and the core verdict."""
    sep = oracle.separate(np.asarray(x, float), k=1, time_limit=time_limit)
    best = sep.coalitions[0] if sep.coalitions else None
    excess = None if best is None else best.value - float(np.asarray(x)[members_of(best.mask, oracle.n)].sum())
    return {"status": sep.status.value, "max_excess": excess, "bound": sep.upper_bound,
            "coalition": [] if best is None else [oracle.names[i] for i in range(oracle.n) if (best.mask >> i) & 1],
            "in_core": bool(sep.status == Status.OPTIMAL and sep.upper_bound <= oracle.tol)}


__all__ = ["LargeLeastCore", "grand_optimum", "judge_allocation", "least_core_large"]

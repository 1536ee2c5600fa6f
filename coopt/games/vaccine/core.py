"""vaccine.core: is the (epsilon-)core of the vaccine game empty, the least core, and the certificates.

problem: vaccine.core | class: LP (many) | layer: Pyomo | solvers: highs
Paper: vaccine-fair-allocation.md, Section 3.2 (core, eq. 2), Section 6.1 and Appendix B.2 (LP 17).

Steps: v(S) for every coalition (exact, `coopt.games.vaccine.characteristic`), then the least-core
LP (`coopt.formulations.vaccine.core_lp`), with constraint generation when 2**n - 2 rows are many
(n > 10 by default: start from the singletons and the (n-1)-coalitions, add the most violated rows
until none is violated, which the vectorised check over all 2**n masks proves). The answer:

* ``least_core_epsilon`` e* = min e s.t. x(N) = v(N), x(S) >= v(S) - e for every proper S;
* ``empty``: the epsilon-core of (17) is empty, i.e. e* > epsilon (+ a relative round-off allowance
  ``rel_tol * max|v|``: the case study's v ~ 3e8 make an absolute 1e-5 meaningless, see the notes);
* ``allocation``: a least-core point (in the epsilon-core) when non-empty, else null;
* ``balancing_weights``: when empty, lambda_S from the dual LP (Bondareva-Shapley certificate:
  sum_{S contains i} lambda_S = 1 and sum_S lambda_S v(S) > v(N)); coopt re-checks both itself;
* ``tight_coalitions`` when non-empty: the rows at equality in the least core.

:func:`most_violated` names, for any allocation, the coalition with the largest excess v(S) - x(S).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from coopt.errors import InputError
from coopt.formulations.base import Option, Problem
from coopt.formulations.vaccine.core_lp import (
    CoalitionValues,
    build_balancing_dual,
    build_least_core,
    default_scale,
)
from coopt.solve import solve
from coopt.solve.result import Result, Status

GENERATION_ABOVE = 10  # players: above this, constraint generation instead of all 2**n - 2 rows


@dataclass
class LeastCore:
    """The least core of a game, with its certificates (all values unscaled)."""

    game: CoalitionValues
    epsilon_star: float  # e*
    x: np.ndarray  # a least-core allocation
    status: Status
    rows_used: int
    iterations: int
    max_excess_check: float  # max_S v(S) - x(S) recomputed over all proper S (should equal e*)
    dual_objective: float | None = None
    weights: dict[int, float] = field(default_factory=dict)  # balancing weights lambda_S by mask
    balance_residual: float | None = None  # max_i |sum_{S contains i} lambda_S - 1|
    wall_time: float = 0.0
    messages: list[str] = field(default_factory=list)

    def empty(self, epsilon: float, rel_tol: float = 1e-9) -> bool:
        """epsilon-core (17) empty: e* > epsilon + rel_tol * max|v|."""
        return bool(self.epsilon_star > epsilon + rel_tol * default_scale(self.game))

    def tight(self, rel_tol: float = 1e-9) -> list[int]:
        """Masks of the proper coalitions with x(S) = v(S) - e* (within rel_tol * scale)."""
        g = self.game
        excess = g.v - g.coalition_sums(self.x)
        masks = g.proper_masks()
        gap = self.epsilon_star - excess[masks]
        return masks[gap <= rel_tol * default_scale(g)].tolist()


def _solver_values(m: pyo.ConcreteModel, res: Result) -> tuple[np.ndarray, float]:
    x = np.array([res.values["x"][i] for i in m.N]) * pyo.value(m.scale)
    return x, float(res.values["e"]) * float(pyo.value(m.scale))


def least_core(game: CoalitionValues, solver: str = "highs", generation: bool | None = None,
               batch: int | None = None, with_dual: bool = True, tol: float = 1e-10,
               max_iterations: int = 500, **solver_options: Any) -> LeastCore:
    """Solve the least-core LP of ``game`` (all rows, or by constraint generation).

    ``batch``: rows added per round of generation (default 4 n). ``tol``: scaled violation below
    which generation stops. ``with_dual``: also solve the balancing dual on the final rows.
    """
    t0 = time.perf_counter()
    n = game.n
    if n == 1:  # no proper coalition: the core is {v(N)}
        return LeastCore(game, float("-inf"), np.array([game.v_grand]), Status.OPTIMAL, 0, 0, float("-inf"))
    scale = default_scale(game)
    generation = n > GENERATION_ABOVE if generation is None else generation
    proper = game.proper_masks()
    if generation:
        full = game.grand
        pool = {1 << i for i in range(n)} | {full ^ (1 << i) for i in range(n)}
    else:
        pool = set(proper.tolist())
    batch = batch or 4 * n
    sums_v = game.v[proper] / scale
    it = 0
    while True:
        it += 1
        m = build_least_core(game, sorted(pool), scale)
        res = solve(m, solver, "LP", **solver_options)
        if res.status != Status.OPTIMAL:
            return LeastCore(game, float("nan"), np.full(n, np.nan), res.status, len(pool), it, float("nan"),
                             wall_time=time.perf_counter() - t0,
                             messages=[f"least-core LP: {res.status.value}", *res.messages])
        x, e = _solver_values(m, res)
        viol = sums_v - game.coalition_sums(x / scale)[proper] - e / scale
        if not generation or viol.max() <= tol or it >= max_iterations:
            break
        order = np.argsort(-viol)[:batch]
        new = [int(proper[k]) for k in order if viol[k] > tol and int(proper[k]) not in pool]
        if not new:
            break
        pool.update(new)
    check = float(np.max(game.v[proper] - game.coalition_sums(x)[proper]))
    out = LeastCore(game, e, x, Status.OPTIMAL, len(pool), it, check)
    if generation and it >= max_iterations:
        out.status = Status.ITERATION_LIMIT
        out.messages.append(f"constraint generation stopped after {it} rounds")
    if with_dual:
        _attach_dual(out, sorted(pool), scale, solver, solver_options)
    out.wall_time = time.perf_counter() - t0
    return out


def least_core_epsilon(game: CoalitionValues) -> tuple[float, np.ndarray]:
    """e* and a least-core point by SciPy's HiGHS on the dense LP (all 2**n - 2 rows).

    The same least-core LP as :func:`least_core`, without Pyomo's model-building overhead (about
    20x faster for n = 5): the sweeps of Figures 3-5 solve tens of thousands of these. Tested equal
    to the Pyomo model.
    """
    from scipy.optimize import linprog

    from coopt.formulations.vaccine.core_lp import member_matrix

    n = game.n
    if n == 1:
        return float("-inf"), np.array([game.v_grand])
    scale = default_scale(game)
    B = member_matrix(n)
    P = game.proper_masks()
    A_ub = np.hstack([-B[P], -np.ones((len(P), 1))])
    c = np.zeros(n + 1)
    c[-1] = 1.0
    res = linprog(c, A_ub=A_ub, b_ub=-game.v[P] / scale, A_eq=np.hstack([np.ones((1, n)), [[0.0]]]),
                  b_eq=[game.v_grand / scale], bounds=[(None, None)] * (n + 1), method="highs")
    if res.status != 0:
        raise RuntimeError(f"least-core LP (scipy/HiGHS): {res.message}")
    return float(res.x[-1]) * scale, res.x[:n] * scale


def _attach_dual(out: LeastCore, rows: list[int], scale: float, solver: str, opts: dict[str, Any]) -> None:
    game = out.game
    d = build_balancing_dual(game, rows, scale)
    res = solve(d, solver, "LP", **opts)
    if res.status != Status.OPTIMAL:
        out.messages.append(f"balancing dual LP: {res.status.value}")
        return
    out.dual_objective = float(res.objective) * scale
    t = float(res.values["t"])
    w = res.values["w"]
    out.weights = {int(s): float(ws) / t for s, ws in w.items() if ws > 1e-12}
    B = np.zeros(game.n)
    for s, lam in out.weights.items():
        B += [lam if s >> i & 1 else 0.0 for i in range(game.n)]
    out.balance_residual = float(np.max(np.abs(B - 1.0)))


def most_violated(instance_or_values: Any, allocation: Mapping[str, float] | np.ndarray) -> dict[str, Any]:
    """The proper coalition with the largest excess v(S) - x(S) under ``allocation``.

    Returns {members, excess, efficiency_gap (x(N) - v(N)), in_core (excess <= 0 and x(N) = v(N)
    within 1e-9 relative)}. ``instance_or_values``: a vaccine instance, a :class:`CoalitionValues`,
    or a table with columns members, v.
    """
    game = as_game(instance_or_values)
    x = game.allocation_vector(allocation) if isinstance(allocation, Mapping) else np.asarray(allocation, float)
    if x.shape != (game.n,):
        raise InputError(f"allocation: expected {game.n} shares, got {x.shape}")
    tol = 1e-9 * default_scale(game)
    eff = float(x.sum() - game.v_grand)
    if game.n == 1:
        return {"members": [], "excess": None, "efficiency_gap": eff, "in_core": abs(eff) <= tol}
    proper = game.proper_masks()
    excess = game.v[proper] - game.coalition_sums(x)[proper]
    k = int(np.argmax(excess))
    return {
        "members": list(game.members(int(proper[k]))),
        "excess": float(excess[k]),
        "efficiency_gap": eff,
        "in_core": bool(excess[k] <= tol and abs(eff) <= tol),
    }


def as_game(obj: Any) -> CoalitionValues:
    """A :class:`CoalitionValues` from a game, a members/v table, or a vaccine instance (exact v)."""
    if isinstance(obj, CoalitionValues):
        return obj
    if isinstance(obj, pd.DataFrame):
        return CoalitionValues.from_frame(obj)
    if getattr(obj, "family", None) == "vaccine":
        return exact_game(obj)[0]
    raise InputError(f"expected a vaccine instance or a coalition-value table, got {type(obj).__name__}")


def exact_game(instance: Any) -> tuple[CoalitionValues, np.ndarray]:
    """Exact v(S) with certified bounds for every coalition, and the grand coalition's optimum f*
    (in the instance's player order), from one call of `characteristic.solve_all`."""
    from coopt.games.vaccine.characteristic import solve_all

    sol = solve_all(instance)
    game = CoalitionValues(tuple(sol.names), np.asarray(sol.v, float), np.asarray(sol.bound, float))
    return game, np.asarray(sol.f[game.grand], float)


def core_solution(lc: LeastCore, epsilon: float, rel_tol: float = 1e-9) -> dict[str, Any]:
    """The JSON ``solution`` object of vaccine.core (keys fixed by the issue's contract)."""
    game = lc.game
    empty = lc.empty(epsilon, rel_tol)
    return {
        "empty": empty,
        "least_core_epsilon": lc.epsilon_star,
        "epsilon": epsilon,
        "decision_tolerance": epsilon + rel_tol * default_scale(game),
        "allocation": None if empty else {nm: float(v) for nm, v in zip(game.names, lc.x)},
        "least_core_allocation": {nm: float(v) for nm, v in zip(game.names, lc.x)},
        "balancing_weights": [{"members": list(game.members(s)), "weight": w}
                              for s, w in sorted(lc.weights.items())] if empty else [],
        "balanced_excess": (float(sum(w * game.v[s] for s, w in lc.weights.items()) - game.v_grand)
                            if lc.weights else None),
        "tight_coalitions": [] if empty else [list(game.members(s)) for s in lc.tight(rel_tol)],
        "certificate": {
            "max_excess_recomputed": lc.max_excess_check,
            "dual_objective": lc.dual_objective,
            "balance_residual": lc.balance_residual,
            "rows_used": lc.rows_used,
            "generation_rounds": lc.iterations,
        },
    }


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], rel_tol: float = 1e-9,
        generation: str = "auto") -> Result:
    """vaccine.core on a vaccine instance: exact v(S), then the least core and its certificates."""
    game = as_game(instance)
    gen = {"auto": None, "on": True, "off": False}[generation]
    lc = least_core(game, solver=solver, generation=gen, **dict(solver_options))
    result = Result(problem="vaccine.core", status=lc.status, solver=solver, objective=lc.epsilon_star,
                    bound=lc.dual_objective, messages=list(lc.messages), formulation="least-core LP")
    if lc.status == Status.OPTIMAL:
        epsilon = float(getattr(instance, "epsilon", 1e-5))
        result.solution = core_solution(lc, epsilon, rel_tol)
        result.values = {"x": dict(zip(game.names, map(float, lc.x))), "e": lc.epsilon_star}
        scale = default_scale(game)
        # recomputed by coopt over all 2**n - 2 rows: violation of x(S) >= v(S) - e*, and duality gap
        result.primal_residual = max(0.0, lc.max_excess_check - lc.epsilon_star) / scale
        if lc.dual_objective is not None:
            from coopt.solve.result import relative_gap

            result.gap = relative_gap(lc.epsilon_star / scale, lc.dual_objective / scale)
            result.kkt_residual = abs(lc.epsilon_star - lc.dual_objective) / scale
    return result


PROBLEM = Problem(
    name="vaccine.core",
    family="vaccine",
    summary="Epsilon-core emptiness, least core, a core allocation or the balancing weights (exact v(S))",
    paper="Westerink-Duijzer, Schlicher & Musegaas (2019), Section 3.2, 6.1, Appendix B.2",
    equations="(2), (17)",
    options={
        "rel_tol": Option(float, 1e-9, "relative round-off allowance added to epsilon (times max|v|)"),
        "generation": Option(str, "auto", "constraint generation: auto (n > 10), on, off",
                             choices=("auto", "on", "off")),
    },
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
)

"""vaccine.core: is the (epsilon-)core of the vaccine game empty, the least core, and the certificates.

problem: vaccine.core | class: LP (many) | layer: matrix (highspy, through coopt.solve) | solvers: highs
Paper: Westerink-Duijzer, Schlicher & Musegaas (2019) (docs/papers/vaccine.md), Section 3.2 (core, eq. 2),
Section 6.1 and Appendix B.2 (LP 17).

Steps: v(S) for every coalition (exact, `coopt.games.vaccine.characteristic`), then the least-core LP
of the TU engine (`coopt.games.tu.least_core`: an array LP solved by HiGHS through `coopt.solve`, rows
generated on demand from bit masks -- the singletons and the (n-1)-coalitions first, then the most
violated rows until none is violated, which one vectorised pass over all 2^n masks proves). The
answer:

* ``least_core_epsilon`` e* = min e s.t. x(N) = v(N), x(S) >= v(S) - e for every proper S;
* ``empty``: the epsilon-core of (17) is empty, i.e. e* > epsilon (+ a relative round-off allowance
  ``rel_tol * max|v|``: the case study's v ~ 3e8 make an absolute 1e-5 meaningless, see
  docs/derivations/vaccine.md#tolerance) -- the same test as
  `coopt.games.tu.core.in_core`, coopt's one "in the core" test;
* ``allocation``: a least-core point (in the epsilon-core) when non-empty, else null;
* ``balancing_weights``: when empty, lambda_S from the LP dual (Bondareva-Shapley certificate:
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

from coopt.errors import CooptError, InputError
from coopt.formulations.base import Option, Problem
from coopt.formulations.vaccine.core_lp import CoalitionValues, default_scale
from coopt.games.tu import core as tu_core
from coopt.games.tu.least_core import least_core as tu_least_core
from coopt.games.tu.least_core import max_excess, tight_masks
from coopt.solve.result import Result, Status, relative_gap

GENERATION_ABOVE = 6  # players: above this, constraint generation instead of all 2**n - 2 rows


class LeastCoreError(CooptError):
    """The least-core LP did not solve to a certified optimum (exit 1: not a user error)."""

    exit_code = 1


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
    dual_objective: float | None = None  # proven lower bound on e* from the LP dual (weak duality)
    weights: dict[int, float] = field(default_factory=dict)  # balancing weights lambda_S by mask
    balance_residual: float | None = None  # max_i |sum_{S contains i} lambda_S - 1|
    wall_time: float = 0.0
    messages: list[str] = field(default_factory=list)
    tight_rows: list[int] = field(default_factory=list)
    certificate: dict[str, Any] = field(default_factory=dict)

    def empty(self, epsilon: float, rel_tol: float = tu_core.CORE_REL_TOL) -> bool:
        """epsilon-core (17) empty: e* > epsilon + rel_tol * max|v|."""
        return bool(self.epsilon_star > tu_core.core_tolerance(self.game, epsilon, rel_tol))

    def tight(self, rel_tol: float = 1e-9) -> list[int]:
        """Masks of the proper coalitions with x(S) = v(S) - e* (within rel_tol * scale)."""
        excess = self.game.excess(self.x)[1:-1]
        return (np.flatnonzero(self.epsilon_star - excess <= rel_tol * default_scale(self.game)) + 1).tolist()


def least_core(game: CoalitionValues, solver: str = "highs", generation: bool | None = None,
               batch: int | None = None, with_dual: bool = True, tol: float = 1e-10,
               max_iterations: int = 500, **solver_options: Any) -> LeastCore:
    """The least core of ``game`` (all rows, or by constraint generation) through the TU engine.

    ``batch``: rows added per round of generation. ``tol``: scaled violation below which generation
    stops. ``with_dual`` is kept for compatibility: the dual comes with every solve of the array LP.
    """
    if solver != "highs":
        from coopt.errors import SolverUnavailable

        raise SolverUnavailable(f"vaccine.core's LP is solved by 'highs', not '{solver}'")
    t0 = time.perf_counter()
    gen = "auto" if generation is None else ("on" if generation else "off")
    if gen == "auto":
        gen = "on" if game.n > GENERATION_ABOVE else "off"
    lc = tu_least_core(game, "preimputation", gen, tol=tol, batch=batch,
                       time_limit=solver_options.get("time_limit"))
    n = game.n
    if lc.epsilon is None and lc.status == Status.OPTIMAL:  # one player: e* undefined, the core is {v(N)}
        out = LeastCore(game, float("nan"), np.array([game.v_grand]), Status.OPTIMAL, 0, 0, float("nan"),
                        messages=list(lc.messages))
        out.wall_time = time.perf_counter() - t0
        return out
    if lc.epsilon is None:
        return LeastCore(game, float("nan"), np.full(n, np.nan), lc.status, len(lc.masks), lc.rounds, float("nan"),
                         wall_time=time.perf_counter() - t0, messages=list(lc.messages))
    mx, _ = max_excess(game, lc.x)
    out = LeastCore(game, float(lc.epsilon), lc.x, lc.status, len(lc.masks), lc.rounds, mx,
                    dual_objective=lc.lower, messages=list(lc.messages))
    out.weights = lc.balancing_weights()
    out.balance_residual = lc.balance_residual(out.weights)
    out.tight_rows = tight_masks(game, lc)
    from coopt.games.tu.least_core import certificate_entries

    out.certificate = certificate_entries(game, lc)
    out.wall_time = time.perf_counter() - t0
    _ = max_iterations
    return out


def least_core_epsilon(game: CoalitionValues) -> tuple[float, np.ndarray]:
    """e* and a least-core point (the sweeps of Figures 3-5 solve tens of thousands of these).

    The same least-core LP as :func:`least_core` (an array LP through `coopt.solve`; all rows for small
    games). A solve that is not certified optimal raises :class:`LeastCoreError` (exit 1). One player:
    e* is undefined and returned as NaN with x = (v(N),).
    """
    lc = least_core(game)
    if lc.status != Status.OPTIMAL:
        raise LeastCoreError(f"least-core LP: {lc.status.value}" + (f" ({lc.messages[0]})" if lc.messages else ""))
    return lc.epsilon_star, lc.x


def most_violated(instance_or_values: Any, allocation: Mapping[str, float] | np.ndarray,
                  epsilon: float = 0.0, rel_tol: float = tu_core.CORE_REL_TOL) -> dict[str, Any]:
    """The proper coalition with the largest excess v(S) - x(S) under ``allocation``.

    Returns {members, excess, efficiency_gap (x(N) - v(N)), in_core}: coopt's one core test
    (`coopt.games.tu.core.most_violated`: excess <= epsilon + rel_tol * max|v| and efficiency within
    rel_tol * max|v|). ``instance_or_values``: a vaccine instance, a :class:`CoalitionValues`, or a
    table with columns members, v.
    """
    game = as_game(instance_or_values)
    mv = tu_core.most_violated(game, allocation, epsilon, rel_tol)
    mv.pop("mask", None)
    return mv


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
    game = CoalitionValues(tuple(sol.names), np.asarray(sol.v, float), np.asarray(sol.bound, float),
                           source=f"vaccine exact v(S) of {getattr(instance, 'name', 'instance')} "
                                  "(KKT enumeration, certified bounds)")
    return game, np.asarray(sol.f[game.grand], float)


def core_solution(lc: LeastCore, epsilon: float, rel_tol: float = tu_core.CORE_REL_TOL) -> dict[str, Any]:
    """The JSON ``solution`` object of vaccine.core (keys fixed by the issue's contract)."""
    game = lc.game
    empty = lc.empty(epsilon, rel_tol)
    eps = None if not np.isfinite(lc.epsilon_star) else lc.epsilon_star
    return {
        "empty": empty,
        "least_core_epsilon": eps,
        "epsilon": epsilon,
        "decision_tolerance": tu_core.core_tolerance(game, epsilon, rel_tol),
        "allocation": None if empty else {nm: float(v) for nm, v in zip(game.names, lc.x)},
        "least_core_allocation": {nm: float(v) for nm, v in zip(game.names, lc.x)},
        "balancing_weights": [{"members": list(game.members(s)), "weight": w}
                              for s, w in sorted(lc.weights.items())] if empty else [],
        "balanced_excess": (float(sum(w * game.v[s] for s, w in lc.weights.items()) - game.v_grand)
                            if lc.weights else None),
        "tight_coalitions": [] if empty else [list(game.members(s)) for s in lc.tight_rows],
        "certificate": {
            "max_excess_recomputed": lc.max_excess_check if np.isfinite(lc.max_excess_check) else None,
            "dual_objective": lc.dual_objective,
            "balance_residual": lc.balance_residual,
            "rows_used": lc.rows_used,
            "generation_rounds": lc.iterations,
            "worst_value_gap": game.value_gap(),
        },
    }


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], rel_tol: float = tu_core.CORE_REL_TOL,
        generation: str = "auto", **_: Any) -> Result:
    """vaccine.core on a vaccine instance: exact v(S), then the least core and its certificates."""
    if not (np.isfinite(rel_tol) and rel_tol >= 0):
        raise InputError(f"option 'rel_tol' = {rel_tol!r}: must be a finite number >= 0")
    from coopt.games.vaccine.large import run_problem, use_oracle  # large games: no 2^n table

    if use_oracle(instance):
        return run_problem("vaccine.core", instance, solver_options, rel_tol)
    game = as_game(instance)
    gen = {"auto": None, "on": True, "off": False}[generation]
    lc = least_core(game, solver=solver, generation=gen, **dict(solver_options))
    result = Result(problem="vaccine.core", status=lc.status, solver=solver, objective=lc.epsilon_star,
                    bound=lc.dual_objective, messages=list(lc.messages), formulation="least-core LP (matrix)")
    if lc.status == Status.OPTIMAL:
        epsilon = float(getattr(instance, "epsilon", 1e-5))
        result.solution = core_solution(lc, epsilon, rel_tol)
        # e* lies in [dual bound, max excess at x recomputed over every row]: the verdict must not depend on where
        why = tu_core.verdict_uncertain(lc.dual_objective, lc.max_excess_check,
                                        tu_core.core_tolerance(game, epsilon, rel_tol))
        if why is not None:
            result.status = Status.FEASIBLE
            result.messages.append(why)
        result.values = {"x": dict(zip(game.names, map(float, lc.x))),
                         "e": lc.epsilon_star if np.isfinite(lc.epsilon_star) else None}
        scale = default_scale(game)
        if np.isfinite(lc.epsilon_star):
            # recomputed by coopt over all 2**n - 2 rows: violation of x(S) >= v(S) - e*, and duality gap
            result.primal_residual = max(0.0, lc.max_excess_check - lc.epsilon_star) / scale
            if lc.dual_objective is not None:
                result.gap = relative_gap(lc.epsilon_star / scale, lc.dual_objective / scale)
                result.kkt_residual = abs(lc.epsilon_star - lc.dual_objective) / scale
        else:
            result.objective = None
            result.primal_residual = 0.0
    return result


#: The model in LaTeX as coded (the docs page and `coopt show vaccine.core` print it).
MATH = r"""
Composed: $v(S)$ for every coalition ([`vaccine.game`](vaccine.game.md), exact), then the least-core LP of
the TU engine ([`tu.least_core`](tu.least_core.md): an array LP solved by HiGHS; values are divided by
`scale` $=\max_S|v(S)|$ inside the LP so that solver tolerances mean the same at $v\sim1$ and $v\sim3\cdot10^8$;
the readable Pyomo form of the same LPs is `coopt.formulations.vaccine.core_lp`).

The core (eq. (2)) and the paper's $\epsilon$-core feasibility LP (17), $x\in\mathbb R^N$ free:

$$
\sum_{i\in N}x_i=v(N)\quad\text{(\texttt{efficiency})},\qquad
\sum_{i\in S}x_i\ \ge\ v(S)-\epsilon\quad \forall\,\emptyset\ne S\subsetneq N\quad\text{(\texttt{stability})}.
\tag{17}
$$

coopt solves the **least-core LP**, which turns the yes/no of (17) into a number:

$$
e^*=\min_{x,\,e}\ e\qquad\text{s.t.}\quad x(N)=v(N),\qquad x(S)\ge v(S)-e\quad \forall\,\emptyset\ne S\subsetneq N,
$$

with $x(S)=\sum_{i\in S}x_i$. The $\epsilon$-core is **empty** iff $e^*>\epsilon+\texttt{rel\_tol}\cdot\max_S|v(S)|$
(the paper's $\epsilon=10^{-5}$ is absolute; the relative allowance absorbs round-off at large $v$).
For $n>10$ (option `generation`) the rows are generated: start from the singletons and the $(n-1)$-coalitions,
add the most violated rows until a vectorised check over all $2^n$ masks finds none.

Certificates. When the core is empty, the LP dual (Bondareva–Shapley), read from the least-core LP's multipliers:

$$
e^*=\max_{w\ge0,\,t}\ \sum_{S}w_S\,v(S)-t\,v(N)\qquad\text{s.t.}\quad \sum_S w_S=1,\qquad \sum_{S\ni i}w_S=t\ \
\forall i,
$$

and the **balancing weights** $\lambda_S=w_S/t$ ($\sum_{S\ni i}\lambda_S=1$ for every $i$) with
$\sum_S\lambda_S v(S)>v(N)$, re-checked by coopt. When it is non-empty: a least-core allocation (in the
core) and the tight coalitions ($x(S)=v(S)-e^*$). [Derivation](../derivations/vaccine.md#core).
"""


PROBLEM = Problem(
    name="vaccine.core",
    family="vaccine",
    summary="Epsilon-core emptiness, least core, a core allocation or the balancing weights (exact v(S))",
    paper="Westerink-Duijzer, Schlicher & Musegaas (2019), Section 3.2, 6.1, Appendix B.2",
    equations="(2), (17)",
    options={
        "rel_tol": Option(float, tu_core.CORE_REL_TOL, "relative round-off allowance added to epsilon (times max|v|)",
                          low=0, high=1e-3),
        "generation": Option(str, "auto", f"constraint generation: auto (n > {GENERATION_ABOVE}), on, off",
                             choices=("auto", "on", "off")),
    },
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
    math=MATH,
    example={"data": "vaccine/example-2", "solver": "highs"},
)

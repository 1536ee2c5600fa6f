"""tu.core: is the core empty? A core allocation when it is not, the balancing weights when it is.

problem: tu.core | class: LP | layer: matrix (highspy) | solvers: highs

The core {x : x(N) = v(N), x(S) >= v(S) for every S} is non-empty iff the least-core value e* <= 0
(Bondareva 1963; Shapley 1967): coopt solves the least core (`coopt.games.tu.least_core`) and decides
with one tolerance, :data:`CORE_REL_TOL` times max |v(S)|. Empty: the LP dual gives a balanced
collection lambda_S (sum_{S contains i} lambda_S = 1 for every i) with sum_S lambda_S v(S) > v(N) --
the Bondareva-Shapley certificate, re-checked by coopt (``balance_residual``, ``balanced_excess``).

:func:`in_core` is coopt's one test "is x in the (epsilon-)core" -- every family uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coopt.data.tu.game import TUGame, is_sparse, subset_sums
from coopt.errors import InputError
from coopt.formulations.base import Option, Problem
from coopt.games.tu.generation import LeastCore
from coopt.games.tu.least_core import least_core, result_of, tight_masks
from coopt.games.tu.source import ACCEPTS, check_solver, game_of, game_report, values_of
from coopt.solve.result import Status

CORE_REL_TOL = 1e-9  # the one tolerance of "x is in the core": relative to max |v(S)|


def core_tolerance(game: TUGame, epsilon: float = 0.0, rel_tol: float = CORE_REL_TOL) -> float:
    """The allowance of the (epsilon-)core test: epsilon + rel_tol * max |v(S)|."""
    return float(epsilon) + rel_tol * game.scale()


def most_violated(game: TUGame, x: np.ndarray | Mapping[str, float], epsilon: float = 0.0,
                  rel_tol: float = CORE_REL_TOL) -> dict[str, Any]:
    """The proper coalition with the largest excess v(S) - x(S), and whether x is in the epsilon-core.

    Returns {members, mask, excess, efficiency_gap (x(N) - v(N)), in_core}: in_core iff every excess
    is <= epsilon + rel_tol * max|v| and |x(N) - v(N)| <= rel_tol * max|v| (one tolerance everywhere).
    """
    xv = game.allocation_vector(x) if isinstance(x, Mapping) else np.asarray(x, dtype=np.float64)
    if xv.shape != (game.n,):
        raise InputError(f"allocation: expected {game.n} shares, got shape {xv.shape}")
    if not np.all(np.isfinite(xv)):
        raise InputError("allocation: every share must be a finite number")
    eff = float(xv.sum() - game.v_grand)
    tol = rel_tol * game.scale()
    if game.n == 1:
        return {"members": [], "mask": None, "excess": None, "efficiency_gap": eff, "in_core": abs(eff) <= tol}
    if is_sparse(game):
        from coopt.games.tu.oracle import SparseOracle

        sep = SparseOracle(game).separate(xv, 1)
        mask, worst = sep.coalitions[0].mask, float(sep.upper_bound)
    else:
        exc = game.v[1:-1] - subset_sums(xv)[1:-1]
        k = int(np.argmax(exc))
        mask, worst = k + 1, float(exc[k])
    return {"members": list(game.members(mask)), "mask": mask, "excess": worst, "efficiency_gap": eff,
            "in_core": bool(worst <= epsilon + tol and abs(eff) <= tol)}


def in_core(game: TUGame, x: np.ndarray | Mapping[str, float], epsilon: float = 0.0,
            rel_tol: float = CORE_REL_TOL) -> bool:
    """Is ``x`` in the epsilon-core of ``game``? (:func:`most_violated`'s verdict.)"""
    return bool(most_violated(game, x, epsilon, rel_tol)["in_core"])


def core_verdict(game: TUGame, lc: LeastCore, epsilon: float = 0.0, rel_tol: float = CORE_REL_TOL) -> bool:
    """Is the epsilon-core empty? e* > epsilon + rel_tol * max|v| (n = 1: never)."""
    return lc.epsilon is not None and lc.epsilon > core_tolerance(game, epsilon, rel_tol)


def verdict_uncertain(lower: float | None, upper: float | None, threshold: float) -> str | None:
    """Why the core verdict "e* > threshold" is not proven by the certified interval [lower, upper] of e*
    (None when it is: the whole interval lies on one side of the threshold)."""
    if lower is None or upper is None or not (lower <= threshold < upper):
        return None
    return (f"core verdict not certified: e* is proven only to lie in [{lower:.10g}, {upper:.10g}], which contains "
            f"the decision threshold {threshold:.10g}; tighten the tolerances")


def balancing_certificate(game: TUGame, lc: LeastCore) -> dict[str, Any]:
    """Balancing weights with coopt's own re-check: balance residual and sum lambda_S v(S) - v(N)."""
    w = lc.balancing_weights()
    if not w:
        return {"balancing_weights": {}, "balance_residual": None, "balanced_excess": None}
    ms = np.array(list(w), dtype=np.int64)
    excess = float(np.dot(list(w.values()), values_of(game, ms)) - game.v_grand)
    return {"balancing_weights": {game.key(m): lam for m, lam in sorted(w.items())},
            "balance_residual": lc.balance_residual(w), "balanced_excess": excess}


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], rel_tol: float = CORE_REL_TOL, **_: Any) -> Any:
    """tu.core: core empty or not; a core allocation, or the Bondareva-Shapley balancing weights."""
    if not (rel_tol >= 0 and np.isfinite(rel_tol)):
        raise InputError(f"option 'rel_tol' = {rel_tol!r}: must be a finite number >= 0")
    check_solver("tu.core", solver, ("highs",))
    from coopt.games.vaccine.large import run_problem, use_oracle  # large vaccine games: no 2^n table

    if use_oracle(instance):
        return run_problem("tu.core", instance, solver_options, rel_tol)
    game = game_of(instance)
    lc = least_core(game, "preimputation", time_limit=solver_options.get("time_limit"))
    res = result_of("tu.core", game, lc)
    sol: dict[str, Any] = {"epsilon": lc.epsilon, "decision_tolerance": core_tolerance(game, 0.0, rel_tol)}
    if lc.status.has_solution:
        empty = core_verdict(game, lc, 0.0, rel_tol)
        why = verdict_uncertain(lc.lower, lc.upper, core_tolerance(game, 0.0, rel_tol))
        if why is not None and res.status == Status.OPTIMAL:
            res.status = Status.FEASIBLE
            res.messages.append(why)
        sol["core_empty"] = empty
        sol["allocation"] = None if empty else dict(zip(game.names, map(float, lc.x)))
        sol["least_core_allocation"] = dict(zip(game.names, map(float, lc.x)))
        if empty:
            cert = balancing_certificate(game, lc)
            sol.update(cert)
            res.certificate_extra.update(balance_residual=cert["balance_residual"],
                                         balanced_excess=cert["balanced_excess"])
            if not (cert["balanced_excess"] is not None and cert["balanced_excess"] > 0
                    and cert["balance_residual"] is not None and cert["balance_residual"] <= 1e-7):
                res.messages.append("the balancing weights did not re-check (residual or excess): see certificate")
        else:
            sol["tight_coalitions"] = [game.key(m) for m in tight_masks(game, lc)]
    sol["game"] = game_report(game)
    res.solution = sol
    return res


#: The model in LaTeX as coded (the docs page and `coopt show tu.core` print it).
MATH = r"""
Composed from the least-core LP ([`tu.least_core`](tu.least_core.md)), on the array LP layer (`matrix`, HiGHS).
The **core** of a TU game $(N,v)$, $x\in\mathbb R^N$:

$$
\mathcal C(v)=\Big\{x:\ x(N)=v(N),\quad x(S)\ \ge\ v(S)\quad \forall\,\emptyset\ne S\subsetneq N\Big\},\qquad
x(S)=\sum_{i\in S}x_i .
$$

It is non-empty iff the least-core value $e^*\le 0$ (Bondareva 1963; Shapley 1967), decided with one tolerance:
$e^*\le \texttt{rel\_tol}\cdot\max_S|v(S)|$. When it is empty, the LP dual gives a **balanced collection**
$\lambda_S\ge0$,

$$
\sum_{S\ni i}\lambda_S=1\quad\forall i\in N,\qquad \sum_{S}\lambda_S\,v(S)\ >\ v(N),
$$

the Bondareva–Shapley certificate (`solution.balancing_weights`), re-checked by coopt. Games too large to
enumerate are solved by constraint generation with a separation oracle (rows added while
$\max_S v(S)-x(S)-e$ exceeds the tolerance; the oracle's global bound is `certificate.separation_bound`).
"""


PROBLEM = Problem(
    name="tu.core",
    family="tu",
    summary="Core of a TU game: empty or not; a core allocation, or the Bondareva-Shapley balancing weights",
    paper="Bondareva 1963 (Problemy Kibernetiki 10); Shapley 1967, Naval Res. Logist. Q. 14(4), "
          "doi:10.1002/nav.3800140404",
    equations="x(N) = v(N), x(S) >= v(S)",
    options={"rel_tol": Option(float, CORE_REL_TOL, "tolerance of the core test, relative to max |v(S)|",
                               low=0, high=1e-3)},
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
    accepts=ACCEPTS,
    math=MATH,
    example={"data": "tu/textbook", "solver": "highs"},
)

__all__ = ["CORE_REL_TOL", "PROBLEM", "balancing_certificate", "core_tolerance", "core_verdict", "in_core",
           "most_violated", "run"]

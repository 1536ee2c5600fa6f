"""tu.least_core: the least core of a TU game (a table of v(S), or a model's exact v(S)).

problem: tu.least_core | class: LP | layer: matrix (highspy) | solvers: highs

    e* = min e  s.t.  x(N) = v(N),  x(S) >= v(S) - e  for every proper non-empty S (singletons included),
                      x_i >= v({i})  with ``domain=imputation``.

Solved by constraint generation over the table (`coopt.games.tu.generation`, the brute-force
`TableOracle`): the master starts from the singletons and the coalitions N \\ {i} and adds the most
violated coalitions each round until none is violated -- proven over all 2^n - 2 rows by one
vectorised pass. ``generation=off`` puts every row in one LP instead (the reference).

JSON ``solution``: ``epsilon`` (e*), ``allocation`` {player: x_i}, ``domain``, ``tight_coalitions``
(the rows at equality, over all coalitions), ``dual`` (multipliers y_S > 0 of the tight rows and of
efficiency), ``balancing_weights`` {"a+b": lambda_S} (preimputation: the Bondareva-Shapley collection,
sum_S lambda_S v(S) - v(N) = e* / t), ``game`` (which v(S), their worst gap). Certificate:
``lower``/``upper`` (proven bounds on e*), ``separation_bound`` (certified bound on max_S v(S) - x(S) - e*),
``max_excess_bound`` (on max_S v(S) - x(S)), ``rounds``, ``coalitions_generated``,
``max_excess_recomputed``, ``worst_value_gap``. One player: e* is undefined (no proper coalition
constrains e): ``epsilon`` null, allocation v(N), status optimal, with a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coopt.data.tu.game import TUGame, is_sparse, subset_sums
from coopt.errors import InputError
from coopt.formulations.base import Option, Problem
from coopt.formulations.tu.least_core import DOMAINS
from coopt.games.tu.generation import DEFAULT_TOL, LeastCore, least_core_cg
from coopt.games.tu.oracle import SparseOracle, TableOracle
from coopt.games.tu.result import TUResult
from coopt.games.tu.source import ACCEPTS, check_solver, game_of, game_report
from coopt.solve.result import relative_gap

FULL_ROWS_UP_TO = 6  # generation=auto: all 2^n - 2 rows in one LP up to this many players (faster there)
TIGHT_TOL = 1e-9  # relative to max |v|: a row within this of equality is tight


def least_core(game: TUGame, domain: str = "preimputation", generation: str = "auto", tol: float = DEFAULT_TOL,
               batch: int | None = None, time_limit: float | None = None) -> LeastCore:
    """The least core of a table game (constraint generation, or every row with ``generation='off'``)."""
    if generation not in ("auto", "on", "off"):
        raise InputError(f"generation = {generation!r}: must be auto, on or off")
    if is_sparse(game):
        if generation == "off":
            raise InputError(f"generation = off: a game of {game.n} players is solved by constraint generation only")
        return least_core_cg(SparseOracle(game), domain, tol=tol, batch=batch, time_limit=time_limit)
    full_rows = generation == "off" or (generation == "auto" and game.n <= FULL_ROWS_UP_TO)
    initial = game.proper_masks().tolist() if full_rows else None
    return least_core_cg(TableOracle(game), domain, tol=tol, batch=batch, time_limit=time_limit, initial=initial)


def max_excess(game: TUGame, x: np.ndarray) -> tuple[float, np.ndarray | None]:
    """(max over proper S of v(S) - x(S), the excess array over all masks -- None for a sparse game)."""
    if is_sparse(game):
        return float(SparseOracle(game).separate(np.asarray(x, dtype=np.float64), 1).upper_bound), None
    exc = game.v - subset_sums(np.asarray(x, dtype=np.float64))
    if game.n == 1:
        return float("-inf"), exc
    return float(exc[1:-1].max()), exc


def tight_masks(game: TUGame, lc: LeastCore) -> list[int]:
    """Proper coalitions at equality x(S) = v(S) - e* (within TIGHT_TOL * max |v|), over all 2^n - 2
    (a sparse game: over the coalitions of the final master LP)."""
    if lc.epsilon is None:
        return []
    if is_sparse(game):
        masks = np.asarray(lc.masks, dtype=np.int64)
        exc = game.values(masks) - game.coalition_sums(lc.x, masks)
        return masks[exc >= lc.epsilon - TIGHT_TOL * game.scale()].tolist()
    _, exc = max_excess(game, lc.x)
    proper = exc[1:-1]
    return (np.flatnonzero(proper >= lc.epsilon - TIGHT_TOL * game.scale()) + 1).tolist()


def certificate_entries(game: TUGame, lc: LeastCore) -> dict[str, Any]:
    """The certificate entries shared by tu.least_core, tu.core and vaccine.core."""
    mx, _ = max_excess(game, lc.x) if lc.epsilon is not None else (None, None)
    # issue #12's definition, shared with the large-game path (coopt.games.vaccine.large): the oracle's
    # certified bound on max_S v(S) - x(S) - e*; the raw bound on the largest excess is max_excess_bound
    gap = (lc.separation_bound - lc.epsilon) if lc.separation_bound is not None and lc.epsilon is not None else None
    return {
        "lower": lc.lower, "upper": lc.upper, "separation_bound": gap, "max_excess_bound": lc.separation_bound,
        "rounds": lc.rounds,
        "coalitions_generated": lc.generated, "rows_used": len(lc.masks), "max_excess_recomputed": mx,
        "worst_value_gap": lc.worst_value_gap, "dual_residual": lc.dual_residual,
    }


def result_of(problem: str, game: TUGame, lc: LeastCore) -> TUResult:
    """A :class:`TUResult` with the least core's numbers (objective e*, bound = proven lower bound)."""
    res = TUResult(problem=problem, status=lc.status, solver="highs", formulation="least-core LP (matrix, generation)",
                   objective=lc.epsilon, bound=lc.lower, messages=list(lc.messages))
    res.certificate_extra = certificate_entries(game, lc)
    if lc.epsilon is not None and lc.lower is not None:
        scale = game.scale()
        res.gap = relative_gap(lc.epsilon / scale, lc.lower / scale)
        mx = res.certificate_extra["max_excess_recomputed"]
        res.primal_residual = max(0.0, mx - lc.epsilon) / scale
        res.kkt_residual = lc.dual_residual
    if lc.status.has_solution or lc.epsilon is not None:
        res.values = {"x": dict(zip(game.names, map(float, lc.x))), "e": lc.epsilon}
    return res


def dual_entries(game: TUGame, lc: LeastCore) -> dict[str, Any]:
    """The LP dual: multipliers of efficiency and of the coalition rows with y_S > 0."""
    rows = {game.key(m): float(y) for m, y in zip(lc.masks, lc.row_dual) if y > 1e-12}
    out: dict[str, Any] = {"efficiency": lc.efficiency_dual, "coalitions": rows,
                           "note": "multipliers of the LP in units of max|v| (e* = sum_S y_S v(S) + y_N v(N))"}
    if lc.bound_dual is not None:
        out["imputation_bounds"] = {nm: float(d) for nm, d in zip(game.names, lc.bound_dual) if abs(d) > 1e-12}
    return out


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], domain: str = "preimputation",
        generation: str = "auto", **_: Any) -> TUResult:
    """tu.least_core: e*, a least-core allocation, tight coalitions, the LP dual (table or model game)."""
    check_solver("tu.least_core", solver, ("highs",))
    from coopt.games.vaccine.large import run_problem, use_oracle  # large vaccine games: no 2^n table

    if use_oracle(instance):
        return run_problem("tu.least_core", instance, solver_options)
    game = game_of(instance)
    lc = least_core(game, domain, generation, time_limit=solver_options.get("time_limit"))
    res = result_of("tu.least_core", game, lc)
    sol: dict[str, Any] = {"epsilon": lc.epsilon, "domain": domain}
    if lc.status.has_solution:
        sol["allocation"] = dict(zip(game.names, map(float, lc.x)))
        sol["tight_coalitions"] = [game.key(m) for m in tight_masks(game, lc)]
        sol["dual"] = dual_entries(game, lc)
        if domain == "preimputation":
            w = lc.balancing_weights()
            sol["balancing_weights"] = {game.key(m): lam for m, lam in sorted(w.items())}
    sol["game"] = game_report(game)
    res.solution = sol
    return res


#: The model in LaTeX as coded (the docs page and `coopt show tu.least_core` print it).
MATH = r"""
The least-core LP (Maschler, Peleg & Shapley 1979), columns $x_1,\dots,x_n$ and $e$, rows by coalition bit mask
(module `coopt.formulations.tu.least_core`; values divided by $\max_S|v(S)|$ inside the LP):

$$
e^*=\min_{x,\,e}\ e\qquad\text{s.t.}\qquad x(N)=v(N),\qquad x(S)+e\ \ge\ v(S)\quad \forall\,\emptyset\ne S\subsetneq
N,
$$

and, with `domain=imputation`, $x_i\ge v(\{i\})$ for every $i$. The core is non-empty iff $e^*\le0$. Rows are
generated: start from the singletons and the $(n-1)$-coalitions, add the most violated coalitions (all excesses
$v(S)-x(S)$ computed at once over the $2^n$ masks, or by a separation oracle for a game given as a model) until
none exceeds $e$ by more than the tolerance. The LP dual (multipliers $y_S\ge0$ of the stability rows):

$$
\sum_{S}y_S=1,\qquad \sum_{S\ni i}y_S=t\quad\forall i,\qquad e^*=\sum_S y_S\,v(S)-t\,v(N),
$$

so $\lambda_S=y_S/t$ is a balanced collection (the certificate of an empty core).
"""


PROBLEM = Problem(
    name="tu.least_core",
    family="tu",
    summary="Least core of a TU game (table or model v(S)): e*, an allocation, tight coalitions, LP dual",
    paper="Maschler, Peleg & Shapley 1979, Math. Oper. Res. 4(4), doi:10.1287/moor.4.4.303",
    equations="min e s.t. x(N) = v(N), x(S) >= v(S) - e",
    options={
        "domain": Option(str, "preimputation", "preimputation (x(N) = v(N)) or imputation (also x_i >= v({i}))",
                         choices=DOMAINS),
        "generation": Option(str, "auto", "constraint generation: on (rows on demand), off (all 2^n - 2 rows), "
                             f"auto (off for n <= {FULL_ROWS_UP_TO})",
                             choices=("auto", "on", "off")),
    },
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
    accepts=ACCEPTS,
    math=MATH,
    example={"data": "tu/textbook", "solver": "highs"},
)

__all__ = ["PROBLEM", "certificate_entries", "dual_entries", "least_core", "max_excess", "result_of", "run",
           "tight_masks"]

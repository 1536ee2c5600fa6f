"""tu.shapley: the Shapley value, exact (vectorised, n <= 25) or sampled with a 95% interval.

problem: tu.shapley | class: closed form (one pass over 2^n values) | layer: native | solvers: exact

``samples = 0`` (default): exact (`coopt.games.tu.values.shapley`), status optimal. ``samples = m``: m
random orders of arrival (`shapley_sampled`), the estimate with its 95% half-widths in
``solution.ci_half_width``; an estimate is not a proven value, so the status is ``feasible`` (exit 1).
JSON: ``solution.allocation`` {player: phi_i}, ``solution.in_core`` (one core test for every concept).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coopt.errors import InputError
from coopt.formulations.base import Option, Problem
from coopt.games.tu.result import TUResult
from coopt.games.tu.source import ACCEPTS, check_solver, game_of, game_report, require_table, values_of
from coopt.games.tu.values import EXACT_MAX, shapley, shapley_sampled
from coopt.solve.result import Status

MAX_SAMPLES = 10_000_000


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], samples: int = 0, seed: int = 0,
        **_: Any) -> TUResult:
    """tu.shapley: exact Shapley value, or ``samples`` random orders with a 95% interval."""
    from coopt.games.tu.core import in_core

    if samples < 0 or samples > MAX_SAMPLES:
        raise InputError(f"option 'samples' = {samples}: must be 0 (exact) or 1..{MAX_SAMPLES}")
    check_solver("tu.shapley", solver, ("exact",))
    game = game_of(instance)
    res = TUResult(problem="tu.shapley", status=Status.OPTIMAL, solver=solver, formulation="Shapley formula")
    sol: dict[str, Any] = {}
    if samples == 0:
        require_table("tu.shapley (exact; set samples=... to sample)", game)
        if game.n > EXACT_MAX:
            raise InputError(f"tu.shapley: exact for n <= {EXACT_MAX} (game has {game.n}); set samples=...")
        phi = shapley(game)
        sol["method"] = "exact"
        res.certificate_extra = {"efficiency_residual": abs(float(phi.sum()) - game.v_grand) / game.scale()}
    else:
        phi, half = shapley_sampled(lambda m: values_of(game, m), game.n, samples, seed)
        sol["method"] = f"sampled ({samples} random orders, seed {seed})"
        sol["ci_half_width"] = dict(zip(game.names, map(float, half)))
        res.status = Status.FEASIBLE
        res.messages.append(f"sampled estimate: 95% half-width up to {float(np.max(half)):.3g}; not a proven value")
    sol["allocation"] = dict(zip(game.names, map(float, phi)))
    sol["in_core"] = in_core(game, phi)
    sol["game"] = game_report(game)
    res.solution = sol
    res.values = {"x": sol["allocation"]}
    return res


#: The model in LaTeX as coded (the docs page and `coopt show tu.shapley` print it).
MATH = r"""
The **Shapley value** (Shapley 1953), exact and vectorised over the $2^n$ table for $n\le25$:

$$
\varphi_i(v)=\sum_{S\subseteq N\setminus\{i\}}\frac{|S|!\,(n-|S|-1)!}{n!}\,\big(v(S\cup\{i\})-v(S)\big).
$$

With `samples` $=m>0$: the mean of $v(P_i^\pi\cup\{i\})-v(P_i^\pi)$ over $m$ random orders $\pi$ ($P_i^\pi$ the
players before $i$), with a 95% half-width $1.96\,s_i/\sqrt m$; an estimate, so the status is `feasible`.
"""


PROBLEM = Problem(
    name="tu.shapley",
    family="tu",
    summary="Shapley value of a TU game: exact and vectorised (n <= 25) or sampled with a 95% interval",
    paper="Shapley 1953, Contributions to the Theory of Games II, doi:10.1515/9781400881970-018",
    equations="phi_i = sum_S |S|!(n-|S|-1)!/n! (v(S+i) - v(S))",
    options={
        "samples": Option(int, 0, "0: exact; m > 0: m random orders (estimate with a 95% interval)", low=0,
                          high=10**7),
        "seed": Option(int, 0, "random seed of the sampled estimate", low=0, high=2**32 - 1),
    },
    run=run,
    default_solver="exact",
    solvers=("exact",),
    problem_class="LP",
    accepts=ACCEPTS,
    math=MATH,
    example={"data": "tu/textbook", "solver": "exact"},
)

__all__ = ["PROBLEM", "run"]

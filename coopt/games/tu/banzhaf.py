"""tu.banzhaf: the Banzhaf value (raw and normalised), exact over the 2^n table.

problem: tu.banzhaf | class: closed form | layer: native | solvers: exact

beta_i = 2^-(n-1) sum_{S not containing i} (v(S + i) - v(S)) (Banzhaf 1965, "Weighted voting doesn't work",
Rutgers Law Review 19). JSON: ``solution.allocation`` {player: beta_i} (raw), ``solution.normalized``
(beta scaled to sum to v(N), when sum beta != 0), ``solution.in_core``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coopt.errors import InputError
from coopt.formulations.base import Problem
from coopt.games.tu.result import TUResult
from coopt.games.tu.source import ACCEPTS, check_solver, game_of, game_report, require_table
from coopt.games.tu.values import EXACT_MAX, banzhaf
from coopt.solve.result import Status


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], **_: Any) -> TUResult:
    """tu.banzhaf: the raw Banzhaf value and its normalisation to v(N)."""
    from coopt.games.tu.core import in_core

    check_solver("tu.banzhaf", solver, ("exact",))
    game = game_of(instance)
    require_table("tu.banzhaf", game)
    if game.n > EXACT_MAX:
        raise InputError(f"tu.banzhaf: exact for n <= {EXACT_MAX} (game has {game.n})")
    beta = banzhaf(game)
    total = float(beta.sum())
    sol: dict[str, Any] = {"allocation": dict(zip(game.names, map(float, beta)))}
    sol["normalized"] = (dict(zip(game.names, map(float, beta * game.v_grand / total))) if abs(total) > 1e-300
                         else None)
    sol["in_core"] = in_core(game, beta)
    sol["game"] = game_report(game)
    res = TUResult(problem="tu.banzhaf", status=Status.OPTIMAL, solver=solver, formulation="Banzhaf formula",
                   solution=sol, values={"x": sol["allocation"]})
    return res


#: The model in LaTeX as coded (the docs page and `coopt show tu.banzhaf` print it).
MATH = r"""
The **Banzhaf value** (Banzhaf 1965), exact over the $2^n$ table:

$$
\beta_i(v)=\frac1{2^{n-1}}\sum_{S\subseteq N\setminus\{i\}}\big(v(S\cup\{i\})-v(S)\big),
\qquad \text{normalised: } \hat\beta_i=\beta_i\,\frac{v(N)}{\sum_j\beta_j}\ \ (\text{when
}\textstyle\sum_j\beta_j\ne0).
$$
"""


PROBLEM = Problem(
    name="tu.banzhaf",
    family="tu",
    summary="Banzhaf value of a TU game (raw and normalised to v(N)), exact",
    paper="Banzhaf 1965, Rutgers Law Review 19(2)",
    equations="beta_i = 2^-(n-1) sum_S (v(S+i) - v(S))",
    options={},
    run=run,
    default_solver="exact",
    solvers=("exact",),
    problem_class="LP",
    accepts=ACCEPTS,
    math=MATH,
    example={"data": "tu/textbook", "solver": "exact"},
)

__all__ = ["PROBLEM", "run"]

"""tu.prenucleolus: the nucleolus on the preimputations (no x_i >= v({i})), verified by Kohlberg.

problem: tu.prenucleolus | class: LP (sequential) | layer: matrix (highspy) | solvers: highs
See `coopt.games.tu.nucleolus` for the method and the JSON contract (``solution.levels``,
``certificate.verified``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coopt.formulations.base import Option, Problem
from coopt.games.tu.nucleolus import EXACT_MAX, solve_problem
from coopt.games.tu.source import ACCEPTS


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], exact: str = "auto", **_: Any) -> Any:
    """tu.prenucleolus: sequential LPs on the preimputations, verified by the Kohlberg criterion."""
    return solve_problem("tu.prenucleolus", instance, solver, solver_options, "preimputation", exact)


#: The model in LaTeX as coded (the docs page and `coopt show tu.prenucleolus` print it).
MATH = r"""
The **prenucleolus**: the same sequential LPs as the [nucleolus](tu.nucleolus.md) on the preimputations
(no individual rationality $x_i\ge v(\{i\})$):

$$
e_k=\min_{x,\,e}\ e\quad\text{s.t.}\quad x(N)=v(N),\quad x(S)+e\ge v(S)\ \ (S\ \text{free}),\quad
x(T)=v(T)-e_j\ \ (T\ \text{fixed at level}\ j<k),
$$

verified by the Kohlberg criterion: every collection $\{S: e(S,x)\ge e_k\}$ together with $N$ is balanced.
"""


PROBLEM = Problem(
    name="tu.prenucleolus",
    family="tu",
    summary="Prenucleolus of a TU game by sequential LPs (constraint generation), verified by the Kohlberg criterion",
    paper="Schmeidler 1969, SIAM J. Appl. Math. 17(6), doi:10.1137/0117107; Kohlberg 1971, doi:10.1137/0120009",
    equations="lexicographic min of the ordered excesses over x(N) = v(N)",
    options={"exact": Option(str, "auto", f"exact rational re-check: auto (n <= {EXACT_MAX}), on, off",
                             choices=("auto", "on", "off"))},
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
    accepts=ACCEPTS,
    math=MATH,
    example={"data": "tu/textbook", "solver": "highs"},
)

__all__ = ["PROBLEM", "run"]

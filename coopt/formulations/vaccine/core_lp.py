"""Core, epsilon-core and least core of the vaccine game as linear programs (Appendix B.2, LP 17).

problem: vaccine.core (the LPs; the problem itself is `coopt.games.vaccine.core`) | class: LP |
layer: Pyomo | solvers: highs

These Pyomo models are the declarative reading of LP (17) beside the paper (``coopt show``, tests against
CVXPY). `vaccine.core` itself solves the same least-core LP as an array LP with rows generated on demand
(`coopt.formulations.tu.least_core`, through `coopt.solve`): at n = 16 a Pyomo model of 65,534 rows costs
more to build than to solve.

The game (N, v) is a table of coalition values v(S) (:class:`CoalitionValues`, computed by
`coopt.games.vaccine.characteristic`). With x_i the share of player i:

    epsilon-core (17):  sum_{i in N} x_i = v(N)                                   (efficiency)
                        sum_{i in S} x_i >= v(S) - epsilon     for all S proper   (stability)

    least core:         e* = min e  s.t.  x(N) = v(N),  x(S) >= v(S) - e  for all proper S != {}

The epsilon-core is non-empty iff e* <= epsilon (the paper's epsilon = 1e-5, absolute). The
least core is only named in the paper's Section 8; it turns the yes/no of (17) into a number.

Its LP dual, solved as its own model (:func:`build_balancing_dual`), is the Bondareva-Shapley
certificate: weights w_S >= 0 with sum_S w_S = 1 and sum_{S contains i} w_S = t for every i; then
lambda_S = w_S / t is a *balanced* collection (sum_{S contains i} lambda_S = 1) and

    e* = max  sum_S w_S v(S) - t v(N)  =  t * (sum_S lambda_S v(S) - v(N)).

The core is empty exactly when some balanced collection earns more than v(N): those lambda_S are
the "balancing weights" coopt returns with an empty core.

Coalitions are bit masks over ``names`` (bit i = player ``names[i]``); every row is named by its
members in the results. Values are divided by ``scale`` (default max |v|) inside the models so that
HiGHS's absolute tolerances mean the same for v ~ 1 (Examples 1-3) and v ~ 3e8 (case study).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.data.tu.game import TUGame
from coopt.errors import InputError


@functools.cache
def member_matrix(n: int) -> np.ndarray:
    """0/1 matrix B (2**n x n): B[mask, i] = 1 iff player i is in coalition ``mask``.

    Only for small games and tests: coopt's games never build it (coalition sums come from
    `coopt.data.tu.game.subset_sums`, rows from bit masks on demand)."""
    masks = np.arange(2**n, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n)) & 1).astype(np.float64)


#: The vaccine game as a TU game: v(S) for every coalition by bit mask (bit i = ``names[i]``), with the
#: certified upper bounds of the exact method in ``bound`` -- the TU engine's compact game.
CoalitionValues = TUGame


def default_scale(game: CoalitionValues) -> float:
    """The value scale used inside the LPs: max |v(S)| (at least 1e-12)."""
    return game.scale()


def _rows(game: CoalitionValues, coalitions: Iterable[int] | None) -> list[int]:
    rows = game.proper_masks().tolist() if coalitions is None else sorted({int(s) for s in coalitions})
    for s in rows:
        if not 0 < s < game.grand:
            raise InputError(f"core LP: coalition mask {s} is not a non-empty proper coalition")
    return rows


def _base(game: CoalitionValues, rows: list[int], scale: float, name: str) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name=name)
    m.N = pyo.Set(initialize=range(game.n), ordered=True, doc="players i (index into names)")
    m.S = pyo.Set(initialize=rows, ordered=True, doc="proper coalitions S as bit masks over names")
    m.scale = pyo.Param(initialize=scale, doc="value unit inside the model (v is divided by it)")
    m.v = pyo.Param(m.S, initialize={s: float(game.v[s]) / scale for s in rows}, mutable=True,
                    doc="v(S) / scale, coalition value")
    m.v_N = pyo.Param(initialize=game.v_grand / scale, mutable=True, doc="v(N) / scale, grand coalition value")
    m.x = pyo.Var(m.N, doc="x_i / scale, share of player i (free)")
    m.names = list(game.names)
    return m


def _efficiency(m: pyo.ConcreteModel) -> Any:
    """Efficiency, first line of (17) / eq. (19): sum_{i in N} x_i = v(N)."""
    return sum(m.x[i] for i in m.N) == m.v_N


def _x_of(m: pyo.ConcreteModel, s: int) -> Any:
    return sum(m.x[i] for i in m.N if s >> i & 1)


def build_least_core(game: CoalitionValues, coalitions: Iterable[int] | None = None,
                     scale: float | None = None) -> pyo.ConcreteModel:
    """Least-core LP: min e s.t. x(N) = v(N), x(S) >= v(S) - e for the given proper coalitions.

    ``coalitions``: masks of the stability rows to include (default: all 2**n - 2; constraint
    generation passes a growing subset). ``e`` is in units of ``scale``.
    """
    rows = _rows(game, coalitions)
    m = _base(game, rows, default_scale(game) if scale is None else scale, "vaccine.least_core")
    m.e = pyo.Var(doc="e / scale, uniform relaxation of every stability row (least-core value)")
    m.least_core = pyo.Objective(expr=m.e, sense=pyo.minimize, doc="e* = min e (least core)")
    m.efficiency = pyo.Constraint(rule=_efficiency, doc="efficiency, (17) first line")
    m.stability = pyo.Constraint(m.S, rule=lambda m, s: _x_of(m, s) >= m.v[s] - m.e,
                                 doc="relaxed stability x(S) >= v(S) - e, (17) second line")
    return m


def build_epsilon_core(game: CoalitionValues, epsilon: float, coalitions: Iterable[int] | None = None,
                       scale: float | None = None) -> pyo.ConcreteModel:
    """The paper's feasibility LP (17): x(N) = v(N), x(S) >= v(S) - epsilon for all proper S.

    Infeasible iff the epsilon-core is empty. The objective is the constant 0 (a feasibility problem).
    """
    if not np.isfinite(epsilon) or epsilon < 0:
        raise InputError(f"epsilon = {epsilon!r}: must be a finite number >= 0 (slack of the epsilon-core)")
    rows = _rows(game, coalitions)
    scale = default_scale(game) if scale is None else scale
    m = _base(game, rows, scale, "vaccine.epsilon_core")
    m.epsilon = pyo.Param(initialize=epsilon / scale, mutable=True, doc="epsilon / scale, slack of (17)")
    m.feasibility = pyo.Objective(expr=0 * m.x[0], sense=pyo.minimize, doc="none: (17) is a feasibility LP")
    m.efficiency = pyo.Constraint(rule=_efficiency, doc="efficiency, (17) first line")
    m.stability = pyo.Constraint(m.S, rule=lambda m, s: _x_of(m, s) >= m.v[s] - m.epsilon,
                                 doc="stability x(S) >= v(S) - epsilon, (17) second line")
    return m


def build_balancing_dual(game: CoalitionValues, coalitions: Iterable[int] | None = None,
                         scale: float | None = None) -> pyo.ConcreteModel:
    """LP dual of the least core (Bondareva-Shapley): max sum_S w_S v(S) - t v(N).

    s.t. sum_S w_S = 1 (dual of e), sum_{S contains i} w_S = t for all i (dual of x_i), w >= 0.
    Its optimum equals e* (strong duality); lambda_S = w_S / t are balancing weights.
    """
    rows = _rows(game, coalitions)
    scale = default_scale(game) if scale is None else scale
    m = pyo.ConcreteModel(name="vaccine.balancing_dual")
    m.N = pyo.Set(initialize=range(game.n), ordered=True, doc="players i")
    m.S = pyo.Set(initialize=rows, ordered=True, doc="proper coalitions S (bit masks)")
    m.scale = pyo.Param(initialize=scale, doc="value unit inside the model")
    m.v = pyo.Param(m.S, initialize={s: float(game.v[s]) / scale for s in rows}, mutable=True, doc="v(S)/scale")
    m.v_N = pyo.Param(initialize=game.v_grand / scale, mutable=True, doc="v(N)/scale")
    m.w = pyo.Var(m.S, within=pyo.NonNegativeReals, doc="w_S, dual of the stability row of S")
    m.t = pyo.Var(doc="t, dual of efficiency (t = sum_{S contains i} w_S for every i)")
    m.names = list(game.names)
    m.excess = pyo.Objective(expr=sum(m.w[s] * m.v[s] for s in m.S) - m.t * m.v_N, sense=pyo.maximize,
                             doc="sum_S w_S v(S) - t v(N) = e* at the optimum")
    m.normalise = pyo.Constraint(expr=sum(m.w[s] for s in m.S) == 1, doc="sum_S w_S = 1 (dual of e)")
    m.balance = pyo.Constraint(m.N, rule=lambda m, i: sum(m.w[s] for s in m.S if s >> i & 1) == m.t,
                               doc="sum_{S contains i} w_S = t (dual of x_i)")
    return m


__all__ = [
    "CoalitionValues", "build_balancing_dual", "build_epsilon_core", "build_least_core",
    "default_scale", "member_matrix",
]

"""Is there a market allocation in the (epsilon-)core? The LP (18)-(23) of Appendix B.2.

problem: vaccine.market (the LP; the problem is `coopt.games.vaccine.market`) | class: LP |
layer: Pyomo | solvers: highs

Given an optimal grand-coalition distribution f* (Problem (1) for N), every allocation can be
written with individual prices p_i (eq. 3): x_i = M_i F_i(f*_i) + p_i (r_i - f*_i M_i). A market
allocation has one price for all. The LP looks for the core allocation whose prices are closest:

    min   p_max - p_min                                                 (18)
    s.t.  sum_{i in N} x_i = v(N)                                       (19)
          sum_{i in S} x_i >= v(S) - epsilon           for all S proper (20)
          x_i - p_i (r_i - f*_i M_i) = M_i F_i(f*_i)   for all i        (21)
          p_max >= p_i,  p_min <= p_i                  for all i        (22), (23)

Infeasible iff the epsilon-core is empty; a market allocation is in the core iff the optimum is 0
(the paper: < epsilon). Inputs are arrays, in ``names`` order: ``own`` = M_i F_i(f*_i) and
``trade`` = r_i - f*_i M_i (positive: seller). Values are scaled by ``scale`` and resources by
``resource_scale`` inside the model, so p is in units of scale / resource_scale.

`market_price_interval` is the closed form beside the model: with one price p,
y(S) = a_S + p b_S (a_S = sum_S own_i, b_S = sum_S trade_i), so the core prices form the interval
max_{b_S > 0} (v(S) - eps - a_S) / b_S  <=  p  <=  min_{b_S < 0} (v(S) - eps - a_S) / b_S.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyomo.environ as pyo

from coopt.errors import InputError
from coopt.formulations.vaccine.core_lp import CoalitionValues, default_scale

#: the problem class of what :func:`build` returns (the market-price LP (18)-(23)), passed to ``solve``
PROBLEM_CLASS = "LP"


def _check(game: CoalitionValues, own: np.ndarray, trade: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    own = np.asarray(own, dtype=float)
    trade = np.asarray(trade, dtype=float)
    if own.shape != (game.n,) or trade.shape != (game.n,):
        raise InputError(f"market LP: own and trade need {game.n} entries, got {own.shape} and {trade.shape}")
    if not (np.all(np.isfinite(own)) and np.all(np.isfinite(trade))):
        raise InputError("market LP: own returns M_i F_i(f*_i) and trades r_i - f*_i M_i must be finite")
    return own, trade


def build(game: CoalitionValues, own: np.ndarray, trade: np.ndarray, epsilon: float = 1e-5,
          coalitions: Iterable[int] | None = None, scale: float | None = None,
          resource_scale: float | None = None) -> pyo.ConcreteModel:
    """The market-price LP (18)-(23) for ``game`` and the grand-coalition distribution (own, trade)."""
    own, trade = _check(game, own, trade)
    scale = default_scale(game) if scale is None else scale
    rscale = float(max(np.max(np.abs(trade)), 1e-12)) if resource_scale is None else resource_scale
    rows = game.proper_masks().tolist() if coalitions is None else sorted(set(coalitions))
    m = pyo.ConcreteModel(name="vaccine.market_lp")
    m.N = pyo.Set(initialize=range(game.n), ordered=True, doc="players i (index into names)")
    m.S = pyo.Set(initialize=rows, ordered=True, doc="proper coalitions S (bit masks over names)")
    m.scale = pyo.Param(initialize=scale, doc="value unit (x, v divided by it)")
    m.resource_scale = pyo.Param(initialize=rscale, doc="resource unit (r - f M divided by it)")
    m.v = pyo.Param(m.S, initialize={s: float(game.v[s]) / scale for s in rows}, mutable=True, doc="v(S)")
    m.v_N = pyo.Param(initialize=game.v_grand / scale, mutable=True, doc="v(N)")
    m.epsilon = pyo.Param(initialize=epsilon / scale, mutable=True, doc="epsilon, slack of (20)")
    m.own = pyo.Param(m.N, initialize={i: own[i] / scale for i in range(game.n)}, mutable=True,
                      doc="M_i F_i(f*_i), return of i at the grand-coalition optimum")
    m.trade = pyo.Param(m.N, initialize={i: trade[i] / rscale for i in range(game.n)}, mutable=True,
                        doc="r_i - f*_i M_i, resources i sells (> 0) or buys (< 0)")
    m.x = pyo.Var(m.N, doc="x_i, share of player i")
    m.p = pyo.Var(m.N, doc="p_i, individual price of player i (eq. 3)")
    m.p_max = pyo.Var(doc="p_max, highest individual price")
    m.p_min = pyo.Var(doc="p_min, lowest individual price")
    m.spread = pyo.Objective(expr=m.p_max - m.p_min, sense=pyo.minimize, doc="(18) p_max - p_min")
    m.efficiency = pyo.Constraint(expr=sum(m.x[i] for i in m.N) == m.v_N, doc="(19) efficiency")
    m.stability = pyo.Constraint(
        m.S, rule=lambda m, s: sum(m.x[i] for i in m.N if s >> i & 1) >= m.v[s] - m.epsilon,
        doc="(20) stability with slack epsilon")
    m.prices = pyo.Constraint(m.N, rule=lambda m, i: m.x[i] - m.p[i] * m.trade[i] == m.own[i],
                              doc="(21) x_i - p_i (r_i - f*_i M_i) = M_i F_i(f*_i)")
    m.upper = pyo.Constraint(m.N, rule=lambda m, i: m.p_max >= m.p[i], doc="(22) p_max >= p_i")
    m.lower = pyo.Constraint(m.N, rule=lambda m, i: m.p_min <= m.p[i], doc="(23) p_min <= p_i")
    m.names = list(game.names)
    return m


def price_unit(m: pyo.ConcreteModel) -> float:
    """Multiply a model price (or the objective) by this to get value per resource."""
    return float(pyo.value(m.scale)) / float(pyo.value(m.resource_scale))


def market_price_interval(game: CoalitionValues, own: np.ndarray, trade: np.ndarray,
                          epsilon: float = 1e-5, rel_tol: float = 1e-9) -> tuple[float, float] | None:
    """Closed form: the interval [lo, hi] of single prices p whose market allocation is in the
    epsilon-core, or None when there is none (also when efficiency fails: sum own + p sum trade
    must equal v(N), which holds for every p when f* uses all resources and is optimal).

    ``rel_tol`` (times max|v|) absorbs round-off in the rows with b_S = 0 and in efficiency.
    """
    own, trade = _check(game, own, trade)
    tol = rel_tol * default_scale(game)
    B = game.coalition_sums(trade)
    A = game.coalition_sums(own)
    masks = np.arange(1, game.grand + 1)
    a, b, v = A[masks], B[masks], game.v[masks]
    is_grand = masks == game.grand
    rtol = rel_tol * max(np.max(np.abs(trade)), 1e-300)
    lo, hi = -np.inf, np.inf
    # efficiency: a_N + p b_N = v(N)
    if abs(b[is_grand][0]) > rtol:
        p_eff = (v[is_grand][0] - a[is_grand][0]) / b[is_grand][0]
        lo, hi = p_eff, p_eff
    elif abs(a[is_grand][0] - v[is_grand][0]) > tol:
        return None
    need = v[~is_grand] - epsilon - a[~is_grand]
    bs = b[~is_grand]
    pos, neg, zero = bs > rtol, bs < -rtol, np.abs(bs) <= rtol
    if np.any(need[zero] > tol):
        return None
    if pos.any():
        lo = max(lo, float(np.max(need[pos] / bs[pos])))
    if neg.any():
        hi = min(hi, float(np.min(need[neg] / bs[neg])))
    slack = tol / max(np.max(np.abs(bs)), 1e-300) if bs.size else 0.0
    if lo > hi + slack:
        return None
    return float(lo), float(hi)


__all__ = ["build", "market_price_interval", "price_unit"]

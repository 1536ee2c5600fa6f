"""vaccine.market: market allocations and the core (Sections 4, 6.2-6.3, LP (18)-(23)).

problem: vaccine.market | class: LP | layer: Pyomo | solvers: highs
Paper: vaccine-fair-allocation.md, Sections 4.1-4.2 (eq. 3), 6.2-6.3, Appendix B.2 (18)-(23).

For the grand coalition's optimal distribution g (exact f* by default; the paper used its
heuristic g*), with own_i = M_i F_i(g_i) and trade_i = r_i - g_i M_i:

* ``lp_objective``: the optimum p_max - p_min of (18)-(23) (None when the epsilon-core is empty);
* ``market_allocation_in_core``: that optimum is <= epsilon (the paper's test; coopt uses
  epsilon + rel_tol in price units) -- cross-checked against the closed-form price interval
  (`market_lp.market_price_interval`), which is also reported as ``core_price_interval``;
* ``prices``: p1..p4 of Section 6.2, each {price, in_core, most_violated};
* ``proportional``: the three benchmark allocations of Section 6.3, each {in_core, most_violated}.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.formulations.base import Option, Problem
from coopt.formulations.vaccine import market_lp
from coopt.formulations.vaccine.core_lp import CoalitionValues
from coopt.formulations.vaccine.prices import (
    analytic_prices,
    market_allocation,
    proportional_allocations,
)
from coopt.games.vaccine.core import exact_game, most_violated
from coopt.solve import solve
from coopt.solve.result import Result, Status


@dataclass(frozen=True)
class MarketData:
    """What the market analysis needs besides v(S): per player (in ``game.names`` order) the size
    M_i, the resources r_i, F_i, F_i', the tangent point f~_i, and the grand distribution g."""

    M: np.ndarray
    r: np.ndarray
    F: Sequence[Callable[[float], float]]
    dF: Sequence[Callable[[float], float]]
    f_tilde: np.ndarray
    g: np.ndarray

    @property
    def own(self) -> np.ndarray:
        return np.array([self.M[i] * float(self.F[i](self.g[i])) for i in range(len(self.M))])

    @property
    def trade(self) -> np.ndarray:
        return self.r - self.g * self.M


def solve_market_lp(game: CoalitionValues, own: np.ndarray, trade: np.ndarray, epsilon: float,
                    solver: str = "highs", **solver_options: Any) -> tuple[Status, float | None, dict | None]:
    """Solve (18)-(23): (status, p_max - p_min in value per resource, individual prices {name: p_i})."""
    m = market_lp.build(game, own, trade, epsilon)
    res = solve(m, solver, market_lp.PROBLEM_CLASS, **solver_options)
    if res.status != Status.OPTIMAL:
        return res.status, None, None
    unit = market_lp.price_unit(m)
    prices = {game.names[i]: float(pyo.value(m.p[i])) * unit for i in m.N}
    return res.status, float(res.objective) * unit, prices


def analyze_market(game: CoalitionValues, data: MarketData, epsilon: float = 1e-5, rel_tol: float = 1e-9,
                   solver: str = "highs", with_lp: bool = True, **solver_options: Any) -> dict[str, Any]:
    """The ``solution`` object of vaccine.market for ``game`` and ``data`` (see module docstring)."""
    own, trade = data.own, data.trade
    interval = market_lp.market_price_interval(game, own, trade, epsilon, rel_tol)
    out: dict[str, Any] = {"core_price_interval": list(interval) if interval else None}
    if with_lp:
        status, obj, p_ind = solve_market_lp(game, own, trade, epsilon, solver, **solver_options)
        out["lp_status"] = status.value
        out["lp_objective"] = obj
        out["lp_prices"] = p_ind
        # (18)-(23) infeasible is an answer: no market allocation lies in the epsilon-core
        out["market_allocation_exists"] = status == Status.OPTIMAL if status in (
            Status.OPTIMAL, Status.INFEASIBLE) else None
        # epsilon is in value units; the spread is in value per resource: compare with a price tolerance
        p_tol = epsilon + rel_tol * max(1.0, max(abs(v) for v in (p_ind or {0: 1.0}).values()))
        out["market_allocation_in_core"] = bool(obj is not None and obj <= p_tol)
        out["lp_agrees_with_interval"] = out["market_allocation_in_core"] == (interval is not None)
    else:
        out["lp_objective"] = None
        out["market_allocation_in_core"] = interval is not None
        out["market_allocation_exists"] = interval is not None
    prices: dict[str, Any] = {}
    if data.r.sum() > 0 and np.any(data.g > 0):
        cand = analytic_prices(data.M, data.r, data.g, data.F, data.dF, data.f_tilde)
        for key, p in cand.items():
            x = market_allocation(data.M, data.r, data.g, data.F, p)
            mv = most_violated(game, x)
            prices[key] = {"price": p, "in_core": mv["in_core"], "most_violated": mv["members"],
                           "excess": mv["excess"], "allocation": dict(zip(game.names, map(float, x)))}
    out["prices"] = prices
    prop = {}
    for key, x in proportional_allocations(game.v_grand, data.M, data.r, data.F).items():
        if x is None:
            prop[key] = {"in_core": False, "most_violated": None, "excess": None}
            continue
        mv = most_violated(game, x)
        prop[key] = {"in_core": mv["in_core"], "most_violated": mv["members"], "excess": mv["excess"]}
    out["proportional"] = prop
    return out


# ---- reading a vaccine instance (schema of coopt.data.vaccine) ------------------------------------


def _player_functions(instance: Any, names: Sequence[str]) -> list[Any]:
    """The return-function object of each named player."""
    fn = getattr(instance, "return_functions", None)
    funcs = fn() if callable(fn) else fn
    if isinstance(funcs, Mapping):
        return [funcs[nm] for nm in names]
    if funcs is not None:
        return list(funcs)
    by_name = {str(p.name): p for p in instance.players}
    return [by_name[nm].return_function for nm in names]


def player_arrays(instance: Any, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list, list, np.ndarray]:
    """(M, r, F, F', f~) per player of a vaccine instance, in ``names`` order."""
    by_name = {str(p.name): p for p in instance.players}
    M = np.array([float(by_name[nm].M) for nm in names])
    res = getattr(instance, "resources_by_player", None)
    if callable(res):
        rd = res()
        r = np.array([float(rd[nm]) for nm in names])
    else:
        r = np.array([float(by_name[nm].r) for nm in names])
    funcs = _player_functions(instance, names)
    F = [fn.F for fn in funcs]
    dF = [fn.dF for fn in funcs]
    ft = np.array([float(fn.f_tilde) for fn in funcs])
    return M, r, F, dF, ft


def pyomo_exprs(instance: Any, names: Sequence[str]) -> list[Any] | None:
    """Pyomo expression builders of each player's F (logistic, Ginsberg), or None for other types."""
    from coopt.formulations.vaccine.wolfe_dual import ginsberg_expr, logistic_expr

    out = []
    for fn in _player_functions(instance, names):
        kind = getattr(fn, "type", None) or getattr(fn, "kind", None) or type(fn).__name__.lower()
        kind = str(kind).lower()
        if "logistic" in kind:
            out.append(logistic_expr(float(fn.a), float(fn.b)))
        elif "ginsberg" in kind:
            out.append(ginsberg_expr(float(fn.a), float(fn.b)))
        else:
            return None
    return out


def grand_optimum(instance: Any) -> dict[str, float]:
    """The exact optimum f* of Problem (1) for the grand coalition, {name: f_i}."""
    from coopt.games.vaccine.characteristic import coalition_value

    names = [str(p.name) for p in instance.players]
    _, _, f = coalition_value(instance, names)
    if isinstance(f, Mapping):
        return {str(k): float(v) for k, v in f.items()}
    return dict(zip(names, map(float, f)))


def market_data(instance: Any, names: Sequence[str], g: Mapping[str, float] | Sequence[float]) -> MarketData:
    """MarketData from a vaccine instance (its players' M, r and return functions) and a distribution g."""
    M, r, F, dF, ft = player_arrays(instance, names)
    gv = np.array([float(g[nm]) for nm in names]) if isinstance(g, Mapping) else np.asarray(g, float)
    return MarketData(M, r, F, dF, ft, gv)


def run(instance: Any, solver: str, solver_options: Mapping[str, Any], rel_tol: float = 1e-9) -> Result:
    """vaccine.market on a vaccine instance: exact v(S) and f* of N, then the LP and the prices."""
    game, g = exact_game(instance)
    data = market_data(instance, game.names, g)
    epsilon = float(getattr(instance, "epsilon", 1e-5))
    sol = analyze_market(game, data, epsilon, rel_tol, solver, **dict(solver_options))
    lp_status = Status(sol["lp_status"]) if sol.get("lp_status") else Status.OPTIMAL
    agrees = sol.get("lp_agrees_with_interval", True)
    if lp_status == Status.INFEASIBLE:
        # not the optimum of an infeasible LP: the answer "no market allocation" in its own field,
        # proven when the closed-form price interval (an independent computation) is empty too
        status = Status.OPTIMAL if agrees else Status.FEASIBLE
    else:
        status = lp_status
    res = Result(problem="vaccine.market", status=status, solver=solver, objective=sol["lp_objective"],
                 solution=sol, formulation="market LP (18)-(23)")
    res.values = {"g": {nm: float(x) for nm, x in zip(game.names, data.g)}}
    if lp_status == Status.INFEASIBLE:
        res.messages.append("no market allocation lies in the epsilon-core: (18)-(23) is infeasible "
                            "(solution.market_allocation_exists = false, objective null)")
    elif lp_status != Status.OPTIMAL:
        res.messages.append(f"LP (18)-(23): {lp_status.value}")
    if not agrees:
        res.messages.append("LP (18)-(23) and the closed-form price interval disagree (near-degenerate case)")
    return res


PROBLEM = Problem(
    name="vaccine.market",
    family="vaccine",
    summary="Market-price LP (18)-(23), analytic prices p1-p4 and proportional benchmarks vs the core",
    paper="vaccine-fair-allocation.md, Sections 4, 6.2-6.3, Appendix B.2",
    equations="(3), (18)-(23)",
    options={"rel_tol": Option(float, 1e-9, "relative round-off allowance added to epsilon (times max|v|)",
                              low=0, high=1e-3)},
    run=run,
    default_solver="highs",
    solvers=("highs",),
    problem_class="LP",
)

__all__ = ["MarketData", "analyze_market", "grand_optimum", "market_data", "player_arrays", "solve_market_lp"]

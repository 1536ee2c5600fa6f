"""Shared steps of the vaccine experiments: make instances, compute v(S) two ways, judge allocations.

* exact v(S): `coopt.games.vaccine.characteristic` (globally certified);
* the paper's approximation v-bar: the heuristic of Appendix B.1 with its superadditivity repair
  (`coopt.formulations.vaccine.allocation`); the paper then also took the max with Matlab's
  fmincon per coalition -- coopt does not (exact v(S) replaces that step), so "heuristic" below
  means the repaired B.1 values and allocation g*;
* for each game: e* of the least core, the epsilon-core verdict, whether some market allocation
  is in the core (closed-form price interval, equal to LP (18)-(23) -- see the tests), and whether
  the market allocations at p1..p4 and the three proportional benchmarks are in the core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from coopt.formulations.vaccine import market_lp
from coopt.formulations.vaccine.core_lp import CoalitionValues
from coopt.formulations.vaccine.prices import analytic_prices, market_allocation, proportional_allocations
from coopt.games.tu.core import core_tolerance
from coopt.games.tu.core import in_core as tu_in_core
from coopt.games.vaccine.core import exact_game, least_core_epsilon
from coopt.games.vaccine.market import player_arrays

ALLOCATIONS = ("p1", "p2", "p3", "p4", "pro_rata", "resources", "initial_return")
EPSILON = 1e-5
REL_TOL = 1e-9


def make_instance(data: Mapping[str, Any]) -> Any:
    """A validated vaccine instance from a dict in the YAML file's layout."""
    from coopt.data.base import families, validate

    return validate(families()["vaccine"], {"family": "vaccine", **dict(data)}, "<generated>")


def heuristic_game(instance: Any) -> tuple[CoalitionValues, np.ndarray]:
    """The paper's v-bar (B.1 heuristic + superadditivity repair) and its grand allocation g*."""
    from coopt.formulations.vaccine.allocation import heuristic_game_values

    names = [str(p.name) for p in instance.players]
    out = heuristic_game_values(instance)
    frame, g = out if isinstance(out, tuple) else (out, None)
    game = CoalitionValues.from_frame(frame, names=names)
    if g is None:
        raise RuntimeError("heuristic_game_values did not return the grand allocation g*")
    gv = np.array([float(g[nm]) for nm in names]) if isinstance(g, Mapping) else np.asarray(g, float)
    return game, gv


def judge(game: CoalitionValues, M: np.ndarray, r: np.ndarray, F: Sequence[Any], dF: Sequence[Any],
          f_tilde: np.ndarray, g: np.ndarray, epsilon: float = EPSILON, rel_tol: float = REL_TOL,
          prefix: str = "") -> dict[str, Any]:
    """One row: e*, empty, market in core, and in-core flags of p1..p4 and the benchmarks."""
    e, _ = least_core_epsilon(game)
    empty = bool(e > core_tolerance(game, epsilon, rel_tol))
    own = np.array([M[i] * float(F[i](g[i])) for i in range(len(M))])
    trade = r - g * M
    interval = market_lp.market_price_interval(game, own, trade, epsilon, rel_tol)
    row: dict[str, Any] = {"e_star": e, "empty": empty, "market_in_core": interval is not None,
                           "v_N": game.v_grand}

    def in_core(x: np.ndarray | None) -> bool:  # coopt's one core test, epsilon-core of (17)
        return x is not None and tu_in_core(game, x, epsilon, rel_tol)

    prices: dict[str, float] = {}
    if r.sum() > 0 and np.any(g > 0):
        prices = analytic_prices(M, r, g, F, dF, f_tilde)
    for key in ("p1", "p2", "p3", "p4"):
        row[key] = prices.get(key, np.nan)
        row[f"{key}_in_core"] = in_core(market_allocation(M, r, g, F, prices[key])) if key in prices else False
    for key, x in proportional_allocations(game.v_grand, M, r, F).items():
        row[f"{key}_in_core"] = in_core(x)
    return {f"{prefix}{k}": v for k, v in row.items()}


def judge_instance(instance: Any, heuristic: bool = True) -> dict[str, Any]:
    """Exact and (optionally) heuristic verdicts for one instance, as one flat row."""
    game, f = exact_game(instance)
    M, r, F, dF, ft = player_arrays(instance, game.names)
    row = judge(game, M, r, F, dF, ft, f, float(getattr(instance, "epsilon", EPSILON)))
    row["sum_f_tilde_M"] = float(np.sum(ft * M))
    if heuristic:
        hgame, g = heuristic_game(instance)
        hrow = judge(hgame, M, r, F, dF, ft, g, float(getattr(instance, "epsilon", EPSILON)), prefix="h_")
        row.update(hrow)
        row["h_value_shortfall"] = float(np.max((game.v - hgame.v)[1:] / np.maximum(np.abs(game.v[1:]), 1e-300)))
        row["verdict_changed"] = bool(row["empty"] != row["h_empty"])
    return row


def frac(series: Any) -> float:
    """Share of True in a boolean column (NaN when empty)."""
    s = np.asarray(series, dtype=float)
    return float(s.mean()) if s.size else float("nan")


__all__ = ["ALLOCATIONS", "exact_game", "frac", "heuristic_game", "judge", "judge_instance", "make_instance"]

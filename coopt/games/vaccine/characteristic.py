"""Characteristic function v(S) of the vaccine-sharing game (paper Problem (1), Section 3.1).

The game-level composition: v(S) of every coalition of an instance, named by players, from the
exact S-curve knapsack of :mod:`coopt.formulations.vaccine.knapsack` (which solves all 2^n
coalitions at once on arrays), cached per instance.

Public API (stable; other modules code against it)::

    coalition_value(instance, members) -> (value, bound, f)
        value : float   v(S), the objective sum_{i in S} M_i F_i(f_i) of a feasible f (global optimum)
        bound : float   certified upper bound on v(S) (bound - value ~ 1e-12 relative)
        f     : dict[str, float]  optimal fractions f_i (name -> f_i) for the members of S
        members: iterable of player names (unknown name -> InputError)

    game_values(instance) -> pandas.DataFrame
        one row per non-empty coalition S, columns
        members (tuple of player names, in the instance's player order), v, bound
        (ordered by coalition size, then by player order)

    solve_all(instance) -> GameSolution   (v, bound and the optimal f of every coalition, by bit mask)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from coopt.formulations.vaccine.knapsack import GameSolution, solve_arrays

if TYPE_CHECKING:
    import pandas as pd

_CACHE: dict[str, GameSolution] = {}


def solve_all(instance: Any, tol: float = 1e-12, time_limit: float | None = None) -> GameSolution:
    """v(S), certified bound and optimal f for every coalition of ``instance``.

    The last few games are cached by the instance's digest (treat the result as read-only).
    ``time_limit`` (s): raise :class:`coopt.solve.result.TimeLimitReached` once it has passed."""
    key = f"{instance.digest()}:{tol}"
    if key in _CACHE:
        return _CACHE[key]
    M = np.asarray(instance.M, float)
    r = np.asarray(instance.r, float)
    sol = solve_arrays(M, r, list(instance.functions), tuple(instance.names), tol, time_limit)
    if len(_CACHE) >= 8:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = sol
    return sol


def coalition_value(instance: Any, members: Iterable[str] | str | None = None, time_limit: float | None = None
                    ) -> tuple[float, float, dict[str, float]]:
    """(v(S), certified upper bound, {name: f_i}) for the coalition of the named players (default N)."""
    names = tuple(instance.names)
    idx = instance.index_of(list(names) if members is None else members)
    sub = [names[i] for i in idx]
    if len(names) <= 12:  # read it from the whole game (cached: v(N) and f* of N cost nothing extra)
        game = solve_all(instance, time_limit=time_limit)
        mask = sum(1 << i for i in idx)
        return (float(game.v[mask]), float(game.bound[mask]),
                {nm: float(game.f[mask, i]) for nm, i in zip(sub, idx)})
    sol = solve_arrays(np.asarray(instance.M, float)[idx], np.asarray(instance.r, float)[idx],
                       [instance.functions[i] for i in idx], tuple(sub), time_limit=time_limit)
    top = 2 ** len(idx) - 1
    return float(sol.v[top]), float(sol.bound[top]), {nm: float(x) for nm, x in zip(sub, sol.f[top])}


def game_values(instance: Any) -> pd.DataFrame:
    """One row per non-empty coalition: members (tuple of names), v, bound (see module doc)."""
    return solve_all(instance).frame()


__all__ = ["GameSolution", "coalition_value", "game_values", "solve_all"]

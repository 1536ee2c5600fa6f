"""Where a TU problem's v(S) come from: a table (family ``tu``) or a model (family ``vaccine``).

Every ``tu.*`` problem takes either a ``tu`` instance (its table) or an instance of a family that
defines a coalition-value game, whose v(S) are then computed by that family's exact, certified method:

* ``vaccine``: `coopt.games.vaccine.core.exact_game` -- v(S) of Problem (1) for all 2^n - 1 coalitions by
  the exact KKT enumeration, each with a certified upper bound (n <= 16).

:func:`game_report` is the ``solution.game`` object: the source, the number of values used, and their
worst certified gap (bound - value; 0 for a table).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from coopt.data.tu.game import DENSE_MAX, TUGame, is_sparse
from coopt.errors import InputError

FAMILIES = ("tu", "vaccine")
#: the families a tu.* problem takes besides its own (their instances give v(S) by their exact method)
ACCEPTS = tuple(f for f in FAMILIES if f != "tu")
LIST_VALUES_UP_TO = 8  # players: up to this size the report lists every v(S) used


def values_of(game: Any, masks: Any) -> np.ndarray:
    """v(S) for an array of masks, for a full table or a sparse one."""
    masks = np.asarray(masks, dtype=np.int64)
    return game.values(masks) if is_sparse(game) else game.v[masks]


def require_table(problem: str, game: Any) -> None:
    """Refuse a sparse game (26..30 players) where every v(S) is needed."""
    if is_sparse(game):
        raise InputError(f"{problem} needs all 2^n coalition values: the game has {game.n} players (a full table "
                         f"is built for n <= {DENSE_MAX}); tu.least_core, tu.core and tu.shapley with samples=... "
                         "work on it")


def game_of(instance: Any) -> TUGame:
    """The TU game of ``instance`` (a ``tu`` table, or a ``vaccine`` instance by its exact v(S))."""
    if isinstance(instance, TUGame):
        return instance
    fam = getattr(instance, "family", None)
    if fam == "tu":
        return instance.game
    if fam == "vaccine":
        from coopt.games.vaccine.core import exact_game

        game, _ = exact_game(instance)
        return game
    raise InputError(f"a TU problem needs a 'tu' or 'vaccine' instance, got family {fam!r}")


def check_solver(problem: str, solver: str, allowed: tuple[str, ...]) -> None:
    """Refuse a solver the problem does not use (exit 2), naming those that fit."""
    if solver not in allowed:
        from coopt.errors import SolverUnavailable

        raise SolverUnavailable(f"{problem} is solved by {', '.join(allowed)}, not '{solver}'")


def game_report(game: TUGame, used: int | None = None) -> dict[str, Any]:
    """``solution.game``: source, players, how many v(S) were used, their worst certified gap."""
    gap = game.value_gap()
    listed = int(game.masks.size) if is_sparse(game) else (1 << game.n) - 1
    rep: dict[str, Any] = {
        "source": game.source,
        "players": game.n,
        "values_used": listed if used is None else int(used),
        "worst_value_gap": gap,
        "worst_relative_value_gap": gap / game.scale() if game.bound is not None else 0.0,
    }
    if is_sparse(game):
        rep["note"] = "sparse table: coalitions not listed are worth 0 (missing: zero)"
    elif game.n <= LIST_VALUES_UP_TO:
        rep["values"] = {game.key(m): float(game.v[m]) for m in range(1, game.grand + 1)}
        if game.bound is not None:
            rep["bounds"] = {game.key(m): float(game.bound[m]) for m in range(1, game.grand + 1)}
    return rep


__all__ = ["FAMILIES", "check_solver", "game_of", "game_report", "require_table", "values_of"]

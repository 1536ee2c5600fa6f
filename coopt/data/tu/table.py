"""Reading a table {coalition: v(S)} into a :class:`TUGame`, with one-line errors naming the coalition.

A coalition is written as its member names joined by ``+`` in any order (``a+b`` == ``b+a``), or given
as an iterable of names. Refused, each with one line: an unknown player, a player named twice in one
coalition, the same coalition twice (``a+b`` and ``b+a``), an empty coalition, a value that is not a
finite number (booleans included), a coalition missing under ``missing: error``, more than
``MAX_PLAYERS`` players.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from coopt.data.tu.game import DENSE_MAX, MAX_PLAYERS, SparseTUGame, TUGame
from coopt.errors import CooptError, InputError

MISSING = ("error", "zero")


class GameFileError(CooptError):
    """A bad TU game file (exit 2). Not a ValueError, so that pydantic does not wrap it into a message
    that repeats the whole table: the line names the file and the coalition only."""

    exit_code = 2


def _short(x: Any, limit: int = 60) -> str:
    return _trunc(repr(x), limit)


def _trunc(s: str, limit: int) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


def split_key(key: Any) -> list[str]:
    """Member names of a coalition key: 'a+b' -> ['a', 'b']; an iterable of names as is."""
    if isinstance(key, str):
        parts = [p.strip() for p in key.split("+")]
    elif isinstance(key, bool) or key is None:
        raise InputError(f"coalition {_short(key)}: expected player names joined by '+'")
    elif isinstance(key, int | float):
        parts = [str(key)]
    elif isinstance(key, Iterable):
        parts = [str(p).strip() for p in key]
    else:
        raise InputError(f"coalition {_short(key)}: expected player names joined by '+'")
    if not parts or any(p == "" for p in parts):
        raise InputError(f"coalition {_short(key)}: empty player name (write members joined by '+', e.g. a+b)")
    return parts


def as_value(key: Any, val: Any, field: str = "values") -> float:
    """A coalition value as a finite float (no booleans, no strings that are not numbers)."""
    if isinstance(val, bool) or val is None:
        raise InputError(f"{field}: coalition {_short(key)} = {_short(val)}: expected a finite number")
    try:
        f = float(val)
    except (TypeError, ValueError):
        raise InputError(f"{field}: coalition {_short(key)} = {_short(val)}: expected a finite number") from None
    if not math.isfinite(f):
        raise InputError(f"{field}: coalition {_short(key)} = {_short(val)}: expected a finite number")
    return f


def player_names(keys: Iterable[Any], players: Sequence[Any] | None) -> tuple[str, ...]:
    """The players: as given (unique), or the names in order of first appearance in ``keys``."""
    if players is not None:
        names = tuple(str(p).strip() for p in players)
        for p in names:
            if not p or "+" in p:
                raise InputError(f"players: name {_short(p)} is empty or contains '+'")
        seen: set[str] = set()
        for p in names:
            if p in seen:
                raise InputError(f"players: '{p}' appears twice (names must be unique)")
            seen.add(p)
    else:
        order: dict[str, None] = {}
        for key in keys:
            for p in split_key(key):
                order.setdefault(p, None)
        names = tuple(order)
    if not names:
        raise InputError("players: the game has no player")
    if len(names) > MAX_PLAYERS:
        raise InputError(f"players: {len(names)} players; coopt's TU games support at most {MAX_PLAYERS}")
    return names


def masks_of(keys: Sequence[Any], names: Sequence[str]) -> np.ndarray:
    """The bit mask of every coalition key (unknown or repeated members refused)."""
    index = {nm: i for i, nm in enumerate(names)}
    out = np.empty(len(keys), dtype=np.int64)
    for k, key in enumerate(keys):
        mask = 0
        for p in split_key(key):
            i = index.get(p)
            if i is None:
                raise InputError(f"coalition {_short(key)}: '{p}' is not a player (players: "
                                 f"{_trunc(', '.join(names), 120)})")
            if mask >> i & 1:
                raise InputError(f"coalition {_short(key)}: player '{p}' named twice")
            mask |= 1 << i
        out[k] = mask
    return out


def _check_duplicates(keys: Sequence[Any], masks: np.ndarray) -> None:
    order = np.argsort(masks, kind="stable")
    sm = masks[order]
    dup = np.flatnonzero(sm[1:] == sm[:-1])
    if dup.size:
        a, b = keys[order[dup[0]]], keys[order[dup[0] + 1]]
        raise InputError(f"coalition {_short(b)}: the same coalition as {_short(a)} (each coalition once)")


def game_from_table(values: Mapping[Any, Any], players: Sequence[Any] | None = None, missing: str = "error",
                    bounds: Mapping[Any, Any] | None = None, source: str = "table",
                    field: str = "values") -> TUGame | SparseTUGame:
    """A :class:`TUGame` from {coalition: v(S)} -- a :class:`SparseTUGame` beyond 25 players with
    ``missing: zero`` (see the module docstring for what is refused)."""
    if not isinstance(values, Mapping):
        raise InputError(f"{field}: expected a mapping coalition -> value, got {type(values).__name__}")
    keys = list(values.keys())
    vals = np.array([as_value(k, values[k], field) for k in keys], dtype=np.float64)
    return game_from_arrays(keys, vals, players, missing, source, bounds=bounds, field=field)


def game_from_arrays(keys: Sequence[Any], vals: np.ndarray, players: Sequence[Any] | None = None,
                     missing: str = "error", source: str = "table", bounds: Mapping[Any, Any] | None = None,
                     field: str = "values") -> TUGame | SparseTUGame:
    """As :func:`game_from_table` with the keys and (already finite) values as two sequences."""
    if missing not in MISSING:
        raise InputError(f"missing = {_short(missing)}: must be 'error' or 'zero'")
    names = player_names(keys, players)
    n = len(names)
    if n > DENSE_MAX and missing != "zero":
        raise InputError(f"players: {n} players; a full table of v(S) needs 2^n values and coopt builds it for "
                         f"n <= {DENSE_MAX} (set `missing: zero` to list only the coalitions worth something)")
    masks = masks_of(keys, names)
    _check_duplicates(keys, masks)
    if n > DENSE_MAX:
        if bounds is not None:
            raise InputError(f"bounds: not supported for games of more than {DENSE_MAX} players")
        return SparseTUGame(names, masks, np.asarray(vals, dtype=np.float64), source)
    v = np.full(1 << n, np.nan)
    v[0] = 0.0
    v[masks] = vals
    if missing == "zero":
        v[np.isnan(v)] = 0.0
    else:
        gaps = np.flatnonzero(np.isnan(v))
        if gaps.size:
            m = int(gaps[0])
            label = "+".join(nm for i, nm in enumerate(names) if m >> i & 1)
            raise InputError(f"{field}: no value for coalition '{label}' ({gaps.size} of {(1 << n) - 1} missing; "
                             "set `missing: zero` to value absent coalitions at 0)")
    b = None
    if bounds is not None:
        bkeys = list(bounds.keys())
        bm = masks_of(bkeys, names)
        b = v.copy()
        b[bm] = [as_value(k, bounds[k], "bounds") for k in bkeys]
    return TUGame(names, v, b, source)


__all__ = ["MISSING", "GameFileError", "as_value", "game_from_arrays", "game_from_table", "masks_of", "player_names",
           "split_key"]

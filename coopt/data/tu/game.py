"""A transferable-utility game (N, v) as compact arrays: v(S) for every coalition, by bit mask.

Coalitions are bit masks over ``names`` (bit i = player ``names[i]``, ``v[0] = v({}) = 0``); a table of
2^n float64 values is the whole game -- no 2^n x n member matrix is ever built. ``x(S)`` for every S
comes from :func:`subset_sums` (2^n additions). ``bound``, when present, is a certified upper bound on
each v(S) (games whose values come from optimization models, e.g. the vaccine game): ``v`` then holds
the value of a feasible solution (a certified lower value).

Orders of a flat value vector (``from_array``):

* ``bitmask`` -- ``values[mask - 1]`` is v of the coalition ``mask`` (coopgame-py's ``order="binary"``);
* ``lex`` -- coalitions by size, then lexicographically by player index: {1}, {2}, ..., {n}, {1,2},
  {1,3}, ... (the order of TUGLab and MatTuGames).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coopt.errors import InputError

MAX_PLAYERS = 30  # a table of v(S) is 2^n numbers: n <= 30 (8 GiB as float64 beyond the dense limit)
DENSE_MAX = 25  # 2^25 float64 = 256 MiB: the largest dense table coopt builds


def subset_sums(x: np.ndarray) -> np.ndarray:
    """x(S) = sum_{i in S} x_i for every mask S in 0..2^n - 1 (vectorised doubling, 2^n additions)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    out = np.empty(1 << n, dtype=np.float64)
    out[0] = 0.0
    for i in range(n):
        h = 1 << i
        np.add(out[:h], x[i], out=out[h:2 * h])
    return out


def popcounts(n: int) -> np.ndarray:
    """|S| for every mask S < 2^n (uint8)."""
    return _popcounts(n)


@functools.cache
def _popcounts(n: int) -> np.ndarray:
    out = np.zeros(1 << n, dtype=np.uint8)
    for i in range(n):
        h = 1 << i
        np.add(out[:h], 1, out=out[h:2 * h])
    out.setflags(write=False)
    return out


def members_of(mask: int, n: int) -> list[int]:
    """Indices of the players in coalition ``mask``."""
    return [i for i in range(n) if mask >> i & 1]


def rows_of(masks: np.ndarray, n: int) -> np.ndarray:
    """0/1 float matrix (len(masks) x n) of the given coalitions only (rows generated on demand)."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)


def lex_order(n: int) -> np.ndarray:
    """Masks of the non-empty coalitions in lexicographic order (by size, then by member indices)."""
    from itertools import combinations

    out = np.empty((1 << n) - 1, dtype=np.int64)
    k = 0
    for size in range(1, n + 1):
        for comb in combinations(range(n), size):
            out[k] = sum(1 << i for i in comb)
            k += 1
    return out


@dataclass(frozen=True, eq=False)
class TUGame:
    """A TU game (N, v): ``v[mask]`` for every coalition of the named players, ``v[0] = 0``.

    ``bound[mask]`` (optional) is a certified upper bound on v(S) when the values come from a model
    whose optimum is only bracketed; ``source`` says where the values came from.
    """

    names: tuple[str, ...]
    v: np.ndarray
    bound: np.ndarray | None = None
    source: str = "table"

    def __post_init__(self) -> None:
        n = len(self.names)
        if n < 1:
            raise InputError("game: needs at least one player")
        if n > DENSE_MAX:
            raise InputError(f"game: {n} players; a full table of v(S) (2^n values) supports n <= {DENSE_MAX}")
        if len(set(self.names)) != n:
            dup = next(nm for nm in self.names if self.names.count(nm) > 1)
            raise InputError(f"game: player name '{dup}' appears twice (names must be unique)")
        v = np.ascontiguousarray(self.v, dtype=np.float64)
        if v.shape != (1 << n,):
            raise InputError(f"game: expected {1 << n} coalition values for {n} players, got shape {v.shape}")
        bad = ~np.isfinite(v)
        bad[0] = False
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InputError(f"game: v{self.label(k)} = {v[k]} is not a finite number")
        v = v.copy()
        v[0] = 0.0
        v.setflags(write=False)
        object.__setattr__(self, "v", v)
        if self.bound is not None:
            b = np.ascontiguousarray(self.bound, dtype=np.float64).copy()
            if b.shape != v.shape:
                raise InputError(f"game: bounds have shape {b.shape}, values {v.shape}")
            b[0] = 0.0
            b.setflags(write=False)
            object.__setattr__(self, "bound", b)

    # ---------------------------------------------------------------- basic facts
    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def grand(self) -> int:
        """The mask of the grand coalition N."""
        return (1 << self.n) - 1

    @property
    def v_grand(self) -> float:
        return float(self.v[self.grand])

    def members(self, mask: int) -> tuple[str, ...]:
        return tuple(nm for i, nm in enumerate(self.names) if mask >> i & 1)

    def label(self, mask: int) -> str:
        return "{" + ",".join(self.members(mask)) + "}"

    def key(self, mask: int) -> str:
        """The coalition as in a data file: member names joined by '+' (player order)."""
        return "+".join(self.members(mask))

    def mask_of(self, members: Iterable[str]) -> int:
        """The mask of a coalition given by member names (unknown names are an InputError)."""
        index = self._index
        mask = 0
        for nm in members:
            i = index.get(str(nm))
            if i is None:
                raise InputError(f"coalition member '{nm}' is not a player (players: {', '.join(self.names)})")
            mask |= 1 << i
        return mask

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {nm: i for i, nm in enumerate(self.names)}

    def value(self, members: Iterable[str]) -> float:
        return float(self.v[self.mask_of(members)])

    def proper_masks(self) -> np.ndarray:
        """Masks of every non-empty proper coalition S (the stability rows)."""
        return np.arange(1, self.grand, dtype=np.int64)

    def coalition_sums(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """x(S) for every mask S (vectorised, 2^n additions)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.n,):
            raise InputError(f"allocation: expected {self.n} shares, got shape {x.shape}")
        return subset_sums(x)

    def excess(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """e(S, x) = v(S) - x(S) for every mask S (e[0] = 0)."""
        return self.v - self.coalition_sums(x)

    def allocation_vector(self, allocation: Mapping[str, float]) -> np.ndarray:
        """An allocation {name: value} as a vector in ``names`` order (every player required)."""
        missing = [nm for nm in self.names if nm not in allocation]
        extra = [nm for nm in allocation if nm not in self._index]
        if missing or extra:
            raise InputError(
                f"allocation: players missing {missing} / unknown {extra} (players: {', '.join(self.names)})"
            )
        return np.array([float(allocation[nm]) for nm in self.names])

    def scale(self) -> float:
        """The value unit inside coopt's LPs: max |v(S)| (at least 1e-12)."""
        return float(max(np.max(np.abs(self.v)), 1e-12))

    def value_gap(self) -> float:
        """Largest certified gap bound(S) - v(S) over all coalitions (0 for a table game)."""
        if self.bound is None:
            return 0.0
        return float(np.max(self.bound - self.v))

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_array(cls, values: Sequence[float] | np.ndarray, names: Sequence[str] | None = None,
                   order: str = "bitmask", bound: np.ndarray | None = None) -> TUGame:
        """From a flat vector of the 2^n - 1 non-empty coalition values (or 2^n with v({}) first).

        ``order``: ``bitmask`` (``values[mask - 1]``, as coopgame-py's ``order="binary"``) or ``lex``
        (by size, then lexicographic: TUGLab / MatTuGames). ``names`` default to ``1 .. n``.
        """
        arr = np.asarray(values, dtype=np.float64).ravel()
        m = arr.shape[0]
        n = int(round(math.log2(m + 1))) if m > 0 else 0
        if m < 1 or (1 << n) - 1 != m:
            if m >= 2 and (1 << int(round(math.log2(m)))) == m and order == "bitmask":
                n = int(round(math.log2(m)))
                arr = arr[1:]
            else:
                raise InputError(f"values: {m} numbers is not 2^n - 1 for any n (one value per non-empty coalition)")
        if n > MAX_PLAYERS:
            raise InputError(f"values: {n} players; coopt's TU games support at most {MAX_PLAYERS}")
        names = tuple(str(i + 1) for i in range(n)) if names is None else tuple(str(x) for x in names)
        if len(names) != n:
            raise InputError(f"names: {len(names)} names for a game of {n} players ({m} values)")
        v = np.zeros(1 << n)
        if order == "bitmask":
            v[1:] = arr
        elif order == "lex":
            v[lex_order(n)] = arr
        else:
            raise InputError(f"order = {order!r}: must be 'bitmask' or 'lex'")
        return cls(names, v, bound)

    @classmethod
    def from_table(cls, values: Mapping[Any, float], players: Sequence[str] | None = None,
                   missing: str = "error", bounds: Mapping[Any, float] | None = None,
                   source: str = "table") -> TUGame:
        """From {coalition: v(S)}; a coalition is a '+'-joined string of names or an iterable of names.

        ``players`` default to the names in order of first appearance. ``missing``: ``error`` (every
        non-empty coalition required) or ``zero`` (absent coalitions are worth 0).
        """
        from coopt.data.tu.table import game_from_table

        return game_from_table(values, players, missing, bounds, source)

    @classmethod
    def from_mapping(cls, names: Sequence[str], values: Mapping[Any, float],
                     bounds: Mapping[Any, float] | None = None) -> TUGame:
        """From {coalition: v} with every non-empty coalition present (a coalition: tuple of names)."""
        return cls.from_table(values, names, "error", bounds)

    @classmethod
    def from_frame(cls, frame: Any, names: Sequence[str] | None = None) -> TUGame:
        """From a table with columns ``members`` (tuple/list of names), ``v`` and optionally ``bound``."""
        if "members" not in frame.columns or "v" not in frame.columns:
            raise InputError(f"game table: needs columns 'members' and 'v' (have {list(frame.columns)})")
        if names is None:
            seen: dict[str, None] = {}
            for mem in frame["members"]:
                for nm in mem:
                    seen.setdefault(str(nm), None)
            names = list(seen)
        vals = {tuple(mem): v for mem, v in zip(frame["members"], frame["v"])}
        bnds = None
        if "bound" in frame.columns and frame["bound"].notna().all():
            bnds = {tuple(mem): b for mem, b in zip(frame["members"], frame["bound"])}
        return cls.from_mapping(names, vals, bnds)

    def to_frame(self) -> Any:
        """One row per non-empty coalition: members (tuple of names), v, bound."""
        import pandas as pd

        masks = range(1, self.grand + 1)
        return pd.DataFrame({
            "members": [self.members(s) for s in masks],
            "v": self.v[1:].tolist(),
            "bound": self.bound[1:].tolist() if self.bound is not None else [None] * self.grand,
        })

    def to_array(self, order: str = "bitmask") -> np.ndarray:
        """The 2^n - 1 non-empty coalition values in ``bitmask`` or ``lex`` order."""
        if order == "bitmask":
            return self.v[1:].copy()
        if order == "lex":
            return self.v[lex_order(self.n)]
        raise InputError(f"order = {order!r}: must be 'bitmask' or 'lex'")

    def restrict(self, players: Sequence[str]) -> TUGame:
        """The sub-game on ``players`` (v of their coalitions unchanged)."""
        idx = [self.mask_of([p]) for p in players]
        sub = subset_sums(np.array(idx, dtype=np.float64)).astype(np.int64)
        return TUGame(tuple(players), self.v[sub], None if self.bound is None else self.bound[sub], self.source)


@dataclass(frozen=True, eq=False)
class SparseTUGame:
    """A TU game of 26..30 players given by the coalitions listed in a table, every other one worth 0.

    (``missing: zero``.) Only the listed coalitions are stored: ``masks`` (sorted) and ``vals``. What needs
    all 2^n values (nucleolus, exact Shapley and Banzhaf) is refused; the least core and the core run by
    constraint generation with an exact separation oracle (`coopt.games.tu.oracle.SparseOracle`), the
    Shapley value by sampling.
    """

    names: tuple[str, ...]
    masks: np.ndarray
    vals: np.ndarray
    source: str = "table"
    bound: None = None

    def __post_init__(self) -> None:
        n = len(self.names)
        if not DENSE_MAX < n <= MAX_PLAYERS:
            raise InputError(f"game: a sparse table is for {DENSE_MAX + 1}..{MAX_PLAYERS} players, got {n}")
        order = np.argsort(np.asarray(self.masks, dtype=np.int64), kind="stable")
        masks = np.asarray(self.masks, dtype=np.int64)[order]
        vals = np.asarray(self.vals, dtype=np.float64)[order]
        keep = masks != 0
        object.__setattr__(self, "masks", masks[keep])
        object.__setattr__(self, "vals", vals[keep])

    n = property(lambda self: len(self.names))
    grand = property(lambda self: (1 << len(self.names)) - 1)
    members = TUGame.members
    label = TUGame.label
    key = TUGame.key
    mask_of = TUGame.mask_of
    allocation_vector = TUGame.allocation_vector
    _index = TUGame._index

    @property
    def v_grand(self) -> float:
        return float(self.values(np.array([self.grand]))[0])

    def values(self, masks: np.ndarray) -> np.ndarray:
        """v(S) for an array of masks (0 for the coalitions not listed)."""
        masks = np.asarray(masks, dtype=np.int64)
        if self.masks.size == 0:
            return np.zeros(masks.shape)
        pos = np.minimum(np.searchsorted(self.masks, masks), self.masks.size - 1)
        return np.where(self.masks[pos] == masks, self.vals[pos], 0.0)

    def value(self, members: Iterable[str]) -> float:
        return float(self.values(np.array([self.mask_of(members)]))[0])

    def scale(self) -> float:
        return float(max(np.max(np.abs(self.vals), initial=0.0), 1e-12))

    def value_gap(self) -> float:
        return 0.0

    def coalition_sums(self, x: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """x(S) for the given masks (in chunks; never 2^n)."""
        x = np.asarray(x, dtype=np.float64)
        out = np.empty(len(masks))
        bits = np.arange(self.n, dtype=np.int64)
        for a in range(0, len(masks), 1 << 18):
            m = masks[a:a + (1 << 18)]
            out[a:a + len(m)] = (((m[:, None] >> bits) & 1) * x).sum(axis=1)
        return out


def is_sparse(game: object) -> bool:
    """Is ``game`` a :class:`SparseTUGame` (26..30 players, listed coalitions only)?"""
    return isinstance(game, SparseTUGame)


__all__ = ["DENSE_MAX", "MAX_PLAYERS", "SparseTUGame", "TUGame", "is_sparse", "lex_order", "members_of", "popcounts",
           "rows_of", "subset_sums"]

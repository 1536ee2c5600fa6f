"""Large dpshare player tables validated as columns (numpy), not row by row through pydantic.

A table of more than ``ROWS_ABOVE`` agents -- a CSV file, an inline list of ``{name, c}`` rows, or
:func:`coopt.data.dpshare.from_costs` -- is checked in one vectorised pass with the rules of
:class:`~coopt.data.dpshare.schema.Player`: every cost ``c`` a real number (not a boolean), finite,
within SCALE_MIN <= c <= SCALE_MAX; every name a name of :data:`coopt.data.base.Name` (text, or a
finite number taken as its text; stripped, non-empty, no control character, at most MAX_NAME_CHARS
characters); names unique; at least 2 agents. The instance then holds a
:class:`PlayerColumns`, a read-only tuple-like view of the two arrays (``len``, indexing and
iteration give :class:`Player` objects, built only when asked for).

Anything the vectorised pass does not accept goes to the row-by-row path, which reports the first
bad row with its field and value (``players.<row>.c = -0.2: ...``): errors read the same whatever
the table's size. Small tables always take the row path.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

ROWS_ABOVE = 1000  # agents: larger tables are validated as columns


class PlayerColumns(Sequence):
    """The agents of a dpshare instance as two read-only arrays: ``names`` (str) and ``c`` (float)."""

    __slots__ = ("_names", "c")

    def __init__(self, names: Sequence[str], c: np.ndarray) -> None:
        self._names = names if isinstance(names, tuple) else tuple(names)
        self.c = np.asarray(c, dtype=float)
        self.c.setflags(write=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Agent names in file order."""
        return self._names

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, i: Any) -> Any:
        from coopt.data.dpshare.schema import Player

        if isinstance(i, slice):
            return PlayerColumns(self._names[i], self.c[i])
        return Player.model_construct(name=self._names[i], c=float(self.c[i]))

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlayerColumns):
            return self._names == other._names and bool(np.array_equal(self.c, other.c))
        if isinstance(other, tuple | list):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._names, self.c.tobytes()))

    def __repr__(self) -> str:
        return f"PlayerColumns({len(self)} agents)"

    def rows(self) -> list[dict[str, Any]]:
        """``[{"name": ..., "c": ...}, ...]``: the row path's serialisation (same JSON, same digest)."""
        return [{"name": nm, "c": c} for nm, c in zip(self._names, self.c.tolist())]


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # as coopt.data.base's names


def _names(values: Sequence[Any]) -> tuple[str, ...] | None:
    """The names when every one is as the row path leaves it (text, or a finite number taken as its
    text; already stripped, non-empty, no control character, at most MAX_NAME_CHARS) and unique;
    else None (the row path decides and reports)."""
    from coopt.data.base import MAX_NAME_CHARS

    kinds = set(map(type, values))
    if kinds == {str}:
        out = tuple(values)
    elif kinds <= {str, int, float}:  # exactly these (the row path refuses numpy scalars and booleans)
        if any(not isinstance(v, str) and not math.isfinite(float(v)) for v in values):
            return None
        out = tuple(v if isinstance(v, str) else str(v) for v in values)
    else:
        return None
    if not out or list(map(str.strip, out)) != list(out) or "" in out:
        return None  # names the row path would strip, or empty ones
    if max(map(len, out)) > MAX_NAME_CHARS or _CONTROL.search("".join(out)):
        return None
    if len(set(out)) != len(out):
        return None  # duplicates: the row path names them
    return out


def columns(names: Sequence[Any], costs: Any, generated_names: bool = False) -> PlayerColumns | None:
    """A :class:`PlayerColumns` when every rule holds (see the module doc), else None.

    ``generated_names``: the names are coopt's own a1..an (unique, non-empty: not checked again)."""
    c = np.asarray(costs)
    if c.ndim != 1 or len(c) != len(names) or len(c) < 2:
        return None
    if c.dtype.kind not in "fiu":  # objects (mixed types, text, booleans in a list), or booleans
        return None
    from coopt.data.dpshare.schema import SCALE_MAX, SCALE_MIN

    c = c.astype(float, copy=False)
    if not (np.isfinite(c) & (c >= SCALE_MIN) & (c <= SCALE_MAX)).all():
        return None
    nm = tuple(names) if generated_names else _names(names)
    return None if nm is None else PlayerColumns(nm, c)


def from_input(value: Any, info: Any) -> PlayerColumns | None:
    """The columns of a large ``players`` input (CSV path or list of {name, c} rows), or None (row path)."""
    if isinstance(value, PlayerColumns):
        return value
    if isinstance(value, str):
        from coopt.data.base import read_table

        ctx = getattr(info, "context", None) or {}
        frame = read_table(value, ["name", "c"], ctx.get("base_dir"), ctx.get("source", "<memory>"), numeric=("c",))
        if len(frame) <= ROWS_ABOVE:
            return None
        return columns(frame["name"].tolist(), frame["c"].to_numpy(dtype=float))
    if isinstance(value, list | tuple) and len(value) > ROWS_ABOVE:
        if not all(type(r) is dict and len(r) == 2 and "name" in r and "c" in r for r in value):
            return None
        costs = [r["c"] for r in value]
        if any(isinstance(x, bool) or not isinstance(x, numbers.Real) for x in costs):
            return None
        return columns([r["name"] for r in value], np.array(costs, dtype=float))
    return None


__all__ = ["ROWS_ABOVE", "PlayerColumns", "columns", "from_input"]

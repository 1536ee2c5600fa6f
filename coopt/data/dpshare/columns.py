"""Large dpshare player tables validated as columns (numpy), not row by row through pydantic.

A table of more than ``ROWS_ABOVE`` agents -- a CSV file, an inline list of ``{name, c}`` rows, or
:func:`coopt.data.dpshare.from_costs` -- is checked in one vectorised pass with the rules of
:class:`~coopt.data.dpshare.schema.Player`: every cost ``c`` a real number (not a boolean), finite,
> 0 and inside the field's declared bounds; every name a non-empty string (numbers become their
text, as in the row path); names unique; at least 2 agents. The instance then holds a
:class:`PlayerColumns`, a read-only tuple-like view of the two arrays (``len``, indexing and
iteration give :class:`Player` objects, built only when asked for).

Anything the vectorised pass does not accept goes to the row-by-row path, which reports the first
bad row with its field and value (``players.<row>.c = -0.2: ...``): errors read the same whatever
the table's size. Small tables always take the row path.
"""

from __future__ import annotations

import math
import numbers
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


def _bounds(field: str) -> tuple[float, bool, float, bool]:
    """(lower, strict, upper, strict) declared on Player.<field> (annotated-types metadata), beyond c > 0."""
    from coopt.data.dpshare.schema import Player

    lo, lo_strict, hi, hi_strict = 0.0, True, math.inf, False
    for m in Player.model_fields[field].metadata:
        for attr, strict, is_lo in (("gt", True, True), ("ge", False, True), ("lt", True, False),
                                    ("le", False, False)):
            v = getattr(m, attr, None)
            if v is None:
                continue
            if is_lo and (v > lo or (v == lo and strict)):
                lo, lo_strict = float(v), strict
            if not is_lo and (v < hi or (v == hi and strict)):
                hi, hi_strict = float(v), strict
    return lo, lo_strict, hi, hi_strict


def _names(values: Sequence[Any]) -> tuple[str, ...] | None:
    """Unique non-empty names as the row path reads them (numbers -> text), or None (row path)."""
    kinds = set(map(type, values))
    if kinds == {str}:
        out = tuple(values)
    elif all(k is str or (issubclass(k, numbers.Real) and not issubclass(k, bool | np.bool_)) for k in kinds):
        if any(not isinstance(v, str) and not math.isfinite(float(v)) for v in values):
            return None  # an empty CSV cell (NaN): the row path names it
        out = tuple(v if isinstance(v, str) else str(v) for v in values)
    else:
        return None
    if any(map(str.isspace, out)) or len(set(out)) != len(out) or "" in out:
        return None  # blank, duplicate or empty names: the row path reports them
    return out


def columns(names: Sequence[Any], costs: Any, generated_names: bool = False) -> PlayerColumns | None:
    """A :class:`PlayerColumns` when every rule holds (see the module doc), else None.

    ``generated_names``: the names are coopt's own a1..an (unique, non-empty: not checked again)."""
    c = np.asarray(costs)
    if c.ndim != 1 or len(c) != len(names) or len(c) < 2:
        return None
    if c.dtype.kind not in "fiu":  # objects (mixed types, text, booleans in a list), or booleans
        return None
    c = c.astype(float, copy=False)
    lo, lo_strict, hi, hi_strict = _bounds("c")
    ok = np.isfinite(c) & ((c > lo) if lo_strict else (c >= lo)) & ((c < hi) if hi_strict else (c <= hi))
    if not ok.all():
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
        frame = read_table(value, ["name", "c"], ctx.get("base_dir"), ctx.get("source", "<memory>"))
        if len(frame) <= ROWS_ABOVE:
            return None
        return columns(frame["name"].tolist(), frame["c"].to_numpy())
    if isinstance(value, list | tuple) and len(value) > ROWS_ABOVE:
        if not all(type(r) is dict and len(r) == 2 and "name" in r and "c" in r for r in value):
            return None
        costs = [r["c"] for r in value]
        if any(isinstance(x, bool) or not isinstance(x, numbers.Real) for x in costs):
            return None
        return columns([r["name"] for r in value], np.array(costs, dtype=float))
    return None


__all__ = ["ROWS_ABOVE", "PlayerColumns", "columns", "from_input"]

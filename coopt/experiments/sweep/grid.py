"""Sweep grids: the ``--grid`` syntax, one axis per parameter, and a size checked before expansion.

Three ways to write an axis (``coopt sweep --grid``, repeatable, one per parameter):

* ``alpha=0.01:0.99:200``: ``n`` evenly spaced values from ``lo`` to ``hi`` (both included);
* ``tau=log:1e-3:1:20``: ``n`` log-spaced values from ``lo`` to ``hi`` (``0 < lo <= hi``);
* ``beta=0.6,0.75,0.9``: the listed values, in this order (one value is a one-point axis).

The grid is the cartesian product of the axes (the first one slowest). Its size is the product of
the axes' sizes, computed before any value is generated and refused above :data:`MAX_POINTS`; a
parameter named twice is refused (the second axis would silently replace the first).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coopt.errors import InputError

MAX_POINTS = 1_000_000  # grid points per sweep (split larger studies into several sweeps)

GRID_HELP = (
    "one axis per parameter (repeatable): name=lo:hi:n (n evenly spaced values, lo and hi included), "
    "name=log:lo:hi:n (n log-spaced values, 0 < lo <= hi), or name=v1,v2,... (the listed values); "
    f"the grid is their cartesian product, at most {MAX_POINTS:,} points"
)

Point = dict[str, Any]


@dataclass(frozen=True)
class Axis:
    """One parameter's values: ``kind`` is ``linear`` (lo, hi, n), ``log`` (lo, hi, n) or ``values``
    (the listed values, as written)."""

    name: str
    kind: str
    lo: float = math.nan
    hi: float = math.nan
    n: int = 0
    values: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Number of values (before integer rounding), known without generating them."""
        return len(self.values) if self.kind == "values" else self.n

    def numbers(self, integer: bool = False) -> np.ndarray:
        """The values as numbers; an integer parameter takes the distinct rounded values in order."""
        if self.kind == "values":
            vals = np.asarray([_number(self, v, integer) for v in self.values], dtype=int if integer else float)
            return vals
        space = np.geomspace if self.kind == "log" else np.linspace
        vals = space(self.lo, self.hi, self.n)
        if integer:
            rounded = np.round(vals).astype(int)
            return rounded[np.sort(np.unique(rounded, return_index=True)[1])]
        return vals

    def spec(self) -> str:
        """The axis as written on the command line."""
        if self.kind == "values":
            return f"{self.name}={','.join(self.values)}"
        prefix = "log:" if self.kind == "log" else ""
        return f"{self.name}={prefix}{self.lo:g}:{self.hi:g}:{self.n}"


def _number(axis: Axis, text: str, integer: bool) -> float | int:
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"--grid '{axis.name}': '{shown(text, 40)}' is not a number") from None
    if not math.isfinite(x):
        raise InputError(f"--grid '{axis.name}': values must be finite numbers (got '{shown(text, 40)}')")
    if integer:
        if x != int(x):
            raise InputError(f"--grid '{axis.name}': an integer parameter takes whole numbers "
                             f"(got '{shown(text, 40)}')")
        return int(x)
    return x


def shown(text: str, limit: int = 80) -> str:
    """``text`` as it may appear in a one-line message: control characters escaped, at most ``limit`` long."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return out if len(out) <= limit else out[: limit - 3] + "..."


_short = shown


def parse_grid(spec: str) -> Axis:
    """One ``--grid`` value -> :class:`Axis` (see the module docstring for the three forms)."""
    text = spec.strip()
    show = _short(text)
    if "=" not in text:
        raise InputError(f"--grid '{show}': expected name=lo:hi:n, name=log:lo:hi:n or name=v1,v2,...")
    name, rng = (s.strip() for s in text.split("=", 1))
    if not name.isidentifier():
        raise InputError(f"--grid '{show}': '{_short(name)}' is not a parameter name")
    if not rng:
        raise InputError(f"--grid '{show}': no values after '{name}='")
    if ":" not in rng:
        values = tuple(v.strip() for v in rng.split(","))
        if any(not v for v in values):
            raise InputError(f"--grid '{show}': an empty value in the list (write name=v1,v2,...)")
        if len(values) > MAX_POINTS:
            raise InputError(f"--grid '{name}': {len(values):,} values, more than the {MAX_POINTS:,} points "
                             "a sweep takes")
        seen = set()
        for v in values:
            if v in seen:
                raise InputError(f"--grid '{name}': value '{_short(v)}' listed twice")
            seen.add(v)
        return Axis(name, "values", values=values)
    parts = [s.strip() for s in rng.split(":")]
    kind = "linear"
    if parts[0].lower() == "log":
        kind, parts = "log", parts[1:]
    form = "log:lo:hi:n" if kind == "log" else "lo:hi:n"
    if len(parts) != 3:
        raise InputError(f"--grid '{show}': expected {form} after '{name}=' (got {len(parts)} part(s))")
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"--grid '{show}': lo and hi must be numbers (got '{_short(parts[0])}', "
                         f"'{_short(parts[1])}')") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"--grid '{show}': lo and hi must be finite numbers")
    try:
        n = int(parts[2])
    except ValueError:
        raise InputError(f"--grid '{show}': n must be a positive integer (got '{_short(parts[2])}')") from None
    if n < 1:
        raise InputError(f"--grid '{show}': n must be a positive integer (got {n})")
    if n > MAX_POINTS:
        raise InputError(f"--grid '{name}': n = {n:,} values, more than the {MAX_POINTS:,} points a sweep takes")
    if hi < lo:
        raise InputError(f"--grid '{show}': lo = {lo:g} must not exceed hi = {hi:g}")
    if n == 1 and hi != lo:
        raise InputError(f"--grid '{show}': n = 1 needs lo == hi")
    if kind == "log" and lo <= 0:
        raise InputError(f"--grid '{show}': a log-spaced axis needs 0 < lo (got lo = {lo:g})")
    return Axis(name, kind, lo, hi, n)


def parse_grids(specs: Iterable[str], max_points: int = MAX_POINTS) -> dict[str, Axis]:
    """Several ``--grid`` values -> {name: Axis}; a parameter named twice is refused, and so is a
    grid of more than ``max_points`` points (checked on the axes' sizes, before any value exists)."""
    axes: dict[str, Axis] = {}
    for spec in specs:
        axis = parse_grid(spec)
        if axis.name in axes:
            raise InputError(f"--grid '{axis.name}' given twice ({_short(axes[axis.name].spec())} and "
                             f"{_short(axis.spec())}): give one axis per parameter")
        axes[axis.name] = axis
    check_size({k: a.size for k, a in axes.items()}, max_points)
    return axes


def check_size(sizes: Mapping[str, int], max_points: int = MAX_POINTS) -> int:
    """The number of grid points (product of the axes' sizes, exact), refused above ``max_points``."""
    total = math.prod(int(s) for s in sizes.values())
    if total > max_points:
        shape = " x ".join(f"{k} {int(s):,}" for k, s in sizes.items())
        raise InputError(f"sweep grid of {total:,} points ({shape}) exceeds the limit of {max_points:,} points; "
                         "use coarser axes or split the study into several sweeps")
    return total


def plain(x: Any) -> Any:
    """numpy scalars -> Python numbers (clean JSON, hashing and Parquet columns)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
                max_points: int = MAX_POINTS) -> list[Point]:
    """The list of points: the cartesian product of a dict of 1-D arrays (size checked before it is
    formed), or a list of dicts."""
    if isinstance(grid, Mapping):
        if not grid:
            raise InputError("sweep grid is empty: give at least one parameter")
        arrays = {}
        for name, values in grid.items():
            arr = np.asarray(values)
            if arr.ndim != 1 or arr.size == 0:
                raise InputError(f"sweep grid '{name}': expected a non-empty 1-D array of values, shape {arr.shape}")
            arrays[str(name)] = arr
        check_size({k: a.size for k, a in arrays.items()}, max_points)
        axes = {k: [plain(v) for v in a] for k, a in arrays.items()}
        names = list(axes)
        points = [dict(zip(names, combo)) for combo in itertools.product(*axes.values())]
    else:
        points = [{str(k): plain(v) for k, v in dict(p).items()} for p in grid]
        if not points:
            raise InputError("sweep grid is empty: the list of points has no entries")
        check_size({"points": len(points)}, max_points)
        keys = set(points[0])
        for i, p in enumerate(points):
            if set(p) != keys:
                raise InputError(f"sweep point {i} has keys {sorted(p)}, point 0 has {sorted(keys)}")
    if "point_id" in points[0]:
        raise InputError("sweep grid: 'point_id' is reserved for the point number")
    return points


def grid_hash(points: list[Point], meta: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of the points (in order) and the caller's metadata."""
    payload = json.dumps({"points": points, "meta": dict(meta or {})}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


__all__ = ["GRID_HELP", "MAX_POINTS", "Axis", "check_size", "expand_grid", "grid_hash", "parse_grid", "parse_grids",
           "plain"]

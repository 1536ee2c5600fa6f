"""Instances of the privacy-coalition paper (Bassily, Donahue, Sen, Zhao & Ziani, section 3).

n agents each hold one data point of known variance sigma^2 and have a privacy-cost parameter
c_i > 0; a member of a coalition of size k pays c_i f(k) epsilon_i with f(k) = k^alpha, alpha in [-1, 1].

YAML::

    family: dpshare
    name: lemma3-example
    sigma2: 0.25           # data variance sigma^2 > 0
    alpha: 1.0             # cost-scaling exponent, f(k) = k^alpha, -1 <= alpha <= 1
    players:               # or  players: players.csv  (columns: name, c)
      - {name: a1, c: 0.0018}

Players need not be sorted in the file: :attr:`order` sorts them by cost (the paper's
c_1 <= ... <= c_n, ties by file order) and every result is reported by name.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
from pydantic import (
    Field,
    SerializationInfo,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from coopt.data.base import (
    Instance,
    Name,
    PlayerList,
    Real,
    Record,
    check_rows,
    read_table,
    register_family,
    table_name,
)
from coopt.data.dpshare.columns import ROWS_ABOVE, PlayerColumns, columns, from_input

#: range of the privacy costs c_i and of sigma^2 (the closed forms take powers of them: kept in floating point)
SCALE_MIN, SCALE_MAX = 1e-12, 1e12


class Player(Record):
    """One agent: a unique name and its privacy-cost parameter c > 0."""

    name: Name = Field(..., description="agent name, unique")
    c: Real = Field(..., description=f"privacy-cost parameter c_i, {SCALE_MIN:g} <= c <= {SCALE_MAX:g}")

    @field_validator("c")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not (math.isfinite(v) and SCALE_MIN <= v <= SCALE_MAX):
            raise ValueError(f"privacy cost c must satisfy {SCALE_MIN:g} <= c <= {SCALE_MAX:g}, got {v:g}")
        return v


@register_family("dpshare")
class DpShareInstance(PlayerList, Instance):
    """Agents with privacy costs c_i, data variance sigma^2 and cost exponent alpha (paper section 3)."""

    table_fields: ClassVar[tuple[str, ...]] = ("players",)

    family: str = Field("dpshare", description="family name, 'dpshare'")
    sigma2: Real = Field(..., description="variance sigma^2 of every agent's data point, "
                          f"{SCALE_MIN:g} <= sigma2 <= {SCALE_MAX:g}")
    alpha: Real = Field(..., description="privacy-cost scaling exponent, f(k) = k^alpha, -1 <= alpha <= 1")
    players: tuple[Player, ...] = Field(
        ..., description="agents (a list of {name, c} or a CSV path with columns name, c), at least 2 agents")

    @field_validator("sigma2")
    @classmethod
    def _sigma2(cls, v: float) -> float:
        if not (math.isfinite(v) and SCALE_MIN <= v <= SCALE_MAX):
            raise ValueError(f"must satisfy {SCALE_MIN:g} <= sigma2 <= {SCALE_MAX:g}")
        return v

    @field_validator("alpha")
    @classmethod
    def _alpha(cls, v: float) -> float:
        if not (math.isfinite(v) and -1.0 <= v <= 1.0):
            raise ValueError("must satisfy -1 <= alpha <= 1")
        return v

    @field_validator("players", mode="before")
    @classmethod
    def _read_table(cls, value: Any, info: ValidationInfo) -> Any:
        """Agents from a table (``players: agents.csv``, ``players_csv:``, an Excel sheet or a DataFrame),
        each row checked on its own (a bad value names the table, the row and the field)."""
        if isinstance(value, list | tuple) or value is None or isinstance(value, dict):
            return value
        ctx = info.context or {}
        frame = read_table(value, ["name", "c"], ctx.get("base_dir"), ctx.get("source", "<memory>"), numeric=("c",))
        rows = [{"name": nm, "c": c} for nm, c in zip(frame["name"].tolist(), frame["c"].tolist())]
        return check_rows(Player, rows, table_name(value))

    @field_validator("players", mode="wrap")
    @classmethod
    def _columns(cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        """Large tables: validated as numpy columns (coopt.data.dpshare.columns); else row by row."""
        cols = from_input(value, info)
        return cols if cols is not None else handler(value)

    @field_serializer("players")
    def _dump_players(self, players: Any, info: SerializationInfo) -> Any:
        if isinstance(players, PlayerColumns):  # python: kept as columns (re-validation is free); JSON: rows
            return players if info.mode == "python" else players.rows()
        return players

    @model_validator(mode="after")
    def _check(self) -> DpShareInstance:
        if self.family != "dpshare":
            raise ValueError("family must be 'dpshare'")
        if isinstance(self.players, PlayerColumns):  # checked as columns (unique names, >= 2)
            return self
        if len(self.players) < 2:
            raise ValueError(f"players: at least 2 agents are needed for a coalition, got {len(self.players)}")
        names = [p.name for p in self.players]
        if len(set(names)) != len(names):
            dup = sorted({x for x in names if names.count(x) > 1})
            raise ValueError(f"players: duplicate agent names {dup}")
        return self

    # ------------------------------------------------------------------ sorted view (paper's order)
    @cached_property
    def file_costs(self) -> np.ndarray:
        """Privacy costs in file order."""
        if isinstance(self.players, PlayerColumns):
            return self.players.c
        return np.fromiter((p.c for p in self.players), dtype=float, count=len(self.players))

    @cached_property
    def order(self) -> np.ndarray:
        """Indices into :attr:`players` sorting them by cost, c_1 <= ... <= c_n (stable)."""
        return np.argsort(self.file_costs, kind="stable")

    @cached_property
    def c(self) -> np.ndarray:
        """Sorted privacy costs c_1 <= ... <= c_n."""
        return self.file_costs[self.order]

    @cached_property
    def names(self) -> list[str]:
        """Agent names in the sorted order of :attr:`c` (positions of :meth:`index_of` refer to it)."""
        players = self.players
        if isinstance(players, PlayerColumns):
            nm = players.names
            return [nm[i] for i in self.order.tolist()]
        return [players[i].name for i in self.order.tolist()]


def from_costs(c: Any, sigma2: float, alpha: float, name: str = "generated",
               names: list[str] | None = None) -> DpShareInstance:
    """An in-memory instance from a cost vector (agents named a1..an unless ``names`` is given).

    ``names``, when given, must name every agent (one name per cost); errors are InputError."""
    from coopt.data.base import validate
    from coopt.errors import InputError, boundary, short_repr

    with boundary("from_costs", InputError):
        arr = np.asarray(c)
        if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == object):
            raise InputError(f"from_costs: c = {short_repr(c)}: expected a vector of numbers")
        cs = np.asarray(c, dtype=float).reshape(-1)
    if names is not None and (isinstance(names, str) or len(names) != len(cs)):
        count = "a string" if isinstance(names, str) else f"{len(names)} names"
        raise InputError(f"from_costs: {count} for {len(cs)} costs; give one name per agent")
    nm = list(names) if names is not None else list(map("a{}".format, range(1, len(cs) + 1)))
    for x in (sigma2, alpha):
        if isinstance(x, bool):
            raise InputError(f"from_costs: sigma2 and alpha must be numbers, got {x!r}")
    # large: validated as columns (coopt.data.dpshare.columns); small, or refused there: row by row
    players: Any = columns(nm, cs, generated_names=names is None) if len(cs) > ROWS_ABOVE else None
    if players is None:
        players = [{"name": a, "c": x} for a, x in zip(nm, cs.tolist())]
    data = {"family": "dpshare", "name": name, "sigma2": sigma2, "alpha": alpha, "players": players}
    return validate(DpShareInstance, data)  # type: ignore[return-value]

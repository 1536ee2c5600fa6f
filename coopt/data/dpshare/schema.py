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
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from coopt.data.base import Instance, read_table, register_family
from coopt.data.dpshare.columns import ROWS_ABOVE, PlayerColumns, columns, from_input


class Player(BaseModel):
    """One agent: a unique name and its privacy-cost parameter c > 0."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(..., min_length=1, description="agent name, unique")
    c: float = Field(..., description="privacy-cost parameter c_i, finite c > 0")

    @field_validator("c")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"privacy cost c must be a finite number > 0, got {v}")
        return v

    @field_validator("name", mode="before")
    @classmethod
    def _str_name(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


@register_family("dpshare")
class DpShareInstance(Instance):
    """Agents with privacy costs c_i, data variance sigma^2 and cost exponent alpha (paper section 3)."""

    table_fields: ClassVar[tuple[str, ...]] = ("players",)

    family: str = Field("dpshare", description="family name, 'dpshare'")
    sigma2: float = Field(..., description="variance sigma^2 of every agent's data point, finite sigma2 > 0")
    alpha: float = Field(..., description="privacy-cost scaling exponent, f(k) = k^alpha, -1 <= alpha <= 1")
    players: tuple[Player, ...] = Field(
        ..., description="agents (a list of {name, c} or a CSV path with columns name, c), at least 2 agents")

    @field_validator("sigma2")
    @classmethod
    def _sigma2(cls, v: float) -> float:
        if not (math.isfinite(v) and v > 0):
            raise ValueError("must be a finite number > 0")
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
        if isinstance(value, str):
            ctx = info.context or {}
            source = ctx.get("source", "<memory>")
            frame = read_table(value, ["name", "c"], ctx.get("base_dir"), source)
            rows = []
            for r in frame.to_dict("records"):
                try:
                    c = float(r["c"])
                except (TypeError, ValueError):
                    c = r["c"]
                rows.append({"name": str(r["name"]), "c": c})
            return rows
        return value

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
    @property
    def n(self) -> int:
        """Number of agents n."""
        return len(self.players)

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
        """Agent names in the sorted order of :attr:`c`."""
        players = self.players
        if isinstance(players, PlayerColumns):
            nm = players.names
            return [nm[i] for i in self.order.tolist()]
        return [players[i].name for i in self.order.tolist()]

    def index_of(self, names: list[str] | tuple[str, ...], field: str = "coalition") -> list[int]:
        """Sorted positions (0-based) of the named agents; unknown or repeated names are an InputError."""
        from coopt.errors import InputError

        pos = {nm: i for i, nm in enumerate(self.names)}
        out = []
        for nm in names:
            if nm not in pos:
                raise InputError(f"option '{field}' names unknown agent {nm!r} (agents: {', '.join(self.names)})")
            out.append(pos[nm])
        if len(set(out)) != len(out):
            raise InputError(f"option '{field}' = {','.join(names)}: an agent is named twice")
        return sorted(out)


def from_costs(c: Any, sigma2: float, alpha: float, name: str = "generated",
               names: list[str] | None = None) -> DpShareInstance:
    """An in-memory instance from a cost vector (agents named a1..an unless ``names`` is given)."""
    from coopt.data.base import validate

    arr = np.asarray(c, dtype=float).reshape(-1)
    nm = names or list(map("a{}".format, range(1, len(arr) + 1)))
    players: Any = columns(nm, arr, names is None) if len(arr) > ROWS_ABOVE else None  # None: row by row
    if players is None:
        players = [{"name": a, "c": x} for a, x in zip(nm, arr.tolist())]
    data = {"family": "dpshare", "name": name, "sigma2": float(sigma2), "alpha": float(alpha), "players": players}
    return validate(DpShareInstance, data)  # type: ignore[return-value]

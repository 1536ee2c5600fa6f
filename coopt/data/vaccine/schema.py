"""Instances of the vaccine-sharing game (paper `vaccine-fair-allocation.md`, Sections 3, 6, 7, App. C).

Players (regions / health agencies) have a size M_i (inhabitants), resources r_i (vaccine doses)
and an S-shaped return function F_i (fraction escaping infection per inhabitant). YAML::

    family: vaccine
    name: us-hhs-2009
    epsilon: 1.0e-5                              # slack of the epsilon-core (Section 6.1)
    resources: {total: 3.0e7, split: pro-rata}   # or give r per player
    players: regions.csv                         # or an inline list
    return_function: {type: sir, tau: 10, infectious_days: 2.3, initial_infected_fraction: 1.0e-4}

A player's own ``return_function`` (inline) or its CSV columns ``type`` and the parameter names
(e.g. a ``sigma`` column) override the shared one: parameters are merged into the shared
function when the type is the same (or not given), replace it when the type differs.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from coopt.data.base import Instance, Name, PlayerList, Real, Record, read_table, register_family
from coopt.data.vaccine.returns import ReturnFunction, make_return_function

R_MAX_PER_CAPITA = 100.0  # a "sensible range": at most 100 doses per inhabitant
#: largest player size M_i (inhabitants; the world has ~8e9)
M_MAX = 1e13
#: most players of an instance (methods that enumerate coalitions have their own, smaller limits)
MAX_PLAYERS = 10_000
#: most players a method that enumerates the 2^n coalitions accepts (exact v(S), heuristic repair)
ENUMERATION_MAX_PLAYERS = 16


def check_enumerable(n: int, method: str, what: str = "vaccine") -> None:
    """Refuse (one-line InputError, exit 2) a 2^n enumeration over more than ENUMERATION_MAX_PLAYERS."""
    from coopt.errors import InputError

    if n > ENUMERATION_MAX_PLAYERS:
        raise InputError(f"{what}: {n} players; the {method} method enumerates 2^n subsets; "
                         f"n <= {ENUMERATION_MAX_PLAYERS}; use --solver scip or the constraint-generation core")


class Player(Record):
    """One region: name, size M > 0, resources r >= 0 (optional), own return function (optional)."""

    name: Name = Field(..., description="player (region) name, unique")
    M: Real = Field(..., description=f"size M_i (inhabitants), 0 < M <= {M_MAX:g}")
    r: Real | None = Field(None, description=f"resources r_i (doses), 0 <= r <= {R_MAX_PER_CAPITA:g} M")
    return_function: dict[str, Any] | None = Field(
        None, description="the player's own return function (overrides / completes the shared one)")

    @field_validator("M")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not (math.isfinite(v) and 0 < v <= M_MAX):
            raise ValueError(f"size M must satisfy 0 < M <= {M_MAX:g}, got {v:g}")
        return v

    @model_validator(mode="after")
    def _r_range(self) -> Player:
        if self.r is not None and not (math.isfinite(self.r) and 0 <= self.r <= R_MAX_PER_CAPITA * self.M):
            raise ValueError(f"player {self.name!r}: resources r = {self.r} out of range "
                             f"(allowed: 0 <= r <= {R_MAX_PER_CAPITA:g} M = {R_MAX_PER_CAPITA * self.M:g})")
        return self


class Resources(Record):
    """A total stock V split over the players (the CDC's pro-rata rule of Section 7.1)."""

    total: Real = Field(..., description="total stock V = R(N) (doses), V >= 0")
    split: str = Field("pro-rata", description="how V is split: pro-rata (r_i = V M_i / sum M) or equal")

    @field_validator("total")
    @classmethod
    def _total(cls, v: float) -> float:
        if not (math.isfinite(v) and v >= 0):
            raise ValueError(f"resources.total must be a finite number >= 0, got {v}")
        return v

    @field_validator("split")
    @classmethod
    def _split(cls, v: str) -> str:
        if v not in ("pro-rata", "equal"):
            raise ValueError("must be pro-rata or equal")
        return v


_PLAYER_COLUMNS = ("name", "M", "r")


@register_family("vaccine")
class VaccineInstance(PlayerList, Instance):
    """Players with sizes M_i, resources r_i and S-shaped return functions F_i (Problem (1))."""

    table_fields: ClassVar[tuple[str, ...]] = ("players",)

    family: str = Field("vaccine", description="family name, 'vaccine'")
    epsilon: Real = Field(1.0e-5, description="absolute slack of the epsilon-core (Section 6.1), "
                           "0 <= epsilon <= 1e15")
    resources: Resources | None = Field(
        None, description="{total: V, split: pro-rata|equal}, or null when every player has its own r")
    players: tuple[Player, ...] = Field(
        ..., description="players (inline list of {name, M, r, return_function} or a CSV with columns "
        f"name, M, r (optional), type and parameter names), 1 to {MAX_PLAYERS} players")
    return_function: dict[str, Any] | None = Field(
        None, description="shared return function {type: logistic|ginsberg|sir, parameters...}")

    _functions: dict[str, ReturnFunction] = PrivateAttr(default_factory=dict)

    @field_validator("epsilon")
    @classmethod
    def _eps(cls, v: float) -> float:
        if not (math.isfinite(v) and 0 <= v <= 1e15):
            raise ValueError("must satisfy 0 <= epsilon <= 1e15")
        return v

    @field_validator("players", mode="before")
    @classmethod
    def _read_table(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        ctx = info.context or {}
        frame = read_table(value, ["name", "M"], ctx.get("base_dir"), ctx.get("source", "<memory>"),
                           numeric=("M",), optional_numeric=("r",))
        rows = []
        for rec in frame.to_dict("records"):
            row: dict[str, Any] = {"name": rec["name"], "M": rec["M"]}
            if "r" in rec and not _missing(rec["r"]):
                row["r"] = rec["r"]
            params = {k: _number_or_text(v) for k, v in rec.items()
                      if k not in _PLAYER_COLUMNS and not _missing(v)}
            if params:
                row["return_function"] = params
            rows.append(row)
        return rows

    @model_validator(mode="after")
    def _check(self) -> VaccineInstance:
        if self.family != "vaccine":
            raise ValueError("family must be 'vaccine'")
        if not self.players:
            raise ValueError("players: at least one player is needed")
        if len(self.players) > MAX_PLAYERS:
            raise ValueError(f"players: {len(self.players)} players; at most {MAX_PLAYERS}")
        names = [p.name for p in self.players]
        if len(set(names)) != len(names):
            raise ValueError(f"players: duplicate names {sorted({x for x in names if names.count(x) > 1})}")
        has_r = [p.r is not None for p in self.players]
        if self.resources is not None and any(has_r):
            raise ValueError("give either resources {total, split} or a per-player r, not both")
        if self.resources is None and not all(has_r):
            missing = [p.name for p in self.players if p.r is None]
            raise ValueError(f"players {missing} have no resources r (or give resources: {{total, split}})")
        if self.resources is not None:
            total_M = sum(p.M for p in self.players)
            if self.resources.total > R_MAX_PER_CAPITA * total_M:
                raise ValueError(f"resources.total = {self.resources.total:g} out of range "
                                 f"(allowed: 0 <= V <= {R_MAX_PER_CAPITA:g} sum M = {R_MAX_PER_CAPITA * total_M:g})")
        funcs = {}
        for p in self.players:
            spec = _merge(self.return_function, p.return_function)
            if spec is None:
                raise ValueError(f"player {p.name!r}: no return function (give return_function, shared or own)")
            try:
                funcs[p.name] = make_return_function(spec)
            except ValueError as err:
                raise ValueError(f"player {p.name!r}: {err}") from None
        self._functions = funcs
        return self

    # ------------------------------------------------------------------ views used by the models
    @property
    def names(self) -> tuple[str, ...]:
        """Player names in file order (positions of :meth:`index_of` refer to it)."""
        return tuple(p.name for p in self.players)

    @property
    def M(self) -> np.ndarray:
        """Sizes M_i in file order."""
        return np.array([p.M for p in self.players], dtype=float)

    @property
    def r(self) -> np.ndarray:
        """Resources r_i in file order (from the per-player r or the split of resources.total)."""
        if self.resources is None:
            return np.array([float(p.r) for p in self.players])
        M = self.M
        V = self.resources.total
        if self.resources.split == "equal":
            return np.full(len(M), V / len(M))
        return V * M / M.sum()

    def resources_by_player(self) -> dict[str, float]:
        """{name: r_i}."""
        return dict(zip(self.names, map(float, self.r)))

    def return_functions(self) -> dict[str, ReturnFunction]:
        """{name: F_i} (built and checked against Assumption 1 at load time)."""
        return dict(self._functions)

    @property
    def functions(self) -> list[ReturnFunction]:
        """F_i in file order."""
        return [self._functions[nm] for nm in self.names]


def _number_or_text(v: Any) -> Any:
    """A CSV parameter cell: a float when it reads as a number, else the text (``type``, ``variant``)."""
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return v


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _merge(shared: dict[str, Any] | None, own: dict[str, Any] | None) -> dict[str, Any] | None:
    if own is None:
        return dict(shared) if shared is not None else None
    if shared is None or ("type" in own and own["type"] != shared.get("type")):
        return dict(own)
    return {**shared, **own}


__all__ = ["ENUMERATION_MAX_PLAYERS", "MAX_PLAYERS", "Player", "Resources", "VaccineInstance", "check_enumerable"]

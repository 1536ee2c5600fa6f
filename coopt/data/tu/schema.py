"""Schema of a TU game file (family ``tu``): players and the value v(S) of every coalition.

YAML::

    family: tu
    name: my-game
    players: [a, b, c]        # unique names (optional: default = order of first appearance)
    values:                   # v(S) of every non-empty coalition; key = member names joined by '+'
      a: 0
      a+b: 10
      ...
    missing: error            # error (default) | zero: what a coalition absent from `values` is worth

or a two-column CSV ``coalition,value`` (players in order of first appearance), loaded by
``coopt.load("game.csv")`` / ``--data game.csv``; ``values: file.csv`` in the YAML reads the same table.
The game's compact arrays (`coopt.data.tu.game.TUGame`) are built once, at load time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from coopt.data.base import Instance, register_family
from coopt.data.tu.game import MAX_PLAYERS, SparseTUGame, TUGame
from coopt.data.tu.table import MISSING, GameFileError, game_from_table
from coopt.errors import InputError


@register_family("tu")
class TUInstance(Instance):
    """A transferable-utility game (N, v) given by a table of coalition values."""

    family: str = "tu"
    players: list[str] | None = Field(None, description=f"unique player names, at most {MAX_PLAYERS} "
                                                        "(default: order of first appearance in values)")
    values: dict[Any, Any] | str = Field(..., description="v(S) per non-empty coalition, key = names joined by "
                                                          "'+', value a finite number; or a CSV file coalition,value")
    missing: str = Field("error", description="value of a coalition absent from values: error | zero")

    _game: TUGame | None = PrivateAttr(default=None)

    @field_validator("missing")
    @classmethod
    def _missing(cls, v: str) -> str:
        if v not in MISSING:
            raise ValueError("must be 'error' or 'zero'")
        return v

    @model_validator(mode="after")
    def _build(self, info: ValidationInfo) -> TUInstance:
        ctx = info.context or {}
        source = ctx.get("source", "<memory>")
        values = self.values
        try:
            if isinstance(values, str):
                from coopt.data.tu.loader import read_csv_table
                from coopt.data.tu.table import game_from_arrays

                base = ctx.get("base_dir")
                path = Path(values) if Path(values).is_absolute() or base is None else Path(base) / values
                keys, vals = read_csv_table(path)
                game = game_from_arrays(keys, vals, self.players, self.missing, source=path.name)
            else:
                game = game_from_table(values, self.players, self.missing, source=source)
        except InputError as err:
            raise GameFileError(f"{source}: {err}") from None
        self._game = game
        return self

    @property
    def game(self) -> TUGame | SparseTUGame:
        """The game's compact arrays (built at load time)."""
        assert self._game is not None
        return self._game

    @property
    def names(self) -> tuple[str, ...]:
        return self.game.names

    def digest(self) -> str:
        """SHA-256 of the names and the value table (fast for 2^n values)."""
        g = self.game
        h = hashlib.sha256("\x1f".join(g.names).encode())
        if isinstance(g, SparseTUGame):
            h.update(np.ascontiguousarray(g.masks).tobytes())
            h.update(np.ascontiguousarray(g.vals).tobytes())
        else:
            h.update(np.ascontiguousarray(g.v).tobytes())
        return h.hexdigest()[:16]


def from_game(game: TUGame, name: str = "game") -> TUInstance:
    """A :class:`TUInstance` wrapping an already built game (no table re-parsing)."""
    inst = TUInstance.model_construct(family="tu", name=name, players=list(game.names), values={}, missing="error")
    inst._game = game
    return inst


__all__ = ["TUInstance", "from_game"]

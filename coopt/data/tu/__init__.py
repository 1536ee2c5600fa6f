"""Transferable-utility games given by a table of coalition values v(S) (YAML or two-column CSV)."""

from coopt.data.tu.game import TUGame
from coopt.data.tu.schema import TUInstance, from_game

__all__ = ["TUGame", "TUInstance", "from_game"]

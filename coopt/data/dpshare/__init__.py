"""Instances of the data-sharing privacy-coalition paper (Bassily, Donahue, Sen, Zhao & Ziani)."""

from coopt.data.dpshare.schema import DpShareInstance, Player, from_costs

__all__ = ["DpShareInstance", "Player", "from_costs"]

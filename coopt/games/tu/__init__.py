"""Transferable-utility games: core, least core, nucleolus, Shapley and Banzhaf values, with certificates."""

"""Transferable-utility games given by a table of coalition values v(S) (YAML or two-column CSV)."""

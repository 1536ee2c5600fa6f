"""Data layer: validated instances from YAML/CSV, and the bundled instances of the papers."""

from coopt.data.base import Instance, bundled, families, load, read_table, register_family

__all__ = ["Instance", "bundled", "families", "load", "read_table", "register_family"]

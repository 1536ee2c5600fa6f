"""Instances of the critical-IT-infrastructure coalition paper (Guo, Liu & Nault)."""

from coopt.data.itinfra.schema import ItInfraInstance

__all__ = ["ItInfraInstance"]

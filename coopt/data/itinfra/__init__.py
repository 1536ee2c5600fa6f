"""Instances of the critical-IT-infrastructure coalition paper (Guo, Liu & Nault).

Family ``itinfra``: homogeneous districts (section 3). Family ``itinfra-het``: districts with their
own unit costs (Appendix B, any number of cost types).
"""

from coopt.data.itinfra import heterogeneous  # noqa: F401  (registers family itinfra-het)
from coopt.data.itinfra.schema import N_MAX, ItInfraInstance

__all__ = ["N_MAX", "ItInfraInstance"]

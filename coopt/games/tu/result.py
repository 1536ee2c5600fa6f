"""The Result of a TU problem: the common :class:`Result` plus game-specific certificate entries.

``certificate`` in ``--format json`` gains, depending on the problem: ``verified`` /
``verified_exact`` (Kohlberg criterion), ``separation_bound``, ``rounds``, ``coalitions_generated``,
``worst_value_gap``, ``lower`` / ``upper`` (proven bounds on e*), ``max_excess_recomputed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coopt.solve.result import Result, _clean


@dataclass
class TUResult(Result):
    """A :class:`Result` whose JSON certificate carries the game's own proof entries."""

    certificate_extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d.pop("certificate_extra", None)
        d["certificate"].update(_clean(self.certificate_extra))
        return d


__all__ = ["TUResult"]

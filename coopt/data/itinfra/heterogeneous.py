"""Heterogeneous itinfra instances (paper `itinfra-coalition-formation.md`, Appendix B).

Districts differ in their unit resource cost p (Appendix B has two types, p_H > p_L; coopt takes a
table of districts with any number of distinct costs). Districts with the same p form a cost type;
a coalition is described by its composition (j_1, ..., j_K): how many districts of each type joined.
Types are ordered by decreasing p (type 1 = highest cost, the paper's H).

YAML::

    family: itinfra-het
    name: two-types
    kappa: 0.35          # spillover weight, 0 <= kappa < 0.5 (Appendix B divides by 1 - 2 kappa)
    beta: 0.7            # relative interoperability, 0 <= beta <= 1
    alpha: 0.5           # coalition economy of scale, 0 < alpha < 1
    districts: two-types.csv   # CSV with columns name, p (or an inline list of {name, p})
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from coopt.data.base import Instance, Name, PlayerList, Real, Record, read_table, register_family
from coopt.data.itinfra.schema import ALPHA_MIN, N_MAX, P_MAX, P_MIN

#: most coalition compositions prod_t (n_t + 1) an instance may have (itinfra.heterogeneous solves
#: Stage 2 once per composition)
MAX_COMPOSITIONS = 5000


class District(Record):
    """One district: its name and unit resource cost p > 0."""

    name: Name = Field(..., description="district name, unique")
    p: Real = Field(..., ge=P_MIN, le=P_MAX,
                     description=f"unit resource cost of this district, {P_MIN:g} <= p <= {P_MAX:g}")


@register_family("itinfra-het")
class ItInfraHetInstance(PlayerList, Instance):
    """Districts with their own unit costs p (Appendix B, generalised to any number of cost types)."""

    table_fields: ClassVar[tuple[str, ...]] = ("districts",)

    family: str = Field("itinfra-het", description="family name, 'itinfra-het'")
    kappa: Real = Field(..., ge=0.0, le=0.5 - 1e-6,
                         description="spillover weight on other districts' resources, 0 <= kappa <= 0.499999 "
                         "(Appendix B divides by 1 - 2 kappa)")
    beta: Real = Field(..., ge=0.0, le=1.0, description="relative interoperability outside the coalition, 0..1")
    alpha: Real = Field(..., ge=ALPHA_MIN, lt=1.0,
                         description=f"coalition economy of scale, {ALPHA_MIN:g} <= alpha < 1 (paper: 0 < alpha < 1)")
    gamma: Real = Field(0.0, ge=0.0, le=1e6,
                         description="planner's opportunity cost per unit of incentive, 0 <= gamma <= 1e6")
    districts: tuple[District, ...] = Field(
        ..., description=f"table of districts (CSV path with columns name, p, or a list), 2 to {N_MAX} districts")

    @field_validator("districts", mode="before")
    @classmethod
    def _read_table(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            ctx = info.context or {}
            frame = read_table(value, ["name", "p"], ctx.get("base_dir"), ctx.get("source", "<memory>"),
                               numeric=("p",))
            return [{"name": nm, "p": p} for nm, p in zip(frame["name"].tolist(), frame["p"].tolist())]
        return value

    @model_validator(mode="after")
    def _check(self) -> ItInfraHetInstance:
        if self.family != "itinfra-het":
            raise ValueError("family must be 'itinfra-het'")
        if len(self.districts) < 2:
            raise ValueError("districts: at least 2 districts are needed for a coalition")
        if len(self.districts) > N_MAX:
            raise ValueError(f"districts: {len(self.districts)} districts; at most {N_MAX}")
        names = [d.name for d in self.districts]
        if len(set(names)) != len(names):
            raise ValueError(f"districts: duplicate district names {sorted({x for x in names if names.count(x) > 1})}")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """District names in file order."""
        return tuple(d.name for d in self.districts)

    @property
    def compositions_count(self) -> int:
        """Number of compositions (j_1, ..., j_K), 0 <= j_t <= n_t: prod_t (n_t + 1)."""
        return math.prod(c + 1 for c in self.counts)

    def check_compositions(self, what: str = "itinfra.heterogeneous") -> None:
        """Refuse (one line, exit 2) an enumeration over more than MAX_COMPOSITIONS compositions."""
        from coopt.errors import InputError

        k = self.compositions_count
        if k > MAX_COMPOSITIONS:
            raise InputError(f"{what}: {self.source}: {k} coalition compositions prod(n_t + 1) over {len(self.counts)} "
                             f"cost types; the enumeration supports at most {MAX_COMPOSITIONS} (group districts "
                             "into fewer cost types, or solve one composition with itinfra.het_coordinator)")

    @property
    def costs(self) -> tuple[float, ...]:
        """The distinct unit costs, decreasing (type 1 = highest cost, the paper's H)."""
        return tuple(sorted({d.p for d in self.districts}, reverse=True))

    @property
    def counts(self) -> tuple[int, ...]:
        """Number of districts of each cost type, in the order of :attr:`costs`."""
        return tuple(sum(1 for d in self.districts if d.p == c) for c in self.costs)

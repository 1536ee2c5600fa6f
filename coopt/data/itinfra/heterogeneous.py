"""Heterogeneous itinfra instances (Guo, Liu & Nault (2024), Appendix B;
docs/derivations/itinfra.md#heterogeneous).

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

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from coopt.data.base import Instance, read_table, register_family


class District(BaseModel):
    """One district: its name and unit resource cost p > 0."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(..., description="district name")
    p: float = Field(..., gt=0.0, description="unit resource cost of this district, p > 0")


@register_family("itinfra-het")
class ItInfraHetInstance(Instance):
    """Districts with their own unit costs p (Appendix B, generalised to any number of cost types)."""

    table_fields: ClassVar[tuple[str, ...]] = ("districts",)

    family: str = Field("itinfra-het", description="family name, 'itinfra-het'")
    kappa: float = Field(..., ge=0.0, lt=0.5,
                         description="spillover weight on other districts' resources, 0 <= kappa < 0.5")
    beta: float = Field(..., ge=0.0, le=1.0, description="relative interoperability outside the coalition, 0..1")
    alpha: float = Field(..., gt=0.0, lt=1.0, description="coalition economy of scale, 0 < alpha < 1")
    gamma: float = Field(0.0, ge=0.0, description="planner's opportunity cost per unit of incentive, gamma >= 0")
    districts: tuple[District, ...] = Field(
        ..., description="table of districts (CSV path with columns name, p, or a list), at least 2 districts")

    @field_validator("districts", mode="before")
    @classmethod
    def _read_table(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            ctx = info.context or {}
            frame = read_table(value, ["name", "p"], ctx.get("base_dir"), ctx.get("source", "<memory>"))
            return [{"name": str(r["name"]), "p": float(r["p"])} for r in frame.to_dict("records")]
        return value

    @model_validator(mode="after")
    def _check(self) -> ItInfraHetInstance:
        if self.family != "itinfra-het":
            raise ValueError("family must be 'itinfra-het'")
        if len(self.districts) < 2:
            raise ValueError("districts: at least 2 districts are needed for a coalition")
        names = [d.name for d in self.districts]
        if len(set(names)) != len(names):
            raise ValueError(f"districts: duplicate district names {sorted({x for x in names if names.count(x) > 1})}")
        return self

    @property
    def n(self) -> int:
        """Number of districts."""
        return len(self.districts)

    @property
    def costs(self) -> tuple[float, ...]:
        """The distinct unit costs, decreasing (type 1 = highest cost, the paper's H)."""
        return tuple(sorted({d.p for d in self.districts}, reverse=True))

    @property
    def counts(self) -> tuple[int, ...]:
        """Number of districts of each cost type, in the order of :attr:`costs`."""
        return tuple(sum(1 for d in self.districts if d.p == c) for c in self.costs)

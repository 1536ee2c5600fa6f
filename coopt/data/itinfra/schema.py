"""The homogeneous itinfra instance (Guo, Liu & Nault (2024), section 3;
docs/derivations/itinfra.md#model).

n districts decide whether to join one coalition for critical IT infrastructure. A district's
benefit (eq. 1) weighs its own resource by 1 - kappa and the others' by kappa (by kappa*beta
across the coalition boundary); a coalition pays alpha * p * (sum of members' g)^2 (eq. 2), an
outside district p * g^2.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from coopt.data.base import Instance, register_family


@register_family("itinfra")
class ItInfraInstance(Instance):
    """Homogeneous districts: n, kappa, beta, alpha, p, g_max, gamma (section 3 of the paper)."""

    family: str = Field("itinfra", description="family name, 'itinfra'")
    n: int = Field(..., ge=2, description="number of districts, integer n >= 2")
    kappa: float = Field(
        ..., ge=0.0, le=0.5, description="spillover weight on other districts' resources, 0 <= kappa <= 0.5"
    )
    beta: float = Field(
        ...,
        ge=0.0,
        le=1.0,
        description="relative interoperability outside the coalition, 0 <= beta <= 1 "
        "(main results: 1/2 < beta <= 1; Appendix C: beta <= 1/2)",
    )
    alpha: float = Field(..., gt=0.0, lt=1.0, description="coalition economy of scale, 0 < alpha < 1")
    p: float = Field(1.0, gt=0.0, description="unit resource cost coefficient, p > 0")
    g_max: float | None = Field(
        None, gt=0.0, description="upper bound g-bar on each district's resource, > 0 or null (none)"
    )
    gamma: float = Field(0.0, ge=0.0, description="planner's opportunity cost per unit of incentive, gamma >= 0")

    @model_validator(mode="after")
    def _family(self) -> ItInfraInstance:
        if self.family != "itinfra":
            raise ValueError("family must be 'itinfra'")
        return self

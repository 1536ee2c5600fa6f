"""The homogeneous itinfra instance (paper `itinfra-coalition-formation.md`, section 3).

n districts decide whether to join one coalition for critical IT infrastructure. A district's
benefit (eq. 1) weighs its own resource by 1 - kappa and the others' by kappa (by kappa*beta
across the coalition boundary); a coalition pays alpha * p * (sum of members' g)^2 (eq. 2), an
outside district p * g^2.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from coopt.data.base import Instance, Integer, Real, register_family

#: most districts an instance may have: every itinfra problem solves one Stage-2 model per coalition
#: size with up to n variables, so the work grows like n^2 (the paper's figures use n <= 50)
N_MAX = 1000
#: smallest alpha: the coalition's resource grows like 1/alpha (squared in the payoffs), so smaller values
#: leave floating point; the paper's figures use 0.01 <= alpha <= 0.99
ALPHA_MIN = 1e-6
#: range of the unit cost p (resources scale like 1/p)
P_MIN, P_MAX = 1e-6, 1e6


@register_family("itinfra")
class ItInfraInstance(Instance):
    """Homogeneous districts: n, kappa, beta, alpha, p, g_max, gamma (section 3 of the paper)."""

    family: str = Field("itinfra", description="family name, 'itinfra'")
    n: Integer = Field(..., ge=2, le=N_MAX, description=f"number of districts, integer 2 <= n <= {N_MAX}")
    kappa: Real = Field(
        ..., ge=0.0, le=0.5, description="spillover weight on other districts' resources, 0 <= kappa <= 0.5"
    )
    beta: Real = Field(
        ...,
        ge=0.0,
        le=1.0,
        description="relative interoperability outside the coalition, 0 <= beta <= 1 "
        "(main results: 1/2 < beta <= 1; Appendix C: beta <= 1/2)",
    )
    alpha: Real = Field(..., ge=ALPHA_MIN, lt=1.0,
                         description=f"coalition economy of scale, {ALPHA_MIN:g} <= alpha < 1 (paper: 0 < alpha < 1)")
    p: Real = Field(1.0, ge=P_MIN, le=P_MAX,
                     description=f"unit resource cost coefficient, {P_MIN:g} <= p <= {P_MAX:g}")
    g_max: Real | None = Field(
        None, gt=0.0, le=1e12, description="upper bound g-bar on each district's resource, 0 < g_max <= 1e12 or null"
    )
    gamma: Real = Field(0.0, ge=0.0, le=1e6,
                         description="planner's opportunity cost per unit of incentive, 0 <= gamma <= 1e6")

    @model_validator(mode="after")
    def _family(self) -> ItInfraInstance:
        if self.family != "itinfra":
            raise ValueError("family must be 'itinfra'")
        return self

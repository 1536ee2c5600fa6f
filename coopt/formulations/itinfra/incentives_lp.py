"""The planner's alpha-aware incentive LP (section 7; not in the paper, an alternative to its schedule).

problem: (used by itinfra.incentives) | class: LP | layer: Pyomo | solvers: highs, scip

Given the join gains without incentive D0(j) (D0(2) = S_in(2) - S_single, D0(j) = S_in(j) - S_out(j-1),
from Stage-2 solves at the true alpha) and a target size j* (the social optimum), choose phi_2..phi_n to

    max  SW(j*) - (1+gamma) j* phi_{j*}    (section 7's planner; SW(j*) is fixed, so: least budget)
    s.t. D0(j) + phi_j >= margin   for 2 <= j <= j*   (members of every size up to j* stay: (23)/(24)/(26))
         D0(j) + phi_j <= -margin  for j* < j <= n    (outsiders of j* stay out, (25)/(27); larger sizes shrink)

These strict conditions make j* the unique equilibrium of (23)-(28): every smaller size has an outsider who
gains by joining, every larger size a member who gains by leaving. Ties among schedules with the same budget
are broken by the smallest total |phi_j| (weight ``tie_weight`` on auxiliary t_j >= |phi_j|).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyomo.environ as pyo

#: the problem class of what :func:`build` returns (the incentive LP), passed to ``solve``
PROBLEM_CLASS = "LP"


def build(n: int, target: int, D0: Mapping[int, float], gamma: float = 0.0, margin: float = 1e-6,
          tie_weight: float = 1e-3) -> pyo.ConcreteModel:
    """The incentive LP for target size ``target`` (0 = singleton) given join gains ``D0`` by size."""
    m = pyo.ConcreteModel(name="itinfra.incentives_lp")
    m.sizes = pyo.RangeSet(2, n, doc="coalition sizes 2..n")
    m.D0 = pyo.Param(m.sizes, initialize={j: float(D0[j]) for j in range(2, n + 1)}, mutable=True,
                     doc="join gain without incentive D0(j)")
    m.margin = pyo.Param(initialize=margin, mutable=True, doc="strictness margin of the IC conditions")
    m.phi = pyo.Var(m.sizes, doc="incentive per member of a size-j coalition (subsidy > 0, tax < 0)")
    m.t = pyo.Var(m.sizes, bounds=(0, None), doc="|phi_j| (tie-break only)")
    m.abs_hi = pyo.Constraint(m.sizes, rule=lambda m, j: m.t[j] >= m.phi[j])
    m.abs_lo = pyo.Constraint(m.sizes, rule=lambda m, j: m.t[j] >= -m.phi[j])
    m.stay_in = pyo.Constraint(
        [j for j in range(2, n + 1) if j <= target],
        rule=lambda m, j: m.D0[j] + m.phi[j] >= m.margin,
        doc="(23), (24), (26): a member of a size-j coalition, j <= j*, does not gain by leaving")
    m.stay_out = pyo.Constraint(
        [j for j in range(2, n + 1) if j > target],
        rule=lambda m, j: m.D0[j] + m.phi[j] <= -m.margin,
        doc="(25), (27), (28): an outsider of a size-(j-1) structure, j > j*, does not gain by joining")
    budget = (1 + gamma) * target * m.phi[target] if target >= 2 else 0.0
    m.cost = pyo.Objective(expr=budget + tie_weight * sum(m.t[j] for j in m.sizes), sense=pyo.minimize,
                           doc="(1+gamma) j* phi_{j*} (maximises SW(j*) - (1+gamma) j* phi_{j*}) + tie-break")
    return m

"""An outside district's best response (itinfra paper, section 4.2, eq. 6).

problem: itinfra.outside | class: concave QP | layer: Pyomo | solvers: highs, ipopt, scip

District i outside a size-j coalition maximises its surplus

    S_i(j) = (1-kappa) g_i + kappa beta [ sum_{l <= j} g_l(j) + sum_{l > j, l != i} g_l ] - p g_i^2     (6)

over 0 <= g_i <= g_max, with the coalition at its total G(j) and the other outsiders at their
level. The others enter additively, so the optimum g_out = (1-kappa)/(2p) (eq. 7) is a dominant
strategy, independent of j. With j = 0 it is the singleton structure's problem.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from coopt.data.itinfra import N_MAX, ItInfraInstance
from coopt.errors import InputError
from coopt.formulations.base import Formulation, Option, Problem
from coopt.formulations.itinfra import closed_form as cf


def surplus(m: pyo.ConcreteModel) -> Any:
    """S_i(j), eq. (6): own benefit plus the cross-boundary spillover, minus p g_i^2."""
    others = m.inside_total + (m.n - m.j - 1) * m.g_others
    return (1 - m.kappa) * m.g_i + m.kappa * m.beta * others - m.p * m.g_i**2


def build(inst: ItInfraInstance, j: int = 2, inside_total: float | None = None,
          g_others: float | None = None) -> pyo.ConcreteModel:
    """Outsider i's QP given coalition size j (0 = singleton structure), eq. (6).

    ``inside_total`` is the coalition's total resource (default G*(j) of eq. 4); ``g_others`` the
    other outsiders' level (default eq. 7).
    """
    if not (j == 0 or 2 <= j <= inst.n - 1):
        raise InputError(f"option 'j' = {j}: an outsider exists for j = 0 (singleton) or 2 <= j <= n-1 = {inst.n - 1}")
    m = pyo.ConcreteModel(name="itinfra.outside")
    m.j = pyo.Param(initialize=j, mutable=True, doc="coalition size j (0: no coalition)")
    m.n = pyo.Param(initialize=inst.n, mutable=True, doc="number of districts n")
    m.kappa = pyo.Param(initialize=inst.kappa, mutable=True, doc="spillover weight kappa")
    m.beta = pyo.Param(initialize=inst.beta, mutable=True, doc="relative interoperability outside, beta")
    m.p = pyo.Param(initialize=inst.p, mutable=True, doc="unit resource cost p")
    default_total = 0.0 if j == 0 else cf.total_inside(j, inst.kappa, inst.alpha, inst.p)
    m.inside_total = pyo.Param(initialize=default_total if inside_total is None else inside_total,
                               mutable=True, doc="coalition's total resource G(j)")
    m.g_others = pyo.Param(initialize=cf.g_out(inst.kappa, inst.p) if g_others is None else g_others,
                           mutable=True, doc="other outsiders' resource level")
    m.g_i = pyo.Var(bounds=(0, inst.g_max), initialize=0.0, doc="outside district i's resource level")
    m.surplus = pyo.Objective(rule=surplus, sense=pyo.maximize, doc="S_i(j), eq. (6)")
    return m


def solution(result: Any, model: pyo.ConcreteModel, inst: ItInfraInstance, j: int = 2) -> dict[str, Any]:
    return {"j": j, "g_out": pyo.value(model.g_i), "S_out": pyo.value(model.surplus)}


def closed_form(inst: ItInfraInstance, j: int = 2) -> dict[str, float]:
    """Eq. (7) g_out and, with the defaults, eq. (8) S_out(j) or eq. (9) S_single."""
    k, b, a, p, n = inst.kappa, inst.beta, inst.alpha, inst.p, inst.n
    go = float(cf.g_out(k, p))
    if inst.g_max is not None and go > inst.g_max:
        return {}
    s = cf.S_single(n, k, b, p) if j == 0 else cf.S_out(j, n, k, b, a, p)
    return {"g_i": go, "g_out": go, "objective": float(s), "S_out": float(s)}


PROBLEM = Problem(
    name="itinfra.outside",
    family="itinfra",
    summary="An outside district's best response to a size-j coalition (j = 0: singleton structure)",
    paper="itinfra-coalition-formation.md, section 4.2",
    equations="(6)-(9)",
    options={"j": Option(int, 2, "coalition size j: 0 (singleton) or 2 <= j <= n-1", low=0, high=N_MAX)},
    formulations=(Formulation("qp", "pyomo", "QP", build, "univariate concave QP"),),
    solution=solution,
    closed_form=closed_form,
    default_solver="highs",
)

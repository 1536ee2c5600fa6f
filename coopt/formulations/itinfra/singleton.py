"""The singleton structure: no coalition, every district invests alone (itinfra paper, sections 3-4, eq. 9).

problem: itinfra.singleton | class: concave QP | layer: Pyomo | solvers: highs, ipopt, scip

With no coalition, district i maximises (1-kappa) g_i + kappa beta sum_{l != i} g_l - p g_i^2 (eq. 6 with
j = 0). The others enter additively, so the Nash equilibrium of the n districts is the maximiser of the
separable potential sum_i [(1-kappa) g_i - p g_i^2]: g_single = (1-kappa)/(2p) for every district, and the
surplus is S_single of eq. (9). The objective reported is the social welfare SW_single = n S_single.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from coopt.data.itinfra import ItInfraInstance
from coopt.formulations.base import Formulation, NotApplicable, Problem


def surplus(m: pyo.ConcreteModel, i: int) -> Any:
    """S_i with no coalition (eq. 6, j = 0): own weight, spillover kappa*beta from every other district, cost."""
    others = sum(m.g[l] for l in m.districts if l != i)
    return (1 - m.kappa) * m.g[i] + m.kappa * m.beta * others - m.p * m.g[i] ** 2


def build(inst: ItInfraInstance, **_: Any) -> pyo.ConcreteModel:
    """Every district's choice at once: the separable potential, with SW_single as an expression."""
    m = pyo.ConcreteModel(name="itinfra.singleton")
    m.districts = pyo.RangeSet(1, inst.n, doc="districts 1..n, all outside any coalition")
    m.kappa = pyo.Param(initialize=inst.kappa, mutable=True, doc="spillover weight kappa")
    m.beta = pyo.Param(initialize=inst.beta, mutable=True, doc="relative interoperability beta")
    m.p = pyo.Param(initialize=inst.p, mutable=True, doc="unit resource cost p")
    m.g = pyo.Var(m.districts, bounds=(0, inst.g_max), initialize=0.0, doc="district i's resource level")
    m.S = pyo.Expression(m.districts, rule=surplus, doc="district i's surplus (eq. 6 with j = 0)")
    m.potential = pyo.Objective(expr=sum((1 - m.kappa) * m.g[i] - m.p * m.g[i] ** 2 for i in m.districts),
                                sense=pyo.maximize, doc="potential of the singleton game (own-choice terms)")
    return m


def solution(result: Any, model: pyo.ConcreteModel, inst: ItInfraInstance, **_: Any) -> dict[str, Any]:
    s = [float(pyo.value(model.S[i])) for i in model.districts]
    g = [float(pyo.value(model.g[i])) for i in model.districts]
    return {"g_single": sum(g) / len(g), "S_single": sum(s) / len(s), "SW_single": sum(s)}


def closed_form(inst: ItInfraInstance, **_: Any) -> dict[str, float]:
    """g_single = (1-kappa)/(2p) (eq. 7), S_single (eq. 9), SW_single = n S_single."""
    from coopt.formulations.itinfra import closed_form as cf

    g = float(cf.g_single(inst.kappa, inst.p))
    if inst.g_max is not None and g > inst.g_max:
        raise NotApplicable(f"the bound g_max = {inst.g_max} binds (eq. 7 gives {g:.6g})")
    s = float(cf.S_single(inst.n, inst.kappa, inst.beta, inst.p))
    return {"g_single": g, "S_single": s, "SW_single": inst.n * s}


#: The model in LaTeX as coded (the docs page and `coopt show itinfra.singleton` print it).
MATH = r"""
No coalition forms: every district $i\in D=\{1,\dots,n\}$ (`districts`) chooses $g_i\in[0,\bar g]$ (`g`)
against the others. Parameters (mutable): $\kappa$ `kappa`, $\beta$ `beta`, $p$ `p`.

District $i$'s surplus (the Pyomo `Expression` `S`, eq. (6) with $j=0$) is

$$
S_i=(1-\kappa)\,g_i+\kappa\beta\sum_{l\ne i}g_l-p\,g_i^2 .
$$

The others' levels enter additively, so the Nash equilibrium of the $n$ districts maximises the separable
potential (`potential`):

$$
\max_{0\le g\le\bar g}\quad \Phi(g)=\sum_{i\in D}\Big[(1-\kappa)\,g_i-p\,g_i^2\Big].
$$

The solution reports $g_{single}$ (mean of $g_i$), $S_{single}$ (mean of $S_i$) and
$SW_{single}=\sum_i S_i=nS_{single}$, compared with the closed forms

$$
g_{single}=\frac{1-\kappa}{2p}\ \text{(eq. (7))},\qquad
S_{single}=\frac{(1-\kappa)\big(\kappa(2\beta(n-1)-1)+1\big)}{4p}\ \text{(eq. (9))}.
$$

[Derivation](../derivations/itinfra.md#singleton).
"""


PROBLEM = Problem(
    name="itinfra.singleton",
    family="itinfra",
    summary="Singleton structure: every district's best response with no coalition, S_single and SW_single",
    paper="Guo, Liu & Nault (2024), section 4.2",
    equations="(6) with j = 0, (7), (9)",
    formulations=(Formulation("qp", "pyomo", "QP", build, "separable concave QP (potential of the n districts)"),),
    solution=solution,
    closed_form=closed_form,
    default_solver="highs",
    math=MATH,
    example={"data": "itinfra/paper-figure1", "solver": "highs"},
)

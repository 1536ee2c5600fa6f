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
from coopt.formulations.base import Formulation, NotApplicable, Option, Problem
from coopt.formulations.itinfra import closed_form as cf


def surplus(m: pyo.ConcreteModel) -> Any:
    """S_i(j), eq. (6): own benefit plus the cross-boundary spillover, minus p g_i^2."""
    others = m.inside_total + (m.n - m.j - 1) * m.g_others
    return (1 - m.kappa) * m.g_i + m.kappa * m.beta * others - m.p * m.g_i**2


def build(inst: ItInfraInstance, j: int = 2, inside_total: float | None = None,
          g_others: float | None = None, **_: Any) -> pyo.ConcreteModel:
    """Outsider i's QP given coalition size j (0 = singleton structure), eq. (6).

    ``inside_total`` is the coalition's total resource (default G*(j) of eq. 4); ``g_others`` the
    other outsiders' level (default eq. 7).
    """
    if not (j == 0 or 2 <= j <= inst.n - 1):
        raise InputError(f"option 'j' = {j}: an outsider exists for j = 0 (singleton) or 2 <= j <= n-1 = {inst.n - 1}")
    m = pyo.ConcreteModel(name="itinfra.outside")
    m.j = pyo.Param(initialize=j, doc="coalition size j (0: no coalition)")
    m.n = pyo.Param(initialize=inst.n, mutable=True, doc="number of districts n")
    m.kappa = pyo.Param(initialize=inst.kappa, mutable=True, doc="spillover weight kappa")
    m.beta = pyo.Param(initialize=inst.beta, mutable=True, doc="relative interoperability outside, beta")
    m.alpha = pyo.Param(initialize=inst.alpha, mutable=True, doc="coalition economy of scale alpha")
    m.p = pyo.Param(initialize=inst.p, mutable=True, doc="unit resource cost p")
    # derived levels are expressions of the parameters (changing kappa, alpha or p keeps them right)
    if inside_total is not None:
        m.inside_total = pyo.Param(initialize=inside_total, mutable=True, doc="coalition's total resource G(j) (given)")
    elif j == 0:
        m.inside_total = pyo.Expression(expr=0.0, doc="no coalition: G = 0")
    else:
        m.inside_total = pyo.Expression(expr=(1 + (j - 2) * m.kappa) / (2 * m.alpha * m.p),
                                        doc="coalition's total resource G*(j) = (1+(j-2)kappa)/(2 alpha p), eq. (4)")
    if g_others is not None:
        m.g_others = pyo.Param(initialize=g_others, mutable=True, doc="other outsiders' resource level (given)")
    else:
        m.g_others = pyo.Expression(expr=(1 - m.kappa) / (2 * m.p),
                                    doc="other outsiders' level, their best response (1-kappa)/(2p), eq. (7)")
    m.g_i = pyo.Var(bounds=(0, inst.g_max), initialize=0.0, doc="outside district i's resource level")
    m.surplus = pyo.Objective(rule=surplus, sense=pyo.maximize, doc="S_i(j), eq. (6)")
    return m


def solution(result: Any, model: pyo.ConcreteModel, inst: ItInfraInstance, j: int = 2, **_: Any) -> dict[str, Any]:
    return {"j": j, "g_out": pyo.value(model.g_i), "S_out": pyo.value(model.surplus)}


def closed_form(inst: ItInfraInstance, j: int = 2, **_: Any) -> dict[str, float]:
    """Eq. (7) g_out and, with the defaults, eq. (8) S_out(j) or eq. (9) S_single."""
    k, b, a, p, n = inst.kappa, inst.beta, inst.alpha, inst.p, inst.n
    go = float(cf.g_out(k, p))
    if inst.g_max is not None and go > inst.g_max:
        raise NotApplicable(f"the bound g_max = {inst.g_max} binds (eq. 7 gives {go:.6g})")
    s = cf.S_single(n, k, b, p) if j == 0 else cf.S_out(j, n, k, b, a, p)
    return {"g_i": go, "g_out": go, "objective": float(s), "S_out": float(s)}


#: The model in LaTeX as coded (the docs page and `coopt show itinfra.outside` print it).
MATH = r"""
District $i$ outside a size-$j$ coalition ($j=0$: no coalition, the singleton structure) chooses its own
level. Parameters (mutable): $n$ `n`, $\kappa$ `kappa`, $\beta$ `beta`, $\alpha$ `alpha`, $p$ `p` ($j$ `j` is
fixed at build). The coalition's total $G$ `inside_total` is $G^*(j)=\frac{1+(j-2)\kappa}{2\alpha p}$ of eq. (4)
($0$ for $j=0$) and the other outsiders' level $g_o$ `g_others` is $\frac{1-\kappa}{2p}$ (eq. (7)): Pyomo
`Expression`s of the parameters, or mutable `Param`s when the builder is given levels.

Variable: $g_i\in[0,\bar g]$ (`g_i`; no upper bound when `g_max` is null).

$$
\max_{0\le g_i\le\bar g}\quad S_i(j)=(1-\kappa)\,g_i+\kappa\beta\,\big[G+(n-j-1)\,g_o\big]-p\,g_i^2
\tag{6}
$$

(`surplus`). The others enter additively, so the optimum is the dominant strategy

$$
g_{out}=\frac{1-\kappa}{2p}\tag{7}
$$

independent of $j$ and of everyone else. At the defaults the optimal value is $S_{out}(j)$ of eq. (8) for
$2\le j\le n-1$ and $S_{single}$ of eq. (9) for $j=0$:

$$
S_{out}(j)=\frac{2\beta\kappa\,(1+(j-2)\kappa)+\alpha(1-\kappa)\big(1-\kappa+2\beta\kappa(n-j-1)\big)}{4p\alpha},
\qquad
S_{single}=\frac{(1-\kappa)\big(\kappa(2\beta(n-1)-1)+1\big)}{4p}.
$$

Closed form compared with the result: `g_i` $=$ `g_out` $=g_{out}$, `objective` $=$ `S_out` $=S_{out}(j)$ or
$S_{single}$ (when $\bar g$ does not bind). [Derivation](../derivations/itinfra.md#outsider).
"""


PROBLEM = Problem(
    name="itinfra.outside",
    family="itinfra",
    summary="An outside district's best response to a size-j coalition (j = 0: singleton structure)",
    paper="Guo, Liu & Nault (2024), section 4.2",
    equations="(6)-(9)",
    options={"j": Option(int, 2, "coalition size j: 0 (singleton) or 2 <= j <= n-1", low=0, high=N_MAX)},
    formulations=(Formulation("qp", "pyomo", "QP", build, "univariate concave QP"),),
    solution=solution,
    closed_form=closed_form,
    default_solver="highs",
    math=MATH,
    example={"data": "itinfra/paper-figure1", "solver": "highs", "options": {"j": 5}},
)

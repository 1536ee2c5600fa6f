"""Coalition coordinator's welfare maximisation (itinfra paper, section 4.1, eq. 3).

problem: itinfra.coordinator | class: concave QP | layer: Pyomo (+ CVXPY twin) |
solvers: highs, ipopt, scip, clarabel, scs, osqp, highs-cvxpy

For a coalition C = {1..j}, the coordinator chooses members' resources g_i to maximise

    CW(j) = sum_{i in C} B_i(j) - TC(j)                                           (3)
    B_i(j) = (1-kappa) g_i + kappa sum_{l in C, l != i} g_l + kappa beta sum_{l not in C} g_l   (1)
    TC(j)  = alpha p (sum_{i in C} g_i)^2                                         (2)

with the n - j outside districts at their best response g_out (eq. 7, solved by
`itinfra.outside`). The objective depends on g only through G = sum g_i, so eq. (3) fixes only the
coalition's total G*(j); the paper picks the symmetric point g_in(j) (eq. 4). With
``equal_treatment=True`` (default) the model states that choice as constraints g_i = g_1 (for
kappa < 1/2 the same as Appendix B's equal surplus S_i = S_1); without it any split of G* is optimal.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from coopt.data.itinfra import N_MAX, ItInfraInstance
from coopt.errors import InputError
from coopt.formulations.base import Formulation, Option, Problem
from coopt.formulations.itinfra import closed_form as cf


def coalition_welfare(m: pyo.ConcreteModel) -> Any:
    """CW(j), eq. (3): members' benefits (1) minus the coalition's cost (2), TC = alpha p G^2."""
    G = m.G
    outside_total = (m.n - m.j) * m.g_out

    def benefit(i: int) -> Any:  # B_i(j), eq. (1), for a member
        return (1 - m.kappa) * m.g[i] + m.kappa * (G - m.g[i]) + m.kappa * m.beta * outside_total

    return sum(benefit(i) for i in m.inside) - m.alpha * m.p * G**2


def build(inst: ItInfraInstance, j: int, equal_treatment: bool = True, g_out: float | None = None) -> pyo.ConcreteModel:
    """The coordinator's QP for a size-j coalition (members 1..j), eq. (3).

    ``g_out`` is the outside districts' level (default: their best response, eq. 7).
    """
    if not 2 <= j <= inst.n:
        raise InputError(f"option 'j' = {j}: coalition size must satisfy 2 <= j <= n = {inst.n}")
    m = pyo.ConcreteModel(name="itinfra.coordinator")
    m.inside = pyo.RangeSet(1, j, doc="districts 1..j inside the coalition")
    m.j = pyo.Param(initialize=j, doc="coalition size j")
    m.n = pyo.Param(initialize=inst.n, mutable=True, doc="number of districts n")
    m.kappa = pyo.Param(initialize=inst.kappa, mutable=True, doc="spillover weight kappa")
    m.beta = pyo.Param(initialize=inst.beta, mutable=True, doc="relative interoperability outside, beta")
    m.alpha = pyo.Param(initialize=inst.alpha, mutable=True, doc="coalition economy of scale alpha")
    m.p = pyo.Param(initialize=inst.p, mutable=True, doc="unit resource cost p")
    m.g_out = pyo.Param(
        initialize=cf.g_out(inst.kappa, inst.p) if g_out is None else g_out,
        mutable=True, doc="outside districts' resource level (their best response, eq. 7)",
    )
    m.g_max = pyo.Param(initialize=math.inf if inst.g_max is None else inst.g_max, mutable=True,
                        doc="upper bound g-bar on each member's resource (inf: none)")
    m.g = pyo.Var(m.inside, bounds=(0, m.g_max), initialize=0.0, doc="resource level g_i of member i")
    m.G = pyo.Var(bounds=(0, None), initialize=0.0, doc="coalition's total resource G = sum of members' g_i")
    m.total = pyo.Constraint(expr=m.G == sum(m.g[i] for i in m.inside), doc="G = sum_{i in C} g_i, eq. (2)")
    m.welfare = pyo.Objective(rule=coalition_welfare, sense=pyo.maximize, doc="CW(j), eq. (3)")
    if equal_treatment:
        m.equal = pyo.Constraint(
            m.inside,
            rule=lambda m, i: pyo.Constraint.Skip if i == 1 else m.g[i] == m.g[1],
            doc="equal treatment: homogeneous members invest alike (the paper's symmetric choice, eq. 4)",
        )
    return m


def params(inst: ItInfraInstance, j: int, equal_treatment: bool = True, g_out: float | None = None) -> dict[str, float]:
    """Values of the model's mutable Params for ``inst`` (sweeps re-solve one model with these)."""
    return {"n": inst.n, "kappa": inst.kappa, "beta": inst.beta, "alpha": inst.alpha, "p": inst.p,
            "g_max": math.inf if inst.g_max is None else inst.g_max,
            "g_out": float(cf.g_out(inst.kappa, inst.p)) if g_out is None else g_out}


def build_cvxpy(inst: ItInfraInstance, j: int, equal_treatment: bool = True, g_out: float | None = None):
    """The same eq. (3) as a CVXPY problem (for Clarabel, SCS, OSQP, HiGHS via CVXPY).

    CW(j) = (1-kappa) G + kappa (j-1) G + kappa beta j (n-j) g_out - alpha p G^2, with G = sum g.
    """
    import cvxpy as cp

    if not 2 <= j <= inst.n:
        raise InputError(f"option 'j' = {j}: coalition size must satisfy 2 <= j <= n = {inst.n}")
    kappa = cp.Parameter(nonneg=True, value=inst.kappa, name="kappa")
    alpha_p = cp.Parameter(nonneg=True, value=inst.alpha * inst.p, name="alpha_p")
    go = cf.g_out(inst.kappa, inst.p) if g_out is None else g_out
    g = cp.Variable(j, name="g", nonneg=True)
    G = cp.sum(g)
    spill = cp.Parameter(nonneg=True, value=inst.kappa * inst.beta * j * (inst.n - j) * go,
                         name="outside_spillover")  # kappa beta sum_{i<=j} sum_{l>j} g_out
    welfare = (1 - kappa) * G + (j - 1) * kappa * G + spill - alpha_p * cp.square(G)
    cons = [g <= inst.g_max] if inst.g_max is not None else []
    if equal_treatment and j > 1:
        cons.append(g[1:] == g[0])
    return cp.Problem(cp.Maximize(welfare), cons)


def solution(result: Any, model: pyo.ConcreteModel, inst: ItInfraInstance, j: int,
             equal_treatment: bool = True, g_out: float | None = None) -> dict[str, Any]:
    """g_in (None if the split is not symmetric), total_inside G, S_in (mean member surplus), S_out."""
    if isinstance(model, pyo.ConcreteModel):
        g = [float(pyo.value(model.g[i])) for i in model.inside]
        go = float(pyo.value(model.g_out))
    else:  # the CVXPY twin
        g = [float(x) for x in model.var_dict["g"].value]
        go = float(cf.g_out(inst.kappa, inst.p)) if g_out is None else g_out
    G = sum(g)
    symmetric = max(g) - min(g) <= 1e-7 * max(1.0, abs(G))
    s_in = result.objective / j
    s_out = None
    if j < inst.n:  # an outsider's surplus (6) at its level, the coalition at G, the others at g_out
        s_out = (1 - inst.kappa) * go + inst.kappa * inst.beta * (G + (inst.n - j - 1) * go) - inst.p * go**2
    if not equal_treatment:
        result.messages.append(
            "eq. (3) fixes only the coalition's total G; any split of G among members is optimal "
            "(the paper's symmetric g_in is one of them): compare total_inside and CW(j)"
        )
    return {"j": j, "g_in": g[0] if symmetric else None, "total_inside": G, "S_in": s_in, "S_out": s_out}


def closed_form(inst: ItInfraInstance, j: int, equal_treatment: bool = True,
                g_out: float | None = None) -> dict[str, float]:
    """Proposition 1 / eq. (4), section 6: g_in(j), G*(j) and CW(j) (when the bound g_max does not bind)."""
    k, b, a, p, n = inst.kappa, inst.beta, inst.alpha, inst.p, inst.n
    if inst.g_max is not None and cf.g_in(j, k, a, p) > inst.g_max:
        return {}  # the closed form assumes the bound never binds
    go = cf.g_out(k, p) if g_out is None else g_out
    G = cf.total_inside(j, k, a, p)
    cw = (1 + (j - 2) * k) * G - a * p * G**2 + k * b * j * (n - j) * go
    ref = {"objective": float(cw), "total_inside": float(G)}
    if equal_treatment:
        ref["g_in"] = float(cf.g_in(j, k, a, p))
        ref.update({f"g[{i}]": ref["g_in"] for i in range(1, j + 1)})  # Pyomo indices 1..j
    return ref


PROBLEM = Problem(
    name="itinfra.coordinator",
    family="itinfra",
    summary="Coalition coordinator's welfare CW(j) for a coalition of size j",
    paper="itinfra-coalition-formation.md, section 4.1",
    equations="(3); uses (1), (2), (4), (7)",
    options={
        "j": Option(int, None, "coalition size j, 2 <= j <= n", required=True, low=2, high=N_MAX),
        "equal_treatment": Option(bool, True, "symmetric members (g_i = g_1), the paper's choice"),
    },
    formulations=(
        Formulation("qp", "pyomo", "QP", build, "concave QP in g (rank-1 Hessian), Pyomo", params=params),
        Formulation("qp-cvxpy", "cvxpy", "QP", build_cvxpy, "the same QP in CVXPY"),
    ),
    solution=solution,
    closed_form=closed_form,
    default_solver="highs",
)

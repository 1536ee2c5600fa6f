"""The coordinator with heterogeneous districts and equal treatment (itinfra paper, Appendix B.1, (B.1)).

problem: itinfra.het_coordinator | class: non-convex QCQP | layer: Pyomo (+ native exact reduction) |
solvers: ipopt (local), scip (global, with bound), exact

Members of cost type t (unit cost p_t) in a coalition of composition c = (j_1..j_K), J = sum j_t,
P = sum j_t p_t, G = sum of members' resources:

    CW(c)  = sum_members B_m - TC,  B_m = (1-kappa) g_m + kappa (G - g_m) + kappa beta Out      (B.1)
    TC     = alpha P / J G^2; a type-t member pays alpha p_t G^2 / J (equal shares within a type)
    S_m    = B_m - alpha p_t(m) G^2 / J
    s.t.   0 <= g_m,   S_m = S_1 for every member m   (equal treatment: a quadratic equality)

Out = sum_t (n_t - j_t) g_out,t with outsiders at their best response (1-kappa)/(2 p_t). The equal-
treatment constraint is non-convex (G^2 enters with different coefficients): Ipopt finds a local
optimum, SCIP a global one with a bound. The exact method uses the reduction
(docs/derivations/itinfra.md#heterogeneous):
CW depends on g only through G, and equal treatment fixes the split
g_t = G/J + alpha G^2 (p_t - P/J) / (J (1-2kappa)); the best G is min(G_unc, the largest G keeping
every g_t >= 0), with G_unc = J (1+kappa(J-2)) / (2 alpha P). The paper's closed forms g_inH, g_inL
(two types) are compared where they are non-negative; where g >= 0 binds they are infeasible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.data.itinfra.heterogeneous import ItInfraHetInstance
from coopt.errors import InputError
from coopt.formulations.base import Formulation, NotApplicable, Option, Problem
from coopt.formulations.native import NativeModel, NativeSolution


def parse_composition(inst: ItInfraHetInstance, composition: Any) -> tuple[int, ...]:
    """Composition (j_1..j_K) from a list or 'a,b' string, checked against the type counts."""
    if isinstance(composition, str):
        composition = [x for x in composition.split(",") if x.strip()]
    try:
        c = tuple(int(x) for x in composition)
    except (TypeError, ValueError):
        raise InputError(f"option 'composition' = {composition!r}: expected integers, one per cost type") from None
    K = len(inst.costs)
    if len(c) != K:
        raise InputError(f"option 'composition' = {composition!r}: needs {K} counts, one per cost type "
                         f"(p = {', '.join(map(str, inst.costs))})")
    if any(x < 0 or x > m for x, m in zip(c, inst.counts)) or sum(c) < 2:
        raise InputError(f"option 'composition' = {composition!r}: need 0 <= j_t <= n_t = {inst.counts} "
                         "and at least 2 members")
    return c


def outside_total(inst: ItInfraHetInstance, c: tuple[int, ...]) -> float:
    """Out = sum over outsiders of their best response (1-kappa)/(2 p_t)."""
    return float(sum((m - j) * (1 - inst.kappa) / (2 * p) for p, m, j in zip(inst.costs, inst.counts, c)))


@dataclass(frozen=True)
class HetOutcome:
    """Stage-2 outcome of a composition: members' level by type, G, the common member surplus S_in."""

    composition: tuple[int, ...]
    g: tuple[float, ...]  # level of a member of each type (nan for absent types)
    G: float
    S_in: float
    CW: float
    spread: float = 0.0  # largest difference in surplus between members (equal-treatment residual)


def member_surplus(inst: ItInfraHetInstance, c: tuple[int, ...], g_t: float, p_t: float, G: float) -> float:
    """S of a type-t member at level g_t when the coalition total is G (Appendix B)."""
    J = sum(c)
    k = inst.kappa
    return (1 - k) * g_t + k * (G - g_t) + k * inst.beta * outside_total(inst, c) - inst.alpha * p_t * G**2 / J


def exact(inst: ItInfraHetInstance, c: tuple[int, ...]) -> HetOutcome:
    """The 1-D reduction of (B.1), solved exactly."""
    k, a = inst.kappa, inst.alpha
    J = sum(c)
    P = sum(j * p for j, p in zip(c, inst.costs))
    G = J * (1 + k * (J - 2)) / (2 * a * P)
    for j, p in zip(c, inst.costs):  # g_t >= 0 for the cheaper types: G <= J (1-2k) / (a (P - J p_t))
        if j and P - J * p > 0:
            G = min(G, J * (1 - 2 * k) / (a * (P - J * p)))
    g = tuple(G / J + a * G**2 * (p - P / J) / (J * (1 - 2 * k)) if j else float("nan")
              for j, p in zip(c, inst.costs))
    g = tuple(max(x, 0.0) if j else x for x, j in zip(g, c))  # round-off at the bound
    t0 = next(i for i, j in enumerate(c) if j)
    s = member_surplus(inst, c, g[t0], inst.costs[t0], G)
    cw = sum(j * member_surplus(inst, c, g[i], inst.costs[i], G) for i, j in enumerate(c) if j)
    return HetOutcome(c, g, G, s, cw)


def build(inst: ItInfraHetInstance, composition: Any, **_: Any) -> pyo.ConcreteModel:
    """(B.1) as a Pyomo model: one variable per member, the equal-treatment quadratic equalities."""
    c = parse_composition(inst, composition)
    J = sum(c)
    m = pyo.ConcreteModel(name="itinfra.het_coordinator")
    members = [(t, i) for t, j in enumerate(c) for i in range(1, j + 1)]
    m.members = pyo.Set(initialize=members, dimen=2, doc="(cost type t, member i of that type)")
    m.kappa = pyo.Param(initialize=inst.kappa, mutable=True, doc="spillover weight kappa")
    m.beta = pyo.Param(initialize=inst.beta, mutable=True, doc="relative interoperability beta")
    m.alpha = pyo.Param(initialize=inst.alpha, mutable=True, doc="coalition economy of scale alpha")
    m.p = pyo.Param(range(len(c)), initialize=dict(enumerate(inst.costs)), doc="unit cost p_t")
    m.out = pyo.Expression(  # an expression of kappa: changing kappa keeps the outsiders at their best response
        expr=sum((cnt - j) * (1 - m.kappa) / (2 * m.p[t]) for t, (cnt, j) in enumerate(zip(inst.counts, c))),
        doc="outsiders' total resource: sum_t (n_t - j_t) (1-kappa)/(2 p_t)")
    G0 = exact(inst, c).G
    m.g = pyo.Var(m.members, bounds=(0, None), initialize=G0 / J, doc="resource level of member (t, i)")
    m.G = pyo.Expression(expr=sum(m.g[x] for x in m.members), doc="coalition total G")
    P = sum(m.p[t] for t, _ in members)

    def surplus(m: pyo.ConcreteModel, t: int, i: int) -> Any:
        """S of member (t, i): benefit (B_H/B_L of Appendix B) minus its share alpha p_t G^2 / J."""
        return ((1 - m.kappa) * m.g[t, i] + m.kappa * (m.G - m.g[t, i]) + m.kappa * m.beta * m.out
                - m.alpha * m.p[t] * m.G**2 / J)

    m.S = pyo.Expression(m.members, rule=surplus, doc="member surplus")
    first = members[0]
    m.welfare = pyo.Objective(
        expr=sum((1 - m.kappa) * m.g[x] + m.kappa * (m.G - m.g[x]) + m.kappa * m.beta * m.out for x in m.members)
        - m.alpha * P / J * m.G**2, sense=pyo.maximize, doc="CW(j_H, j_L), (B.1)")
    m.equal = pyo.Constraint([x for x in members if x != first], rule=lambda m, t, i: m.S[t, i] == m.S[first],
                             doc="equal treatment S_Hi = S_Li (B.1)")
    return m


def build_exact(inst: ItInfraHetInstance, composition: Any, **_: Any) -> NativeModel:
    """The exact 1-D reduction as a native model."""
    c = parse_composition(inst, composition)

    def run(**_: Any) -> NativeSolution:
        o = exact(inst, c)
        values = {"g": {(t, i): o.g[t] for t, j in enumerate(c) for i in range(1, j + 1)}}
        return NativeSolution("optimal", o.CW, values, bound=o.CW, primal_residual=0.0)

    return NativeModel(name="itinfra.het_coordinator", run=run, method="exact",
                       doc="CW depends on G only; equal treatment fixes the split")


def outcome(result: Any, inst: ItInfraHetInstance, c: tuple[int, ...]) -> HetOutcome:
    """Read a solved model's member levels into a :class:`HetOutcome` (surpluses recomputed)."""
    g = result.values["g"]
    items = {tuple(int(v) for v in (k if isinstance(k, tuple) else str(k).split(","))): float(x)
             for k, x in g.items()}
    G = sum(items.values())
    surpl = {k: member_surplus(inst, c, x, inst.costs[k[0]], G) for k, x in items.items()}
    by_type = tuple(float(np.mean([x for k, x in items.items() if k[0] == t])) if j else float("nan")
                    for t, j in enumerate(c))
    vals = list(surpl.values())
    return HetOutcome(c, by_type, G, float(np.mean(vals)), float(sum(vals)), float(max(vals) - min(vals)))


def solution(result: Any, model: Any, inst: ItInfraHetInstance, composition: Any, **_: Any) -> dict[str, Any]:
    c = parse_composition(inst, composition)
    o = outcome(result, inst, c)
    return {"composition": list(c), "g_in": {str(p): x for p, x, j in zip(inst.costs, o.g, c) if j},
            "total_inside": o.G, "S_in": o.S_in, "equal_treatment_residual": o.spread}


def closed_form(inst: ItInfraHetInstance, composition: Any, **_: Any) -> dict[str, float]:
    """Two types: the paper's g_inH, g_inL (Appendix B.1), only where both are >= 0 (else infeasible)."""
    from coopt.formulations.itinfra import closed_form as cf

    c = parse_composition(inst, composition)
    if len(c) != 2:
        raise NotApplicable(f"the printed forms g_inH, g_inL are for two cost types, not {len(c)}")
    (pH, pL), (jH, jL) = inst.costs, c
    gH = float(cf.g_inH(jH, jL, inst.kappa, inst.alpha, pH, pL))
    gL = float(cf.g_inL(jH, jL, inst.kappa, inst.alpha, pH, pL))
    if min(gH if jH else 0, gL if jL else 0) < 0:
        raise NotApplicable(f"the printed g_inH = {gH:.6g}, g_inL = {gL:.6g} are negative (g >= 0 binds: infeasible)")
    ref = {}
    if jH:
        ref["g[0,1]"] = gH
    if jL:
        ref["g[1,1]"] = gL
    return ref


#: The model in LaTeX as coded (the docs page and `coopt show itinfra.het_coordinator` print it).
MATH = r"""
Districts of $K$ cost types (unit costs $p_1>\dots>p_K$, the paper's $p_H>p_L$ for $K=2$); a coalition of
composition $c=(j_1,\dots,j_K)$ has $J=\sum_t j_t$ members and $P=\sum_t j_t p_t$. Members are pairs $(t,i)$
(`members`); outsiders of type $t$ play their best response $\frac{1-\kappa}{2p_t}$, so their total is the
total $Out=\sum_t (n_t-j_t)\frac{1-\kappa}{2p_t}$ (`out`, an expression of $\kappa$). Parameters (mutable):
$\kappa,\beta,\alpha$; the costs $p_t$ (`p`) are fixed at build.

Variables: $g_{t,i}\ge0$ (`g`); $G=\sum_{(t,i)} g_{t,i}$ (an expression).

$$
\begin{aligned}
\max_{g\ge0}\quad & CW(c)=\sum_{(t,i)}\Big[(1-\kappa)g_{t,i}+\kappa(G-g_{t,i})+\kappa\beta\,Out\Big]-\frac{\alpha
P}{J}\,G^2
&&\text{(B.1)}\\
\text{s.t.}\quad & S_{t,i}=S_{\text{first}}\quad\text{for every member but the first} &&\text{equal treatment}\\
\text{where}\quad & S_{t,i}=(1-\kappa)g_{t,i}+\kappa(G-g_{t,i})+\kappa\beta\,Out-\frac{\alpha p_t}{J}\,G^2 .
\end{aligned}
$$

In the model: objective `welfare`, constraints `equal`, the surpluses $S_{t,i}$ as the expression `S`.
A type-$t$ member pays $\alpha p_t G^2/J$ (shares proportional to unit cost). The equal-treatment rows are
quadratic equalities with different coefficients on $G^2$: a **non-convex QCQP** (Ipopt: local; SCIP:
global with a bound).

**Exact reduction** (`exact`): $CW$ depends on $g$ only through $G$, and equal treatment fixes the split,

$$
g_t=\frac{G}{J}+\frac{\alpha G^2\,(p_t-P/J)}{J(1-2\kappa)},\qquad
G=\min\Big\{\frac{J\,(1+\kappa(J-2))}{2\alpha P},\ \min_{t:\,j_t>0,\
P>Jp_t}\frac{J(1-2\kappa)}{\alpha(P-Jp_t)}\Big\},
$$

the second term keeping every $g_t\ge0$ (where the paper's closed forms $g_{inH},g_{inL}$ turn negative; see
[the errata](../papers/itinfra.md#erratum-appendix-b-negative)). The paper's $g_{inH},g_{inL}$ are compared
only where both are non-negative. [Derivation](../derivations/itinfra.md#heterogeneous).
"""


PROBLEM = Problem(
    name="itinfra.het_coordinator",
    family="itinfra-het",
    summary="Coordinator with heterogeneous districts and equal treatment (non-convex QCQP), one composition",
    paper="Guo, Liu & Nault (2024), Appendix B.1",
    equations="(B.1)",
    options={"composition": Option("list[int]", None, "members of each cost type, highest p first, e.g. 2,1",
                                   required=True, low=0, unique=False)},
    formulations=(
        Formulation("qcqp", "pyomo", "NCNLP", build, "per-member variables, quadratic equal-treatment equalities"),
        Formulation("exact", "native", "NCNLP", build_exact, "exact 1-D reduction in G", method="exact"),
    ),
    solution=solution,
    closed_form=closed_form,
    default_solver="ipopt",
    math=MATH,
    example={"data": "itinfra/het-two-types", "solver": "exact", "options": {"composition": "2,1"}},
)

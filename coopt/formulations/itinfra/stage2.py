"""Stage 2 of the itinfra game for a given coalition size: coordinator and outsiders (section 4).

problem: itinfra.stage2 | class: concave QP | layer: Pyomo and CVXPY (joint potential QP), native (exact) |
solvers: highs, ipopt, scip, clarabel, osqp, scs, highs-cvxpy, exact

Given the coalition size j (0 = singleton structure), the coordinator chooses members' resources to
maximise CW(j) (eq. 3) and, simultaneously, each outsider maximises its own surplus (eq. 6). The payoffs
are additively separable, so the Stage-2 Nash equilibrium maximises the potential

    Phi(G, g_out) = (1 + (j-2) kappa) G - alpha p G^2 + sum_{i > j} [(1-kappa) g_i - p g_i^2],

with G = sum of members' resources (split equally, the paper's symmetric choice, eq. 4). The exact
method (``--solver exact``) maximises each 1-D concave quadratic in closed form on its box
[0, j g_max] and [0, g_max]; the Pyomo model hands the same potential to a QP solver.

:func:`payoffs` evaluates the paper's definitions (1), (2), (6) at a Stage-2 solution: a member's
surplus S_in = B_in - TC/j (+ phi_j), an outsider's S_out, the singleton surplus S_single.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.data.itinfra import N_MAX, ItInfraInstance
from coopt.errors import InputError
from coopt.formulations.base import Formulation, NotApplicable, Option, Problem
from coopt.formulations.native import NativeModel, NativeSolution


@dataclass(frozen=True)
class Stage2:
    """A Stage-2 outcome for size j: coalition total G, members' level g_in, outsiders' level g_out."""

    j: int
    G: float
    g_out: float

    @property
    def g_in(self) -> float:
        return self.G / self.j if self.j else 0.0


def _check_size(inst: ItInfraInstance, j: int) -> None:
    if not (j == 0 or 2 <= j <= inst.n):
        raise InputError(f"option 'j' = {j}: coalition size must be 0 (singleton) or 2 <= j <= n = {inst.n}")


def member_surplus(j: Any, n: Any, kappa: Any, beta: Any, alpha: Any, p: Any, G: Any, g_out: Any) -> Any:
    """S_in(j) from the definitions: B_i(j) of eq. (1) for a member at G/j minus the equal share TC(j)/j of eq. (2)."""
    g_in = G / j
    return (1 - kappa) * g_in + kappa * (G - g_in) + kappa * beta * (n - j) * g_out - alpha * p * G**2 / j


def outsider_surplus(j: Any, n: Any, kappa: Any, beta: Any, p: Any, G: Any, g_out: Any) -> Any:
    """S_out(j) from eq. (6): own weight, the spillover from the coalition G and the other outsiders, minus p g^2."""
    return (1 - kappa) * g_out + kappa * beta * (G + (n - j - 1) * g_out) - p * g_out**2


def single_surplus(n: Any, kappa: Any, beta: Any, p: Any, g: Any) -> Any:
    """S_single: eq. (6) with no coalition, every district at g."""
    return (1 - kappa) * g + kappa * beta * (n - 1) * g - p * g**2


def exact_levels(j: Any, kappa: Any, alpha: Any, p: Any, g_max: float | None = None) -> tuple[Any, Any]:
    """Exact maximisers of the two 1-D concave quadratics: G on [0, j g_max] and g_out on [0, g_max] (vectorised)."""
    j = np.asarray(j, dtype=float)
    G = (1 + (j - 2) * kappa) / (2 * alpha * p)
    g = np.asarray((1 - kappa) / (2 * p), dtype=float)
    G = np.maximum(G, 0.0)
    g = np.maximum(g, 0.0)
    if g_max is not None:
        G = np.minimum(G, j * g_max)
        g = np.minimum(g, g_max)
    return np.where(j == 0, 0.0, G), g


def payoffs(inst: ItInfraInstance, s: Stage2) -> dict[str, float | None]:
    """S_in, S_out, S_single-type payoffs and CW of a Stage-2 outcome (definitions (1), (2), (6))."""
    n, k, b, a, p = inst.n, inst.kappa, inst.beta, inst.alpha, inst.p
    if s.j == 0:
        ss = float(single_surplus(n, k, b, p, s.g_out))
        return {"S_in": None, "S_out": ss, "CW": 0.0, "S_single": ss}
    s_in = float(member_surplus(s.j, n, k, b, a, p, s.G, s.g_out))
    s_out = float(outsider_surplus(s.j, n, k, b, p, s.G, s.g_out)) if s.j < n else None
    return {"S_in": s_in, "S_out": s_out, "CW": s.j * s_in}


# --- formulations ---------------------------------------------------------------------------------


def build(inst: ItInfraInstance, j: int, **_: Any) -> pyo.ConcreteModel:
    """The Stage-2 potential QP: G (coalition total, split equally) and one level per outsider."""
    _check_size(inst, j)
    m = pyo.ConcreteModel(name="itinfra.stage2")
    m.j = pyo.Param(initialize=j, doc="coalition size j (0: singleton)")
    m.outside = pyo.RangeSet(j + 1, inst.n, doc="outside districts j+1..n")
    m.kappa = pyo.Param(initialize=inst.kappa, mutable=True, doc="spillover weight kappa")
    m.alpha = pyo.Param(initialize=inst.alpha, mutable=True, doc="coalition economy of scale alpha")
    m.p = pyo.Param(initialize=inst.p, mutable=True, doc="unit resource cost p")
    gmax = inst.g_max
    m.G = pyo.Var(bounds=(0, None if gmax is None else max(j, 0) * gmax), initialize=0.0,
                  doc="coalition's total resource G = j g_in (eq. 4 splits it equally)")
    m.g = pyo.Var(m.outside, bounds=(0, gmax), initialize=0.0, doc="outside district i's level (eq. 6)")
    if j == 0:
        m.G.fix(0.0)

    def potential(m: pyo.ConcreteModel) -> Any:
        """CW(j) of eq. (3) up to outsiders' constant terms, plus each outsider's own-choice part of eq. (6)."""
        coalition = (1 + (m.j - 2) * m.kappa) * m.G - m.alpha * m.p * m.G**2 if j else 0.0
        return coalition + sum((1 - m.kappa) * m.g[i] - m.p * m.g[i] ** 2 for i in m.outside)

    m.potential = pyo.Objective(rule=potential, sense=pyo.maximize, doc="Stage-2 potential (eqs. 3 and 6)")
    return m


def build_exact(inst: ItInfraInstance, j: int, **_: Any) -> NativeModel:
    """Exact Stage 2: each 1-D concave quadratic maximised in closed form on its box."""
    _check_size(inst, j)

    def run(**_: Any) -> NativeSolution:
        G, g = exact_levels(j, inst.kappa, inst.alpha, inst.p, inst.g_max)
        G, g = float(G), float(g)
        coalition = (1 + (j - 2) * inst.kappa) * G - inst.alpha * inst.p * G**2 if j else 0.0
        obj = coalition + (inst.n - j) * ((1 - inst.kappa) * g - inst.p * g**2)
        values = {"G": G, "g": {i: g for i in range(j + 1, inst.n + 1)}}
        return NativeSolution("optimal", obj, values, bound=obj, primal_residual=0.0, kkt_residual=0.0)

    return NativeModel(name="itinfra.stage2", run=run, method="exact", doc="1-D concave quadratics in closed form")


def build_cvxpy(inst: ItInfraInstance, j: int, **_: Any) -> Any:
    """The same Stage-2 potential QP in CVXPY (Clarabel, OSQP, SCS, HiGHS via CVXPY)."""
    import cvxpy as cp

    _check_size(inst, j)
    k, a, p, gmax = inst.kappa, inst.alpha, inst.p, inst.g_max
    cons, obj = [], 0
    if j:
        G = cp.Variable(name="G", nonneg=True)
        obj = (1 + (j - 2) * k) * G - a * p * cp.square(G)
        if gmax is not None:
            cons.append(G <= j * gmax)
    if j < inst.n:
        g = cp.Variable(inst.n - j, name="g", nonneg=True)
        obj = obj + cp.sum((1 - k) * g - p * cp.square(g))
        if gmax is not None:
            cons.append(g <= gmax)
    return cp.Problem(cp.Maximize(obj), cons)


def outcome(result: Any, inst: ItInfraInstance, j: int) -> Stage2:
    """The Stage-2 outcome read from a solved model's values."""
    G = float(result.values.get("G", 0.0) or 0.0) if j else 0.0
    g = result.values.get("g", {})
    if isinstance(g, dict):
        levels = list(g.values())
    elif isinstance(g, list | tuple | np.ndarray):
        levels = [float(x) for x in np.ravel(g)]
    else:
        levels = [g]
    if not levels:  # grand coalition: no outsider; report the outsider's best response for reference
        _, go = exact_levels(j, inst.kappa, inst.alpha, inst.p, inst.g_max)
        levels = [float(go)]
    return Stage2(j, G, float(np.mean(levels)))


def solution(result: Any, model: Any, inst: ItInfraInstance, j: int, **_: Any) -> dict[str, Any]:
    s = outcome(result, inst, j)
    out = {"j": j, "total_inside": s.G, "g_in": s.g_in if j else None, "g_out": s.g_out}
    out.update(payoffs(inst, s))
    return out


def closed_form(inst: ItInfraInstance, j: int, **_: Any) -> dict[str, float]:
    """Eqs. (4), (7): G*(j) = (1+(j-2)kappa)/(2 alpha p), g_out = (1-kappa)/(2p) (if g_max does not bind)."""
    from coopt.formulations.itinfra import closed_form as cf

    k, a, p = inst.kappa, inst.alpha, inst.p
    go = float(cf.g_out(k, p))
    if inst.g_max is not None and (go > inst.g_max or (j and cf.g_in(j, k, a, p) > inst.g_max)):
        raise NotApplicable(f"the bound g_max = {inst.g_max} binds (eqs. 4 and 7 assume it does not)")
    ref = {"g_out": go}
    if j:
        ref["total_inside"] = float(cf.total_inside(j, k, a, p))
        ref["S_in"] = float(cf.S_in(j, inst.n, k, inst.beta, a, p))
        if j < inst.n:
            ref["S_out"] = float(cf.S_out(j, inst.n, k, inst.beta, a, p))
    else:
        ref["S_single"] = float(cf.S_single(inst.n, k, inst.beta, p))
    return ref


#: The model in LaTeX as coded (the docs page and `coopt show itinfra.stage2` print it).
MATH = r"""
Stage 2 for a given coalition size $j$ ($0$ = singleton structure, else $2\le j\le n$): the coordinator's
problem (3) and the outsiders' problems (6) at once. Parameters (mutable): $\kappa$ `kappa`, $\alpha$
`alpha`, $p$ `p`; sets: outsiders $O=\{j+1,\dots,n\}$ (`outside`).

Variables: the coalition's total $G\in[0,\,j\bar g]$ (`G`, fixed at $0$ when $j=0$) and each outsider's
level $g_i\in[0,\bar g]$, $i\in O$ (`g`).

$$
\max_{G,\,g}\quad \Phi(G,g)=\underbrace{\big(1+(j-2)\kappa\big)G-\alpha p\,G^2}_{\text{omitted when } j=0}
+\sum_{i\in O}\Big[(1-\kappa)\,g_i-p\,g_i^2\Big]
\qquad\text{(\texttt{potential})}
$$

The payoffs are additively separable, so this potential's maximiser is the Stage-2 Nash equilibrium
(coordinator's $CW(j)$ of eq. (3) up to terms constant in its own choice, each outsider's eq. (6) likewise).
Members split $G$ equally, $g_{in}=G/j$ (the paper's symmetric choice, eq. (4)).

**Exact method** (`exact`, solver `exact`): each one-dimensional concave quadratic maximised in closed form
on its box,
$G^*=\min\!\big(\max(\tfrac{1+(j-2)\kappa}{2\alpha p},0),\,j\bar g\big)$,
$g^*=\min\!\big(\max(\tfrac{1-\kappa}{2p},0),\,\bar g\big)$; bound $=$ objective.
**CVXPY twin** (`potential-qp-cvxpy`): the same $\Phi$ with $G,g\ge0$ and the same upper bounds.

Payoffs reported from the solution (definitions (1), (2), (6)):

$$
\begin{aligned}
S_{in}(j)&=(1-\kappa)g_{in}+\kappa(G-g_{in})+\kappa\beta(n-j)g_{out}-\frac{\alpha p\,G^2}{j},\\
S_{out}(j)&=(1-\kappa)g_{out}+\kappa\beta\big(G+(n-j-1)g_{out}\big)-p\,g_{out}^2\quad(j<n),\\
S_{single}&=(1-\kappa)g+\kappa\beta(n-1)g-p\,g^2\quad(j=0),\qquad CW(j)=j\,S_{in}(j).
\end{aligned}
$$

Closed forms compared: `total_inside` $=G^*(j)$, `g_out` (7), `S_in`
$=\frac{(1+(j-2)\kappa)^2}{4\alpha jp}+\frac{\kappa\beta(1-\kappa)(n-j)}{2p}$, `S_out` (8), `S_single` (9).
[Derivation](../derivations/itinfra.md#stage2).
"""


PROBLEM = Problem(
    name="itinfra.stage2",
    family="itinfra",
    summary="Stage 2 for a size-j coalition (0 = singleton): coordinator's G and outsiders' levels, all payoffs",
    paper="Guo, Liu & Nault (2024), section 4",
    equations="(3), (6); payoffs (1), (2), (5), (8), (9)",
    options={"j": Option(int, None, "coalition size j: 0 (singleton) or 2 <= j <= n", required=True, low=0,
                          high=N_MAX)},
    formulations=(
        Formulation("potential-qp", "pyomo", "QP", build, "separable concave QP (potential of the Stage-2 game)"),
        Formulation("potential-qp-cvxpy", "cvxpy", "QP", build_cvxpy, "the same QP in CVXPY"),
        Formulation("exact", "native", "QP", build_exact, "1-D concave quadratics maximised in closed form",
                    method="exact"),
    ),
    solution=solution,
    closed_form=closed_form,
    default_solver="highs",
    math=MATH,
    example={"data": "itinfra/worked-case", "solver": "highs", "options": {"j": 4}},
)

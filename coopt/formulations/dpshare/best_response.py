"""P1: the epsilon sub-game inside a fixed coalition S (paper section 3.1, Lemma 2).

problem: dpshare.best_response | class: separable convex SOCP (power-cone twin) | layers: CVXPY, Pyomo |
solvers: clarabel, scs (CVXPY), ipopt (Pyomo)

Inside S (|S| = k), member i's burden (Def. 5) depends on its own eps_i only through
2/(k^2 eps_i^2) + c_i k^alpha eps_i, so the sub-game is an exact potential game with potential

    Phi(eps) = sum_{i in S} [ 2 / (k^2 eps_i^2) + c_i k^alpha eps_i ]

whose unique minimiser is the sub-game's Nash equilibrium eps*(S) (Lemma 2:
eps_i* = (4/(k^(2+alpha) c_i))^(1/3)). The designer's problem P2 is the same program with weight 2/k
(see :mod:`coopt.formulations.dpshare.design_fixed`). eps^-2 is written as a rotated SOC
(s >= 1/eps, the default) or as CVXPY's power(eps, -2) (power cone).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.data.dpshare import DpShareInstance
from coopt.formulations.base import Formulation, Option, Problem
from coopt.formulations.dpshare import closed_form as cf
from coopt.formulations.dpshare.common import coalition, names_of, selfish_outcome

EPS_MIN = 1e-8


def weight(k: int, planner: bool) -> float:
    """Accuracy weight on sum eps^-2: 2/k^2 for a selfish member (P1), 2/k for the planner (P2)."""
    return 2.0 / k if planner else 2.0 / k**2


def build_cvxpy(inst: DpShareInstance, coalition_names: list[str] | None = None, planner: bool = False,
                conic: str = "socp"):
    """Phi (P1) or the planner's SC (P2) at S as a CVXPY problem: sum a eps^-2 + b eps (+ constant).

    ``conic="socp"`` (docs/derivations/dpshare.md#fixed-coalition): eps^-2 <= s^2 with s >= 1/eps (a rotated
    second-order cone, CVXPY's
    inv_pos), objective a sum s^2 + b eps; ``conic="power"``: a sum power(eps, -2) + b eps (power cone).
    The SOCP form is the better conditioned one (Clarabel: eps to ~1e-6 instead of ~1e-4).
    """
    import cvxpy as cp

    S = coalition(inst, coalition_names)
    k = len(S)
    c = inst.c[S]
    eps = cp.Variable(k, name="eps")
    a = weight(k, planner)
    b = c * k**inst.alpha  # c_i f(k): a constant (derived from c and alpha, so not a CVXPY Parameter)
    cons = []
    if conic == "socp":
        s = cp.Variable(k, name="inv_eps")
        cons.append(cp.inv_pos(eps) <= s)                  # s_i >= 1/eps_i  (rotated SOC)
        obj = a * cp.sum_squares(s) + b @ eps
    else:
        obj = a * cp.sum(cp.power(eps, -2)) + b @ eps
    if planner:  # SC(S, eps) = (n+1-k) sigma2 + sum (2/(k eps^2) + k^a c eps)   (Appendix C.1)
        obj = obj + (inst.n + 1 - k) * inst.sigma2
    return cp.Problem(cp.Minimize(obj), cons)


def build_pyomo(inst: DpShareInstance, coalition_names: list[str] | None = None, planner: bool = False):
    """The same program in Pyomo (smooth convex NLP on eps >= 1e-8, for Ipopt)."""
    S = coalition(inst, coalition_names)
    k = len(S)
    m = pyo.ConcreteModel(name="dpshare.design_fixed" if planner else "dpshare.best_response")
    m.I = pyo.RangeSet(0, k - 1, doc="members of S, cheapest first")
    m.c = pyo.Param(m.I, initialize={j: float(inst.c[i]) for j, i in enumerate(S)}, doc="privacy cost c_i")
    start = cf.eps_selfish(1.0, k, inst.alpha) if not planner else 1.0
    m.eps = pyo.Var(m.I, bounds=(EPS_MIN, None), initialize=float(start), doc="privacy level eps_i > 0")
    a = weight(k, planner)
    const = (inst.n + 1 - k) * inst.sigma2 if planner else 0.0
    m.obj = pyo.Objective(
        expr=const + sum(a / m.eps[i] ** 2 + m.c[i] * k**inst.alpha * m.eps[i] for i in m.I),
        sense=pyo.minimize, doc="Phi(eps) (P1) or SC(S, eps) (P2)")
    return m


def eps_values(model: Any) -> np.ndarray:
    """The solved eps vector of a CVXPY or Pyomo model."""
    if isinstance(model, pyo.ConcreteModel):
        return np.array([pyo.value(model.eps[i]) for i in model.I], dtype=float)
    return np.asarray(model.var_dict["eps"].value, dtype=float).reshape(-1)


def first_order_residual(eps: np.ndarray, c: np.ndarray, k: int, alpha: float, planner: bool) -> float:
    """max_i |d/d eps_i| / (c_i k^alpha): -2 a eps^-3 + c k^alpha = 0 at the optimum (a = accuracy weight)."""
    a = weight(k, planner)
    g = -2 * a * eps**-3.0 + c * k**alpha
    return float(np.max(np.abs(g) / (c * k**alpha)))


def paper_messages(inst: DpShareInstance, S: list[int], planner: bool) -> list[str]:
    """Where the paper's printed statements differ from the model (docs/papers/dpshare.md#erratum-lemma1,
    #erratum-larger)."""
    k = len(S)
    c = inst.c[S]
    if planner:
        printed = cf.eps_central_printed(c, k, inst.alpha)
        right = cf.eps_central(c, k, inst.alpha)
        dev = float(np.max(np.abs(printed / right - 1)))
        if dev > 1e-12:
            return [f"paper: Lemma 1's main text prints eps_i = (4/(k(1+alpha)c_i))^(1/3) (a product); the optimum "
                    f"is (4/(k^(1+alpha) c_i))^(1/3) as in Appendix C.1; the printed form is off by up to "
                    f"{dev:.1%} here"]
        return []
    return [f"paper: after Lemma 2 the text says the selfish eps is larger than the planner's by ~k^(1/3); it is "
            f"smaller: eps_d = k^(-1/3) eps_c = {k ** (-1 / 3):.4f} eps_c at k = {k}"]


def solution(result: Any, model: Any, inst: DpShareInstance, coalition: list[str] | None = None,
             planner: bool = False) -> dict[str, Any]:
    """coalition, epsilon {name: value}, social_cost, variance (at the solved eps), burdens, method."""
    from coopt.formulations.dpshare.common import coalition as _coal

    S = _coal(inst, coalition)
    k = len(S)
    eps = eps_values(model)
    inv = float(np.sum(eps**-2.0))
    var = inst.sigma2 / k + 2.0 / k**2 * inv                      # eq. (1)
    priv = inst.c[S] * k**inst.alpha * eps
    res = first_order_residual(eps, inst.c[S], k, inst.alpha, planner)
    if result.kkt_residual is None:
        result.kkt_residual = res
    method = f"convex program ({result.solver}), certified by the first-order residual {res:.1e}"
    result.messages.append(f"method: {method}")
    result.messages.extend(paper_messages(inst, S, planner))
    return {
        "coalition": names_of(inst, S),
        "epsilon": {inst.names[i]: float(e) for i, e in zip(S, eps)},
        "social_cost": float((inst.n - k) * inst.sigma2 + k * var + priv.sum()),   # Def. 6
        "variance": float(var),
        "burdens": {inst.names[i]: float(var + pc) for i, pc in zip(S, priv)},
        "first_order_residual": res,
        "method": method,
    }


def closed_form(inst: DpShareInstance, coalition: list[str] | None = None, planner: bool = False
                ) -> dict[str, float]:
    """Lemma 2 (P1) or Lemma 1 (P2) at S: eps[j], objective, variance (eq. 5 or 2), social_cost (6 or 3)."""
    from coopt.formulations.dpshare.common import central_outcome
    from coopt.formulations.dpshare.common import coalition as _coal

    S = _coal(inst, coalition)
    k = len(S)
    c = inst.c[S]
    eps = cf.eps_central(c, k, inst.alpha) if planner else cf.eps_selfish(c, k, inst.alpha)
    a = weight(k, planner)
    obj = float(np.sum(a * eps**-2.0 + c * k**inst.alpha * eps))
    out = central_outcome(inst, S) if planner else selfish_outcome(inst, S)
    if planner:
        obj += (inst.n + 1 - k) * inst.sigma2
    ref = {"objective": obj, "variance": out["variance"], "social_cost": out["social_cost"]}
    ref.update({f"eps[{j}]": float(e) for j, e in enumerate(eps)})
    return ref


OPTIONS = {"coalition": Option("list[str]", None, "members of S by name, comma separated (default: all agents)")}


def epsilon_problem(name: str, planner: bool, summary: str, paper: str, equations: str, objective: str,
                    math: str = "", example: dict[str, Any] | None = None) -> Problem:
    """The problem of the privacy levels at a fixed coalition S, selfish (P1, ``planner=False``: the
    potential Phi of the sub-game) or the planner's (P2, ``planner=True``: the social cost SC(S, eps)):
    one program with accuracy weight 2/k^2 or 2/k, in three formulations. ``objective`` names it in
    the formulations' descriptions."""
    return Problem(
        name=name,
        family="dpshare",
        summary=summary,
        paper=paper,
        equations=equations,
        options=OPTIONS,
        formulations=(
            Formulation("socp", "cvxpy", "SOCP", partial(_build, planner=planner, conic="socp"),
                        f"{objective} with s >= 1/eps (rotated SOC), CVXPY"),
            Formulation("power-cone", "cvxpy", "CONE", partial(_build, planner=planner, conic="power"),
                        f"{objective} with power(eps, -2) (power cone), CVXPY"),
            Formulation("nlp", "pyomo", "NLP", partial(_build, planner=planner, conic="pyomo"),
                        "the same convex program in Pyomo, for Ipopt"),
        ),
        solution=partial(_solution, planner=planner),
        closed_form=partial(_closed_form, planner=planner),
        default_solver="clarabel",
        math=math,
        example=example or {},
    )


def _build(inst: DpShareInstance, coalition: list[str] | None = None, *, planner: bool, conic: str, **_: Any) -> Any:
    if conic == "pyomo":
        return build_pyomo(inst, coalition, planner)
    return build_cvxpy(inst, coalition, planner, conic)


def _solution(result: Any, model: Any, inst: DpShareInstance, coalition: list[str] | None = None, *,
              planner: bool, **_: Any) -> dict[str, Any]:
    return solution(result, model, inst, coalition, planner)


def _closed_form(inst: DpShareInstance, coalition: list[str] | None = None, *, planner: bool,
                 **_: Any) -> dict[str, float]:
    return closed_form(inst, coalition, planner)


#: The model in LaTeX as coded (the docs page and `coopt show dpshare.best_response` print it).
MATH = r"""
Inside a fixed coalition $S$ of $k=|S|$ agents (option `coalition`, default all agents; $k\ge2$), each member
$i$ picks its privacy level $\epsilon_i>0$ (smaller = more noise). Member $i$'s burden (Def. 5) depends on its
own $\epsilon_i$ only through $\frac{2}{k^2\epsilon_i^2}+c_i k^{\alpha}\epsilon_i$, so the sub-game is an exact
potential game; coopt solves the potential:

$$
\min_{\epsilon>0}\quad \Phi(\epsilon)=\sum_{i\in
S}\Big[\frac{2}{k^2}\,\epsilon_i^{-2}+c_i\,k^{\alpha}\,\epsilon_i\Big].
$$

Its unique minimiser is the sub-game's Nash equilibrium (Lemma 2)

$$
\epsilon_i^*=\Big(\frac{4}{k^{2+\alpha}c_i}\Big)^{1/3}.
$$

Formulations (one program, three writings):

* `socp` (CVXPY): auxiliary $s_i\ge 1/\epsilon_i$ (`inv_eps`, CVXPY `inv_pos`, a rotated second-order cone),
  objective $\frac{2}{k^2}\sum_i s_i^2+\sum_i b_i\epsilon_i$ with the constants
  $b_i=c_i k^{\alpha}$;
* `power-cone` (CVXPY): objective $\frac{2}{k^2}\sum_i \epsilon_i^{-2}+\sum_i b_i\epsilon_i$ (`power(eps, -2)`);
* `nlp` (Pyomo, for Ipopt): $\Phi$ itself with $\epsilon_i\ge10^{-8}$ (`eps`, bound `EPS_MIN`).

Reported at the solution (evaluated from the solved $\epsilon$): the variance (eq. (1))
$\mathrm{Var}=\frac{\sigma^2}{k}+\frac{2}{k^2}\sum_{i\in S}\epsilon_i^{-2}$, member burdens
$\mathrm{Var}+c_ik^{\alpha}\epsilon_i$ (Def. 5), the social cost (Def. 6)
$(n-k)\sigma^2+k\,\mathrm{Var}+\sum_{i\in S}c_ik^\alpha\epsilon_i$, and the first-order residual
$\max_i\big|{-\tfrac{4}{k^2}}\epsilon_i^{-3}+c_ik^{\alpha}\big|/(c_ik^{\alpha})$ (the KKT residual when the
backend gives none). Closed forms compared: $\epsilon^*$ (Lemma 2), the objective, eq. (5) for the variance
and eq. (6) for the social cost. [Derivation](../derivations/dpshare.md#fixed-coalition).
"""


PROBLEM = epsilon_problem(
    "dpshare.best_response", planner=False,
    summary="Members' privacy levels eps*(S) in a fixed coalition: the epsilon sub-game (potential minimiser)",
    paper="Bassily, Donahue, Sen, Zhao & Ziani (2026), section 3.1, Lemma 2",
    equations="(1), Def. 5, Lemma 2",
    objective="potential Phi",
    math=MATH,
    example={"data": "dpshare/lemma3-example", "solver": "clarabel", "options": {"coalition": "a1,a2,a3,a4"}},
)

"""P3: the planner's full problem over the coalition and the privacy levels (paper section 4, eq. (4)).

problem: dpshare.design | class: MINLP, reduced exactly | formulations: native Lemma-1 scan (exact),
declarative MILP (HiGHS, SCIP) | solvers: exact, highs, scip

    min_{S subset [n], |S| in {0} u {2..n}, eps > 0}  SC(S, eps)                         (Def. 6)

* ``lemma1-scan`` (exact): Lemma 1 makes the k cheapest agents S_k optimal at size k, so after sorting
  SC_c(k) = (n+1-k) sigma2 + 3 k^((2a-1)/3) W_{S_k} (eq. 3) is scanned over k with prefix sums
  (O(n log n)); eq. (4): k* = argmin SC_c(k) if min <= n sigma2 (ties to sharing, then to larger k), else 0.
* ``milp`` (declarative, docs/derivations/dpshare.md#design; eps eliminated analytically by Lemma 1 at every S):
  binaries y_k (size k chosen, y_0 = no sharing) and x_ik (agent i in the size-k coalition),

      min  n sigma2 y_0 + sum_k (n+1-k) sigma2 y_k + sum_{i,k} 3 k^((2a-1)/3) w_i x_ik
      s.t. sum_i x_ik = k y_k,  x_ik <= y_k,  y_0 + sum_k y_k = 1.

  It does not assume Lemma 1's ordering: agreement with the scan is a test of Lemma 1.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pyomo.environ as pyo

from coopt.data.dpshare import DpShareInstance
from coopt.formulations.base import Formulation, Problem
from coopt.formulations.dpshare import closed_form as cf
from coopt.formulations.dpshare.common import central_outcome
from coopt.formulations.native import NativeModel, NativeSolution


def build_scan(inst: DpShareInstance, **_: Any) -> NativeModel:
    """Lemma 1 + eq. (4) as an exact native algorithm."""

    def run(**_: Any) -> NativeSolution:
        k, sc = cf.design_scan(inst.c, inst.sigma2, inst.alpha)
        return NativeSolution(status="optimal", objective=float(sc[k]), bound=float(sc[k]),
                              values={"k": k}, primal_residual=0.0)

    return NativeModel(name="dpshare.design", run=run, method="exact",
                       doc="Lemma 1 + eq. (4): sort, prefix sums, scan over k")


def build_milp(inst: DpShareInstance, **_: Any) -> pyo.ConcreteModel:
    """The declarative MILP (docs/derivations/dpshare.md#design) over (x_ik, y_k)."""
    n, s2, a = inst.n, inst.sigma2, inst.alpha
    ws = cf.w(inst.c)
    m = pyo.ConcreteModel(name="dpshare.design-milp")
    m.I = pyo.RangeSet(0, n - 1, doc="agents")
    m.K = pyo.RangeSet(2, n, doc="coalition sizes k >= 2")
    m.w = pyo.Param(m.I, initialize={i: float(x) for i, x in enumerate(ws)}, doc="w_i = (c_i^2/2)^(1/3)")
    m.y0 = pyo.Var(domain=pyo.Binary, doc="1 if no coalition forms")
    m.y = pyo.Var(m.K, domain=pyo.Binary, doc="1 if the coalition has size k")
    m.x = pyo.Var(m.I, m.K, domain=pyo.Binary, doc="1 if agent i is in the size-k coalition")
    m.one = pyo.Constraint(expr=m.y0 + sum(m.y[k] for k in m.K) == 1, doc="one size (or none)")
    m.card = pyo.Constraint(m.K, rule=lambda m, k: sum(m.x[i, k] for i in m.I) == k * m.y[k], doc="|S| = k")
    m.link = pyo.Constraint(m.I, m.K, rule=lambda m, i, k: m.x[i, k] <= m.y[k])
    m.sc = pyo.Objective(
        expr=n * s2 * m.y0 + sum((n + 1 - k) * s2 * m.y[k] for k in m.K)
        + sum(3 * k ** ((2 * a - 1) / 3) * m.w[i] * m.x[i, k] for i in m.I for k in m.K),
        sense=pyo.minimize, doc="SC_c at the Lemma-1 eps of the chosen S, eq. (3)")
    return m


def coalition_of(model: Any, inst: DpShareInstance) -> list[int]:
    """The chosen coalition (sorted positions) of a solved scan or MILP."""
    if isinstance(model, pyo.ConcreteModel):
        return sorted(i for i in model.I for k in model.K if pyo.value(model.x[i, k]) > 0.5)
    k, _ = cf.design_scan(inst.c, inst.sigma2, inst.alpha)
    return list(range(k))


def solution(result: Any, model: Any, inst: DpShareInstance, **_: Any) -> dict[str, Any]:
    """coalition, epsilon {name: value}, social_cost, variance (Lemma 1 at the chosen S), method."""
    S = coalition_of(model, inst)
    out = central_outcome(inst, S)
    if isinstance(model, pyo.ConcreteModel):
        gap = result.gap if result.gap is not None else float("nan")
        method = f"MILP ({result.solver}, relative gap {gap:.1e}); eps by Lemma 1 at the chosen coalition"
    else:
        method = "closed form: Lemma 1 reduction + scan over k (eq. 4), exact"
    result.messages.append(f"method: {method}")
    if result.objective is not None:
        out["social_cost"] = float(out["social_cost"])
    return {"coalition": out["coalition"], "epsilon": out["epsilon"], "social_cost": out["social_cost"],
            "variance": out["variance"], "method": method}


def closed_form(inst: DpShareInstance, **_: Any) -> dict[str, float]:
    """The optimal social cost from the Lemma-1 scan (eq. 4)."""
    k, sc = cf.design_scan(inst.c, inst.sigma2, inst.alpha)
    return {"objective": float(sc[k])}


def solve_exact(c: np.ndarray, sigma2: float, alpha: float) -> dict[str, float]:
    """k*, SC_c(k*), Var_c(k*) of eq. (4) for raw sorted costs (benchmarks, large n)."""
    t0 = time.perf_counter()
    k, sc = cf.design_scan(c, sigma2, alpha)
    W = float(cf.w(c[:k]).sum()) if k else 0.0
    var = float(cf.var_central(W, k, sigma2, alpha)) if k else sigma2
    return {"k": k, "social_cost": float(sc[k]), "variance": var, "seconds": time.perf_counter() - t0}


#: The model in LaTeX as coded (the docs page and `coopt show dpshare.design` print it).
MATH = r"""
The planner chooses the coalition and the privacy levels (Section 4):

$$
\min_{S\subseteq[n],\ |S|\in\{0\}\cup\{2,\dots,n\},\ \epsilon>0}\ SC(S,\epsilon),\qquad SC(\emptyset)=n\sigma^2 .
$$

With the costs sorted ($c_1\le\dots\le c_n$), $w_i=(c_i^2/2)^{1/3}$ and the optimal $\epsilon$ of each $S$
substituted (Lemma 1), the value of $S$ is $SC_c(S)=(n+1-k)\sigma^2+3k^{(2\alpha-1)/3}W_S$ (eq. (3)).

**`lemma1-scan`** (native, exact): the $k$ cheapest agents $S_k$ are optimal at size $k$, so

$$
k^*=\begin{cases}\arg\min_{2\le k\le n} SC_c(S_k) & \text{if } \min_k SC_c(S_k)\le n\sigma^2\\ 0 &
\text{otherwise}\end{cases}
\tag{4}
$$

by prefix sums ($O(n\log n)$); ties go to sharing, then to the larger $k$. Bound $=$ objective.

**`milp`** (Pyomo, HiGHS/SCIP): binaries $y_0$ (no coalition), $y_k$ (size $k$, $k\in K=\{2..n\}$), $x_{ik}$
(agent $i$ in the size-$k$ coalition); $\epsilon$ is eliminated analytically:

$$
\begin{aligned}
\min\quad & n\sigma^2\,y_0+\sum_{k\in K}(n+1-k)\,\sigma^2\,y_k+\sum_{i}\sum_{k\in
K}3\,k^{(2\alpha-1)/3}\,w_i\,x_{ik} && \text{(\texttt{sc})}\\
\text{s.t.}\quad & y_0+\sum_{k\in K}y_k=1 && \text{(\texttt{one})}\\
& \sum_i x_{ik}=k\,y_k,\quad k\in K && \text{(\texttt{card})}\\
& x_{ik}\le y_k && \text{(\texttt{link})}\\
& y_0,\ y_k,\ x_{ik}\in\{0,1\}.
\end{aligned}
$$

The MILP does not assume Lemma 1's ordering, so its agreement with the scan tests Lemma 1. The solution
reports the coalition, $\epsilon^c$ (Lemma 1), the variance (2) and the social cost (3).
[Derivation](../derivations/dpshare.md#design).
"""


PROBLEM = Problem(
    name="dpshare.design",
    family="dpshare",
    summary="Socially optimal coalition and privacy levels (centralized design), exact scan or MILP",
    paper="Bassily, Donahue, Sen, Zhao & Ziani (2026), section 4, Lemma 1, eq. (4)",
    equations="(2), (3), (4)",
    formulations=(
        Formulation("lemma1-scan", "native", "MINLP", build_scan, "exact: Lemma 1 + scan over k", method="exact"),
        Formulation("milp", "pyomo", "MILP", build_milp, "declarative MILP over (x_ik, y_k), eps eliminated"),
    ),
    solution=solution,
    closed_form=closed_form,
    default_solver="exact",
    math=MATH,
    example={"data": "dpshare/lemma3-example", "solver": "exact"},
)

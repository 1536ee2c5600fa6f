"""Per-size MILP of a stable coalition (docs/derivations/dpshare.md#milp; Claims 5, 6), for HiGHS or SCIP.

For a fixed size k, z_i = 1 if the i-th cheapest agent is a member (costs sorted), sum_i z_i = k, and

    u (max-member indicator):        u_i <= z_i, sum u = 1, z_j <= 1 - u_i (j > i);   wmax = sum w_i u_i
    v (cheapest-outsider indicator): v_i <= 1 - z_i, sum v = 1, z_j >= v_i (j < i);  w_l0 = sum w_i v_i
    exit   (Claim 5):   W + 2 wmax <= sigma2 (k-1) / k^p
    Nash entry (Cl. 5): 3 (k+1)^q w_l0 + k^q W >= k (k+1) sigma2 + delta
    robust entry (Cl. 6): W + w_l0 + 2 M >= sigma2 k / (k+1)^p + delta,  M = max(wmax, w_l0)

with W = sum w_i z_i. M is linearised exactly with one binary b (M <= wmax + b w_n, M <= w_l0 +
(1-b) w_n, M >= wmax, M >= w_l0). The strict entry inequalities use the tolerance ``delta``
(reported). The objective is SC_d (eq. 6), linear in z at fixed k: (n+1-k) sigma2 + (k+2) k^((2a-2)/3) W.
``exclude`` adds no-good cuts (sum_{i in S} z_i <= k - 1) to enumerate coalitions one by one.
"""

from __future__ import annotations

import pyomo.environ as pyo

from coopt.formulations.dpshare import closed_form as cf

#: the problem class of what :func:`build` returns (the per-size stability MILP), passed to ``solve``
PROBLEM_CLASS = "MILP"


def build(c_sorted, k: int, sigma2: float, alpha: float, kind: str = "nash", delta: float = 1e-9,
          exclude: list[list[int]] | None = None) -> pyo.ConcreteModel:
    """Per-size stability MILP; ``kind`` is 'nash' or 'robust'; ``delta`` the strictness tolerance (absolute)."""
    ws = [float(x) for x in cf.w(c_sorted)]
    n = len(ws)
    p, q = cf.p_exp(alpha), cf.q_exp(alpha)
    m = pyo.ConcreteModel(name=f"dpshare.stable-{kind}-k{k}")
    m.I = pyo.RangeSet(0, n - 1, doc="agents, sorted by cost")
    m.w = pyo.Param(m.I, initialize=dict(enumerate(ws)), doc="w_i = (c_i^2/2)^(1/3)")
    m.z = pyo.Var(m.I, domain=pyo.Binary, doc="1 if agent i is a member")
    m.u = pyo.Var(m.I, bounds=(0, 1), doc="1 at the most expensive member")
    m.size = pyo.Constraint(expr=sum(m.z[i] for i in m.I) == k, doc="|S| = k")
    m.u_member = pyo.Constraint(m.I, rule=lambda m, i: m.u[i] <= m.z[i])
    m.u_one = pyo.Constraint(expr=sum(m.u[i] for i in m.I) == 1)
    m.u_top = pyo.Constraint(m.I, m.I, rule=lambda m, i, j: m.z[j] <= 1 - m.u[i] if j > i else pyo.Constraint.Skip)
    W = sum(m.w[i] * m.z[i] for i in m.I)
    wmax = sum(m.w[i] * m.u[i] for i in m.I)
    m.exit = pyo.Constraint(expr=W + 2 * wmax <= sigma2 * (k - 1) / k**p, doc="no member leaves (Claim 5)")
    if k < n:
        m.v = pyo.Var(m.I, bounds=(0, 1), doc="1 at the cheapest outsider l0")
        m.v_out = pyo.Constraint(m.I, rule=lambda m, i: m.v[i] <= 1 - m.z[i])
        m.v_one = pyo.Constraint(expr=sum(m.v[i] for i in m.I) == 1)
        m.v_low = pyo.Constraint(m.I, m.I, rule=lambda m, i, j: m.z[j] >= m.v[i] if j < i else pyo.Constraint.Skip)
        wl0 = sum(m.w[i] * m.v[i] for i in m.I)
        if kind == "nash":
            m.entry = pyo.Constraint(expr=3 * (k + 1) ** q * wl0 + k**q * W >= k * (k + 1) * sigma2 + delta,
                                     doc="no outsider joins unilaterally (Claim 5)")
        else:
            big = max(ws)
            m.b = pyo.Var(domain=pyo.Binary, doc="1 if the cheapest outsider costs more than every member")
            m.M = pyo.Var(bounds=(0, big), doc="max(wmax, w_l0)")
            m.M_ge1 = pyo.Constraint(expr=m.M >= wmax)
            m.M_ge2 = pyo.Constraint(expr=m.M >= wl0)
            m.M_le1 = pyo.Constraint(expr=m.M <= wmax + big * m.b)
            m.M_le2 = pyo.Constraint(expr=m.M <= wl0 + big * (1 - m.b))
            m.entry = pyo.Constraint(expr=W + wl0 + 2 * m.M >= sigma2 * k / (k + 1) ** p + delta,
                                     doc="no valid entry (Claim 6): the cheapest outsider is vetoed")
    m.cuts = pyo.ConstraintList(doc="no-good cuts excluding coalitions already found")
    for S in exclude or []:
        m.cuts.add(sum(m.z[i] for i in S) <= k - 1)
    n_ = n
    m.sc = pyo.Objective(expr=(n_ + 1 - k) * sigma2 + (k + 2) * k ** ((2 * alpha - 2) / 3) * W,
                         sense=pyo.minimize, doc="SC_d(S), eq. (6)")
    return m


def members(m: pyo.ConcreteModel) -> list[int]:
    """The coalition of a solved model (0-based sorted positions)."""
    return [i for i in m.I if pyo.value(m.z[i]) > 0.5]

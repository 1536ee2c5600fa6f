"""P2: the planner's privacy levels at a fixed coalition S (paper section 4.1, Lemma 1, Appendix C.1).

problem: dpshare.design_fixed | class: separable convex SOCP (power-cone twin) | layers: CVXPY, Pyomo |
solvers: clarabel, scs (CVXPY), ipopt (Pyomo)

    min_{eps > 0}  SC(S, eps) = (n+1-k) sigma2 + sum_{i in S} [ 2/(k eps_i^2) + k^alpha c_i eps_i ]

Same model as P1 (:mod:`coopt.formulations.dpshare.best_response`) with accuracy weight 2/k instead of
2/k^2. Unique optimum eps_i = (4/(k^(1+alpha) c_i))^(1/3) (Lemma 1; the main text's k(1+alpha) is a typo).
"""

from __future__ import annotations

from coopt.formulations.dpshare.best_response import epsilon_problem

PROBLEM = epsilon_problem(
    "dpshare.design_fixed", planner=True,
    summary="Planner's socially optimal privacy levels at a fixed coalition S",
    paper="dpshare-privacy-coalitions.md, section 4.1, Lemma 1 and Appendix C.1",
    equations="Def. 6, (2), (3), Lemma 1",
    objective="SC(S, eps)",
)

"""P2: the planner's privacy levels at a fixed coalition S (paper section 4.1, Lemma 1, Appendix C.1).

problem: dpshare.design_fixed | class: separable convex SOCP (power-cone twin) | layers: CVXPY, Pyomo |
solvers: clarabel, scs (CVXPY), ipopt (Pyomo)

    min_{eps > 0}  SC(S, eps) = (n+1-k) sigma2 + sum_{i in S} [ 2/(k eps_i^2) + k^alpha c_i eps_i ]

Same model as P1 (:mod:`coopt.formulations.dpshare.best_response`) with accuracy weight 2/k instead of
2/k^2. Unique optimum eps_i = (4/(k^(1+alpha) c_i))^(1/3) (Lemma 1; the main text's k(1+alpha) is a typo).
"""

from __future__ import annotations

from coopt.formulations.dpshare.best_response import epsilon_problem

#: The model in LaTeX as coded (the docs page and `coopt show dpshare.design_fixed` print it).
MATH = r"""
The planner's privacy levels at a fixed coalition $S$ (option `coalition`, default all agents), $k=|S|\ge2$:
the social cost of Def. 6 in the form of Appendix C.1,

$$
\min_{\epsilon>0}\quad SC(S,\epsilon)=(n+1-k)\,\sigma^2+\sum_{i\in
S}\Big[\frac{2}{k}\,\epsilon_i^{-2}+k^{\alpha}c_i\,\epsilon_i\Big].
$$

It is [`dpshare.best_response`](dpshare.best_response.md)'s program with accuracy weight $2/k$ instead of
$2/k^2$ (the same three formulations `socp`, `power-cone`, `nlp`, plus the constant). Unique optimum (Lemma 1,
Appendix C.1)

$$
\epsilon_i^{c}=\Big(\frac{4}{k^{1+\alpha}c_i}\Big)^{1/3},\qquad
\mathrm{Var}_c=\frac{\sigma^2}{k}+k^{(2\alpha-4)/3}W_S\ \ (2),\qquad
SC_c=(n+1-k)\sigma^2+3k^{(2\alpha-1)/3}W_S\ \ (3),
$$

with $w_i=(c_i^2/2)^{1/3}$, $W_S=\sum_{i\in S}w_i$. The main text of Lemma 1 prints $k(1+\alpha)$ for
$k^{1+\alpha}$: see [the errata](../papers/dpshare.md#erratum-lemma1). First-order residual:
$\max_i|{-\tfrac4k}\epsilon_i^{-3}+c_ik^\alpha|/(c_ik^\alpha)$.
[Derivation](../derivations/dpshare.md#fixed-coalition).
"""


PROBLEM = epsilon_problem(
    "dpshare.design_fixed", planner=True,
    summary="Planner's socially optimal privacy levels at a fixed coalition S",
    paper="Bassily, Donahue, Sen, Zhao & Ziani (2026), section 4.1, Lemma 1 and Appendix C.1",
    equations="Def. 6, (2), (3), Lemma 1",
    objective="SC(S, eps)",
    math=MATH,
    example={"data": "dpshare/lemma3-example", "solver": "clarabel", "options": {"coalition": "a1,a2,a3,a4"}},
)

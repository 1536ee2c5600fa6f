"""P4-P6: every Nash-stable (Def. 7) and every robust (Def. 8) coalition, with certificates.

problem: dpshare.equilibria | solvers: exact (enumeration n <= 20, O(n) scans), highs / scip (per-size MILP)

Each equilibrium carries its epsilon profile (Lemma 2), variance (5), social cost (6) (member burdens
are in ``values["nash_burdens"]`` / ``values["robust_burdens"]``, in the same order), its sigma^2
window ([T, E) for Nash, [T, R) for robust) and ``max_deviation_gain``: the largest gain any single
agent gets by leaving, or by entering (robust: by a *valid* entry), recomputed from Definitions 5, 7
and 8 with numerically optimised epsilon (golden-section search), not from the closed forms. It is
<= 0 for an equilibrium (an exit tie gives 0). The set may be empty; the answer says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coopt.data.dpshare import DpShareInstance
from coopt.formulations.base import Option, Problem
from coopt.formulations.dpshare import closed_form as cf
from coopt.formulations.dpshare.common import selfish_outcome
from coopt.games.dpshare.search import KINDS, SOLVERS, describe, find
from coopt.solve.result import Result, Status


def paper_messages(inst: DpShareInstance, f: Any) -> list[str]:
    """Claim 2 (grand coalition) as printed and corrected, beside the model's answer
    (docs/papers/dpshare.md#erratum-claim2)."""
    if inst.alpha == -0.5:
        return []
    grand = list(range(inst.n)) in f.coalitions["nash"] if f.complete["nash"] else None
    right = cf.claim2_holds(inst.n, float(inst.c[-1]), inst.sigma2, inst.alpha, ceiling=False)
    printed = cf.claim2_holds(inst.n, float(inst.c[-1]), inst.sigma2, inst.alpha, ceiling=True)
    msgs = []
    if printed and not right:
        msgs.append("paper: Claim 2 as printed (with the ceiling) says the grand coalition is stable; the corrected "
                    "condition (no ceiling) does not, and the model says it is "
                    + ("stable" if grand else "not stable" if grand is not None else "(not searched)"))
    elif right:
        msgs.append("Claim 2 (corrected, no ceiling) holds: the grand coalition is stable (model agrees: "
                    f"{grand})")
    return msgs


def run(inst: DpShareInstance, solver: str, solver_options: Mapping[str, Any], limit: int = 500,
        delta: float = 1e-9, **_: Any) -> Result:
    f = find(inst, solver, dict(solver_options), limit=limit, delta=delta)
    sol: dict[str, Any] = {kind: [describe(inst, S, kind) for S in f.coalitions[kind]] for kind in KINDS}
    sol["method"] = f.method
    msgs = [f"method: {f.method}", *f.messages]
    for kind in KINDS:
        if not f.coalitions[kind]:
            msgs.append(f"no {kind} coalition exists at sigma2 = {inst.sigma2:g}"
                        + ("" if f.complete[kind] else " among those searched"))
    msgs.extend(paper_messages(inst, f))
    # O(n) scan (docs/derivations/dpshare.md#robust-structure, Claim 8)
    K = int(cf.largest_robust(inst.c, inst.sigma2, inst.alpha))
    if f.complete["robust"]:
        K_enum = max((len(S) for S in f.coalitions["robust"]), default=0)
        if f.counts.get("robust", 0) <= limit and K_enum != K:
            msgs.append(f"WARNING: largest robust size {K_enum} (search) differs from the O(n) scan's {K}")
    # complete, and every MILP solve with a bound (a missing gap never counts as 0)
    status = Status.OPTIMAL if all(f.complete.values()) and (solver == "exact" or f.gap is not None) \
        else Status.FEASIBLE
    res = Result(problem="dpshare.equilibria", status=status, solver=solver, messages=msgs,
                 formulation="enumeration" if solver == "exact" else "per-size-milp",
                 values={**{f"n_{k}": f.counts.get(k, 0) for k in KINDS}, "largest_robust_size": K,
                         **{f"{k}_burdens": [selfish_outcome(inst, S)["burdens"] for S in f.coalitions[k]]
                            for k in KINDS}}, gap=f.gap)
    res.solution = sol
    return res


#: The model in LaTeX as coded (the docs page and `coopt show dpshare.equilibria` print it).
MATH = r"""
Composed: every Nash-stable (Def. 7) and every robust (Def. 8) coalition of the data-sharing game. Members
play the selfish levels $\epsilon^*(S)$ of Lemma 2. With $w_i=(c_i^2/2)^{1/3}$, $W_S=\sum_{i\in S}w_i$,
$k=|S|$, $p=\frac{2\alpha+1}{3}$, $q=p+1$ and $l_0$ the cheapest outsider, the definitions reduce to
$\sigma^2$-windows (Claims 5 and 6):

$$
S \text{ Nash} \iff T(S)\le\sigma^2<E(S),\qquad S \text{ robust} \iff T(S)\le\sigma^2<R(S),
$$

$$
T(S)=\frac{(W_S+2\max_{i\in S}w_i)\,k^{p}}{k-1},\qquad
E(S)=\frac{3w_{l_0}(k+1)^{q}+W_S\,k^{q}}{k(k+1)},
$$

$$
R(S)=T\big(S\cup\{l_0\}\big),\qquad E([n])=R([n])=+\infty .
$$

$T$ is the exit condition (no member's burden exceeds $\sigma^2$, weak), $E$ the unilateral-entry condition
(insiders frozen at $\epsilon^*(S)$, strict), $R$ the valid-entry condition (everybody re-optimises; the
cheapest outsider binds).

Search (`solver`): `exact` enumerates all $2^n$ subsets (vectorised, $n\le 20$) or, for larger $n$, the
$O(n)$ scans the paper's structure allows (Claim 7: well-separated costs; the downward-closed robust
coalitions and the largest robust size $K=\max\{k: T(S_k)\le\sigma^2\}$); `highs`/`scip` solve, per size $k$,
the MILP over $z\in\{0,1\}^n$ ($\sum_i z_i=k$, $W=\sum_i w_iz_i$):

$$
\begin{aligned}
&u_i\le z_i,\quad \textstyle\sum_i u_i=1,\quad z_j\le 1-u_i\ (j>i), && w_{\max}=\textstyle\sum_i w_iu_i\\
&v_i\le 1-z_i,\quad \textstyle\sum_i v_i=1,\quad z_j\ge v_i\ (j<i), && w_{l_0}=\textstyle\sum_i w_iv_i\quad(k<n)\\
&W+2w_{\max}\le \sigma^2\,\frac{k-1}{k^{p}} && \text{Claim 5, exit}\\
&3(k+1)^{q}w_{l_0}+k^{q}W\ \ge\ k(k+1)\,\sigma^2+\delta && \text{Claim 5, Nash entry}\\
&W+w_{l_0}+2M\ \ge\ \sigma^2\,\frac{k}{(k+1)^{p}}+\delta,\quad M=\max(w_{\max},w_{l_0}) && \text{Claim 6, robust
entry}
\end{aligned}
$$

($u$ marks the most expensive member, $v$ the cheapest outsider; the rows are the model's `exit` and
`entry` constraints; $M$ linearised exactly with one binary $b$: $M\ge w_{\max}$, $M\ge w_{l_0}$,
$M\le w_{\max}+b\,\max_i w_i$,
$M\le w_{l_0}+(1-b)\max_i w_i$), objective $SC_d(S)=(n+1-k)\sigma^2+(k+2)k^{(2\alpha-2)/3}W$ (eq. (6)),
no-good cuts $\sum_{i\in S}z_i\le k-1$ to list coalitions one by one; $\delta$ = option `delta` (times
$\max(1,\sigma^2)$) makes the strict inequalities usable.

Each coalition found carries $\epsilon^*(S)$, $\mathrm{Var}_d$ (5), $SC_d$ (6), its window, and
`max_deviation_gain`: the largest gain of a single agent leaving or (validly) entering, recomputed from
Defs. 5, 7, 8 with numerically optimised $\epsilon$ — not from the closed forms; $\le0$ for an equilibrium.
[Derivation](../derivations/dpshare.md#stability).
"""


PROBLEM = Problem(
    name="dpshare.equilibria",
    family="dpshare",
    summary="Every Nash-stable and every robust coalition (possibly none), with sigma^2 windows and certificates",
    paper="Bassily, Donahue, Sen, Zhao & Ziani (2026), section 3.1 (Defs. 7, 8), Appendix A (Claims 5-8)",
    equations="Defs. 7, 8; Claims 5, 6, 7, 8; (5), (6)",
    options={
        "limit": Option(int, 500, "report at most this many coalitions of each kind (lowest social cost first)",
                        low=1, high=100_000),
        "delta": Option(float, 1e-9, "MILP tolerance for the strict entry inequalities (times max(1, sigma2))",
                        low=0, low_inclusive=False, high=1e-4),
    },
    run=run,
    default_solver="exact",
    solvers=SOLVERS,
    problem_class="MILP",
    math=MATH,
    example={"data": "dpshare/lemma3-example", "solver": "exact"},
)

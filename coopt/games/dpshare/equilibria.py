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
    """Claim 2 (grand coalition) as printed and corrected, beside the model's answer (notes section 6, item 3)."""
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
        delta: float = 1e-9) -> Result:
    f = find(inst, solver, dict(solver_options), limit=limit, delta=delta)
    sol: dict[str, Any] = {kind: [describe(inst, S, kind) for S in f.coalitions[kind]] for kind in KINDS}
    sol["method"] = f.method
    msgs = [f"method: {f.method}", *f.messages]
    for kind in KINDS:
        if not f.coalitions[kind]:
            msgs.append(f"no {kind} coalition exists at sigma2 = {inst.sigma2:g}"
                        + ("" if f.complete[kind] else " among those searched"))
    msgs.extend(paper_messages(inst, f))
    K = int(cf.largest_robust(inst.c, inst.sigma2, inst.alpha))     # O(n) scan (notes 3.5, Claim 8)
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


PROBLEM = Problem(
    name="dpshare.equilibria",
    family="dpshare",
    summary="Every Nash-stable and every robust coalition (possibly none), with sigma^2 windows and certificates",
    paper="dpshare-privacy-coalitions.md, section 3.1 (Defs. 7, 8), Appendix A (Claims 5-8)",
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
)

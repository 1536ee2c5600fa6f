"""P8: Price of Stability in social cost and in variance (paper sections 3.2 and 6; notes 3.8).

problem: dpshare.price_of_stability | solvers: exact (n <= 20), highs / scip (per-size MILP)

    PoS(X) = X at the SC-optimal stable coalition / X at the SC-optimal centralized design,  X in {SC, Var}

The same SC-optimal coalitions are used for both X (so PoS(Var) is not a variance optimum and the paper
does not guarantee it is >= 1). No stable coalition means no sharing (n sigma2, sigma2); k* = 0 means
(n sigma2, sigma2) for the design too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coopt.data.dpshare import DpShareInstance
from coopt.formulations.base import Option, Problem
from coopt.formulations.dpshare import closed_form as cf
from coopt.formulations.dpshare.common import central_outcome, selfish_outcome
from coopt.games.dpshare.best_stable import best
from coopt.games.dpshare.search import KINDS, SOLVERS
from coopt.solve.result import Result, Status


def pos_values(inst: DpShareInstance, S: list[int] | None, design: dict[str, Any]) -> dict[str, Any]:
    """{coalition, social_cost, variance, pos_sc, pos_var} for a stable coalition S (None: no sharing)."""
    if S is None:
        sc, var, names = inst.n * inst.sigma2, inst.sigma2, None
    else:
        o = selfish_outcome(inst, S)
        sc, var, names = o["social_cost"], o["variance"], o["coalition"]
    return {"coalition": names, "social_cost": sc, "variance": var,
            "pos_sc": sc / design["social_cost"], "pos_var": var / design["variance"]}


def run(inst: DpShareInstance, solver: str, solver_options: Mapping[str, Any], delta: float = 1e-9) -> Result:
    b, f = best(inst, solver, solver_options, delta)
    k, _ = cf.design_scan(inst.c, inst.sigma2, inst.alpha)
    design = central_outcome(inst, list(range(k)))
    sol: dict[str, Any] = {kind: pos_values(inst, b[kind], design) for kind in KINDS}
    method = f"{f.method}; centralized optimum by Lemma 1 + eq. (4) (closed form, k* = {k})"
    sol["method"] = method
    # complete, and every MILP solve with a bound (a missing gap never counts as 0)
    status = Status.OPTIMAL if all(f.complete.values()) and (solver == "exact" or f.gap is not None) \
        else Status.FEASIBLE
    res = Result(problem="dpshare.price_of_stability", status=status, solver=solver,
                 messages=[f"method: {method}"], formulation="enumeration" if solver == "exact" else "per-size-milp",
                 values={"k_star": k, "sc_central": design["social_cost"], "var_central": design["variance"]},
                 gap=f.gap)
    res.objective = sol["nash"]["pos_sc"]
    res.solution = sol
    return res


PROBLEM = Problem(
    name="dpshare.price_of_stability",
    family="dpshare",
    summary="PoS(SC) and PoS(Var) for Nash and robust stability (objective: Nash PoS(SC))",
    paper="dpshare-privacy-coalitions.md, sections 3.2 and 6, Theorems 3 and 4",
    equations="(3), (4), (6); PoS definition",
    options={"delta": Option(float, 1e-9, "MILP tolerance for the strict entry inequalities", low=0,
                            low_inclusive=False, high=1e-4)},
    run=run,
    default_solver="exact",
    solvers=SOLVERS,
    problem_class="MILP",
)

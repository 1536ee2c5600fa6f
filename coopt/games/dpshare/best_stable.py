"""P7: the social-cost-optimal Nash and robust coalitions (paper section 5.2; notes 3.7).

problem: dpshare.best_stable | solvers: exact (enumeration, n <= 20), highs / scip (per-size MILP,
minimising SC_d (6) at each size k, which is linear in the membership z)

min { SC_d(S) : S Nash (resp. robust) }. The optimum is not always downward closed (robust example in
the notes), so coopt searches all subsets. ``null`` when no stable coalition exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coopt.data.dpshare import DpShareInstance
from coopt.formulations.base import Option, Problem
from coopt.games.dpshare.search import KINDS, SOLVERS, describe, find
from coopt.solve.result import Result, Status


def best(inst: DpShareInstance, solver: str, solver_options: Mapping[str, Any], delta: float = 1e-9
         ) -> tuple[dict[str, list[int] | None], Any]:
    """The SC_d-optimal coalition of each kind (sorted positions) or None, and the search record."""
    f = find(inst, solver, dict(solver_options), delta=delta, best_only=True)
    return {kind: (f.coalitions[kind][0] if f.coalitions[kind] else None) for kind in KINDS}, f


def run(inst: DpShareInstance, solver: str, solver_options: Mapping[str, Any], delta: float = 1e-9) -> Result:
    b, f = best(inst, solver, solver_options, delta)
    sol: dict[str, Any] = {kind: (describe(inst, S, kind) if S is not None else None) for kind, S in b.items()}
    sol["method"] = f.method
    msgs = [f"method: {f.method}"] + [f"no {k} coalition exists at sigma2 = {inst.sigma2:g}: no sharing"
                                      for k in KINDS if b[k] is None]
    # complete, and every MILP solve with a bound (a missing gap never counts as 0)
    status = Status.OPTIMAL if all(f.complete.values()) and (solver == "exact" or f.gap is not None) \
        else Status.FEASIBLE
    res = Result(problem="dpshare.best_stable", status=status, solver=solver, messages=msgs,
                 formulation="enumeration" if solver == "exact" else "per-size-milp", gap=f.gap)
    nash = sol["nash"]
    res.objective = nash["social_cost"] if nash else inst.n * inst.sigma2
    res.solution = sol
    return res


PROBLEM = Problem(
    name="dpshare.best_stable",
    family="dpshare",
    summary="Social-cost-optimal Nash and robust coalitions (objective: the Nash one's SC_d)",
    paper="dpshare-privacy-coalitions.md, section 5.2; section 3.2 (PoS definition)",
    equations="(6); Defs. 7, 8",
    options={"delta": Option(float, 1e-9, "MILP tolerance for the strict entry inequalities", low=0,
                            low_inclusive=False, high=1e-4)},
    run=run,
    default_solver="exact",
    solvers=SOLVERS,
    problem_class="MILP",
)

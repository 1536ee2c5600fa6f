"""itinfra.social_optimum: the planner's best coalition structure and size (section 6, Appendix C).

problem: itinfra.social_optimum | class: enumeration over sizes of Stage-2 QPs | solvers: highs, ipopt, scip, exact

The planner chooses participation only (resources stay at their Stage-2 levels, not first-best):
max { SW_single, SW(j) = CW(j) + (n-j) S_out(j), j = 2..n }  (16). Stage 2 is solved for every size with
the chosen solver and SW is enumerated, so the answer holds for any beta (Appendix C's beta <= 1/2,
where SW is convex in j, included). Proposition 4 (beta > 1/2) or Appendix C's rule is reported beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coopt.data.itinfra import ItInfraInstance
from coopt.formulations.base import Problem
from coopt.formulations.itinfra import closed_form as cf
from coopt.games.itinfra.equilibrium import bound_binds, sizes
from coopt.games.itinfra.stage2_table import STAGE2_SOLVERS, Stage2Table, solve_stage2, structure, welfare
from coopt.solve.result import Result


def optimum(t: Stage2Table, phi: Any = None, gamma: float = 0.0) -> tuple[int, dict[int, float]]:
    """The welfare-maximising size (0 = singleton; ties go to the smaller size) and SW by size."""
    sw = welfare(t, phi, gamma)
    table = {j: float(sw[j]) for j in sizes(t.n)}
    best = max(table.values())
    return min(j for j, v in table.items() if v >= best - 1e-12 * max(1.0, abs(best))), table


def incomplete(t: Stage2Table) -> bool:
    """True when a Stage-2 solve stopped (time limit, failure): the welfare of some size is unknown."""
    return not bool(np.all(np.isfinite(welfare(t)[sizes(t.n)])))


def not_computed(t: Stage2Table, problem: str, solver: str, what: str) -> Result:
    """The honest answer of a composed problem whose Stage-2 table is incomplete: no answer, the table's status."""
    from coopt.solve.result import Status

    return Result(problem=problem, status=Status.ERROR if t.status == Status.OPTIMAL else t.status, solver=solver,
                  formulation="stage2-enumeration",
                  messages=[f"Stage 2 has no solution at some sizes: {what} is not computed", *t.messages])


def run(inst: ItInfraInstance, solver: str, solver_options: Mapping[str, Any]) -> Result:
    t = solve_stage2(inst, solver, solver_options)
    if incomplete(t):
        return not_computed(t, "itinfra.social_optimum", solver, "the social optimum")
    size, sw = optimum(t)
    msgs = list(t.messages)
    comparable = not bound_binds(inst) and inst.kappa > 0
    ref = float(cf.j_star_sw(inst.n, inst.kappa, inst.beta, inst.alpha, inst.p)) if comparable else None
    rule = "Proposition 4" if inst.beta > 0.5 else "Appendix C"
    if not comparable:
        msgs.append("the closed-form rule is not compared (g_max binds or kappa = 0)")
    elif int(ref) != size:
        msgs.append(f"enumerated optimum {size} differs from {rule}'s rule {int(ref)} (a tie or a boundary?)")
    res = Result(problem="itinfra.social_optimum", status=t.status, solver=solver, objective=sw[size],
                 formulation="stage2-enumeration", messages=msgs,
                 values={"SW": sw, "j_sw_continuous": float(cf.j_sw(inst.n, inst.kappa, inst.beta, inst.alpha))
                         if inst.beta != 0.5 and comparable else None})
    res.solution = {"size": size, "structure": structure(size, inst.n), "welfare": {str(j): v for j, v in sw.items()}}
    if ref is not None:
        res.closed_form = {"size": ref}
        res.closed_form_error = abs(size - ref) / max(1.0, ref)
    if not np.isfinite(res.objective):
        res.messages.append("welfare is not finite")
    return res


PROBLEM = Problem(
    name="itinfra.social_optimum",
    family="itinfra",
    summary="Socially optimal coalition structure and size (0 = singleton), SW by size",
    paper="itinfra-coalition-formation.md, section 6, Proposition 4, Appendix C",
    equations="(16)-(22); Stage 2 (3), (6)",
    run=run,
    default_solver="highs",
    solvers=STAGE2_SOLVERS,
    problem_class="QP",
)

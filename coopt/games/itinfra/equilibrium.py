"""itinfra.equilibrium: every equilibrium coalition size of the Stage-1 participation game (section 5).

problem: itinfra.equilibrium | class: enumeration over sizes of Stage-2 QPs | solvers: highs, ipopt, scip, exact

For every size j in {0 (singleton), 2..n}, Stage 2 is solved with the chosen solver (coordinator's
eq. (3) and the outsiders' eq. (6), one model per size, cached); the incentive-compatibility
conditions (10)-(15) are then checked for every size. The answer is the set of sizes that satisfy them
(the paper claims it is unique; coopt does not assume it), each with its certificate: the largest gain
of a unilateral deviation (<= 0 for an equilibrium). Proposition 2's closed form (corrected integer rule
and the printed one) is reported beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coopt.data.itinfra import ItInfraInstance
from coopt.formulations.base import Option, Problem
from coopt.formulations.itinfra import closed_form as cf
from coopt.games.itinfra.stage2_table import (
    STAGE2_SOLVERS,
    Stage2Table,
    deviation_gains,
    is_equilibrium,
    solve_stage2,
)
from coopt.solve.result import Result


def sizes(n: int) -> list[int]:
    """The coalition sizes of the game: 0 (singleton structure) and 2..n."""
    return [0, *range(2, n + 1)]


def equilibria(t: Stage2Table, phi: Any = None, tol: float = 1e-9) -> tuple[list[int], dict[int, dict]]:
    """Equilibrium sizes (sorted) and per-size details (S_in, S_out, max_deviation_gain) of one table."""
    gains = deviation_gains(t, phi)
    eq = is_equilibrium(t, phi, tol)
    ph = {} if phi is None else {int(k): float(v) for k, v in dict(phi).items()}
    details = {}
    for j in sizes(t.n):
        s_in = None if j == 0 else float(t.S_in[j]) + ph.get(j, 0.0)
        s_out = float(t.S_single) if j == 0 else (None if j == t.n else float(t.S_out[j]))
        details[j] = {"S_in": s_in, "S_out": s_out, "max_deviation_gain": float(gains[j])}
    return [j for j in sizes(t.n) if eq[j]], details


def bound_binds(inst: ItInfraInstance) -> bool:
    """True when the resource bound g_max cuts off an unconstrained Stage-2 level (closed forms then invalid)."""
    if inst.g_max is None:
        return False
    return bool(cf.g_in(2, inst.kappa, inst.alpha, inst.p) > inst.g_max or cf.g_out(inst.kappa, inst.p) > inst.g_max)


def paper_messages(inst: ItInfraInstance, found: list[int]) -> tuple[list[str], dict[str, float]]:
    """Compare with Proposition 2 (corrected and printed integer rules); one line per difference."""
    n, k, b, a = inst.n, inst.kappa, inst.beta, inst.alpha
    if bound_binds(inst):
        return ([f"g_max = {inst.g_max} binds in Stage 2: the paper's closed forms (Proposition 2) assume it "
                 "does not, so they are not compared"], {})
    if k == 0:
        return (["kappa = 0: the continuous sizes of Proposition 2 divide by kappa^2; not compared"], {})
    if not b > 0.5:
        return ([f"beta = {b} <= 1/2: outside Assumption 1, Proposition 2 does not apply "
                 "(equilibria may be several)"], {})
    fixed = int(cf.j_star_eqm(n, k, b, a))
    printed = int(cf.j_star_eqm_printed(n, k, b, a))
    msgs = []
    if found != [fixed]:
        msgs.append(f"model-based equilibria {found} differ from Proposition 2 (corrected rule) {fixed}")
    if printed != fixed:
        msgs.append(f"the paper's printed rule floor(j_eqm) gives {printed}; the correct partial size is "
                    f"floor(j_bar) = {fixed} (notes, error 1)")
    return msgs, {"size": float(fixed), "size_printed": float(printed)}


def run(inst: ItInfraInstance, solver: str, solver_options: Mapping[str, Any], tie_tol: float = 1e-9) -> Result:
    table = solve_stage2(inst, solver, solver_options)
    found, details = equilibria(table, tol=tie_tol)
    msgs, ref = paper_messages(inst, found)
    res = Result(problem="itinfra.equilibrium", status=table.status, solver=solver,
                 values=_values(table), messages=[*table.messages, *msgs], formulation="stage2-enumeration")
    res.solution = {"equilibria": found, "details": {str(j): d for j, d in details.items()}}
    if ref:
        res.closed_form = ref
        if len(found) == 1:
            res.closed_form_error = abs(found[0] - ref["size"]) / max(1.0, ref["size"])
    return res


def _values(t: Stage2Table) -> dict[str, Any]:
    return {
        "S_in": {j: float(t.S_in[j]) for j in range(2, t.n + 1)},
        "S_out": {j: float(t.S_out[j]) for j in range(2, t.n) if np.isfinite(t.S_out[j])},
        "S_single": float(t.S_single),
    }


PROBLEM = Problem(
    name="itinfra.equilibrium",
    family="itinfra",
    summary="Every equilibrium coalition size (0 = singleton) of the participation game, with certificates",
    paper="itinfra-coalition-formation.md, section 5, Proposition 2",
    equations="(10)-(15); Stage 2 (3), (6)",
    options={"tie_tol": Option(float, 1e-9, "round-off allowance on deviation gains, relative to max(1, |S_single|)",
                              low=0, high=1e-6)},
    run=run,
    default_solver="highs",
    solvers=STAGE2_SOLVERS,
    problem_class="QP",
)

"""The vaccine-sharing game (N, v): v(S) of Problem (1) for every coalition, named by players.

problem: vaccine.game | class: NCNLP (2^n - 1 knapsacks) | layer: native | solvers: exact, heuristic

* solver ``exact`` (default): the exact KKT enumeration of
  :mod:`coopt.games.vaccine.characteristic`, every v(S) with a certified upper bound;
* solver ``heuristic``: the paper's approximation v-bar of Appendix B.1 (heuristic plus the
  superadditivity repair; without Matlab's fmincon), ``bound`` null.

JSON solution: ``coalitions`` = [{members: [names], v, bound}], one per non-empty coalition,
ordered by size and then by player order (never by bit position).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from coopt.formulations.base import Problem
from coopt.solve.result import Result, Status


def run(instance: Any, solver: str, solver_options: Mapping[str, Any]) -> Result:
    """All coalition values of ``instance`` with ``solver`` exact or heuristic."""
    from coopt.errors import SolverUnavailable

    if solver == "exact":
        from coopt.games.vaccine.characteristic import solve_all
        from coopt.solve.status import TimeLimitReached

        try:
            sol = solve_all(instance, time_limit=solver_options.get("time_limit"))
        except TimeLimitReached as stop:
            return Result(problem="vaccine.game", status=Status.TIME_LIMIT, solver=solver,
                          formulation="characteristic function", messages=[f"exact: {stop}"])
        frame = sol.frame()
        status = Status.OPTIMAL
        msg = [f"exact KKT enumeration over {len(frame)} coalitions ({sol.polished} configurations polished)"]
    elif solver == "heuristic":
        from coopt.formulations.vaccine.allocation import heuristic_game_values

        frame, _ = heuristic_game_values(instance)
        status = Status.FEASIBLE
        msg = ["paper's v-bar: heuristic B.1 with the superadditivity repair (no optimality claim)"]
    else:
        raise SolverUnavailable(f"vaccine.game is solved by 'exact' or 'heuristic', not '{solver}'")
    rows = []
    for rec in frame.itertuples():
        b = float(rec.bound)
        rows.append({"members": list(rec.members), "v": float(rec.v), "bound": b if math.isfinite(b) else None})
    grand = rows[-1]
    res = Result(problem="vaccine.game", status=status, solver=solver, objective=grand["v"], bound=grand["bound"],
                 solution={"coalitions": rows}, formulation="characteristic function", messages=msg)
    if status == Status.OPTIMAL:
        from coopt.solve.status import Tolerances, downgrade

        gaps = [(r["bound"] - r["v"]) / max(1.0, abs(r["v"])) for r in rows]
        res.gap = max(gaps)
        res.messages.append(f"largest relative gap bound - v over all coalitions: {res.gap:.2e}")
        tol = Tolerances.from_options(solver_options)
        if not res.gap <= tol.gap:
            downgrade(res, f"not certified: a coalition's gap {res.gap:.2e} > {tol.gap:.1e}")
    res.values = {"v": {",".join(r["members"]): r["v"] for r in rows}}
    return res


PROBLEM = Problem(
    name="vaccine.game",
    family="vaccine",
    summary="v(S) of Problem (1) for every coalition, each with its certified upper bound, named by players",
    paper="vaccine-fair-allocation.md, Section 3.1 (Problem (1)), Appendix B.1 (heuristic v-bar)",
    equations="(1)",
    options={},
    run=run,
    default_solver="exact",
    solvers=("exact", "heuristic"),
    problem_class="NCNLP",
)

__all__ = ["PROBLEM", "run"]

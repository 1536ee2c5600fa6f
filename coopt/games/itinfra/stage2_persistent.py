"""Stage 2 re-solved on kept models: the game layer over a grid without rebuilding a model per point.

:func:`coopt.games.itinfra.stage2_table.solve_stage2` solves one Stage-2 QP per coalition size. Over
a grid of (alpha, beta) or kappa values the models differ only in their mutable Params (kappa,
alpha, p; beta enters the payoffs, not the model), so :class:`Stage2Solves` keeps one model per
size (and per number of districts n and resource bound g_max, which shape it) and re-solves it by
:class:`coopt.solve.persistent.PersistentSolve`: the same Result and certificate as
``coopt.solve``, without the build.

    sizes = Stage2Solves("highs")
    for inst in instances:
        table = solve_stage2(inst, "highs", solve_size=sizes)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coopt.data.itinfra import ItInfraInstance
from coopt.formulations.itinfra import stage2
from coopt.solve.persistent import PersistentSolve
from coopt.solve.result import Result


class Stage2Solves:
    """``(inst, j) -> Result``: Stage 2 for size j on a kept Pyomo model (one per j, n, g_max)."""

    def __init__(self, solver: str = "highs", solver_options: Mapping[str, Any] | None = None) -> None:
        self.solver = solver
        self.solver_options = dict(solver_options or {})
        self.models: dict[tuple[int, int, float | None], PersistentSolve] = {}

    def __call__(self, inst: ItInfraInstance, j: int) -> Result:
        key = (j, inst.n, inst.g_max)
        kept = self.models.get(key)
        if kept is None:
            kept = self.models[key] = PersistentSolve(stage2.build(inst, j), self.solver, "QP",
                                                      **self.solver_options)
        model = kept.model
        model.kappa.set_value(inst.kappa)
        model.alpha.set_value(inst.alpha)
        model.p.set_value(inst.p)
        return kept.solve()


__all__ = ["Stage2Solves"]

"""Compare solvers on one problem and instance: ``coopt.compare()`` and ``coopt compare``.

Each solver runs the problem through ``coopt.problems.run`` (a solver that cannot serve it is a row
with status ``refused`` and the reason); the results are then cross-checked (a solver's bound below
another's feasible value is reported and downgrades it). The table has one row per solver: status,
objective, bound, gap, primal and KKT residuals, closed-form error, wall time and a note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from coopt.errors import CooptError, InputError

if TYPE_CHECKING:
    import pandas as pd

    from coopt.data.base import Instance
    from coopt.formulations.base import Problem

COLUMNS = ("solver", "formulation", "status", "objective", "bound", "gap", "primal_residual", "kkt_residual",
           "closed_form_error", "wall_time", "note")


def parse_solver_options(pairs: Sequence[str], solvers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["scs.max_iters=5000", "highs.presolve=off"]`` -> ``{"scs": {"max_iters": 5000}, ...}``; a value is
    an int, a float, true/false, or else a string (``off`` stays a string: HiGHS's presolve takes it);
    the solver must be one of ``solvers``."""
    out: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        solver, dot, name = key.strip().partition(".")
        if not sep or not dot or not solver or not name:
            raise InputError(f"--solver-option '{pair}': expected SOLVER.NAME=VALUE, e.g. scs.max_iters=5000")
        if solver not in solvers:
            raise InputError(f"--solver-option '{pair}': solver '{solver}' is not compared "
                             f"(solvers: {', '.join(solvers)})")
        out.setdefault(solver, {})[name.strip()] = _scalar(raw.strip())
    return out


def _scalar(raw: str) -> Any:
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(raw.lower(), raw)


def compare(problem: str | Problem, instance: Instance, solvers: Sequence[str] | str | None = None, *,
            solver_options: Mapping[str, Mapping[str, Any]] | None = None, **options: Any) -> pd.DataFrame:
    """Solve ``problem`` on ``instance`` with each of ``solvers`` (default: every installed solver that
    fits) and return the comparison table as a DataFrame, one row per solver (``COLUMNS``).

    ``options``: the problem's options and the common solver options (``time_limit``, ``tol``, ...);
    ``solver_options``: each solver's own options, ``{"scs": {"max_iters": 5000}}`` (checked by the
    solver's API before anything runs). ``frame.attrs`` names the problem and the instance."""
    import pandas as pd

    from coopt.problems import get_problem, run, solvers_for
    from coopt.solve.options import check_solver_options
    from coopt.solve.status import cross_check

    prob = get_problem(problem) if isinstance(problem, str) else problem
    if isinstance(solvers, str):
        solvers = [s.strip() for s in solvers.split(",") if s.strip()]
    names = list(solvers or solvers_for(prob))
    if not names:
        raise InputError(f"{prob.name}: no installed solver fits")
    extra = dict(solver_options or {})
    unknown = sorted(set(extra) - set(names))
    if unknown:
        raise InputError(f"solver_options for {', '.join(unknown)}: not among the compared solvers "
                         f"({', '.join(names)})")
    for name, opts in extra.items():  # a bad option fails before any solve
        check_solver_options(name, opts)
    runs: dict[str, Any] = {}
    for name in names:
        try:
            kw = dict(options)
            if extra.get(name):
                kw["solver_options"] = dict(extra[name])
            runs[name] = run(prob, instance, solver=name, **kw)
        except CooptError as err:
            runs[name] = err
    cross_check([r for r in runs.values() if not isinstance(r, CooptError)])
    rows = []
    for name, r in runs.items():
        if isinstance(r, CooptError):
            rows.append({**dict.fromkeys(COLUMNS), "solver": name, "formulation": "", "status": "refused",
                         "note": str(r)})
            continue
        cert = r.to_dict()["certificate"]
        rows.append({"solver": name, "formulation": r.formulation, "status": r.status.value, "objective": r.objective,
                     "bound": r.bound, "gap": r.gap, "primal_residual": cert["primal_residual"],
                     "kkt_residual": cert["kkt_residual"], "closed_form_error": cert["closed_form_error"],
                     "wall_time": r.wall_time, "note": "; ".join(r.messages)})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame.attrs["problem"] = prob.name
    frame.attrs["instance"] = instance.name
    return frame


__all__ = ["COLUMNS", "compare", "parse_solver_options"]

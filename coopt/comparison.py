"""Compare solvers on one problem and instance: ``coopt.compare()`` and ``coopt compare``.

Each solver runs the problem through ``coopt.problems.run``; a solver that is refused or fails is a
row of its own (status ``refused`` or ``error`` and the reason) and the table goes on. A solver that
may search long (a global MILP/MINLP/non-convex solver) gets ``COMPARE_TIME_LIMIT`` seconds unless a
time limit is given. The results are then cross-checked: a solver's bound below another's feasible
value is a failed certificate (that solver is downgraded). One row per solver: ``COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from coopt.errors import CooptError, InputError, SolverUnavailable, describe_exception, one_line, short_repr

if TYPE_CHECKING:
    import pandas as pd

    from coopt.data.base import Instance
    from coopt.formulations.base import Problem

#: time limit (seconds) each solver that may search long (global MILP/MINLP solvers) gets when no
#: time limit is given: one slow solver must not hold the whole table
COMPARE_TIME_LIMIT = 60.0
_SEARCH_CLASSES = ("MILP", "MIQP", "MINLP", "NCNLP")
COLUMNS = ("solver", "formulation", "status", "objective", "bound", "gap", "primal_residual", "kkt_residual",
           "closed_form_error", "wall_time", "note")


def solver_names(solvers: Sequence[str] | str | None) -> list[str]:
    """The solvers to compare (a comma list or a sequence); empty: none given. Unknown or repeated -> exit 2."""
    from coopt.solve import SOLVERS

    if solvers is None:
        return []
    if isinstance(solvers, str):
        if not solvers.strip():
            return []
        names = [s.strip() for s in solvers.split(",")]
    else:
        names = [str(s).strip() for s in solvers]
    if any(not s for s in names):
        raise InputError(f"--solvers {short_repr(solvers)}: an empty name in the list")
    for s in names:
        if s not in SOLVERS:
            raise SolverUnavailable(f"--solvers: unknown solver {short_repr(s)} (known: {', '.join(SOLVERS)})")
        if names.count(s) > 1:
            raise InputError(f"--solvers: {short_repr(s)} is given twice")
    return names


def limit_for(name: str, time_limit: float | None) -> float | None:
    """The time limit solver ``name`` gets: the one given, else ``COMPARE_TIME_LIMIT`` for a search solver."""
    from coopt.solve import SOLVERS

    if time_limit is not None:
        return time_limit
    spec = SOLVERS[name]
    if spec.layer != "native" and any(c in spec.global_for for c in _SEARCH_CLASSES):
        return COMPARE_TIME_LIMIT
    return None


def parse_solver_options(pairs: Sequence[str], solvers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["scs.max_iters=5000", "highs.presolve=off"]`` -> ``{"scs": {"max_iters": 5000}, ...}``; a value is
    an int, a float, true/false, or else a string (``off`` stays a string: HiGHS's presolve takes it);
    the solver must be one of ``solvers``."""
    out: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        solver, dot, name = key.strip().partition(".")
        if not sep or not dot or not solver or not name:
            raise InputError(f"--solver-option {short_repr(pair)}: expected SOLVER.NAME=VALUE, e.g. scs.max_iters=5000")
        if solver not in solvers:
            raise InputError(f"--solver-option {short_repr(pair)}: solver '{solver}' is not compared "
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


def _run_one(prob: Problem, instance: Instance, name: str, options: Mapping[str, Any], limit: float | None,
             specific: Mapping[str, Any] | None) -> Any:
    """One solver's result, or its refusal / error row (never raises: one solver must not abort the table)."""
    from coopt.problems import run

    kw = dict(options)
    if limit is not None:
        kw["time_limit"] = limit
    if specific:
        kw["solver_options"] = dict(specific)
    row: dict[str, Any] = {**dict.fromkeys(COLUMNS), "solver": name}
    try:
        return run(prob, instance, solver=name, **kw)
    except CooptError as e:
        row.update(status="refused" if e.exit_code == 2 else "error", note=str(e))
    except Exception as e:  # a solver's own failure is a row, not a traceback
        row.update(status="error", note=describe_exception(e))
    return row


def _row(name: str, r: Any, limit: float | None, default_limit: bool) -> dict[str, Any]:
    if isinstance(r, dict):
        return r
    cert = r.to_dict()["certificate"]
    notes = list(r.messages)
    if default_limit and limit is not None and r.status.value != "optimal":
        notes.insert(0, f"time limit {limit:g} s (coopt compare's default; pass --time-limit to change)")
    return {"solver": name, "formulation": r.formulation, "status": r.status.value, "objective": _num(r.objective),
            "bound": _num(r.bound), "gap": _num(r.gap), "primal_residual": _num(cert.get("primal_residual")),
            "kkt_residual": _num(cert.get("kkt_residual")), "closed_form_error": _num(cert.get("closed_form_error")),
            "wall_time": _num(r.wall_time), "note": one_line("; ".join(notes), 300)}


def _num(x: Any) -> float | None:
    """A plain Python float (numpy scalars from the solvers' arrays too), or None."""
    return None if x is None else float(x)


def compare_rows(problem: str | Problem, instance: Instance, solvers: Sequence[str] | str | None = None, *,
                 time_limit: float | None = None, solver_options: Mapping[str, Mapping[str, Any]] | None = None,
                 **options: Any) -> list[dict[str, Any]]:
    """The comparison as rows (dicts with ``COLUMNS``); see :func:`compare`."""
    from coopt.problems import get_problem, solvers_for
    from coopt.solve.options import check_solver_options
    from coopt.solve.status import cross_check

    prob = get_problem(problem) if isinstance(problem, str) else problem
    names = solver_names(solvers) or solvers_for(prob)
    if not names:
        raise InputError(f"{prob.name}: no installed solver fits")
    extra = dict(solver_options or {})
    unknown = sorted(set(extra) - set(names))
    if unknown:
        raise InputError(f"solver options for {', '.join(unknown)}: not among the compared solvers "
                         f"({', '.join(names)})")
    for name, opts in extra.items():  # a bad option fails before any solve
        check_solver_options(name, opts)
    if "time_limit" in options:
        if time_limit is not None:
            raise InputError("time_limit given twice")
        time_limit = options.pop("time_limit")
    limits = {name: limit_for(name, time_limit) for name in names}
    runs = {name: _run_one(prob, instance, name, options, limits[name], extra.get(name)) for name in names}
    cross_check([r for r in runs.values() if not isinstance(r, dict)])  # a bound below another's value fails
    return [_row(name, runs[name], limits[name], time_limit is None) for name in names]


def compare(problem: str | Problem, instance: Instance, solvers: Sequence[str] | str | None = None, *,
            time_limit: float | None = None, solver_options: Mapping[str, Mapping[str, Any]] | None = None,
            **options: Any) -> pd.DataFrame:
    """Solve ``problem`` on ``instance`` with each of ``solvers`` (default: every installed solver that
    fits) and return the comparison table as a DataFrame, one row per solver (``COLUMNS``).

    ``options``: the problem's options and the common solver options (``tol``, ...); ``time_limit``
    per solver (default: ``COMPARE_TIME_LIMIT`` for global MILP/MINLP solvers, none for the others);
    ``solver_options``: each solver's own options, ``{"scs": {"max_iters": 5000}}``, checked by the
    solver's API before anything runs. ``frame.attrs`` names the problem and the instance."""
    import pandas as pd

    prob_name = problem if isinstance(problem, str) else problem.name
    rows = compare_rows(problem, instance, solvers, time_limit=time_limit, solver_options=solver_options, **options)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame.attrs["problem"] = prob_name
    frame.attrs["instance"] = instance.name
    return frame


__all__ = ["COLUMNS", "COMPARE_TIME_LIMIT", "compare", "compare_rows", "limit_for", "parse_solver_options",
           "solver_names"]

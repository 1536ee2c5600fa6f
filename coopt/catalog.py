"""The catalogue of decision problems: every ``PROBLEM`` in coopt.formulations and coopt.games.

:func:`run` is the one entry point the CLI, the sweeps and the examples use: it validates the
options, picks the formulation the chosen solver can serve, builds, solves, and attaches the
problem's solution, its closed-form reference and the distance from it.
"""

from __future__ import annotations

import functools
import importlib
import math
import pkgutil
import time
from collections.abc import Mapping
from typing import Any

from coopt.data.base import Instance
from coopt.errors import InputError, SolverUnavailable
from coopt.formulations.base import Formulation, Problem
from coopt.solve import capable, get_solver, solve
from coopt.solve.result import Result, Status


@functools.cache
def problems() -> dict[str, Problem]:
    """All registered problems by name (imports every module under formulations/ and games/)."""
    found: dict[str, Problem] = {}
    for pkg_name in ("coopt.formulations", "coopt.games"):
        pkg = importlib.import_module(pkg_name)
        for mod in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg_name}."):
            module = importlib.import_module(mod.name)
            prob = getattr(module, "PROBLEM", None)
            if isinstance(prob, Problem):
                from coopt.solve import COMMON_OPTIONS

                clash = set(prob.options) & set(COMMON_OPTIONS)
                if clash:  # --set tol=... must mean one thing
                    raise RuntimeError(f"{prob.name}: option(s) {sorted(clash)} clash with the common solver options")
                if prob.name in found:
                    raise RuntimeError(f"problem {prob.name} registered twice ({mod.name})")
                found[prob.name] = prob
    return dict(sorted(found.items()))


def get_problem(name: str) -> Problem:
    """The problem called ``name``; unknown names list the known ones."""
    probs = problems()
    if name not in probs:
        raise InputError(f"unknown problem '{name}' (known: {', '.join(probs)})")
    return probs[name]


def solvers_for(problem: Problem, installed: bool = True) -> list[str]:
    """Solvers that can serve at least one formulation of ``problem``."""
    if problem.run is not None:
        return list(problem.solvers) or [problem.default_solver]
    out: list[str] = []
    for f in problem.formulations:
        for s in capable(f.problem_class, (f.layer,), installed=installed):
            spec = get_solver(s)
            if f.layer == "native" and _native_method(f) != spec.method:
                continue
            if s not in out:
                out.append(s)
    return out


def _native_method(f: Formulation) -> str:
    return "heuristic" if "heuristic" in f.name else "exact"


def pick_formulation(problem: Problem, solver: str, name: str | None = None) -> Formulation:
    """The formulation ``solver`` can serve (or the one called ``name``), refused before solving."""
    spec = get_solver(solver)
    cands = [f for f in problem.formulations if name is None or f.name == name]
    if name is not None and not cands:
        known = ", ".join(f.name for f in problem.formulations)
        raise InputError(f"{problem.name}: unknown formulation '{name}' (known: {known})")
    for f in cands:
        if f.layer == spec.layer and f.problem_class in spec.classes:
            if f.layer == "native" and _native_method(f) != spec.method:
                continue
            return f
    alt = solvers_for(problem)
    what = ", ".join(f"{f.name} ({f.layer} {f.problem_class})" for f in cands)
    raise SolverUnavailable(
        f"solver '{solver}' ({spec.layer}: {', '.join(spec.classes)}) cannot solve {problem.name} "
        f"[{what}]; try {', '.join(alt) or 'none installed'}"
    )


def _split_options(opts: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from coopt.solve import COMMON_OPTIONS

    solver_opts = {k: v for k, v in opts.items() if k in COMMON_OPTIONS}
    return solver_opts, {k: v for k, v in opts.items() if k not in COMMON_OPTIONS}


def run(problem: str | Problem, instance: Instance, solver: str | None = None,
        formulation: str | None = None, **options: Any) -> Result:
    """Solve ``problem`` on ``instance``. ``options``: the problem's own options plus the common
    solver options (time_limit, gap, tol, max_iter)."""
    prob = get_problem(problem) if isinstance(problem, str) else problem
    if instance.family != prob.family:
        raise InputError(f"{prob.name} needs a '{prob.family}' instance, got family '{instance.family}'")
    solver = solver or prob.default_solver
    solver_opts, raw = _split_options(options)
    opts = prob.parse_options(raw)
    t0 = time.perf_counter()
    if prob.run is not None:
        get_solver(solver)
        result = prob.run(instance, solver, solver_opts, **opts)
    else:
        form = pick_formulation(prob, solver, formulation)
        model = form.build(instance, **opts)
        result = solve(model, solver, form.problem_class, **solver_opts)
        result.formulation = form.name
        if result.status.has_solution and prob.solution is not None:
            result.solution = prob.solution(result, model, instance, **opts)
    result.problem = prob.name
    result.instance_hash = instance.digest()
    result.options = {**result.options, **opts}
    if prob.run is not None:  # a composed problem is timed here, whole (its run() does not time itself)
        result.wall_time = time.perf_counter() - t0
    if prob.closed_form is not None and result.status.has_solution:
        ref = dict(prob.closed_form(instance, **opts))
        result.closed_form = ref
        result.closed_form_error = closed_form_error(result, ref)
        from coopt.solve.status import Tolerances, check_closed_form

        check_closed_form(result, Tolerances.from_options(solver_opts), _lookup)  # the status follows it too
    return result


def _lookup(result: Result, key: str) -> float | None:
    if key == "objective":
        return result.objective
    if key in result.solution and isinstance(result.solution[key], int | float):
        return float(result.solution[key])
    if key in result.values and isinstance(result.values[key], int | float):
        return float(result.values[key])
    if key.endswith("]") and "[" in key:
        name, idx = key[:-1].split("[", 1)
        table = result.values.get(name)
        if isinstance(table, dict):
            for k, v in table.items():
                if str(k) == idx or (isinstance(k, tuple) and ",".join(map(str, k)) == idx):
                    return v
    return None


def closed_form_error(result: Result, ref: Mapping[str, float]) -> float | None:
    """Largest relative distance |x - x_ref| / max(1, |x_ref|) over the reference keys present."""
    errs = []
    for key, want in ref.items():
        got = _lookup(result, key)
        if got is None or want is None:
            continue
        errs.append(abs(got - want) / max(1.0, abs(want)))
    if not errs:
        return None
    e = max(errs)
    return e if math.isfinite(e) else None


__all__ = ["Result", "Status", "get_problem", "pick_formulation", "problems", "run", "solvers_for"]

"""Sweeps of catalogue problems (``coopt sweep``) and of any Pyomo model with mutable parameters.

* :func:`sweep_problem`: a catalogue problem solved at every point of a grid over instance fields
  (``alpha``), problem options (``j``) and common solver options (``tol``).
* :class:`ProblemPoint`: its point function; where the problem's Pyomo formulation declares
  ``params`` (how an instance maps onto its mutable Params) and the solver is HiGHS, one model per
  worker and option combination is re-solved by :class:`coopt.solve.persistent.PersistentSolve`
  (the same statuses, options and certificates as ``coopt.solve``), otherwise ``run`` per point.
* :class:`PersistentPyomo`: the same re-solve pattern for any Pyomo model the caller builds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coopt.errors import CooptError, InputError
from coopt.experiments.sweep.engine import Row, check_scheduler_address, run_sweep
from coopt.experiments.sweep.grid import MAX_POINTS, Axis, Point, check_size, parse_grid, plain


def _registry() -> Any:
    """The problem registry (get_problem, run, pick_formulation, closed_form_error)."""
    import coopt.problems as registry

    return registry


# ----------------------------------------------------------------------------- any Pyomo model


class PersistentPyomo:
    """A :class:`~coopt.experiments.sweep.engine.PointFactory` for Pyomo: build the model once per
    worker, re-solve it per point through :class:`coopt.solve.persistent.PersistentSolve`.

    ``build()`` returns the model (use a module-level function or ``functools.partial`` so that
    it pickles); ``problem_class`` is its class (``LP``, ``QP``, ``MILP``, ...). At each point
    ``update(model, point)`` sets the mutable Params (default: every grid key names a scalar
    mutable Param of the model, ``model.<key>.set_value(point[key])``), the model is re-solved and
    ``row(model)`` makes the row (default: the objective). The row also gets ``status`` (a
    :class:`~coopt.solve.result.Status` value: ``optimal``, ``infeasible``, ...); rows of points
    without a solution have ``objective`` None. ``solver_options`` are coopt's common options
    (time_limit, gap, tol, max_iter); ``certify`` and ``fast`` are those of ``PersistentSolve``
    (``fast`` re-reads mutable Params only: an ``update`` that fixes variables or adds components
    needs ``fast=False``).
    """

    def __init__(self, build: Callable[[], Any], problem_class: str, update: Callable[[Any, Point], None] | None = None,
                 row: Callable[[Any], Row] | None = None, solver: str = "highs",
                 solver_options: Mapping[str, Any] | None = None, fast: bool = True, certify: str = "full") -> None:
        self.build = build
        self.problem_class = problem_class
        self.update = update
        self.row = row
        self.solver = solver
        self.solver_options = dict(solver_options or {})
        self.fast = fast
        self.certify = certify

    def setup(self) -> Callable[[Point], Row]:
        from coopt.solve.persistent import PersistentSolve

        model = self.build()
        solver = PersistentSolve(model, self.solver, self.problem_class, certify=self.certify, fast=self.fast,
                                 **self.solver_options)
        update = self.update or _set_params

        def point(pt: Point) -> Row:
            update(model, pt)
            res = solver.solve()
            if not res.status.has_solution:
                return {"status": res.status.value, "objective": None}
            if self.row:
                return {"status": res.status.value, **dict(self.row(model))}
            return {"status": res.status.value, "objective": res.objective}

        return point


def _set_params(model: Any, values: Mapping[str, Any], where: str = "sweep parameter") -> None:
    """``model.<name>.set_value(value)`` for scalar mutable Params; anything else is an InputError."""
    import pyomo.environ as pyo

    for key, val in values.items():
        comp = model.component(key)
        if not isinstance(comp, pyo.Param) or comp.is_indexed() or not comp.mutable:
            raise InputError(f"{where} '{key}' is not a scalar mutable Param of model {model.name}")
        comp.set_value(val)


# ----------------------------------------------------------------------------- catalogue problems


class ProblemPoint:
    """Point function of :func:`sweep_problem`: the catalogue problem solved at one grid point.

    Grid keys that are instance fields re-validate the instance (``with_overrides``); the others
    are problem or solver options. The row holds status, objective, closed-form error, wall time,
    message and the solution's scalars (lists and dicts JSON-encoded). An invalid point (e.g. a
    field value that the schema refuses together with the others) is a row with status
    ``invalid``, not a crash.

    Two paths, same rows:

    * generic: the registry's ``run`` per point (builds the model, solves, certifies);
    * persistent, when the solver is ``highs`` and the problem's Pyomo formulation declares
      ``params(instance, **options) -> {Param name: value}`` (the values of its mutable Params for
      an instance): one model per worker and per combination of problem and solver options,
      re-solved by :class:`coopt.solve.persistent.PersistentSolve` (the same certificate as
      ``coopt.solve``); ``persistent=False`` forces the generic path.
    """

    def __init__(self, problem: Any, instance: Any, solver: str | None, options: Mapping[str, Any],
                 fields: Sequence[str], persistent: bool = True, problem_files: Sequence[str] = ()) -> None:
        self.problem = problem
        self.problem_files = tuple(problem_files)  # --problem-file sources, loaded again in each worker
        self.instance = instance
        self.solver = solver
        self.options = dict(options)
        self.fields = set(fields)
        self.persistent = persistent

    def setup(self) -> Callable[[Point], Row]:
        reg = _registry()
        for path in self.problem_files:  # a user's problem: its file, in this worker process too
            reg.load_problem_file(path)
        prob = reg.get_problem(self.problem) if isinstance(self.problem, str) else self.problem
        persistent = self._persistent_solver(prob) if self.persistent else None

        def point(pt: Point) -> Row:
            over = {k: v for k, v in pt.items() if k in self.fields}
            opts = {**self.options, **{k: v for k, v in pt.items() if k not in self.fields}}
            try:
                inst = self.instance.with_overrides(**over) if over else self.instance
                res = persistent(inst, opts) if persistent else reg.run(prob, inst, solver=self.solver, **opts)
            except CooptError as err:
                return {"status": "invalid", "objective": None, "message": str(err)}
            row: Row = {"status": res.status.value, "objective": res.objective,
                        "closed_form_error": res.closed_form_error, "wall_time": res.wall_time,
                        "message": "; ".join(res.messages) if res.messages else None}
            for key, val in (res.solution or {}).items():
                if key in pt and plain(val) == pt[key]:
                    continue  # the grid value itself (e.g. j), already a column
                col = key if key not in pt and key not in row else f"solution.{key}"
                row[col] = _cell(val)
            return row

        return point

    def _persistent_solver(self, prob: Any) -> Callable[[Any, dict[str, Any]], Any] | None:
        """A per-worker solver re-using one model per option combination, or None if not eligible."""
        from coopt.solve import COMMON_OPTIONS

        reg = _registry()
        solver = self.solver or prob.default_solver
        if prob.run is not None or solver != "highs":
            return None
        try:
            form = reg.pick_formulation(prob, solver)
        except CooptError:
            return None
        params = getattr(form, "params", None)
        if form.layer != "pyomo" or params is None:
            return None
        models: dict[str, Any] = {}

        def solve_point(inst: Any, raw: dict[str, Any]) -> Any:
            from coopt.solve.persistent import PersistentSolve

            t0 = time.perf_counter()
            solver_opts = {k: v for k, v in raw.items() if k in COMMON_OPTIONS}
            opts = prob.parse_options({k: v for k, v in raw.items() if k not in COMMON_OPTIONS})
            refusal = reg.formulation_refusal(prob, form, opts)
            if refusal:  # an option this formulation does not take: refused, as coopt.run refuses it
                raise InputError(refusal)
            key = json.dumps([opts, solver_opts], sort_keys=True, default=str)
            entry = models.get(key)
            if entry is None:
                model = form.build(inst, **opts)
                entry = models[key] = (model, PersistentSolve(model, solver, form.problem_class, **solver_opts))
            model, persistent = entry
            _set_params(model, params(inst, **opts), where=f"{form.build.__module__}.params names")
            result = persistent.solve()
            result.problem, result.formulation = prob.name, form.name
            result.instance_hash = inst.digest()
            result.options = {**result.options, **opts}
            if result.status.has_solution and prob.solution is not None:
                result.solution = reg.call_with_options(prob.solution, (result, model, inst), opts)
            reg.attach_reference(result, prob, inst, opts)  # the closed form, or why it does not apply
            result.wall_time = time.perf_counter() - t0
            return result

        return solve_point


def _cell(val: Any) -> Any:
    """A Parquet-friendly cell: numbers, strings and None as they are, containers as JSON."""
    val = plain(val)
    if val is None or isinstance(val, bool | int | float | str):
        return val
    if isinstance(val, np.ndarray):
        val = val.tolist()
    try:
        return json.dumps(val, default=_json_default, sort_keys=False)
    except (TypeError, ValueError):
        return str(val)


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return str(x)


def _kind(annotation: Any) -> str:
    """``int``, ``float`` or ``other``: how grid values of a field or option are read."""
    if annotation is int or annotation == "int":
        return "int"
    if annotation is float or annotation == "float":
        return "float"
    args = getattr(annotation, "__args__", ())  # Optional[float], float | None
    if args and all(a in (float, type(None)) for a in args):
        return "float"
    if args and all(a in (int, type(None)) for a in args):
        return "int"
    return "other"


def _as_axis(name: str, spec: Any) -> Axis:
    """An :class:`Axis`, ``(lo, hi, n)`` or a sequence of values -> Axis (validated as --grid would be)."""
    if isinstance(spec, Axis):
        return spec
    if isinstance(spec, tuple) and len(spec) == 3 and all(isinstance(v, int | float) for v in spec):
        return parse_grid(f"{name}={spec[0]!r}:{spec[1]!r}:{spec[2]!r}")
    if isinstance(spec, str):
        return parse_grid(f"{name}={spec}")
    return parse_grid(f"{name}={','.join(str(plain(v)) for v in spec)}")


def _axis_values(axis: Axis, kind: str) -> list[Any]:
    if kind in ("int", "float"):
        return [plain(v) for v in axis.numbers(integer=kind == "int")]
    if axis.kind != "values":
        return [plain(v) for v in axis.numbers()]
    return list(axis.values)  # parsed by the option (or, for a field, read as YAML below)


def _yaml_value(raw: Any) -> Any:
    """A grid value of an instance field, read as the CLI reads a ``--set`` value (safe YAML, else text)."""
    from coopt.data.base import parse_value

    return parse_value(raw) if isinstance(raw, str) else raw


def sweep_problem(
    problem: Any,
    data: str | Path | Any,
    grids: Mapping[str, Axis | tuple[float, float, int] | Sequence[Any]],
    solver: str | None = None,
    options: Mapping[str, Any] | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    out_dir: Path | str = Path("out/sweep"),
    progress: bool = True,
    chunk_size: int | None = None,
    processes: bool = True,
    persistent: bool = True,
    max_points: int = MAX_POINTS,
) -> pd.DataFrame:
    """``coopt sweep``: solve catalogue ``problem`` (a name or a Problem) on ``data`` at every grid point.

    ``data``: a bundled name, a file, or an instance (e.g. ``coopt.load(name, {"kappa": 0.2})``:
    fields not swept are set there). ``grids``: ``{name: axis}`` where an axis is an
    :class:`~coopt.experiments.sweep.grid.Axis` (from ``--grid``), ``(lo, hi, n)`` or a list of
    values; an integer field or option such as ``n`` or ``j`` takes the distinct rounded values. A
    name is an instance field (``alpha``, ``beta``), a problem option (``j``) or a common solver
    option (``tol``). ``options``: the problem's and solver's options held fixed. Rows: grid
    values, ``status``, ``objective``, ``closed_form_error``, ``wall_time``, ``message`` and the
    scalar/list entries of ``result.solution``. ``persistent``: re-solve one model per worker where
    the problem allows it (see :class:`ProblemPoint`).
    """
    from coopt.data import families, load
    from coopt.solve import COMMON_OPTIONS

    reg = _registry()
    prob = reg.get_problem(problem) if isinstance(problem, str) else problem
    if scheduler:
        check_scheduler_address(scheduler)  # a bad address fails before any solve
    if not grids:
        raise InputError("coopt sweep needs at least one --grid (name=lo:hi:n, name=log:lo:hi:n or name=v1,v2,...)")
    axes = {name: _as_axis(name, spec) for name, spec in grids.items()}
    check_size({k: a.size for k, a in axes.items()}, max_points)  # before any value is generated
    schema = families().get(prob.family)
    fields = dict(schema.model_fields) if schema is not None else {}
    opts = dict(options or {})
    for key in opts:
        if key in fields:
            raise InputError(f"{prob.name}: '{key}' is a field of '{prob.family}' instances, not an option; set it "
                             f"in the instance (coopt.load(data, {{'{key}': ...}}) or --set {key}=...)")
    inst = load(data)
    values: dict[str, list[Any]] = {}
    for name, axis in axes.items():
        if name in fields:
            kind = _kind(fields[name].annotation)
        elif name in prob.options:
            kind = _kind(prob.options[name].type)
        elif name in COMMON_OPTIONS:
            kind = "float"
        else:
            raise InputError(
                f"--grid '{name}': not a field of '{prob.family}' instances nor an option of {prob.name} "
                f"(fields: {', '.join(k for k in fields if k not in ('family', 'name'))}; "
                f"options: {', '.join(prob.options) or 'none'})"
            )
        if name in opts:
            raise InputError(f"--grid '{name}' and --set '{name}' both given: choose one")
        values[name] = _axis_values(axis, kind)
        if name in prob.options and kind == "other":  # e.g. true,false for a bool option: parsed now
            values[name] = [prob.options[name].parse(name, v) for v in values[name]]
        if name in fields:  # a value the schema refuses fails now, naming the field and range
            if kind == "other":
                values[name] = [_yaml_value(v) for v in values[name]]
            checks = values[name] if kind == "other" else [min(values[name]), max(values[name])]
            for v in checks:
                inst.with_overrides(**{name: v})
    field_keys = [k for k in values if k in fields]
    # one point here first: a bad solver, option or data file fails before any cluster starts
    first = {k: v[0] for k, v in values.items()}
    reg.run(prob, inst.with_overrides(**{k: first[k] for k in field_keys}) if field_keys else inst,
            solver=solver, **{**opts, **{k: v for k, v in first.items() if k not in fields}})
    meta = {"problem": prob.name, "data": inst.model_dump(mode="json"), "solver": solver or prob.default_solver,
            "options": {k: str(v) for k, v in sorted(opts.items())}}
    files = reg.problem_files([prob.name])  # a problem from --problem-file travels to workers by name and file
    fn = ProblemPoint(prob.name if files else prob, inst, solver, opts, field_keys, persistent=persistent,
                      problem_files=files)
    return run_sweep(fn, values, out_dir, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                     progress=progress, processes=processes, meta=meta, description=prob.name,
                     max_points=max_points)


__all__ = ["PersistentPyomo", "ProblemPoint", "sweep_problem"]

"""Resumable parameter sweeps on Dask: a grid of points -> one row per point -> a DataFrame.

    frame = run_sweep(point_fn, {"alpha": np.linspace(.01, .99, 200), "beta": ...}, out_dir)

* The grid is a dict of 1-D arrays (their cartesian product, first key slowest) or a list of
  dicts. Points are numbered ``point_id`` 0..N-1 and cut into chunks of ``chunk_size``
  consecutive points; chunk ``k`` is written, as soon as it finishes, to
  ``out_dir/chunks/chunk-<k>.parquet`` (temp file + rename: a file there is always complete).
* Rerunning the same sweep into the same ``out_dir`` reads the finished chunks and computes only
  the others: no point is recomputed, no row duplicated. ``out_dir/manifest.json`` records the
  grid's hash (and the caller's ``meta``: problem, instance fields, solver); a different grid in
  the same directory is refused with an :class:`~coopt.errors.InputError`.
* Points run on a Dask ``LocalCluster`` with ``workers`` processes (``workers=0``: in this
  process, no Dask), or on an existing cluster at ``scheduler``; a rich progress bar counts points.
* ``point_fn(point) -> row`` is a function, or an object with ``setup() -> function`` (see
  :class:`PointFactory`): ``setup`` runs once per worker thread and sweep, so a Pyomo model is
  built once and each point only updates its mutable Params before re-solving.
  :class:`PersistentPyomo` is that pattern for any Pyomo model (persistent HiGHS).

:func:`sweep_problem` sweeps any catalogue problem (``coopt sweep``), re-solving one persistent
model per worker when the problem's formulation declares ``params`` (see :class:`ProblemPoint`);
:func:`parse_grid` reads the CLI's ``name=lo:hi:n``.

Scripts that sweep on local worker processes must guard their entry point with
``if __name__ == "__main__":`` (the workers re-import the main module).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import itertools
import json
import logging
import math
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from coopt.errors import CooptError, InputError
from coopt.experiments.base import atomic_path

MANIFEST = "manifest.json"
CHUNK_DIR = "chunks"
RESULTS = "results.parquet"
_CHUNK_RE = re.compile(r"^chunk-(\d+)\.parquet$")
MANIFEST_VERSION = 1
CONNECT_TIMEOUT = "10s"  # how long to wait for a --scheduler address

Point = dict[str, Any]
Row = dict[str, Any]


@runtime_checkable
class PointFactory(Protocol):
    """A point function with per-worker state: ``setup()`` builds it (e.g. a persistent model).

    Example::

        class Coordinator:
            def __init__(self, inst, j): self.inst, self.j = inst, j
            def setup(self):
                m = coordinator.build(self.inst, j=self.j)      # built once per worker
                opt = pyo.SolverFactory("appsi_highs")
                def point(pt):
                    m.alpha.value = pt["alpha"]                  # mutable Param, no rebuild
                    opt.solve(m)
                    return {"objective": pyo.value(m.welfare)}
                return point

    The factory object is pickled to the workers, so keep it small (data, not models).
    """

    def setup(self) -> Callable[[Point], Row]: ...


class PersistentPyomo:
    """A :class:`PointFactory` for Pyomo: build the model once per worker, re-solve per point.

    ``build()`` returns the model (use a module-level function or ``functools.partial`` so that
    it pickles). At each point ``update(model, point)`` sets the mutable Params (default: every
    grid key names a scalar mutable Param of the model, ``model.<key>.value = point[key]``),
    then the model is re-solved by a solver of ``pyomo.contrib.solver`` and ``row(model)`` makes
    the row (default: the active objective's value); the row also gets ``status`` (``optimal``,
    ``infeasible``, ``unbounded``, ``time_limit``, ``iteration_limit`` or ``error: ...``).

    With ``solver="highs"`` the solver is persistent: the first point translates the model to
    HiGHS, later points pass only the coefficients that depend on mutable Params. ``fast=True``
    (default) then skips Pyomo's per-solve machinery (option handling, output capture, result
    objects: ~2 ms, ten times HiGHS's own time on a small QP): it calls the interface's
    ``update_parameters()``, runs the ``highspy`` model and loads the primal values itself. That
    path re-reads mutable Params only (in objectives, constraints and variable bounds); an
    ``update`` that fixes variables or adds components needs ``fast=False``. It uses two
    attributes of Pyomo's HiGHS interface that are not public API; if they are missing it
    falls back to ``fast=False``.
    """

    def __init__(self, build: Callable[[], Any], update: Callable[[Any, Point], None] | None = None,
                 row: Callable[[Any], Row] | None = None, solver: str = "highs",
                 solver_options: Mapping[str, Any] | None = None, fast: bool = True) -> None:
        self.build = build
        self.update = update
        self.row = row
        self.solver = solver
        self.solver_options = dict(solver_options or {})
        self.fast = fast

    def setup(self) -> Callable[[Point], Row]:
        import pyomo.environ as pyo
        from pyomo.contrib.solver.common.factory import SolverFactory

        model = self.build()
        opt = SolverFactory(self.solver)
        objective = next(model.component_data_objects(pyo.Objective, active=True))
        state: dict[str, Any] = {"fast": None}

        def set_params(pt: Point) -> None:
            for key, val in pt.items():
                comp = model.component(key)
                if not isinstance(comp, pyo.Param) or comp.is_indexed() or not comp.mutable:
                    raise InputError(f"sweep parameter '{key}' is not a scalar mutable Param of model {model.name}")
                comp.set_value(val)

        def point(pt: Point) -> Row:
            (self.update or (lambda _m, p: set_params(p)))(model, pt)
            if state["fast"] is not None:
                status, obj = state["fast"]()  # HiGHS's objective value: no Pyomo evaluation
            else:
                status = _contrib_solve(opt, model, self.solver_options)
                obj = None
                if self.fast and self.solver == "highs":
                    state["fast"] = _fast_highs(opt)  # None if this Pyomo lacks what it needs
            if status not in _HAS_SOLUTION:
                return {"status": status, "objective": None}
            if self.row:
                return {"status": status, **dict(self.row(model))}
            return {"status": status, "objective": pyo.value(objective) if obj is None else obj}

        return point


_HAS_SOLUTION = ("optimal", "feasible")


def _contrib_solve(opt: Any, model: Any, options: Mapping[str, Any]) -> str:
    """Solve with a pyomo.contrib.solver interface; load the primal values; return a status word."""
    from pyomo.contrib.solver.common.results import SolutionStatus
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    res = opt.solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False, **options)
    tc, ss = res.termination_condition, res.solution_status
    if ss in (SolutionStatus.optimal, SolutionStatus.feasible):
        res.solution_loader.load_vars()
    if tc == TC.convergenceCriteriaSatisfied:
        return "optimal" if ss == SolutionStatus.optimal else "feasible"
    words = {TC.provenInfeasible: "infeasible", TC.locallyInfeasible: "infeasible", TC.unbounded: "unbounded",
             TC.infeasibleOrUnbounded: "infeasible_or_unbounded",
             TC.maxTimeLimit: "time_limit", TC.iterationLimit: "iteration_limit"}
    return words.get(tc, f"error: {tc.name}")


def _fast_highs(opt: Any) -> Callable[[], tuple[str, float | None]] | None:
    """Re-solve a persistent Pyomo HiGHS interface after Param changes, without its solve() wrapper."""
    import highspy

    try:
        h = opt._solver_model
        var_map = opt._pyomo_var_to_solver_var_map
        pyomo_vars = opt._vars
        opt.update_parameters  # noqa: B018 (public; checked with the rest)
    except AttributeError:
        return None
    if not isinstance(h, highspy.Highs):
        return None
    h.setOptionValue("output_flag", False)
    ms = highspy.HighsModelStatus
    words = {ms.kInfeasible: "infeasible", ms.kUnbounded: "unbounded",
             ms.kUnboundedOrInfeasible: "infeasible_or_unbounded",
             ms.kTimeLimit: "time_limit", ms.kIterationLimit: "iteration_limit"}

    def resolve() -> tuple[str, float | None]:
        opt.update_parameters()
        h.run()
        st = h.getModelStatus()
        if st != ms.kOptimal:
            return words.get(st, f"error: {h.modelStatusToString(st)}"), None
        col = h.getSolution().col_value
        for v_id, idx in var_map.items():
            pyomo_vars[v_id][0].set_value(col[idx], skip_validation=True)
        return "optimal", float(h.getInfo().objective_function_value)  # HiGHS keeps Pyomo's sense and offset

    return resolve


# ----------------------------------------------------------------------------- grid


def parse_grid(spec: str) -> tuple[str, float, float, int]:
    """``"alpha=0.01:0.99:200"`` -> ``("alpha", 0.01, 0.99, 200)`` (n evenly spaced values)."""
    text = spec.strip()
    if "=" not in text:
        raise InputError(f"--grid '{spec}': expected name=lo:hi:n, e.g. alpha=0.01:0.99:200")
    name, rng = (s.strip() for s in text.split("=", 1))
    if not name.isidentifier():
        raise InputError(f"--grid '{spec}': '{name}' is not a parameter name")
    parts = [s.strip() for s in rng.split(":")]
    if len(parts) != 3:
        raise InputError(f"--grid '{spec}': expected lo:hi:n after '{name}=' (got {len(parts)} part(s))")
    try:
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"--grid '{spec}': lo and hi must be numbers (got '{parts[0]}', '{parts[1]}')") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"--grid '{spec}': lo and hi must be finite numbers")
    try:
        n = int(parts[2])
    except ValueError:
        raise InputError(f"--grid '{spec}': n must be a positive integer (got '{parts[2]}')") from None
    if n < 1:
        raise InputError(f"--grid '{spec}': n must be a positive integer (got {n})")
    if hi < lo:
        raise InputError(f"--grid '{spec}': lo = {lo:g} must not exceed hi = {hi:g}")
    if n == 1 and hi != lo:
        raise InputError(f"--grid '{spec}': n = 1 needs lo == hi")
    return name, lo, hi, n


def _plain(x: Any) -> Any:
    """numpy scalars -> Python numbers (clean JSON, hashing and Parquet columns)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[Point]:
    """The list of points: the cartesian product of a dict of 1-D arrays, or a list of dicts."""
    if isinstance(grid, Mapping):
        if not grid:
            raise InputError("sweep grid is empty: give at least one parameter")
        axes = {}
        for name, values in grid.items():
            arr = np.asarray(values)
            if arr.ndim != 1 or arr.size == 0:
                raise InputError(f"sweep grid '{name}': expected a non-empty 1-D array of values, shape {arr.shape}")
            axes[str(name)] = [_plain(v) for v in arr]
        names = list(axes)
        return [dict(zip(names, combo)) for combo in itertools.product(*axes.values())]
    points = [{str(k): _plain(v) for k, v in dict(p).items()} for p in grid]
    if not points:
        raise InputError("sweep grid is empty: the list of points has no entries")
    keys = set(points[0])
    for i, p in enumerate(points):
        if set(p) != keys:
            raise InputError(f"sweep point {i} has keys {sorted(p)}, point 0 has {sorted(keys)}")
    if "point_id" in keys:
        raise InputError("sweep grid: 'point_id' is reserved for the point number")
    return points


def grid_hash(points: list[Point], meta: Mapping[str, Any] | None = None) -> str:
    """SHA-256 of the points (in order) and the caller's metadata."""
    payload = json.dumps({"points": points, "meta": dict(meta or {})}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


# ----------------------------------------------------------------------------- files


def _atomic_write_bytes(path: Path, write: Callable[[Path], None]) -> None:
    """``write(tmp)`` then rename over ``path`` (:func:`coopt.experiments.base.atomic_path`)."""
    with atomic_path(path) as tmp:
        write(tmp)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` atomically; a column mixing kinds (numbers and text) is stored as text."""
    import pyarrow as pa

    try:
        _atomic_write_bytes(path, lambda tmp: frame.to_parquet(tmp, index=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(lambda v: v if v is None or isinstance(v, str) else _cell_text(v))
        _atomic_write_bytes(path, lambda tmp: fixed.to_parquet(tmp, index=False))


def _cell_text(v: Any) -> str | None:
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        return json.dumps(_plain(v), default=str)
    except (TypeError, ValueError):
        return str(v)


def _chunk_path(out_dir: Path, k: int) -> Path:
    return out_dir / CHUNK_DIR / f"chunk-{k:06d}.parquet"


def _check_manifest(out_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the manifest of a new sweep, or check that ``out_dir`` holds the same sweep."""
    path = out_dir / MANIFEST
    if not path.exists():
        if any((out_dir / CHUNK_DIR).glob("chunk-*.parquet")):
            raise InputError(f"{out_dir}: holds sweep chunks but no {MANIFEST}; use an empty --out directory")
        _atomic_write_bytes(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2, default=str)))
        return manifest
    try:
        old = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: unreadable sweep manifest ({err}); use another --out directory") from None
    if old.get("grid_hash") != manifest["grid_hash"]:
        diff = _describe_difference(old, manifest)
        raise InputError(
            f"{out_dir} holds a different sweep ({diff}); rerun with the same grid and settings "
            f"to resume, or choose another --out directory"
        )
    return old


def _describe_difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    if old.get("parameters") != new.get("parameters"):
        return f"parameters {old.get('parameters')} there, {new.get('parameters')} now"
    if old.get("n_points") != new.get("n_points"):
        return f"{old.get('n_points')} points there, {new.get('n_points')} now"
    for key in sorted(set(old.get("meta", {})) | set(new.get("meta", {}))):
        a, b = old.get("meta", {}).get(key), new.get("meta", {}).get(key)
        if a != b and isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) != b.get(sub):
                    return f"{key} {sub} = {a.get(sub)!r} there, {b.get(sub)!r} now"
        if a != b:
            return f"{key} = {a!r} there, {b!r} now"
    return "same parameters, different grid values"


def finished_chunks(out_dir: Path, chunks: list[range]) -> dict[int, Path]:
    """Chunks already written (complete files whose rows are exactly the chunk's points)."""
    done: dict[int, Path] = {}
    cdir = out_dir / CHUNK_DIR
    if not cdir.is_dir():
        return done
    for f in cdir.iterdir():
        if f.name.startswith(".") and ".tmp-" in f.name:  # a writer killed before its rename
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
            continue
        m = _CHUNK_RE.match(f.name)
        if not m:
            continue
        k = int(m.group(1))
        ok = k < len(chunks)
        if ok:
            try:
                ids = pd.read_parquet(f, columns=["point_id"])["point_id"].tolist()
                ok = ids == list(chunks[k])
            except Exception:  # unreadable: recompute it
                ok = False
        if ok:
            done[k] = f
        else:
            f.unlink()
    return done


# ----------------------------------------------------------------------------- workers

_LOCAL = threading.local()


def _point_function(point_fn: Any, token: str) -> Callable[[Point], Row]:
    """The callable for this worker thread: ``point_fn`` or its (cached) ``setup()``.

    A class is instantiated without arguments first (then its ``setup()`` or the instance is used).
    """
    if not isinstance(point_fn, type) and not isinstance(point_fn, PointFactory):
        return point_fn
    cache = getattr(_LOCAL, "cache", None)
    if cache is None or cache[0] != token:
        obj = point_fn() if isinstance(point_fn, type) else point_fn
        cache = (token, obj.setup() if isinstance(obj, PointFactory) else obj)
        _LOCAL.cache = cache
    return cache[1]


def _run_chunk(point_fn: Any, token: str, k: int, ids: list[int], points: list[Point]) -> tuple[int, list[Row]]:
    fn = _point_function(point_fn, token)
    rows = []
    for pid, point in zip(ids, points):
        row = fn(dict(point))
        if not isinstance(row, Mapping):
            raise TypeError(f"sweep point function returned {type(row).__name__}, expected a dict (row)")
        if "point_id" in row:
            raise ValueError("sweep point function returned a 'point_id' column: that name is reserved")
        rows.append({"point_id": pid, **point, **{str(c): _plain(v) for c, v in row.items() if c not in point}})
    return k, rows


_SESSION: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("coopt_sweep_session", default=None)


@contextlib.contextmanager
def cluster_session() -> Iterator[None]:
    """Share one local Dask cluster among the sweeps run inside (e.g. ``coopt reproduce all``).

    The cluster starts at the first sweep that needs one and stops when the block ends.
    """
    state: dict[str, Any] = {}
    token = _SESSION.set(state)
    try:
        yield
    finally:
        _SESSION.reset(token)
        for key in ("client", "cluster"):
            obj = state.get(key)
            if obj is not None:
                with contextlib.suppress(Exception):
                    obj.close()


@contextlib.contextmanager
def _dask_client(workers: int, scheduler: str | None, processes: bool) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            raise InputError(f"--scheduler '{scheduler}': cannot connect to a Dask scheduler ({err})") from None
        try:
            yield client
        finally:
            client.close()
        return
    session = _SESSION.get()
    key = (workers, processes)
    if session is not None and session.get("key") == key:
        yield session["client"]
        return
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                               dashboard_address=None, silence_logs=logging.CRITICAL)
    except Exception as err:  # e.g. worker processes that cannot re-import an unguarded __main__
        why = str(err).rstrip(".")
        raise CooptError(
            f"could not start a local Dask cluster with {workers} worker process(es): {why}. A script that "
            "sweeps must guard its entry point with `if __name__ == '__main__':`; or use workers=0 (no Dask) "
            "or processes=False (threads)"
        ) from err
    client = Client(cluster)
    if session is not None and "client" not in session:
        session.update(client=client, cluster=cluster, key=key)
        yield client
        return
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _progress(enabled: bool, total: int, done: int, what: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), disable=not enabled, transient=False)
    task = prog.add_task(what, total=total, completed=done)
    return prog, task


def default_chunk_size(n_points: int, workers: int) -> int:
    """About 8 chunks per worker, between 1 and 500 points each."""
    return max(1, min(500, math.ceil(n_points / (8 * max(1, workers)))))


def run_sweep(
    point_fn: Callable[[Point], Row] | PointFactory,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    out_dir: Path | str,
    workers: int = 2,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    processes: bool = True,
    meta: Mapping[str, Any] | None = None,
    description: str = "sweep",
) -> pd.DataFrame:
    """Run ``point_fn`` at every grid point, resumably; return one row per point.

    ``workers``: local Dask worker processes (``0``: run here without Dask; ``processes=False``:
    threads of this process). ``scheduler``: address of an existing Dask cluster (overrides
    ``workers``). ``chunk_size``: points per Parquet file (default: about 8 chunks per worker; a
    resumed sweep keeps the size it started with). ``meta``: JSON-able settings that define the
    sweep beside its grid (problem, instance fields, solver); a different value is a different
    sweep. The frame has ``point_id``, the grid parameters and the row's columns, sorted by
    ``point_id``; it is also written to ``out_dir/results.parquet`` when every chunk is done. A row
    key equal to a grid parameter's name is dropped (the grid value is the column); ``point_id``
    is reserved.
    """
    if workers < 0:
        raise InputError(f"workers = {workers}: must be >= 0 (0 runs the points in this process)")
    out_dir = Path(out_dir)
    points = expand_grid(grid)
    n = len(points)
    meta = json.loads(json.dumps(dict(meta or {}), default=str))
    manifest = {
        "version": MANIFEST_VERSION,
        "grid_hash": grid_hash(points, meta),
        "parameters": list(points[0]),
        "n_points": n,
        "chunk_size": None,
        "meta": meta,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    old_path = out_dir / MANIFEST
    if chunk_size is None and old_path.exists():
        with contextlib.suppress(Exception):
            chunk_size = int(json.loads(old_path.read_text())["chunk_size"])
    if chunk_size is None:
        chunk_size = default_chunk_size(n, workers)
    if chunk_size < 1:
        raise InputError(f"chunk_size = {chunk_size}: must be >= 1")
    manifest["chunk_size"] = int(chunk_size)
    stored = _check_manifest(out_dir, manifest)
    if int(stored["chunk_size"]) != chunk_size:
        raise InputError(
            f"{out_dir}: this sweep was started with chunk_size = {stored['chunk_size']}, not {chunk_size}; "
            "omit chunk_size to resume it"
        )
    (out_dir / CHUNK_DIR).mkdir(exist_ok=True)
    chunks = [range(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]
    done = finished_chunks(out_dir, chunks)
    todo = [k for k in range(len(chunks)) if k not in done]
    token = uuid.uuid4().hex
    prog, task = _progress(progress, n, sum(len(chunks[k]) for k in done), description)

    def finish(k: int, rows: list[Row]) -> None:
        _write_parquet(pd.DataFrame(rows), _chunk_path(out_dir, k))
        prog.advance(task, len(rows))

    def args(k: int) -> tuple[Any, ...]:
        ids = list(chunks[k])
        return point_fn, token, k, ids, [points[i] for i in ids]

    with prog:
        if todo and workers == 0 and not scheduler:
            for k in todo:
                finish(*_run_chunk(*args(k)))
        elif todo:
            from distributed import as_completed

            with _dask_client(workers, scheduler, processes) as client:
                futures = [client.submit(_run_chunk, *args(k), pure=False, key=f"coopt-chunk-{k}-{token}")
                           for k in todo]
                try:
                    for fut in as_completed(futures):
                        finish(*fut.result())
                        fut.release()
                finally:
                    client.cancel(futures)
    return collect(out_dir, len(chunks))


def collect(out_dir: Path | str, n_chunks: int | None = None) -> pd.DataFrame:
    """Read the finished chunks of ``out_dir`` into one frame sorted by ``point_id``.

    When all ``n_chunks`` are there, also write ``results.parquet`` (atomically).
    """
    out_dir = Path(out_dir)
    files = sorted((out_dir / CHUNK_DIR).glob("chunk-*.parquet"))
    files = [f for f in files if _CHUNK_RE.match(f.name)]
    if not files:
        return pd.DataFrame(columns=["point_id"])
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frame = frame.sort_values("point_id", kind="stable").reset_index(drop=True)
    if frame["point_id"].duplicated().any():  # cannot happen with chunk files; guard the claim
        raise CooptError(f"{out_dir}: duplicate point_id rows in the chunk files")
    if n_chunks is not None and len(files) == n_chunks:
        _write_parquet(frame, out_dir / RESULTS)
    return frame


# ----------------------------------------------------------------------------- catalogue problems


def _axis(lo: float, hi: float, n: int, integer: bool) -> np.ndarray:
    """n evenly spaced values; for an integer parameter the distinct rounded ones."""
    values = np.linspace(lo, hi, int(n))
    return np.unique(np.round(values).astype(int)) if integer else values


def _is_int(annotation: Any) -> bool:
    return annotation is int or annotation == "int"


class ProblemPoint:
    """Point function of :func:`sweep_problem`: the catalogue problem solved at one grid point.

    Grid keys that are instance fields re-validate the instance (``with_overrides``); the others
    are problem or solver options. The row holds status, objective, closed-form error, wall time,
    message and the solution's scalars (lists and dicts JSON-encoded). An invalid point (e.g. a
    field value that the schema refuses together with the others) is a row with status
    ``invalid``, not a crash.

    Two paths, same rows:

    * generic: ``coopt.catalog.run`` per point (builds the model, solves, certifies);
    * persistent, when the solver is ``highs``, no solver option is set and the problem's Pyomo
      formulation declares ``params(instance, **options) -> {Param name: value}`` (the values of
      its mutable Params for an instance): one model per worker and per combination of problem
      options, re-solved by a persistent HiGHS after setting those Params (as
      :class:`PersistentPyomo` with ``fast=True``). Certificates (residuals) are not recomputed
      on this path; ``persistent=False`` forces the generic one.
    """

    def __init__(self, problem: Any, instance: Any, solver: str | None, options: Mapping[str, Any],
                 fields: Sequence[str], persistent: bool = True) -> None:
        self.problem = problem
        self.instance = instance
        self.solver = solver
        self.options = dict(options)
        self.fields = set(fields)
        self.persistent = persistent

    def setup(self) -> Callable[[Point], Row]:
        from coopt.problems import get_problem, run

        prob = get_problem(self.problem) if isinstance(self.problem, str) else self.problem
        persistent = self._persistent_solver(prob) if self.persistent else None

        def point(pt: Point) -> Row:
            over = {k: v for k, v in pt.items() if k in self.fields}
            opts = {**self.options, **{k: v for k, v in pt.items() if k not in self.fields}}
            try:
                inst = self.instance.with_overrides(**over) if over else self.instance
                res = persistent(inst, opts) if persistent else run(prob, inst, solver=self.solver, **opts)
            except CooptError as err:
                return {"status": "invalid", "objective": None, "message": str(err)}
            row: Row = {"status": res.status.value, "objective": res.objective,
                        "closed_form_error": res.closed_form_error, "wall_time": res.wall_time,
                        "message": "; ".join(res.messages) if res.messages else None}
            for key, val in (res.solution or {}).items():
                if key in pt and _plain(val) == pt[key]:
                    continue  # the grid value itself (e.g. j), already a column
                col = key if key not in pt and key not in row else f"solution.{key}"
                row[col] = _cell(val)
            return row

        return point

    def _persistent_solver(self, prob: Any) -> Callable[[Any, dict[str, Any]], Any] | None:
        """A per-worker solver re-using one model per option combination, or None if not eligible."""
        from coopt.problems import closed_form_error, pick_formulation
        from coopt.solve import COMMON_OPTIONS, get_solver
        from coopt.solve.pyomo_backend import read_values
        from coopt.solve.result import Result, Status

        solver = self.solver or prob.default_solver
        if prob.run is not None or solver != "highs" or any(k in COMMON_OPTIONS for k in self.options):
            return None
        try:
            form = pick_formulation(prob, solver)
        except CooptError:
            return None
        params = getattr(form, "params", None)
        if form.layer != "pyomo" or params is None:
            return None
        global_ok = form.problem_class in get_solver(solver).global_for
        models: dict[str, Any] = {}

        def solve_point(inst: Any, raw: dict[str, Any]) -> Any:
            import pyomo.environ as pyo
            from pyomo.contrib.solver.common.factory import SolverFactory

            t0 = time.perf_counter()
            opts = prob.parse_options(raw)
            key = json.dumps(opts, sort_keys=True, default=str)
            entry = models.get(key)
            if entry is None:
                model = form.build(inst, **opts)
                entry = models[key] = {"model": model, "opt": SolverFactory("highs"), "fast": None,
                                       "objective": next(model.component_data_objects(pyo.Objective, active=True))}
            model = entry["model"]
            for name, val in params(inst, **opts).items():
                comp = model.component(name)
                if not isinstance(comp, pyo.Param) or comp.is_indexed() or not comp.mutable:
                    raise RuntimeError(f"{form.build.__module__}.params names '{name}', not a scalar mutable Param")
                comp.set_value(val)
            if entry["fast"] is not None:
                word, obj = entry["fast"]()
            else:
                word, obj = _contrib_solve(entry["opt"], model, _HIGHS_DEFAULTS), None
                entry["fast"] = _fast_highs(entry["opt"])
            if word == "optimal":
                status = Status.OPTIMAL if global_ok else Status.LOCALLY_OPTIMAL
            else:
                try:
                    status = Status(word)
                except ValueError:
                    status = Status.ERROR
            result = Result(problem=prob.name, status=status, solver=solver, formulation=form.name)
            if status.has_solution:
                result.objective = float(pyo.value(entry["objective"]) if obj is None else obj)
                result.values = read_values(model)
                if prob.solution is not None:
                    result.solution = prob.solution(result, model, inst, **opts)
                if prob.closed_form is not None:
                    result.closed_form_error = closed_form_error(result, dict(prob.closed_form(inst, **opts)))
            elif word.startswith("error"):
                result.messages.append(word)
            result.wall_time = time.perf_counter() - t0
            return result

        return solve_point


# the coopt HiGHS defaults (coopt.solve.pyomo_backend): tight tolerances, tiny QP regularisation
_HIGHS_DEFAULTS = {"rel_gap": 1e-9, "solver_options": {"primal_feasibility_tolerance": 1e-9,
                                                       "dual_feasibility_tolerance": 1e-9,
                                                       "qp_regularization_value": 1e-12}}


def _cell(val: Any) -> Any:
    """A Parquet-friendly cell: numbers, strings and None as they are, containers as JSON."""
    val = _plain(val)
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


def _yaml_value(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw
    import yaml

    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def sweep_problem(
    problem: Any,
    data: str | Path,
    grids: Mapping[str, tuple[float, float, int]],
    solver: str | None = None,
    options: Mapping[str, Any] | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    out_dir: Path | str = Path("out/sweep"),
    progress: bool = True,
    chunk_size: int | None = None,
    processes: bool = True,
    persistent: bool = True,
) -> pd.DataFrame:
    """``coopt sweep``: solve catalogue ``problem`` (a name or a Problem) on ``data`` at every grid point.

    ``grids``: ``{name: (lo, hi, n)}`` (n evenly spaced values; an integer field or option such as
    ``n`` or ``j`` takes the distinct rounded values). A name is an instance field (``alpha``,
    ``beta``) or a problem option (``j``). ``options``: the ``--set`` pairs (fields override the
    data file; the rest are problem or solver options). Rows: grid values, ``status``,
    ``objective``, ``closed_form_error``, ``wall_time``, ``message`` and the scalar/list entries of
    ``result.solution``. ``persistent``: re-solve one model per worker where the problem allows it
    (see :class:`ProblemPoint`).
    """
    from coopt.data import families, load
    from coopt.problems import get_problem, run

    prob = get_problem(problem) if isinstance(problem, str) else problem
    if not grids:
        raise InputError("coopt sweep needs at least one --grid name=lo:hi:n")
    schema = families().get(prob.family)
    fields = dict(schema.model_fields) if schema is not None else {}
    sets = dict(options or {})
    overrides = {k: _yaml_value(v) for k, v in sets.items() if k in fields}
    opts = {k: v for k, v in sets.items() if k not in fields}
    inst = load(data, overrides)
    from coopt.solve import COMMON_OPTIONS

    axes: dict[str, np.ndarray] = {}
    for name, (lo, hi, n) in grids.items():
        if name in fields:
            integer = _is_int(fields[name].annotation)
        elif name in prob.options:
            integer = _is_int(prob.options[name].type)
        elif name in COMMON_OPTIONS:
            integer = False
        else:
            raise InputError(
                f"--grid '{name}': not a field of '{prob.family}' instances nor an option of {prob.name} "
                f"(fields: {', '.join(k for k in fields if k not in ('family', 'name'))}; "
                f"options: {', '.join(prob.options) or 'none'})"
            )
        if name in sets:
            raise InputError(f"--grid '{name}' and --set '{name}' both given: choose one")
        axes[name] = _axis(lo, hi, n, integer)
        if name in fields:  # a value the schema refuses fails now, naming the field and range
            for v in (axes[name][0], axes[name][-1]):
                inst.with_overrides(**{name: _plain(v)})
    field_keys = [k for k in axes if k in fields]
    # one point here first: a bad solver, option or data file fails before any cluster starts
    first = {k: _plain(v[0]) for k, v in axes.items()}
    run(prob, inst.with_overrides(**{k: first[k] for k in field_keys}) if field_keys else inst,
        solver=solver, **{**opts, **{k: v for k, v in first.items() if k not in fields}})
    meta = {"problem": prob.name, "data": inst.model_dump(mode="json"), "solver": solver or prob.default_solver,
            "options": {k: str(v) for k, v in sorted(opts.items())}}
    fn = ProblemPoint(prob, inst, solver, opts, field_keys, persistent=persistent)
    return run_sweep(fn, axes, out_dir, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                     progress=progress, processes=processes, meta=meta, description=prob.name)


__all__ = [
    "PersistentPyomo", "PointFactory", "ProblemPoint", "cluster_session", "collect", "default_chunk_size",
    "expand_grid", "finished_chunks", "grid_hash", "parse_grid", "run_sweep", "sweep_problem",
]

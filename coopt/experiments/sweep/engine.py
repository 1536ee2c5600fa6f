"""The sweep engine: grid points in chunks on Dask workers, each chunk written as soon as it finishes.

    frame = run_sweep(point_fn, {"alpha": np.linspace(.01, .99, 200), "beta": ...}, out_dir)

Points are numbered ``point_id`` 0..N-1 and cut into chunks of ``chunk_size`` consecutive points;
rerunning the same sweep into the same directory computes only the chunks not yet on disk (see
:mod:`coopt.experiments.sweep.storage`). Points run on a Dask ``LocalCluster`` with ``workers``
processes (``workers=0``: in this process, no Dask), or on an existing cluster at ``scheduler``;
a rich progress bar counts points.

``point_fn(point) -> row`` is a function, or an object with ``setup() -> function``
(:class:`PointFactory`): ``setup`` runs once per worker thread and sweep, so a model is built once
and each point only updates its parameters before re-solving.

Scripts that sweep on local worker processes must guard their entry point with
``if __name__ == "__main__":`` (the workers re-import the main module).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import math
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from coopt.errors import CooptError, InputError
from coopt.experiments.sweep import storage
from coopt.experiments.sweep.grid import MAX_POINTS, Point, expand_grid, grid_hash, plain, shown

CONNECT_TIMEOUT = "10s"  # how long to wait for a --scheduler address

Row = dict[str, Any]


@runtime_checkable
class PointFactory(Protocol):
    """A point function with per-worker state: ``setup()`` builds it (e.g. a persistent model).

    Example::

        class Coordinator:
            def __init__(self, inst, j): self.inst, self.j = inst, j
            def setup(self):
                m = coordinator.build(self.inst, j=self.j)            # built once per worker
                ps = PersistentSolve(m, "highs", "QP")
                def point(pt):
                    m.alpha.set_value(pt["alpha"])                     # mutable Param, no rebuild
                    r = ps.solve()
                    return {"status": r.status.value, "objective": r.objective}
                return point

    The factory object is pickled to the workers, so keep it small (data, not models).
    """

    def setup(self) -> Callable[[Point], Row]: ...


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
        rows.append({"point_id": pid, **point, **{str(c): plain(v) for c, v in row.items() if c not in point}})
    return k, rows


# ----------------------------------------------------------------------------- Dask

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


def check_scheduler_address(address: str) -> str:
    """A Dask scheduler address as ``scheme://host:port`` (``host:port`` means tcp), or one-line InputError."""
    from distributed.comm.addressing import parse_address, parse_host_port

    text = address.strip()
    show = shown(text)
    if not text or any(c.isspace() or not c.isprintable() for c in text):
        raise InputError(f"--scheduler '{show}': expected an address such as tcp://127.0.0.1:8786")
    try:
        scheme, loc = parse_address(text if "://" in text else f"tcp://{text}")
        if scheme not in ("tcp", "tls", "inproc", "ucx", "ws", "wss"):
            raise ValueError(f"unknown scheme '{scheme}'")
        if scheme != "inproc":
            host, port = parse_host_port(loc)
            if not host or not (0 < int(port) < 65536):
                raise ValueError("host:port needed")
    except (ValueError, TypeError) as err:
        raise InputError(f"--scheduler '{show}': not a Dask scheduler address ({shown(str(err))}); "
                         "expected e.g. tcp://127.0.0.1:8786") from None
    return text if "://" in text else f"tcp://{text}"


@contextlib.contextmanager
def _dask_client(workers: int, scheduler: str | None, processes: bool) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler:
        address = check_scheduler_address(scheduler)
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except Exception as err:  # OSError/TimeoutError when nothing answers; anything else: same answer
            why = shown(" ".join(str(err).split()), 160) or type(err).__name__
            raise InputError(f"--scheduler '{shown(address)}': cannot connect to a Dask scheduler ({why})") from None
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


# ----------------------------------------------------------------------------- the sweep


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
    max_points: int = MAX_POINTS,
) -> pd.DataFrame:
    """Run ``point_fn`` at every grid point, resumably; return one row per point.

    ``grid``: a dict of 1-D arrays (their cartesian product, first key slowest; the size is checked
    against ``max_points`` before it is formed) or a list of dicts. ``workers``: local Dask worker
    processes (``0``: run here without Dask; ``processes=False``: threads of this process).
    ``scheduler``: address of an existing Dask cluster (overrides ``workers``). ``chunk_size``:
    points per Parquet file (default: about 8 chunks per worker; a resumed sweep keeps the size it
    started with). ``meta``: JSON-able settings that define the sweep beside its grid (problem,
    instance fields, solver); a different value is a different sweep. The frame has ``point_id``,
    the grid parameters and the row's columns, sorted by ``point_id``; it is also written to
    ``out_dir/results.parquet`` when every chunk is done. A row key equal to a grid parameter's
    name is dropped (the grid value is the column); ``point_id`` is reserved. One sweep at a time
    writes into a directory (a lock; a second one gets an :class:`InputError` naming the first).
    """
    if workers < 0:
        raise InputError(f"workers = {workers}: must be >= 0 (0 runs the points in this process)")
    if chunk_size is not None and chunk_size < 1:
        raise InputError(f"chunk_size = {chunk_size}: must be >= 1")
    if scheduler:
        check_scheduler_address(scheduler)
    out_dir = Path(out_dir)
    points = expand_grid(grid, max_points)
    n = len(points)
    meta = json.loads(json.dumps(dict(meta or {}), default=str))
    with contextlib.ExitStack() as stack:
        # an existing cluster is reached first: a wrong address leaves nothing behind
        client = stack.enter_context(_dask_client(workers, scheduler, processes)) if scheduler else None
        out_dir.mkdir(parents=True, exist_ok=True)
        stack.enter_context(storage.directory_lock(out_dir))
        chunk_size = chunk_size or storage.read_chunk_size(out_dir) or default_chunk_size(n, workers)
        manifest = {"version": storage.MANIFEST_VERSION, "grid_hash": grid_hash(points, meta),
                    "parameters": list(points[0]), "n_points": n, "chunk_size": int(chunk_size), "meta": meta}
        stored = storage.check_manifest(out_dir, manifest)
        if int(stored["chunk_size"]) != chunk_size:
            raise InputError(
                f"{out_dir}: this sweep was started with chunk_size = {stored['chunk_size']}, not {chunk_size}; "
                "omit chunk_size to resume it"
            )
        (out_dir / storage.CHUNK_DIR).mkdir(exist_ok=True)
        chunks = [range(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]
        done = storage.finished_chunks(out_dir, chunks)
        todo = [k for k in range(len(chunks)) if k not in done]
        if todo and client is None and workers > 0:  # a local cluster only when there is work left
            client = stack.enter_context(_dask_client(workers, None, processes))
        _compute(point_fn, points, chunks, todo, out_dir, client,
                 _progress(progress, n, sum(len(chunks[k]) for k in done), description))
        return storage.collect(out_dir, len(chunks))


def _compute(point_fn: Any, points: list[Point], chunks: list[range], todo: list[int], out_dir: Path,
             client: Any, progress: tuple[Any, Any]) -> None:
    """Run the chunks in ``todo`` (here without a client, or on Dask) and write each as it finishes."""
    prog, task = progress
    token = uuid.uuid4().hex

    def finish(k: int, rows: list[Row]) -> None:
        storage.write_chunk(out_dir, k, pd.DataFrame(rows))
        prog.advance(task, len(rows))

    def args(k: int) -> tuple[Any, ...]:
        ids = list(chunks[k])
        return point_fn, token, k, ids, [points[i] for i in ids]

    with prog:
        if todo and client is None:
            for k in todo:
                finish(*_run_chunk(*args(k)))
        elif todo:
            from distributed import as_completed

            futures = [client.submit(_run_chunk, *args(k), pure=False, key=f"coopt-chunk-{k}-{token}")
                       for k in todo]
            try:
                for fut in as_completed(futures):
                    finish(*fut.result())
                    fut.release()
            finally:
                client.cancel(futures)


__all__ = ["CONNECT_TIMEOUT", "PointFactory", "check_scheduler_address", "cluster_session", "default_chunk_size",
           "run_sweep"]

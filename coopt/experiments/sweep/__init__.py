"""Resumable parameter sweeps on Dask: a grid of points -> one row per point -> a DataFrame.

    frame = run_sweep(point_fn, {"alpha": np.linspace(.01, .99, 200), "beta": ...}, out_dir)
    frame = sweep_problem("itinfra.coordinator", "itinfra/paper-figure1",
                          {"alpha": parse_grid("alpha=0.01:0.99:200"), "j": [2, 5, 10]}, options={"j": 5})

* :mod:`~coopt.experiments.sweep.grid`: the ``--grid`` syntax (``lo:hi:n``, ``log:lo:hi:n``, value
  lists), the cartesian product and its size, checked before it is formed.
* :mod:`~coopt.experiments.sweep.storage`: the output directory -- manifest, Parquet chunks each
  with a SHA-256 file, ``results.parquet``, and a lock so that one sweep at a time writes there.
* :mod:`~coopt.experiments.sweep.engine`: :func:`run_sweep` -- chunks on a Dask cluster (local or
  ``scheduler``), a progress bar, resume after any interruption.
* :mod:`~coopt.experiments.sweep.problem`: :func:`sweep_problem` (``coopt sweep``) and
  :class:`PersistentPyomo`, which re-solve one kept model per worker through
  :class:`coopt.solve.persistent.PersistentSolve`.
"""

from __future__ import annotations

from coopt.experiments.sweep.engine import (
    CONNECT_TIMEOUT,
    PointFactory,
    check_scheduler_address,
    cluster_session,
    default_chunk_size,
    run_sweep,
)
from coopt.experiments.sweep.grid import (
    GRID_HELP,
    MAX_POINTS,
    Axis,
    check_size,
    expand_grid,
    grid_hash,
    parse_grid,
    parse_grids,
)
from coopt.experiments.sweep.problem import PersistentPyomo, ProblemPoint, sweep_problem
from coopt.experiments.sweep.storage import CHUNK_DIR, LOCK, MANIFEST, RESULTS, collect, finished_chunks

__all__ = [
    "CHUNK_DIR", "CONNECT_TIMEOUT", "GRID_HELP", "LOCK", "MANIFEST", "MAX_POINTS", "RESULTS", "Axis", "PersistentPyomo",
    "PointFactory", "ProblemPoint", "check_scheduler_address", "check_size", "cluster_session", "collect",
    "default_chunk_size", "expand_grid", "finished_chunks", "grid_hash", "parse_grid", "parse_grids", "run_sweep",
    "sweep_problem",
]

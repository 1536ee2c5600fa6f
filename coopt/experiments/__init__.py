"""The papers' figures and tables as named, reproducible experiments.

``base``: the :class:`Experiment` registry, ``reproduce`` and atomic file writers;
``sweep``: the resumable Dask sweep engine (``run_sweep``, ``sweep_problem``);
``<family>/``: one module per figure or table, each defining ``EXPERIMENT``.
"""

from __future__ import annotations

from coopt.experiments.base import (
    Experiment,
    ExperimentOutput,
    experiments,
    reproduce,
    save_figure,
    write_csv,
    write_text,
)

__all__ = ["Experiment", "ExperimentOutput", "experiments", "reproduce", "save_figure", "write_csv", "write_text"]

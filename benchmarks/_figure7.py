"""Figures 7 and 8 on the real sweep engine: the full run timed, an honest estimate, verdicts compared.

Shared by bench_vaccine_figure7.py, bench_vaccine_core.py and the slow test of the estimate
(tests/experiments/vaccine/test_figure7_estimate.py).

* :func:`run_full`: ``coopt reproduce vaccine-figure7`` (or 8) in-process, full grid, wall time.
* :func:`estimate`: the same engine (per-tau chunks, 2 Dask worker processes), on every tau of the
  grid but a subsample of V; each cell's wall time is recorded inside the worker. Per tau, the full
  chunk is estimated as its first cell (which pays for everything that depends on tau: return
  functions, lambda tables, curve pieces) plus (number of V - 1) times the mean of its other cells;
  the chunks are scheduled on the workers in grid order; the engine's own time (cluster start,
  worker imports, scheduling, writing, collecting: the calibration run's wall time minus its
  chunks' makespan) and the report (CSV, PNG) are added as measured.
* :func:`compare`: cell-by-cell comparison of two Figure 7/8 CSVs (verdicts identical, numbers to
  1e-9 relative).
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coopt.experiments.vaccine.case_study import TAU_FULL, V_FULL, CasePoint

INSTANCES = {7: "vaccine/us-hhs-2009", 8: "vaccine/us-hhs-2009-nc"}


class TimedCasePoint(CasePoint):
    """CasePoint that also records, inside the worker, when each cell started and ended."""

    def __call__(self, pt: dict[str, Any]) -> dict[str, Any]:
        t0, c0 = time.time(), time.process_time()
        row = super().__call__(pt)
        row.update(cell_t0=t0, cell_t1=time.time(), cell_cpu=time.process_time() - c0)
        return row


def makespan(durations: list[float], workers: int) -> float:
    """Greedy list scheduling in the given order: each chunk to the worker free first."""
    free = [0.0] * max(1, workers)
    for d in durations:
        k = int(np.argmin(free))
        free[k] += d
    return max(free)


@dataclass
class Estimate:
    seconds: float  # estimated wall time of the whole experiment (sweep + report)
    chunks: dict[float, float]  # estimated wall time of each tau's chunk on a worker
    overhead: float  # engine time outside the chunks (start, imports, scheduling, collect)
    report: float  # CSV + thresholds + PNG, measured on the calibration frame
    calibration_wall: float  # wall time of the calibration run (engine only)
    calibration_cells: int
    cell_cpu: float  # mean CPU seconds per calibration cell (inside the workers)
    details: list[str] = field(default_factory=list)


def estimate(figure: int = 7, taus: Any = TAU_FULL, Vs: Any = V_FULL, sample: int = 6, workers: int = 2,
             out_dir: Path | None = None) -> Estimate:
    """Estimate the wall time of Figure ``figure`` on the grid ``taus`` x ``Vs`` with ``workers`` workers."""
    from coopt.experiments.vaccine import figure7, figure8
    from coopt.experiments.vaccine.case_study import sweep

    base = INSTANCES[figure]
    Vs = list(Vs)
    step = max(1, math.ceil(len(Vs) / sample))
    Vsub = Vs[::step]
    tmp = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="coopt-fig-estimate-"))
    try:
        t0 = time.perf_counter()
        frame = sweep(base, tmp / "calibration", quick=False, workers=workers, taus=list(taus), Vs=Vsub,
                      point=TimedCasePoint(base))
        wall = time.perf_counter() - t0
        errors = int(frame["error"].notna().sum()) if "error" in frame.columns else 0
        chunks_calib, chunks_full = {}, {}
        for tau, cell in frame.groupby("tau", sort=False):
            cell = cell.sort_values("point_id")
            dur = (cell["cell_t1"] - cell["cell_t0"]).to_numpy()
            span = float(cell["cell_t1"].max() - cell["cell_t0"].min())
            gap = max(0.0, span - float(dur.sum())) / len(dur)  # the engine's time between cells
            rest = float(dur[1:].mean()) if len(dur) > 1 else float(dur[0])
            chunks_calib[float(tau)] = span
            chunks_full[float(tau)] = float(dur[0]) + (len(Vs) - 1) * rest + len(Vs) * gap
        order = [float(t) for t in taus]
        overhead = max(0.0, wall - makespan([chunks_calib[t] for t in order], workers))
        mod = figure7 if figure == 7 else figure8
        t1 = time.perf_counter()
        ok = frame[frame["error"].isna()] if errors else frame  # as the experiment reports (errors are rows)
        mod.report(ok.drop(columns=["cell_t0", "cell_t1", "cell_cpu"]), tmp / "report", False)
        t_report = time.perf_counter() - t1
    finally:
        if out_dir is None:
            shutil.rmtree(tmp, ignore_errors=True)
    total = overhead + makespan([chunks_full[t] for t in order], workers) + t_report
    est = Estimate(total, chunks_full, overhead, t_report, wall, len(frame), float(frame["cell_cpu"].mean()))
    if errors:
        first = frame["error"].dropna().iloc[0]
        est.details.append(f"{errors} of {len(frame)} calibration cells returned an error (timed all the same), "
                           f"e.g. {first[:160]}")
    return est


def run_full(figure: int = 7, out_dir: Path | None = None) -> tuple[float, Path]:
    """``coopt reproduce vaccine-figure<figure>`` (full grid; the engine's default 2 workers): wall time, CSV."""
    from coopt.experiments.base import reproduce

    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="coopt-fig-full-"))
    name = f"vaccine-figure{figure}"
    t0 = time.perf_counter()
    reproduce([name], out, quick=False, progress=False)
    return time.perf_counter() - t0, out / name / f"figure{figure}.csv"


def run_grid(figure: int, taus: Any, Vs: Any, workers: int = 2) -> tuple[float, pd.DataFrame]:
    """The engine alone on a grid (the same chunks as the experiment): wall time and frame."""
    from coopt.experiments.vaccine.case_study import sweep

    tmp = Path(tempfile.mkdtemp(prefix="coopt-fig-grid-"))
    try:
        t0 = time.perf_counter()
        frame = sweep(INSTANCES[figure], tmp, quick=False, workers=workers, taus=list(taus), Vs=list(Vs))
        return time.perf_counter() - t0, frame
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


VERDICTS = ("empty", "h_empty", "market_in_core", "h_market_in_core", "verdict_changed")


def compare(new: pd.DataFrame | Path, ref: pd.DataFrame | Path, rel: float = 1e-9) -> dict[str, Any]:
    """Cell-by-cell comparison on (tau, V): every boolean column identical, every number within ``rel``
    relative (of max(|a|, |b|); numbers of a game's value scale, e_star, relative to v(N))."""
    a = pd.read_csv(new) if not isinstance(new, pd.DataFrame) else new
    b = pd.read_csv(ref) if not isinstance(ref, pd.DataFrame) else ref
    keys = ["tau", "V"]
    m = b.merge(a, on=keys, how="outer", suffixes=("_ref", "_new"), indicator=True)
    out: dict[str, Any] = {"cells_ref": len(b), "cells_new": len(a),
                           "unmatched": int((m["_merge"] != "both").sum()), "verdict_diffs": {}, "worst_rel": {},
                           "columns_missing": sorted(set(b.columns) ^ set(a.columns))}
    m = m[m["_merge"] == "both"]
    for col in b.columns:
        if col in keys or col == "point_id" or col not in a.columns:
            continue
        x, y = m[f"{col}_ref"], m[f"{col}_new"]
        if x.dtype == bool or y.dtype == bool or col in VERDICTS or col.endswith("_in_core"):
            diff = int((x.astype(str) != y.astype(str)).sum())
            out["verdict_diffs"][col] = diff
            continue
        xf, yf = pd.to_numeric(x, errors="coerce").to_numpy(float), pd.to_numeric(y, errors="coerce").to_numpy(float)
        both_nan = np.isnan(xf) & np.isnan(yf)
        scale = np.maximum(np.abs(xf), np.abs(yf))
        if col in ("e_star", "h_e_star"):
            vn = m["v_N_ref" if col == "e_star" else "h_v_N_ref"].to_numpy(float)
            scale = np.maximum(scale, np.abs(vn))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(both_nan, 0.0, np.abs(xf - yf) / np.where(scale > 0, scale, 1.0))
        r = np.where(np.isnan(r), np.inf, r)  # NaN on one side only
        out["worst_rel"][col] = float(r.max()) if len(r) else 0.0
    out["verdicts_identical"] = out["unmatched"] == 0 and all(v == 0 for v in out["verdict_diffs"].values())
    out["numbers_within"] = all(v <= rel for v in out["worst_rel"].values())
    return out

"""The US case study (Section 7, Appendix C): core verdicts over the grid of tau and V (Figures 7, 8).

Grid (Section 7.2, with the typo fix "1e6" -> "1e7" of docs/papers/vaccine.md#erratum-grid): tau in {0, 5, ..., 50}
days, V in
{0, 5e6, 1e7, ..., 3e8} doses (61 values), pro-rata initial stocks r_i = V M_i / sum_j M_j. Per cell:
exact v(S) for all 1023 coalitions, the least core, the market question and p1..p4, the same with
the paper's heuristic v-bar, and sum_i f~_i M_i (the paper's threshold). ``--quick``: a coarse grid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import coopt
from coopt.experiments.base import pyplot
from coopt.experiments.vaccine.common import judge_instance

plt = pyplot()

TAU_FULL = tuple(range(0, 51, 5))
V_FULL = tuple(float(v) for v in np.arange(0, 3.0e8 + 1, 5e6))
TAU_QUICK = (0, 10, 20, 30, 40, 50)
V_QUICK = (0.0, 1e6, 5e6, 1e7, 2e7, 3e7, 4e7, 5e7, 6e7, 8e7, 1e8, 2e8, 3e8)

# the paper's Section 7.2 claim and the independent values (docs/derivations/vaccine.md#case-study) of sum_i f~_i M_i
# (individual functions)
PAPER_SUM_FM = "3.6e7 at tau = 0, decreasing to 0 for tau >= 40"
TOTAL_M = 298_106_893.0  # Table 1
# reference, identical functions (Nguyen-Carlson): f~ per tau, times sum_i M_i
REFERENCE_NC_SUM_FM = {t: f * TOTAL_M for t, f in {0: 0.4925, 10: 0.4835, 20: 0.4625, 30: 0.4104, 40: 0.2722,
                                                 45: 0.1355, 50: 0.0}.items()}
REFERENCE_SUM_FM = {0: 4.400e7, 5: 4.208e7, 10: 3.958e7, 15: 3.627e7, 20: 3.181e7, 25: 2.568e7, 30: 1.749e7,
                35: 9.20e6, 40: 2.08e6, 45: 0.0, 50: 0.0}


def case_instance(base: str, tau: float, V: float) -> Any:
    """The bundled case-study instance ``base`` with vaccination day ``tau`` and total stock ``V``."""
    inst = coopt.load(base)
    rf = inst.return_function
    rf_d = rf.model_dump() if hasattr(rf, "model_dump") else dict(rf)
    rf_d["tau"] = float(tau)
    return coopt.load(inst, overrides={"resources": {"total": float(V), "split": "pro-rata"}, "return_function": rf_d})


class CasePoint:
    """Sweep point function for one bundled instance (picklable: holds only the name)."""

    def __init__(self, base: str, heuristic: bool = True) -> None:
        self.base, self.heuristic = base, heuristic

    def __call__(self, pt: dict[str, Any]) -> dict[str, Any]:
        inst = case_instance(self.base, pt["tau"], pt["V"])
        try:
            return judge_instance(inst, heuristic=self.heuristic)
        except Exception as err:
            return {"error": f"{type(err).__name__}: {str(err)[:200]}"}


def sweep(base: str, out_dir: Path, quick: bool, workers: int = 2, taus: Any = None, Vs: Any = None,
          point: Any = None) -> pd.DataFrame:
    """The grid (``taus`` x ``Vs``, default the full or quick grid) through the sweep engine
    (``point``: the point function, default ``CasePoint(base)``).

    One chunk per tau (tau is the slow axis): a worker computes every V of a tau in a row, so the
    return functions, lambda tables and curve pieces that depend on tau only are built once per
    tau (the exact knapsack caches them by function), and the engine ships 11 tasks, not 671."""
    from coopt.experiments.sweep import MANIFEST, run_sweep

    taus = list((TAU_QUICK if quick else TAU_FULL) if taus is None else taus)
    Vs = list((V_QUICK if quick else V_FULL) if Vs is None else Vs)
    where = Path(out_dir) / "sweep"
    chunk = None if (where / MANIFEST).exists() else len(Vs)  # a started sweep resumes with its own chunks
    return run_sweep(point or CasePoint(base), {"tau": taus, "V": Vs}, where, workers=workers, chunk_size=chunk,
                     meta={"experiment": "vaccine-case", "instance": base, "v": 1},
                     description=f"case study {base}")


def threshold_table(frame: pd.DataFrame, col: str = "empty",
                    reference: dict[int, float] | None = None) -> pd.DataFrame:
    """Per tau: sum f~ M, the largest V with an empty core, and the smallest V from which every cell
    (up to 3e8) is non-empty. ``reference``: sum f~ M per tau (default: the individual functions')."""
    reference = REFERENCE_SUM_FM if reference is None else reference
    rows = []
    for tau, cell in frame.groupby("tau"):
        cell = cell.sort_values("V")
        empty = cell[cell[col].astype(bool)]
        last_empty = float(empty["V"].max()) if len(empty) else None
        above = cell[cell["V"] > last_empty]["V"] if last_empty is not None else cell["V"]
        small = cell[(cell["V"] > 0) & ~cell[col].astype(bool)]
        rows.append({
            "tau": tau, "sum_f_tilde_M": float(cell["sum_f_tilde_M"].iloc[0]),
            "reference_sum_f_tilde_M": reference.get(int(tau)),
            "largest_V_empty": last_empty,
            "nonempty_from_V": float(above.min()) if len(above) else None,
            "smallest_positive_V_nonempty": float(small["V"].min()) if len(small) else None,
            "empty_cells": int(len(empty)), "cells": int(len(cell)),
        })
    return pd.DataFrame(rows)


def plot_map(frame: pd.DataFrame, title: str, individual: bool):
    taus = sorted(frame["tau"].unique())
    Vs = sorted(frame["V"].unique())
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for ax, col, name in ((axes[0], "empty", "exact v(S)"), (axes[1], "h_empty", "paper's heuristic v-bar")):
        if col not in frame.columns:
            ax.set_visible(False)
            continue
        Z = np.full((len(Vs), len(taus)), np.nan)
        for _, row in frame.iterrows():
            if isinstance(row.get(col), bool | np.bool_):
                Z[Vs.index(row["V"]), taus.index(row["tau"])] = 0.0 if row[col] else 1.0
        ax.pcolormesh(np.arange(len(taus) + 1) - 0.5, np.arange(len(Vs) + 1) - 0.5, Z, cmap="Greys", vmin=-0.3,
                      vmax=1.0, shading="flat")
        mk = "market_in_core" if col == "empty" else "h_market_in_core"
        if mk in frame.columns:
            sel = frame[frame[mk].astype(bool) & ~frame[col].astype(bool)]
            ax.scatter([taus.index(t) for t in sel["tau"]], [Vs.index(v) for v in sel["V"]], s=4, c="tab:orange",
                       label="market allocation in core")
        thr = frame.groupby("tau")["sum_f_tilde_M"].first()
        ax.plot(range(len(taus)), np.interp(thr.values, Vs, range(len(Vs))), "r-", lw=1.5,
                label="sum_i f~_i M_i" if individual else "f~ sum_i M_i")
        ax.set_xticks(range(len(taus)), [str(int(t)) for t in taus])
        step = max(1, len(Vs) // 12)
        ax.set_yticks(range(0, len(Vs), step), [f"{Vs[k]:.2g}" for k in range(0, len(Vs), step)])
        ax.set_xlabel("tau (day of vaccination)")
        ax.set_title(f"{name}: dark = non-empty core")
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("V (total doses)")
    fig.suptitle(title)
    return fig


def report_lines(frame: pd.DataFrame, thr: pd.DataFrame) -> list[str]:
    lines = ["| tau | sum f~_i M_i (coopt) | reference | largest V with empty core | non-empty from V | "
             "smallest V>0 non-empty |", "|---|---|---|---|---|---|"]

    def fmt(x: Any) -> str:
        return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3g}"

    for _, r in thr.iterrows():
        lines.append(f"| {int(r['tau'])} | {fmt(r['sum_f_tilde_M'])} | {fmt(r['reference_sum_f_tilde_M'])} | "
                     f"{fmt(r['largest_V_empty'])} | {fmt(r['nonempty_from_V'])} | "
                     f"{fmt(r['smallest_positive_V_nonempty'])} |")
    return lines


def market_lines(frame: pd.DataFrame) -> list[str]:
    """Shares of market allocations (and of p1..p4) in the core among non-empty cells, exact and heuristic."""
    out = []
    for prefix, name in (("", "exact v(S), prices from f*"), ("h_", "heuristic v-bar, prices from g*")):
        if f"{prefix}empty" not in frame.columns:
            continue
        ne = frame[~frame[f"{prefix}empty"].astype(bool)]
        big = ne[ne["V"] > 5e7]
        shares = ", ".join(f"{k} {big[f'{prefix}{k}_in_core'].astype(float).mean():.1%}"
                           for k in ("p1", "p2", "p3", "p4"))
        out.append(f"- {name}: {len(ne)} non-empty cells; a market allocation is in the core in "
                   f"{ne[f'{prefix}market_in_core'].astype(float).mean():.1%} of them; for V > 5e7: {shares}.")
    return out


__all__ = ["CasePoint", "case_instance", "market_lines", "plot_map", "report_lines", "sweep", "threshold_table"]

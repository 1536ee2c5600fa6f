"""Figure 5: share of non-empty-core games where p1..p4 and the proportional benchmarks are in the core."""

from __future__ import annotations

from pathlib import Path

from coopt.experiments.base import Experiment, ExperimentOutput, pyplot, save_figure, write_csv
from coopt.experiments.vaccine.common import ALLOCATIONS
from coopt.experiments.vaccine.random_games import KINDS, series_label, summarize, sweep

plt = pyplot()

D_MAX = 4.0  # the paper's Figure 5 shows d in {0.05, 0.5, ..., 4}


def _best(t) -> str:
    if not len(t):
        return "-"
    return str(t[[f"{a}_exact" for a in ALLOCATIONS]].mean().idxmax()).removesuffix("_exact")


def run(out_dir: Path, quick: bool) -> ExperimentOutput:
    frame = sweep(out_dir, quick)
    frame = frame[frame["d"] <= D_MAX + 1e-9]
    cols = {f"{a}_exact": f"{a}_in_core" for a in ALLOCATIONS}
    cols.update({f"{a}_heuristic": f"h_{a}_in_core" for a in ALLOCATIONS})
    table = summarize(frame, cols, among_non_empty=True)
    csv = write_csv(table, out_dir / "figure5.csv")
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True, sharey=True)
    for ax, (kind, ident) in zip(axes.flat, [(k, i) for k in KINDS for i in (True, False)]):
        t = table[(table["type"] == kind) & (table["identical"] == ident)].sort_values("d")
        for a in ALLOCATIONS:
            ls = "-" if a in ("p1", "p2", "p3", "p4") else ":"
            ax.plot(t["d"], t[f"{a}_exact"], ls=ls, marker="o", ms=3, label=a)
        ax.set_title(series_label(kind, ident) + " (exact v)")
        ax.set_ylim(-0.02, 1.02)
    for ax in axes[1]:
        ax.set_xlabel("d")
    for ax in axes[:, 0]:
        ax.set_ylabel("share in the core")
    axes[0, 0].legend(fontsize=7)
    fig.suptitle("Figure 5: market prices p1-p4 (solid) and proportional benchmarks (dotted) in the core")
    png = save_figure(fig, out_dir / "figure5.png")
    best_large = _best(table[table["d"] >= 2])
    best_small = _best(table[table["d"] <= 0.05 + 1e-9])
    report = (
        "Prices from the exact grand optimum f* (exact columns) and from the heuristic's g* (heuristic columns, "
        f"the paper's choice). Best allocation for d = 0.05: {best_small}; for d >= 2: {best_large} "
        "(paper: p1 for scarce, p4 for abundant resources)."
    )
    return ExperimentOutput(files=[png, csv], report=report,
                            checks={"best_small_d": best_small, "best_large_d": best_large})


EXPERIMENT = Experiment(name="vaccine-figure5", family="vaccine",
                        title="Vaccine Figure 5: analytic prices and benchmarks in the core", run=run)

"""Figure 3: share of random five-player games with a non-empty core, per d (Section 6.1).

Exact v(S) (solid) next to the paper's heuristic v-bar (dashed), for types (i)/(ii), identical and
individual functions; plus the share of games whose core verdict changes between the two.
"""

from __future__ import annotations

from pathlib import Path

from coopt.experiments.base import Experiment, ExperimentOutput, pyplot, save_figure, write_csv
from coopt.experiments.vaccine.random_games import KINDS, series_label, summarize, sweep

plt = pyplot()


def plot_shares(table, col_exact: str, col_heur: str, ylabel: str, title: str):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    markers = {True: "o", False: "s"}
    colors = {"ginsberg": "tab:blue", "logistic": "tab:red"}
    for kind in KINDS:
        for ident in (True, False):
            t = table[(table["type"] == kind) & (table["identical"] == ident)].sort_values("d")
            if t.empty:
                continue
            ax.plot(t["d"], t[col_exact], marker=markers[ident], color=colors[kind], label=series_label(kind, ident))
            ax.plot(t["d"], t[col_heur], marker=markers[ident], color=colors[kind], ls="--", alpha=0.5, mfc="none")
    ax.set_xlabel("d (resources r_i ~ U[0, d f~_i M_i])")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title + "\n(solid: exact v(S); dashed: paper's heuristic)")
    ax.legend(fontsize=8)
    return fig


def run(out_dir: Path, quick: bool) -> ExperimentOutput:
    frame = sweep(out_dir, quick)
    table = summarize(frame, {"non_empty_exact": "empty", "non_empty_heuristic": "h_empty",
                              "verdict_changed": "verdict_changed"}, among_non_empty=False)
    table["non_empty_exact"] = 1 - table["non_empty_exact"]
    table["non_empty_heuristic"] = 1 - table["non_empty_heuristic"]
    csv = write_csv(table, out_dir / "figure3.csv")
    fig = plot_shares(table, "non_empty_exact", "non_empty_heuristic", "share with non-empty core",
                      "Figure 3: non-empty core, 5 players")
    png = save_figure(fig, out_dir / "figure3.png")
    errors = int(frame["error"].notna().sum()) if "error" in frame.columns else 0
    changed = float(frame["verdict_changed"].astype(float).mean()) if "verdict_changed" in frame.columns else None
    lo = table.groupby(["type", "identical"])["non_empty_exact"].min()
    report = (
        f"{len(frame)} instances ({'quick: 15' if quick else '500'} per d and series). The core verdict "
        f"changes between exact v(S) and the heuristic in {changed:.1%} of all games. Lowest exact share "
        f"of non-empty cores per series: " + ", ".join(f"{series_label(k, i)} {v:.2f}" for (k, i), v in lo.items())
        + ". Paper: non-empty 'in most cases', dips for d in [0.5, 3]; its 'never below 0.40' sentence "
        "says 'empty' where it means 'non-empty' (docs/papers/vaccine.md#erratum-grid)."
        + (f" {errors} instances failed (see the CSV)." if errors else "")
    )
    return ExperimentOutput(files=[png, csv], report=report,
                            checks={"instances": len(frame), "verdict_changed_share": changed, "errors": errors})


EXPERIMENT = Experiment(name="vaccine-figure3", family="vaccine",
                        title="Vaccine Figure 3: share of games with a non-empty core (exact vs heuristic)", run=run)

"""Figure 3: where the equilibrium structure is smaller than, equal to or larger than the optimum.

Both answers come from the game layer at every grid point (n = 10, kappa = 0.35); solid lines are the
welfare thresholds alpha_sw1..3, dashed lines the equilibrium thresholds alpha_eqm1..3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coopt.experiments.base import Experiment, ExperimentOutput, pyplot, save_figure, write_csv
from coopt.experiments.itinfra import regions as R

CMP_COLORS = {"<": "#fdae6b", "=": "#f2f2f2", ">": "#74c476"}


def run(out_dir: Path, quick: bool) -> ExperimentOutput:
    n, kappa = R.paper_setting()
    plt = pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    betas, alphas = R.axes(quick)
    frame = R.grid_sweep(R.sweep_dir(out_dir, f"main-{len(betas)}x{len(alphas)}"), betas, alphas, n, kappa, quick)
    eq_c, sw_c = R.structure_code(frame.eq_size, n), R.structure_code(frame.sw_size, n)
    frame["structure_cmp"] = np.where(eq_c < sw_c, "<", np.where(eq_c > sw_c, ">", "="))
    frame["size_cmp"] = np.where(frame.eq_size < frame.sw_size, "<",
                                 np.where(frame.eq_size > frame.sw_size, ">", "="))
    code = frame.structure_cmp.map({"<": 0, "=": 1, ">": 2})
    frame["cmp_code"] = code
    fig, ax = plt.subplots(figsize=(6, 4.5))
    piv = frame.pivot(index="alpha", columns="beta", values="cmp_code")
    ax.pcolormesh(piv.columns.values, piv.index.values, piv.values, shading="nearest", vmin=-0.5, vmax=2.5,
                  cmap=ListedColormap(list(CMP_COLORS.values())))
    bb = np.linspace(betas.min(), betas.max(), 300)
    R.draw_lines(ax, bb, R.sw_boundaries(n, kappa, bb), "-")
    R.draw_lines(ax, bb, R.eqm_boundaries(n, kappa, bb), "--")
    ax.set_ylim(alphas.min(), alphas.max())
    ax.set_xlabel(r"relative interoperability $\beta$")
    ax.set_ylabel(r"coalition economy of scale $\alpha$")
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(facecolor=c, edgecolor="k", label=f"equilibrium {s} optimum") for s, c in CMP_COLORS.items()]
    ax.legend(handles=handles, fontsize=6, loc="upper right")
    ax.set_title("Figure 3: equilibrium vs socially optimal structure")
    files = [save_figure(fig, out_dir / "figure3.png"), write_csv(frame, out_dir / "figure3.csv")]
    sc, zc = frame.structure_cmp.value_counts(), frame.size_cmp.value_counts()
    bigger = frame[frame.structure_cmp == ">"]
    where = (f"beta in [{bigger.beta.min():.3f}, {bigger.beta.max():.3f}], alpha in [{bigger.alpha.min():.3f}, "
             f"{bigger.alpha.max():.3f}]") if len(bigger) else "none"
    report = (
        f"By structure: equilibrium smaller at {sc.get('<', 0)}, equal at {sc.get('=', 0)}, larger at "
        f"{sc.get('>', 0)} of {len(frame)} points; by size: {zc.get('<', 0)} / {zc.get('=', 0)} / {zc.get('>', 0)}. "
        f"The 'larger' region ({where}) is the paper's small '>' region near beta = 1/2, alpha = 0.55. Within the "
        "'=' partial region the sizes can still differ, as the paper notes."
    )
    checks = {"structure_smaller": int(sc.get("<", 0)), "structure_equal": int(sc.get("=", 0)),
              "structure_larger": int(sc.get(">", 0)), "size_smaller": int(zc.get("<", 0)),
              "size_equal": int(zc.get("=", 0)), "size_larger": int(zc.get(">", 0))}
    return ExperimentOutput(files=files, report=report, checks=checks)


EXPERIMENT = Experiment(name="itinfra-figure3", family="itinfra",
                        title="itinfra Figure 3: equilibrium vs socially optimal structures", run=run)

"""Figure 6: the SIR return function F_1 of region 1 (New England) at tau = 0 (Appendix C.1, eq. 24).

Plots F_1 with its inflection point c, tangent point f~ and the tangent from (0, F(0)) (the concave
envelope G of eq. 12), and writes the curve as CSV. Reference (docs/derivations/vaccine.md#sir-reference): F(0) =
0.465790,
F(0.1) = 0.630663, F(0.2) = 0.806833, F(0.3) = 0.987496, c = 0.25877, f~ = 0.28595, D(f~) = 1.75153.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from coopt.experiments.base import Experiment, ExperimentOutput, pyplot, save_figure, write_csv
from coopt.games.vaccine.market import player_arrays

plt = pyplot()

REFERENCE = {"F(0)": 0.465790, "F(0.1)": 0.630663, "F(0.2)": 0.806833, "F(0.3)": 0.987496, "f~": 0.28595}


def run(out_dir: Path, quick: bool) -> ExperimentOutput:
    from coopt.experiments.vaccine.case_study import case_instance

    inst = case_instance("vaccine/us-hhs-2009", 0.0, 3.0e7)
    name = str(inst.players[0].name)
    _, _, F, dF, ft = player_arrays(inst, [name])
    F1, ft1 = F[0], float(ft[0])
    fs = np.linspace(0, 0.6, 61 if quick else 301)
    vals = np.array([float(F1(x)) for x in fs])
    D = (float(F1(ft1)) - float(F1(0.0))) / ft1 if ft1 > 0 else float(dF[0](0.0))
    G = np.where(fs < ft1, float(F1(0.0)) + D * fs, vals)
    csv = write_csv(pd.DataFrame({"f": fs, "F": vals, "G_envelope": G}), out_dir / "figure6.csv")
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(fs, vals, label="F_1(f), eq. (24)")
    ax.plot(fs, G, "--", label="concave envelope G (12)")
    ax.axvline(ft1, color="grey", ls=":", label=f"f~ = {ft1:.4f}")
    ax.set_xlabel("f (fraction vaccinated)")
    ax.set_ylabel("fraction escaping infection")
    ax.set_title(f"Figure 6: region 1 ({name}), tau = 0")
    ax.legend(fontsize=8)
    png = save_figure(fig, out_dir / "figure6.png")
    got = {"F(0)": float(F1(0.0)), "F(0.1)": float(F1(0.1)), "F(0.2)": float(F1(0.2)), "F(0.3)": float(F1(0.3)),
           "f~": ft1}
    err = max(abs(got[k] - v) for k, v in REFERENCE.items())
    lines = ["| quantity | coopt | reference |", "|---|---|---|"] + [f"| {k} | {got[k]:.6f} | {v:.6f} |"
                                                                  for k, v in REFERENCE.items()]
    return ExperimentOutput(files=[png, csv], report="\n".join(lines), checks={"max_abs_diff_vs_reference": err})


EXPERIMENT = Experiment(name="vaccine-figure6", family="vaccine", title="Vaccine Figure 6: SIR return function",
                        run=run)

"""Figure B2 (Appendix C): socially optimal structures for 0 <= beta <= 1, n = 10, kappa = 0.35.

Welfare enumeration over Stage-2 solves at every point; below beta = 1/2 the curves alpha_sw1, alpha_sw4,
alpha_sw5 (SW convex in j: no partial optimum), above it alpha_sw1..3. The triple point
beta* = (2kappa(kappa(n-2)+2)-1)/(2 kappa n) and the coincidence at beta = 1/2 are marked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from coopt.experiments.base import Experiment, ExperimentOutput, pyplot, save_figure, write_csv
from coopt.experiments.itinfra import regions as R
from coopt.formulations.itinfra import closed_form as cf


def run(out_dir: Path, quick: bool) -> ExperimentOutput:
    n, kappa = R.paper_setting()
    plt = pyplot()

    betas, alphas = R.axes(quick, 0.0, 1.0)
    frame = R.grid_sweep(R.sweep_dir(out_dir, f"full-beta-{len(betas)}x{len(alphas)}"), betas, alphas, n, kappa,
                         quick)
    b, a = frame.beta.values, frame.alpha.values
    frame["sw_code"] = R.structure_code(frame.sw_size, n)
    frame["rule_size"] = cf.j_star_sw(n, kappa, b, a)
    low = b <= 0.5
    lines = [cf.alpha_sw1(n, kappa, b), np.where(low, cf.alpha_sw4(n, kappa, b), np.nan),
             np.where(low, cf.alpha_sw5(n, kappa, b), np.nan),
             *(np.where(low, np.nan, cf.alpha_sw(j, n, kappa, b)) for j in range(3, n + 1))]
    near = R.near_boundary(a, [np.nan_to_num(x, nan=-9) for x in lines], tol=0.5 * (alphas[1] - alphas[0]))
    agree = R.agreement(frame.sw_size.values, frame.rule_size.values, near)
    partial_low = int(((frame.sw_code == 2) & low).sum())
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    R.region_plot(ax, frame, "sw_code", n)
    bs = cf.beta_triple_appendix_c(n, kappa)
    lo_b = np.linspace(0, bs, 200)  # singleton | grand: alpha_sw4
    mid_b = np.linspace(bs, 0.5, 100)  # minimal | grand: alpha_sw5; singleton | minimal: alpha_sw1
    hi_b = np.linspace(0.5, 1.0, 200)[1:]
    ax.plot(np.r_[mid_b, hi_b], cf.alpha_sw1(n, kappa, np.r_[mid_b, hi_b]), "k-", lw=1.2, label=r"$\alpha_{sw1}$")
    ax.plot(lo_b, cf.alpha_sw4(n, kappa, lo_b), "k:", lw=1.2, label=r"$\alpha_{sw4}$")
    ax.plot(mid_b, cf.alpha_sw5(n, kappa, mid_b), "k-.", lw=1.2, label=r"$\alpha_{sw5}$")
    R.draw_lines(ax, hi_b, {k: v for k, v in R.sw_boundaries(n, kappa, hi_b).items() if k != "alpha_sw1"}, "-")
    ax.axvline(bs, color="grey", lw=0.8)
    ax.axvline(0.5, color="grey", lw=0.8)
    R.legend_patches(ax)
    ax.set_title(f"Figure B2: socially optimal structures, 0 <= beta <= 1 (n={n}, kappa={kappa})")
    files = [save_figure(fig, out_dir / "figureB2.png"), write_csv(frame, out_dir / "figureB2.csv")]
    report = (
        f"Welfare-optimal size at {len(frame)} points. The rule (Prop. 4 above beta = 1/2, Appendix C's alpha_sw1, "
        f"alpha_sw4, alpha_sw5 at or below) agrees at {agree['agree_all']:.2%} of all points and "
        f"{agree['agree_off_boundary']:.2%} off the boundary lines. Partial optima at beta <= 1/2: {partial_low} "
        f"(Appendix C: none, SW is convex in j). Triple point beta* = {bs:.6f}; alpha_sw2 = alpha_sw3 = alpha_sw5 "
        f"= {cf.alpha_sw5(n, kappa, 0.5):.6f} at beta = 1/2."
    )
    return ExperimentOutput(files=files, report=report, checks={
        "agreement": agree["agree_all"], "agreement_off_boundary": agree["agree_off_boundary"],
        "partial_optima_beta_le_half": partial_low, "beta_triple": float(bs)})


EXPERIMENT = Experiment(name="itinfra-figureB2", family="itinfra",
                        title="itinfra Figure B2: socially optimal structures for 0 <= beta <= 1", run=run)

"""Region maps of the itinfra paper (Figures 1, 2, 3, B2): the game layer at every (alpha, beta) point.

Each grid point solves Stage 2 for every size with the exact Stage-2 solver (``--solver exact``, through
``coopt.solve.solve``), then applies the game layer: the equilibrium conditions (10)-(15)
(:func:`coopt.games.itinfra.equilibrium.equilibria`) and the welfare enumeration (16)
(:func:`coopt.games.itinfra.social_optimum.optimum`). Points run through the resumable sweep engine
(:func:`coopt.experiments.sweep.run_sweep`). The paper's closed-form threshold curves are drawn over the
map, and the report gives the share of points where the closed-form rule and the model agree.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coopt.formulations.itinfra import closed_form as cf

#: the bundled instance with the paper's setting of Figures 1-5 and B2 (n = 10, kappa = 0.35)
PAPER_INSTANCE = "itinfra/paper-figure1"
STRUCTURES = ("singleton", "minimal", "partial", "grand")
COLORS = ("#f2f2f2", "#c6dbef", "#6baed6", "#08519c")


def structure_code(size: Any, n: int) -> Any:
    """0 singleton, 1 minimal, 2 partial, 3 grand (vectorised)."""
    size = np.asarray(size)
    return np.where(size == 0, 0, np.where(size == n, 3, np.where(size == 2, 1, 2)))


@dataclass
class GamePoint:
    """Sweep point function: equilibrium sizes and welfare optimum at (alpha, beta), Stage 2 by ``solver``.

    Called directly, each point builds its Stage-2 models; as a sweep's point factory (``setup()``,
    once per worker) a Pyomo solver such as HiGHS re-solves one kept model per coalition size
    (:class:`coopt.games.itinfra.stage2_persistent.Stage2Solves`).
    """

    n: int | None = None  # None: the paper's n and kappa, from PAPER_INSTANCE
    kappa: float | None = None
    p: float = 1.0
    solver: str = "exact"

    def __post_init__(self) -> None:
        n, kappa = paper_setting()
        self.n = n if self.n is None else self.n
        self.kappa = kappa if self.kappa is None else self.kappa

    def __call__(self, pt: dict[str, Any], solve_size: Any = None) -> dict[str, Any]:
        from coopt.games.itinfra.equilibrium import equilibria
        from coopt.games.itinfra.social_optimum import optimum
        from coopt.games.itinfra.stage2_table import solve_stage2

        inst = _base(self.n, self.kappa, self.p).with_overrides(alpha=float(pt["alpha"]), beta=float(pt["beta"]))
        t = solve_stage2(inst, self.solver, solve_size=solve_size)
        eq, _ = equilibria(t)
        opt, _ = optimum(t)
        return {"eq_sizes": ",".join(map(str, eq)), "eq_count": len(eq),
                "eq_size": eq[0] if len(eq) == 1 else -1, "sw_size": opt, "status": t.status.value}

    def setup(self) -> Any:
        """The point function of one worker: kept Stage-2 models for a Pyomo solver."""
        from coopt.solve import get_solver

        if get_solver(self.solver).layer != "pyomo":
            return self
        from coopt.games.itinfra.stage2_persistent import Stage2Solves

        sizes = Stage2Solves(self.solver)
        return lambda pt: self(pt, solve_size=sizes)


@functools.lru_cache(maxsize=8)
def _base(n: int, kappa: float, p: float) -> Any:
    import coopt

    return coopt.load(PAPER_INSTANCE, {"n": n, "kappa": kappa, "p": p})


def paper_setting() -> tuple[int, float]:
    """(n, kappa) of the paper's region maps, read from the bundled instance :data:`PAPER_INSTANCE`."""
    import coopt

    inst = coopt.load(PAPER_INSTANCE)
    return int(inst.n), float(inst.kappa)


def grid_sweep(out_dir: Path, betas: np.ndarray, alphas: np.ndarray, n: int | None = None,
               kappa: float | None = None, quick: bool = False, solver: str = "exact") -> pd.DataFrame:
    """Run (or resume) the region sweep over betas x alphas; one row per point with the game's answers
    (n, kappa: default the paper's, from :data:`PAPER_INSTANCE`)."""
    from coopt.experiments.sweep import run_sweep

    fn = GamePoint(n=n, kappa=kappa, solver=solver)
    n, kappa = fn.n, fn.kappa
    frame = run_sweep(fn, {"beta": betas, "alpha": alphas}, out_dir, workers=0 if quick else 2,
                      progress=False, meta={"n": n, "kappa": kappa, "solver": solver, "what": "itinfra regions"},
                      description="itinfra regions")
    frame = frame.copy()
    frame["eq_structure"] = [STRUCTURES[c] if s >= 0 else "several" for s, c in
                             zip(frame.eq_size, structure_code(frame.eq_size, n))]
    frame["sw_structure"] = [STRUCTURES[c] for c in structure_code(frame.sw_size, n)]
    return frame


def eqm_boundaries(n: int, kappa: float, beta: Any) -> dict[str, Any]:
    return {"alpha_eqm1": cf.alpha_eqm1(kappa, beta), "alpha_eqm2": cf.alpha_eqm2(kappa, beta),
            "alpha_eqm3": cf.alpha_eqm3(n, kappa, beta)}


def sw_boundaries(n: int, kappa: float, beta: Any) -> dict[str, Any]:
    return {"alpha_sw1": cf.alpha_sw1(n, kappa, beta), "alpha_sw2": cf.alpha_sw2(n, kappa, beta),
            "alpha_sw3": cf.alpha_sw3(n, kappa, beta)}


def near_boundary(alpha: np.ndarray, lines: list[np.ndarray], tol: float) -> np.ndarray:
    """Points within ``tol`` (in alpha) of any of the boundary curves evaluated at their beta."""
    out = np.zeros(alpha.shape, dtype=bool)
    for line in lines:
        out |= np.abs(alpha - line) <= tol
    return out


def agreement(model: np.ndarray, rule: np.ndarray, near: np.ndarray) -> dict[str, Any]:
    """Shares of points where the model's answer equals the closed-form rule (all, and off the boundaries)."""
    same = model == rule
    off = ~near
    return {"agree_all": float(same.mean()), "agree_off_boundary": float(same[off].mean()) if off.any() else 1.0,
            "disagree_points": int((~same).sum()), "disagree_off_boundary": int((~same & off).sum())}


def region_plot(ax: Any, frame: pd.DataFrame, code_col: str, n: int) -> None:
    """Filled region map of structure codes over (beta, alpha)."""
    from matplotlib.colors import ListedColormap

    piv = frame.pivot(index="alpha", columns="beta", values=code_col)
    b, a = piv.columns.values, piv.index.values
    ax.pcolormesh(b, a, piv.values, cmap=ListedColormap(COLORS), vmin=-0.5, vmax=3.5, shading="nearest")
    ax.set_xlabel(r"relative interoperability $\beta$")
    ax.set_ylabel(r"coalition economy of scale $\alpha$")
    ax.set_ylim(a.min(), a.max())
    ax.set_xlim(b.min(), b.max())


def draw_lines(ax: Any, beta: np.ndarray, lines: dict[str, np.ndarray], style: str, color: str = "k") -> None:
    for name, vals in lines.items():
        ax.plot(beta, vals, style, color=color, lw=1.2, label=name.replace("alpha_", r"$\alpha_{") + "}$")


def legend_patches(ax: Any) -> None:
    from matplotlib.patches import Patch

    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(facecolor=c, edgecolor="k", label=s) for c, s in zip(COLORS, STRUCTURES)]
    ax.legend(handles=handles, fontsize=7, loc="upper right", framealpha=0.9)


def spot_check(frame: pd.DataFrame, n: int, kappa: float, k: int, seed: int = 0) -> tuple[int, int]:
    """Re-solve ``k`` random grid points through the catalogue with HiGHS (Pyomo Stage 2): how many agree."""
    import coopt

    rng = np.random.default_rng(seed)
    rows = frame.iloc[rng.choice(len(frame), size=min(k, len(frame)), replace=False)]
    ok = 0
    for _, r in rows.iterrows():
        inst = coopt.load(PAPER_INSTANCE, {"n": n, "kappa": kappa, "alpha": float(r.alpha),
                                                   "beta": float(r.beta)})
        eq = coopt.run("itinfra.equilibrium", inst, solver="highs").solution["equilibria"]
        sw = coopt.run("itinfra.social_optimum", inst, solver="highs").solution["size"]
        ok += int(",".join(map(str, eq)) == r.eq_sizes and sw == r.sw_size)
    return ok, len(rows)


def axes(quick: bool, beta_lo: float = 0.5, beta_hi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The (beta, alpha) grid: 200 x 200 (paper ranges), 41 x 41 when quick; beta = 1/2 itself excluded
    above (Assumption 1)."""
    m = 41 if quick else 200
    betas = np.linspace(beta_lo, beta_hi, m + 1)[1:] if beta_lo == 0.5 else np.linspace(beta_lo, beta_hi, m)
    alphas = np.linspace(0.01, 0.99, m)
    return betas, alphas


def sweep_dir(out_dir: Path, tag: str) -> Path:
    """Where a region sweep's Parquet chunks live: shared by the figures of one reproduce run."""
    return Path(out_dir).parent / "_itinfra-sweeps" / tag

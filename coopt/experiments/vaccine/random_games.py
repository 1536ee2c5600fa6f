"""The random five-player instances of Section 6.1 and their sweep (shared by Figures 3, 4 and 5).

Generator (Section 6.1): M_i ~ U[10, 100]; type (i) F_i = exp(a_i - b_i/f), a_i, b_i ~ U[0, 1];
type (ii) F_i = 1/(1 + exp(-a_i f + b_i)), a_i ~ U[25, 100], b_i ~ U[0, a_i]; "identical" = one
draw of (a, b) for all players; r_i ~ U[0, d f~_i M_i] with d in {0.05, 0.5, 1, ..., 10};
500 instances per d. Seeded: instance (type, identical, d, k) uses
``numpy.random.default_rng([2019, type, identical, round(100 d), k])``, so any subset of the grid
(``--quick``) draws the same instances as the full run.

One sweep computes, per instance, the exact and the heuristic verdicts (`common.judge_instance`);
its chunks live in ``<out>/vaccine-random-instances/`` so the three figures share (and resume) it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coopt.experiments.vaccine.common import judge_instance, make_instance

KINDS = ("ginsberg", "logistic")  # type (i), type (ii)
D_FULL = (0.05, *np.arange(0.5, 10.01, 0.5).round(2).tolist())
D_QUICK = (0.05, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
N_FULL, N_QUICK = 500, 15
PLAYERS = 5


def draw_functions(rng: np.random.Generator, kind: str, identical: bool, n: int) -> list[dict[str, Any]]:
    """Return-function parameters of Section 6.1 for n players."""
    def one() -> dict[str, Any]:
        if kind == "ginsberg":
            return {"type": "ginsberg", "a": float(rng.uniform(0, 1)), "b": float(rng.uniform(0, 1))}
        a = float(rng.uniform(25, 100))
        return {"type": "logistic", "a": a, "b": float(rng.uniform(0, a))}

    if identical:
        shared = one()
        return [dict(shared) for _ in range(n)]
    return [one() for _ in range(n)]


def generate(kind: str, identical: bool, d: float, k: int, n: int = PLAYERS) -> Any:
    """Instance k of the (type, identical, d) cell: a validated vaccine instance."""
    rng = np.random.default_rng([2019, KINDS.index(kind), int(identical), int(round(100 * d)), k])
    funcs = draw_functions(rng, kind, identical, n)
    M = rng.uniform(10, 100, n)
    players = [{"name": f"P{i + 1}", "M": float(M[i]), "r": 0.0, "return_function": funcs[i]} for i in range(n)]
    probe = make_instance({"name": "probe", "players": players})
    from coopt.games.vaccine.market import player_arrays

    _, _, _, _, ft = player_arrays(probe, [p["name"] for p in players])
    u = rng.uniform(0, 1, n)
    for i, p in enumerate(players):
        p["r"] = float(u[i] * d * ft[i] * M[i])
    return make_instance({"name": f"random-{kind}-{'ident' if identical else 'indiv'}-d{d}-{k}",
                          "players": players})


def point(pt: dict[str, Any]) -> dict[str, Any]:
    """Sweep point -> row (module-level, so Dask can ship it)."""
    inst = generate(pt["kind"], bool(pt["identical"]), float(pt["d"]), int(pt["k"]))
    try:
        return judge_instance(inst, heuristic=True)
    except Exception as err:  # a failing instance is reported, not fatal to 40,000 others
        return {"error": f"{type(err).__name__}: {str(err)[:200]}"}


def sweep(out_dir: Path, quick: bool, workers: int = 2) -> pd.DataFrame:
    """Run (or resume) the shared sweep; one row per instance."""
    from coopt.experiments.sweep import run_sweep

    ds = D_QUICK if quick else D_FULL
    n_inst = N_QUICK if quick else N_FULL
    grid = [{"kind": kind, "identical": ident, "d": d, "k": k}
            for kind in KINDS for ident in (True, False) for d in ds for k in range(n_inst)]
    shared = Path(out_dir).parent / ("vaccine-random-instances" + ("-quick" if quick else ""))
    return run_sweep(point, grid, shared, workers=workers, meta={"experiment": "vaccine-random", "v": 1},
                     description="vaccine random instances")


def series_label(kind: str, identical: bool) -> str:
    return f"type ({'i' if kind == 'ginsberg' else 'ii'}), {'identical' if identical else 'individual'}"


def summarize(frame: pd.DataFrame, columns: dict[str, str], among_non_empty: bool) -> pd.DataFrame:
    """Per (type, identical, d): mean of each boolean column (over non-empty cores if asked)."""
    rows = []
    ok = frame[frame.get("error").isna()] if "error" in frame.columns else frame
    for (kind, ident, d), cell in ok.groupby(["kind", "identical", "d"]):
        row = {"type": kind, "identical": bool(ident), "d": d, "instances": len(cell)}
        for out, col in columns.items():
            base = cell
            if among_non_empty:
                empty_col = "h_empty" if col.startswith("h_") else "empty"
                base = cell[~cell[empty_col].astype(bool)]
            row[out] = float(base[col].astype(float).mean()) if len(base) else float("nan")
            if among_non_empty:
                row[f"{out}_n"] = len(base)
        rows.append(row)
    return pd.DataFrame(rows)

"""itinfra figures: region labels at fixed (alpha, beta) points, and the quick reproduce runs (files, agreement)."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from coopt.experiments.itinfra.regions import STRUCTURES, GamePoint, structure_code

# (beta, alpha) -> (equilibrium structure, optimal structure), n = 10, kappa = 0.35: read off the paper's
# Figures 1 and 2 (upper right singleton, through minimal and partial, to grand at the lower left) and Figure 3's
# small '>' pocket near beta = 1/2, alpha = 0.55; Figure B2's grand region at low beta.
POINTS = {
    (0.90, 0.90): ("singleton", "singleton"),
    (0.70, 0.50): ("minimal", "minimal"),
    (0.80, 0.30): ("minimal", "partial"),
    (0.95, 0.20): ("minimal", "partial"),
    (0.60, 0.30): ("partial", "grand"),
    (0.60, 0.10): ("partial", "grand"),
    (0.52, 0.10): ("grand", "grand"),
    (0.52, 0.55): ("partial", "minimal"),  # Figure 3's '>' region
    (0.20, 0.50): ("grand", "grand"),  # Figure B2, beta < 1/2
    (0.45, 0.70): (None, "minimal"),  # Figure B2; two equilibria {2, 10} below beta = 1/2
}


@pytest.mark.parametrize("point, want", list(POINTS.items()))
def test_region_labels_at_fixed_points(point, want):
    beta, alpha = point
    row = GamePoint()({"alpha": alpha, "beta": beta})
    eq, sw = want
    if eq is None:
        assert row["eq_count"] > 1
    else:
        assert row["eq_count"] == 1 and STRUCTURES[int(structure_code(row["eq_size"], 10))] == eq
    assert STRUCTURES[int(structure_code(row["sw_size"], 10))] == sw


def get_experiment(name):
    """The experiment of one itinfra module (imported directly: other families' modules do not matter here)."""
    return importlib.import_module(f"coopt.experiments.itinfra.{name.removeprefix('itinfra-')}").EXPERIMENT


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce")
    runs = {}
    for name in ("itinfra-figure1", "itinfra-figure2", "itinfra-figure3", "itinfra-figureB2"):
        target = out / name
        target.mkdir()
        runs[name] = get_experiment(name).run(target, True)
    return runs


def test_quick_figures_write_png_csv_and_agree_off_boundaries(quick_runs):
    for name, o in quick_runs.items():
        kinds = {p.suffix for p in o.files}
        assert {".png", ".csv"} <= kinds, name
        assert all(p.stat().st_size > 0 for p in o.files)
        assert o.report.strip()
    c1 = quick_runs["itinfra-figure1"].checks
    assert c1["agreement_off_boundary"] == 1.0 and c1["unique_share"] == 1.0
    assert c1["agreement_printed_rule"] < 1.0  # error 1 shows on the map
    assert c1["highs_spot_check"].split("/")[0] == c1["highs_spot_check"].split("/")[1]
    assert quick_runs["itinfra-figure2"].checks["agreement_off_boundary"] == 1.0
    b2 = quick_runs["itinfra-figureB2"].checks
    assert b2["agreement_off_boundary"] == 1.0 and b2["partial_optima_beta_le_half"] == 0
    c3 = quick_runs["itinfra-figure3"].checks
    assert c3["structure_smaller"] > c3["structure_equal"] / 2 and 0 < c3["structure_larger"] < 20


def test_figure_csv_is_the_game_layer_answer(quick_runs):
    csv = next(p for p in quick_runs["itinfra-figure1"].files if p.suffix == ".csv")
    frame = pd.read_csv(csv)
    row = frame.iloc[len(frame) // 3]
    got = GamePoint()({"alpha": row.alpha, "beta": row.beta})
    assert got["eq_size"] == row.eq_size and got["sw_size"] == row.sw_size


def test_incentive_figures_quick(tmp_path):
    out = {}
    for name in ("itinfra-figure4", "itinfra-figure5", "itinfra-figureB1"):
        (tmp_path / name).mkdir()
        out[name] = get_experiment(name).run(tmp_path / name, True)
        assert {p.suffix for p in out[name].files} >= {".png", ".csv"}
    c4 = out["itinfra-figure4"].checks
    assert c4["prop6_agreement"] == 1.0 and c4["phi2_positive"] and c4["max_diff_closed_form"] < 1e-8
    c5 = out["itinfra-figure5"].checks
    assert c5["max_diff_closed_form"] < 1e-8 and c5["phi2_positive_decreasing"]
    assert c5["abs_phi3_grows_points"] > 0  # error 10 shows
    assert out["itinfra-figureB1"].checks["agreement_with_paper_rule"] < 0.9  # B.3 under-specified


def test_region_sweep_resumes_without_recomputing(tmp_path, monkeypatch):
    import numpy as np

    from coopt.experiments.itinfra import regions

    betas, alphas = np.linspace(0.55, 1.0, 6), np.linspace(0.05, 0.95, 7)
    first = regions.grid_sweep(tmp_path / "s", betas, alphas, quick=True)
    chunks = sorted((tmp_path / "s" / "chunks").glob("chunk-*.parquet"))
    assert len(first) == 42 and len(chunks) >= 2
    lost = pd.read_parquet(chunks[-1])
    chunks[-1].unlink()  # as if the run had been killed before the last chunk was written
    calls = []
    original = regions.GamePoint.__call__
    monkeypatch.setattr(regions.GamePoint, "__call__", lambda self, pt: calls.append(pt) or original(self, pt))
    again = regions.grid_sweep(tmp_path / "s", betas, alphas, quick=True)
    assert len(calls) == len(lost)  # only the missing chunk's points were solved again
    assert len(again) == 42 and not again.point_id.duplicated().any()
    assert again.drop(columns=["point_id"]).equals(first.drop(columns=["point_id"]))

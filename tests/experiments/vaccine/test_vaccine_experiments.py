"""Vaccine experiments end to end on small inputs: Examples 1-3 table, the random generator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coopt.experiments.vaccine import examples
from coopt.experiments.vaccine.random_games import generate, point
from coopt.games.vaccine.market import player_arrays


def test_examples_experiment_reproduces_printed_tables(tmp_path):
    out = examples.run(tmp_path, quick=True)
    assert out.checks["values_matching_paper"] == "21/21"
    table = pd.read_csv(tmp_path / "examples.csv")
    assert len(table) == 21 and table["rounded_match"].all()
    assert (tmp_path / "examples.png").stat().st_size > 0
    assert "| example-2 | True | 0.326640 |" in out.report  # empty core, e* of the notes


@pytest.mark.parametrize("kind,identical", [("ginsberg", True), ("logistic", False)])
def test_generator_is_seeded_and_in_range(kind, identical):
    a = generate(kind, identical, 1.5, 3)
    b = generate(kind, identical, 1.5, 3)
    assert a.digest() == b.digest()
    assert generate(kind, identical, 1.5, 4).digest() != a.digest()
    M, r, _, _, ft = player_arrays(a, list(a.names))
    assert np.all((M >= 10) & (M <= 100))
    assert np.all((r >= 0) & (r <= 1.5 * ft * M + 1e-12))
    specs = [p.return_function for p in a.players]
    assert (len({tuple(sorted(s.items())) for s in specs}) == 1) is identical
    assert all(s["type"] == kind for s in specs)


def test_random_point_row_is_consistent():
    row = point({"kind": "logistic", "identical": False, "d": 1.0, "k": 0})
    assert "error" not in row
    assert row["empty"] == (row["e_star"] > 1e-5 + 1e-9 * abs(row["v_N"]))
    assert row["h_v_N"] <= row["v_N"] * (1 + 1e-9)  # the heuristic never beats the exact optimum
    if row["empty"]:
        assert not row["market_in_core"] and not row["p1_in_core"]


def test_examples_report_nucleolus_and_shapley_with_core_verdicts():
    """Issue 11 point 4: nucleolus and Shapley value beside the market prices, with their core verdicts,
    checked against the least core (in the core whenever the core is non-empty)."""
    from coopt.experiments.vaccine.concepts import concepts_row, report_lines

    rows = [concepts_row(name) for name in ("example-1", "example-2", "example-3")]
    for r in rows:
        assert r["nucleolus_verified"]
        assert r["nucleolus_in_core"] == (not r["core_empty"])
    ex1 = rows[0]  # symmetric game: both concepts give the equal split
    assert len(set(np.round(list(ex1["nucleolus"].values()), 9))) == 1
    assert ex1["shapley"] == pytest.approx(ex1["nucleolus"])
    text = "\n".join(report_lines(rows))
    assert "the nucleolus in example-1, example-3" in text and "| example-2 | yes |" in text

"""Summaries of the vaccine experiments on synthetic sweep frames (pure pandas, no solves)."""

from __future__ import annotations

import pandas as pd
import pytest

from coopt.experiments.vaccine.case_study import V_FULL, threshold_table
from coopt.experiments.vaccine.random_games import D_FULL, summarize


def test_case_study_grid_is_the_papers():
    assert len(V_FULL) == 61 and V_FULL[1] == 5e6 and V_FULL[2] == 1e7 and V_FULL[-1] == 3e8
    assert D_FULL[0] == 0.05 and D_FULL[1] == 0.5 and D_FULL[-1] == 10.0 and len(D_FULL) == 21


def test_threshold_table_finds_last_empty_cell():
    rows = []
    for tau, last_empty in ((0, 4e7), (45, None)):
        for V in (0.0, 5e6, 1e7, 4e7, 5e7, 1e8):
            rows.append({"tau": tau, "V": V, "sum_f_tilde_M": 4.4e7 if tau == 0 else 0.0,
                         "empty": last_empty is not None and 5e6 <= V <= last_empty})
    thr = threshold_table(pd.DataFrame(rows)).set_index("tau")
    assert thr.loc[0, "largest_V_empty"] == 4e7 and thr.loc[0, "nonempty_from_V"] == 5e7
    assert pd.isna(thr.loc[45, "largest_V_empty"]) and thr.loc[45, "nonempty_from_V"] == 0.0
    assert thr.loc[0, "reference_sum_f_tilde_M"] == pytest.approx(4.4e7)


def test_summarize_conditions_on_non_empty_cores():
    frame = pd.DataFrame({
        "kind": ["ginsberg"] * 4, "identical": [True] * 4, "d": [1.0] * 4,
        "empty": [False, False, True, False], "market_in_core": [True, False, True, True],
        "h_empty": [True, True, False, False], "h_market_in_core": [False, False, True, False],
    })
    t = summarize(frame, {"m": "market_in_core", "hm": "h_market_in_core"}, among_non_empty=True)
    assert t.loc[0, "m"] == pytest.approx(2 / 3) and t.loc[0, "m_n"] == 3
    assert t.loc[0, "hm"] == pytest.approx(0.5) and t.loc[0, "hm_n"] == 2
    t = summarize(frame, {"e": "empty"}, among_non_empty=False)
    assert t.loc[0, "e"] == pytest.approx(0.25)

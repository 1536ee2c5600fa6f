"""vaccine-us-states: the large-game pipeline on a few states agrees with full enumeration."""

from __future__ import annotations

import numpy as np
import pytest

import coopt
from coopt.experiments.vaccine.us_states import analyse
from coopt.games.vaccine.core import exact_game, least_core_epsilon
from coopt.games.vaccine.separation import subgame


def test_analyse_six_states_matches_enumeration():
    us = coopt.load("vaccine/us-states")
    inst = subgame(us, list(us.names[:6]))
    game, f_enum = exact_game(inst)
    e_ref, _ = least_core_epsilon(game)
    a = analyse(inst, tol=1e-9, nucleolus_budget=120)
    vN = game.v_grand
    assert a["v_N"] == pytest.approx(vN, rel=1e-9)
    assert a["epsilon"] == pytest.approx(e_ref, abs=1e-7 * vN)
    assert a["empty"] in (bool(e_ref > inst.epsilon + 1e-9 * vN), None)
    assert a["epsilon_lower"] - 1e-7 * vN <= e_ref <= a["epsilon_upper"] + 1e-7 * vN
    assert sum(a["allocation"].values()) == pytest.approx(vN, rel=1e-12)
    excess = game.v - game.coalition_sums(np.array(list(a["allocation"].values())))
    assert np.max(excess[1:-1]) <= a["separation_bound"] + 1e-9 * vN  # the bound bounds every coalition
    nu = a["nucleolus"]  # the imputation bounds can only raise the first level above the least core's e*
    assert nu["status"] == "optimal" and nu["rank"] == 6 and nu["levels"][0] >= e_ref - 1e-7 * vN
    for m in a["market"].values():  # an empty core holds no allocation; a certified excess says so
        assert m["status"] == "optimal"
        if a["empty"]:
            assert not m["in_core"] and m["bound"] >= a["epsilon"] - 1e-7 * vN


@pytest.mark.slow
def test_quick_experiment_writes_report(tmp_path):
    from coopt.experiments.base import experiments

    out = experiments()["vaccine-us-states"].run(tmp_path, True)
    assert "15 states" in out.report and "10 HHS regions" in out.report
    assert out.checks["regions_epsilon"] == pytest.approx(out.checks["regions_epsilon_enumeration"], abs=1e-7 * 2.6e8)
    assert all(p.exists() for p in out.files)

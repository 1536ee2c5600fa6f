"""Every tu.* problem takes a vaccine instance: v(S) by the family's exact, certified method, reported."""

from __future__ import annotations

import json

import numpy as np
import pytest

import coopt
from coopt.games.tu.values import shapley
from coopt.games.vaccine.core import exact_game
from coopt.solve.result import Status


@pytest.mark.parametrize("problem", ["tu.core", "tu.least_core", "tu.nucleolus", "tu.prenucleolus", "tu.shapley",
                                     "tu.banzhaf"])
def test_tu_problems_accept_a_vaccine_instance(problem):
    inst = coopt.load("vaccine/example-3")
    res = coopt.run(problem, inst)
    assert res.status == Status.OPTIMAL, res.messages
    game = res.solution["game"]
    assert "vaccine exact v(S)" in game["source"] and game["values_used"] == 7
    assert 0 <= game["worst_value_gap"] <= 1e-9  # certified bounds of the exact method
    assert set(game["values"]) == {"1", "2", "3", "1+2", "1+3", "2+3", "1+2+3"}
    assert sum(res.solution["allocation"].values()) == pytest.approx(2.3319, abs=1e-4) or problem == "tu.banzhaf"


def test_vaccine_core_and_tu_core_agree():
    inst = coopt.load("vaccine/example-2")
    a = coopt.run("vaccine.core", inst).solution
    b = coopt.run("tu.core", inst).solution
    assert a["empty"] and b["core_empty"]
    assert a["least_core_epsilon"] == pytest.approx(b["epsilon"], abs=1e-12) == pytest.approx(0.326640, abs=1e-6)
    game, _ = exact_game(inst)
    np.testing.assert_allclose([coopt.run("tu.shapley", inst).solution["allocation"][nm] for nm in game.names],
                               shapley(game))


def test_cli_tu_on_vaccine_data(main_cli):
    code, out, err = main_cli("solve", "tu.nucleolus", "--data", "vaccine/example-3", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["certificate"]["verified"] and d["solution"]["in_core"]

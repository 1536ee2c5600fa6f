"""tu.least_core / tu.core / vaccine.core on vaccine games too large for the 2^n table (the oracle path).

The switch is tested on small games (ORACLE_ABOVE lowered) against the enumeration path of the same
problems; a time limit leaves no certificate (exit 1 from the CLI).
"""

from __future__ import annotations

import pytest

import coopt
from coopt.catalog import run
from coopt.games.vaccine import large
from coopt.games.vaccine.separation import subgame


@pytest.fixture(scope="module")
def seven():
    us = coopt.load("vaccine/us-states")
    return subgame(us, list(us.names[:7]))


@pytest.mark.parametrize("problem", ["tu.least_core", "vaccine.core"])
def test_oracle_path_equals_enumeration_path(seven, problem, monkeypatch):
    ref = run(problem, seven)  # n = 7 <= ORACLE_ABOVE: all 2^n values
    monkeypatch.setattr(large, "ORACLE_ABOVE", 5)
    got = run(problem, seven)
    key = "epsilon" if problem == "tu.least_core" else "least_core_epsilon"
    assert got.status.value == "optimal"
    alloc = got.solution.get("allocation") or got.solution["least_core_allocation"]
    vN = sum(alloc.values())
    assert got.solution[key] == pytest.approx(ref.solution[key], abs=1e-7 * vN)
    cert = got.to_dict()["certificate"]
    assert 0 <= cert["separation_bound"] <= 1e-6 * vN
    assert cert["rounds"] >= 1 and cert["coalitions_generated"] >= 0
    if problem == "vaccine.core":
        assert got.solution["empty"] == ref.solution["empty"]
        if got.solution["empty"]:
            assert cert["balanced_excess"] > 0 and cert["balance_residual"] <= 1e-7


def test_core_emptiness_through_the_oracle(seven, monkeypatch):
    ref = run("tu.core", seven)
    monkeypatch.setattr(large, "ORACLE_ABOVE", 5)
    got = run("tu.core", seven)
    assert got.status.value == "optimal" and got.solution["core_empty"] == ref.solution["core_empty"]


def test_time_limit_gives_no_certificate(seven, monkeypatch):
    monkeypatch.setattr(large, "ORACLE_ABOVE", 5)
    got = run("tu.least_core", seven, time_limit=1e-6)
    assert got.status.value == "time_limit"
    assert got.to_dict()["certificate"]["separation_bound"] is None


def test_cli_time_limited_large_game_exits_1(cli):
    p = cli("solve", "tu.least_core", "--data", "vaccine/us-states", "--time-limit", "0.001", "--format", "json")
    assert p.returncode == 1, p.stderr[-2000:]
    assert "Traceback" not in p.stderr and "time_limit" in p.stdout + p.stderr


@pytest.mark.slow
@pytest.mark.parametrize("problem, key", [("tu.least_core", "epsilon"), ("vaccine.core", "least_core_epsilon")])
def test_fifty_one_states_acceptance(cli, problem, key):
    """Issue 12's acceptance: the 51-player game, status optimal, one allocation per state summing to v(N),
    and a separation bound (max over S of v(S) - x(S) - e*) within 1e-6 v(N)."""
    import json

    p = cli("solve", problem, "--data", "vaccine/us-states", "--format", "json")
    assert p.returncode == 0, p.stderr[-2000:]
    d = json.loads(p.stdout)
    sol, cert = d["solution"], d["certificate"]
    alloc = sol.get("allocation") or sol["least_core_allocation"]
    assert d["status"] == "optimal" and len(alloc) == 51 and sol[key] is not None
    vN = sum(alloc.values())
    assert vN > 0 and 0 <= cert["separation_bound"] <= 1e-6 * vN

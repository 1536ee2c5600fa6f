"""vaccine.game: JSON table named by players, exact and heuristic solvers, CLI."""

from __future__ import annotations

import json

import pytest

import coopt
from coopt.catalog import run


def test_exact_game_json_contract():
    res = run("vaccine.game", coopt.load("vaccine/example-2"), solver="exact")
    rows = res.solution["coalitions"]
    assert len(rows) == 7 and all(set(r) == {"members", "v", "bound"} for r in rows)
    by = {tuple(r["members"]): r for r in rows}
    assert by[("1", "2")]["v"] == pytest.approx(0.993307, abs=1e-6)
    assert by[("1", "2", "3")]["v"] == pytest.approx(1.0, abs=1e-8)
    assert all(r["bound"] >= r["v"] for r in rows)
    json.dumps(res.to_dict())


def test_heuristic_game_has_no_bounds():
    res = run("vaccine.game", coopt.load("vaccine/example-2"), solver="heuristic")
    rows = res.solution["coalitions"]
    assert res.status.value == "feasible" and all(r["bound"] is None for r in rows)
    assert rows[-1]["v"] == pytest.approx(0.96492, abs=1e-5)  # notes: v^H(N) = 0.96492; exact 1.0


def test_ten_region_game_is_fast_and_complete():
    import time

    inst = coopt.load("vaccine/us-hhs-2009")
    t0 = time.perf_counter()
    res = run("vaccine.game", inst)
    assert time.perf_counter() - t0 < 20  # generous: the benchmark measures the speed
    rows = res.solution["coalitions"]
    assert len(rows) == 1023
    assert rows[0]["members"] == ["New England"] and len(rows[-1]["members"]) == 10
    assert res.gap < 1e-7


def test_cli_json(cli):
    p = cli("solve", "vaccine.game", "--data", "vaccine/example-3", "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["solution"]["coalitions"][-1]["v"] == pytest.approx(2.331900, abs=1e-6)

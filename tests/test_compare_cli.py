"""coopt compare writes its table (--out .csv/.json), draws it (--plot), and passes a solver's own options
through (--solver-option SOLVER.NAME=VALUE: honoured, or refused before anything runs)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

ARGS = ("compare", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5")


def test_out_csv_and_json_hold_the_printed_table(cli, tmp_path):
    r = cli(*ARGS, "--solvers", "highs,ipopt", "--format", "json", "--out", str(tmp_path / "t.csv"))
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    frame = pd.read_csv(tmp_path / "t.csv")
    assert list(frame["solver"]) == ["highs", "ipopt"] and list(frame["status"]) == ["optimal", "optimal"]
    assert frame["objective"].tolist() == pytest.approx([row["objective"] for row in printed], rel=1e-15)
    r = cli(*ARGS, "--solvers", "highs", "--out", str(tmp_path / "t.json"))
    assert r.returncode == 0 and json.loads((tmp_path / "t.json").read_text())[0]["status"] == "optimal"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_plot_draws_time_and_gap(cli, tmp_path):
    png = tmp_path / "cmp.png"
    r = cli(*ARGS, "--solvers", "highs,clarabel,exact", "--plot", str(png))
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


@pytest.mark.parametrize(("extra", "needle"), [
    (["--out", "{tmp}/t.xlsx"], "must end in .csv or .json"),
    (["--plot", "{tmp}/t.csv"], "must end in .png or .pdf or .svg"),
    (["--out", "{tmp}/missing/t.csv"], "does not exist"),
    (["--solver-option", "max_iters=5"], "expected SOLVER.NAME=VALUE"),
    (["--solvers", "highs", "--solver-option", "scs.max_iters=5"], "solver 'scs' is not compared"),
    (["--solvers", "scs", "--solver-option", "scs.max_itres=5"], "solver option scs.max_itres = 5"),
    (["--solvers", "highs", "--solver-option", "highs.presolve=sometimes"], "solver option highs.presolve"),
])
def test_bad_outputs_and_options_are_refused_before_solving(cli, tmp_path, extra, needle):
    extra = [a.format(tmp=tmp_path) for a in extra]
    r = cli(*ARGS, *extra)
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "optimal" not in r.stdout


def test_solver_options_are_honoured(cli):
    """SCS stopped after 5 iterations cannot prove the optimum; with its default it does."""
    r = cli(*ARGS, "--solvers", "scs,highs", "--solver-option", "scs.max_iters=5", "--format", "json")
    rows = {row["solver"]: row for row in json.loads(r.stdout)}
    assert rows["scs"]["status"] != "optimal" and rows["highs"]["status"] == "optimal"
    r = cli(*ARGS, "--solvers", "scs", "--format", "json")
    assert json.loads(r.stdout)[0]["status"] == "optimal"

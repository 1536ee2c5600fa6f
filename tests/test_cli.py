"""The command line as a user runs it: output contracts and exit codes (0 ok, 1 not optimal, 2 bad input)."""

from __future__ import annotations

import json

import pytest

from coopt.formulations.itinfra import closed_form as cf


def test_list_json_has_problems_and_solvers(cli):
    r = cli("list", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    names = {p["name"] for p in d["problems"]}
    assert {"itinfra.coordinator", "itinfra.outside"} <= names
    coord = next(p for p in d["problems"] if p["name"] == "itinfra.coordinator")
    assert coord["family"] == "itinfra" and "QP" in coord["classes"] and "(3)" in coord["equations"]
    solvers = {s["name"]: s for s in d["solvers"]}
    assert solvers["highs"]["installed"] and "MILP" in solvers["highs"]["classes"]


def test_show_prints_model_with_equations_and_values(cli):
    r = cli("show", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=3")
    assert r.returncode == 0, r.stderr
    assert "kappa = 0.35" in r.stdout and "eq. (3)" in r.stdout and "equal" in r.stdout


def test_solve_json_contract(cli):
    r = cli("solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=5",
            "--solver", "ipopt", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    for key in ("problem", "status", "solver", "objective", "bound", "gap", "values", "certificate",
                "wall_time", "solution"):
        assert key in d
    assert d["status"] == "optimal" and d["solver"] == "ipopt"
    assert d["objective"] == pytest.approx(cf.CW(5, 10, 0.35, 0.75, 0.4), rel=1e-6)
    assert set(d["solution"]) >= {"g_in", "total_inside", "S_in", "S_out"}
    assert d["certificate"]["closed_form_error"] < 1e-6
    assert len(d["values"]["g"]) == 5


def test_solve_set_overrides_field(cli):
    r = cli("solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=2", "-s", "alpha=0.5",
            "--format", "json")
    assert json.loads(r.stdout)["objective"] == pytest.approx(cf.CW(2, 10, 0.35, 0.75, 0.5), rel=1e-6)


def test_solve_out_dir_writes_all_files(cli, tmp_path):
    out = tmp_path / "res"
    r = cli("solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=4", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["duals.csv", "result.json", "values.csv"]
    assert json.loads((out / "result.json").read_text())["status"] == "optimal"


def test_compare_shows_every_solver_matching_closed_form(cli):
    r = cli("compare", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=7",
            "--solvers", "highs,ipopt,scip,clarabel,scs,osqp,highs-cvxpy", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["solver"] for x in rows] == ["highs", "ipopt", "scip", "clarabel", "scs", "osqp", "highs-cvxpy"]
    for row in rows:
        assert row["status"] == "optimal" and row["closed_form_error"] < 1e-6, row


def test_compare_csv_and_refusal_row(cli):
    r = cli("compare", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=3",
            "--solvers", "highs,exact", "--format", "csv")
    assert r.returncode == 0
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("solver,") and len(lines) == 3 and "refused" in lines[2]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "kappa=0.9", "-s", "j=2"],
         "field 'kappa' = 0.9"),
        (["solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=99"], "option 'j' = 99"),
        (["solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=3", "--solver", "gurobi"],
         "unknown solver 'gurobi'"),
        (["solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=3", "--solver", "exact"],
         "cannot solve itinfra.coordinator"),
        (["solve", "itinfra.nothing", "-d", "itinfra/paper-figure1"], "unknown problem 'itinfra.nothing'"),
        (["solve", "itinfra.coordinator", "-d", "no/such", "-s", "j=2"], "no data file or bundled instance"),
        (["solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j"], "expected key=value"),
        (["solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=2", "-s", "colour=1"],
         "unknown option 'colour'"),
        (["frobnicate"], "usage"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli, args, needle):
    r = cli(*args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert needle in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 3


def test_not_optimal_exits_1(cli):
    """A time limit too small to prove optimality is reported, with exit code 1, not as success."""
    r = cli("solve", "itinfra.coordinator", "-d", "itinfra/paper-figure1", "-s", "j=5", "--solver", "ipopt",
            "--format", "json", "--tol", "1e-30", "-s", "max_iter=1")
    assert r.returncode == 1
    assert json.loads(r.stdout)["status"] in ("iteration_limit", "numerical_error")

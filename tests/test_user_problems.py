"""A problem of the user's own, from a file (--problem-file) or an installed package (entry point
group ``coopt.problems``), is listed, shown, solved, compared, swept and exported like a bundled one.

The template examples/my_problem.py is the user's file; its reference is its own closed form (the
coordinator's unconstrained optimum clipped at the budget), checked by a second solver too.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

import coopt.problems as registry

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "my_problem.py"
NAME = "mine.budget_coordinator"


@pytest.fixture(autouse=True)
def clean_registry():
    """Each test starts and ends with the registry as it was (registered problems are per process)."""
    saved = dict(registry._REGISTERED), dict(registry._FILES), registry._PLUGINS_LOADED
    if NAME not in {n for names in registry._FILES.values() for n in names}:
        registry._REGISTERED.pop(NAME, None)  # registered by hand elsewhere (the template run as a script)
    yield
    registry._REGISTERED.clear()
    registry._REGISTERED.update(saved[0])
    registry._FILES.clear()
    registry._FILES.update(saved[1])
    registry._PLUGINS_LOADED = saved[2]


def test_problem_file_is_listed_shown_solved_and_compared(cli):
    pf = ("--problem-file", str(TEMPLATE))
    r = cli(*pf, "list", "--format", "json")
    assert r.returncode == 0
    listed = {p["name"]: p for p in json.loads(r.stdout)["problems"]}
    assert NAME in listed and listed[NAME]["classes"] == ["QP"] and "highs" in listed[NAME]["solvers"]
    r = cli(*pf, "show", NAME)
    assert r.returncode == 0 and "p G≤ B" in r.stdout and "budget" in r.stdout  # its math, as text
    r = cli(*pf, "solve", NAME, "--data", "itinfra/paper-figure1", "--set", "j=5", "--set", "budget=1.5",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["status"] == "optimal" and res["solution"]["budget_binds"] is True
    assert res["certificate"]["closed_form_error"] < 1e-9
    r = cli(*pf, "compare", NAME, "--data", "itinfra/paper-figure1", "--set", "j=5", "--set", "budget=1.5",
            "--solvers", "highs,ipopt", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["status"] for row in rows] == ["optimal", "optimal"]
    assert rows[0]["objective"] == pytest.approx(rows[1]["objective"], rel=1e-7)


def test_problem_file_is_swept_in_worker_processes(cli, tmp_path):
    """Dask worker processes do not share the parent's registry: they load the file again."""
    r = cli("--problem-file", str(TEMPLATE), "sweep", NAME, "--data", "itinfra/paper-figure1", "--set", "j=5",
            "--grid", "budget=0.5,1.0,4.0", "--workers", "1", "--out", str(tmp_path / "sw"))
    assert r.returncode == 0, r.stderr
    import pandas as pd

    frame = pd.read_parquet(tmp_path / "sw" / "results.parquet")
    frame = frame.sort_values("budget")
    assert (frame["status"] == "optimal").all() and (frame["closed_form_error"] < 1e-9).all()
    assert list(frame["budget_binds"]) == [True, True, False]  # G* = 2.5625 costs 2.5625 < 4


def test_problem_file_is_exported(cli, tmp_path):
    import highspy

    out = tmp_path / "mine.mps"
    r = cli("--problem-file", str(TEMPLATE), "export", NAME, "--data", "itinfra/paper-figure1", "--set", "j=5",
            "--set", "budget=1.5", "--format", "mps", "--out", str(out))
    assert r.returncode == 0, r.stderr
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(out))
    h.run()
    import coopt

    registry.load_problem_file(TEMPLATE)
    ref = coopt.run(NAME, coopt.load("itinfra/paper-figure1"), j=5, budget=1.5)
    assert h.getInfo().objective_function_value == pytest.approx(ref.objective, rel=1e-9)


@pytest.mark.parametrize(("text", "needle"), [
    (None, "no such file"),
    ("x = (\n", "(line 1): SyntaxError"),
    ("import math\n\nraise ValueError('boom')\n", "(line 3): ValueError: boom"),
    ("X = 1\n", "defines no PROBLEM"),
    ("PROBLEM = 3\n", "expected a Problem"),
])
def test_a_bad_problem_file_is_one_line_exit_2(cli, tmp_path, text, needle):
    path = tmp_path / "mine.py"
    if text is not None:
        path.write_text(text)
    r = cli("--problem-file", str(path), "list")
    assert r.returncode == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_problem_file_may_not_shadow_a_bundled_problem(cli, tmp_path):
    path = tmp_path / "clash.py"
    path.write_text(TEMPLATE.read_text().replace('name="mine.budget_coordinator"', 'name="itinfra.coordinator"'))
    r = cli("--problem-file", str(path), "list")
    assert r.returncode == 2 and "already registered" in r.stderr


def test_loading_the_same_file_twice_is_a_no_op():
    assert registry.load_problem_file(TEMPLATE) == [NAME]
    assert registry.load_problem_file(str(TEMPLATE)) == [NAME]
    assert registry.problem_files([NAME]) == [str(TEMPLATE.resolve())]


def _install_plugin(tmp_path: Path, monkeypatch, module_text: str, value: str) -> None:
    """A package installed on sys.path with a ``coopt.problems`` entry point (a dist-info folder)."""
    (tmp_path / "coopt_test_plugin.py").write_text(module_text)
    dist = tmp_path / "coopt_test_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: coopt-test-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[coopt.problems]\nmine = {value}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "coopt_test_plugin", raising=False)
    registry._PLUGINS_LOADED = False


def test_an_entry_point_registers_its_problems(cli, tmp_path, monkeypatch):
    _install_plugin(tmp_path, monkeypatch, TEMPLATE.read_text(), "coopt_test_plugin:PROBLEM")
    r = cli("list", "--format", "json")
    assert r.returncode == 0 and NAME in {p["name"] for p in json.loads(r.stdout)["problems"]}
    r = cli("solve", NAME, "--data", "itinfra/paper-figure1", "--set", "j=4", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["certificate"]["closed_form_error"] < 1e-9


def test_a_broken_entry_point_is_reported_and_skipped(cli, tmp_path, monkeypatch):
    _install_plugin(tmp_path, monkeypatch, textwrap.dedent("""
        raise RuntimeError("plugin is broken")
    """), "coopt_test_plugin:PROBLEM")
    r = cli("list", "--format", "json")
    assert r.returncode == 0 and "itinfra.coordinator" in r.stdout
    assert "problem plugin mine = coopt_test_plugin:PROBLEM not loaded: plugin is broken" in r.stderr

"""One exit-code contract for every command (issue #10), checked in-process.

exit 2 + one safe line for anything the user can fix (checked before any solve); exit 1 only for a
solve that proved nothing; never a traceback; `compare` shows every number in full and keeps going
when one solver fails.
"""

from __future__ import annotations

import json
import math
import time

import pytest

import coopt.problems
from tests.inproc import assert_contract, assert_one_line_error, call

FIG1 = ("-d", "itinfra/paper-figure1")


# ------------------------------------------------------------------------------ unchecked options
@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "true", "1e-3", "0.5", "abc", ""])
def test_tie_tol_refused_outside_its_range(value):
    r = call("solve", "itinfra.equilibrium", "-d", "itinfra/worked-case", "-s", f"tie_tol={value}", "-f", "json")
    assert_one_line_error(r, 2, "option 'tie_tol'")


@pytest.mark.parametrize("value", ["0", "1e-12", "1e-9", "1e-6"])
def test_tie_tol_in_range_keeps_the_answer(value):
    """The worked case's only equilibrium is size 4 (Proposition 2; the deviation gains are >= 2e-3 away)."""
    r = call("solve", "itinfra.equilibrium", "-d", "itinfra/worked-case", "-s", f"tie_tol={value}",
             "--solver", "exact", "-f", "json")
    assert r.rc == 0, r.err
    assert r.json()["solution"]["equilibria"] == [4]


@pytest.mark.parametrize("value", ["nan", "-1e-9", "inf", "0.5", "yes"])
def test_rel_tol_cannot_make_example2_core_non_empty(value):
    r = call("solve", "vaccine.core", "-d", "vaccine/example-2", "-s", f"rel_tol={value}", "-f", "json")
    assert_one_line_error(r, 2, "option 'rel_tol'")


@pytest.mark.parametrize("value", ["0", "1e-9", "1e-3"])
def test_example2_core_stays_empty_over_the_rel_tol_range(value):
    """Example 2 (Section 3.3) has an empty core: its least-core epsilon* = 0.327 >> any allowed rel_tol."""
    r = call("solve", "vaccine.core", "-d", "vaccine/example-2", "-s", f"rel_tol={value}", "-f", "json")
    assert r.rc == 0, r.err
    assert r.json()["solution"]["empty"] is True


def test_equilibria_limit():
    assert_one_line_error(call("solve", "dpshare.equilibria", "-d", "dpshare/lemma3-example", "-s", "limit=-1"),
                          2, "option 'limit' = '-1': must be >= 1")
    full = call("solve", "dpshare.equilibria", "-d", "dpshare/lemma3-example", "-f", "json").json()["solution"]
    one = call("solve", "dpshare.equilibria", "-d", "dpshare/lemma3-example", "-s", "limit=1", "-f", "json")
    sol = one.json()["solution"]
    for kind in ("nash", "robust"):
        assert len(sol[kind]) == min(1, len(full[kind]))
        assert sol[kind][:1] == full[kind][:1]


@pytest.mark.parametrize("args, needle", [
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=inf"), "option 'j' = 'inf': not a finite integer"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=2.5"), "option 'j' = '2.5': not an integer"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=true"), "option 'j'"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "-s", "max_iter=1.5"), "option 'max_iter' = '1.5'"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "-s", "time_limit=nan"), "option 'time_limit'"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "-s", "max_iter=5", "--solver", "scip"),
     "max_iter': scip does not take an iteration limit"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "-s", "max_iter=5", "--solver", "osqp"),
     "max_iter': osqp does not take an iteration limit"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "-s", "max_iter=5", "--solver", "scs"),
     "max_iter': scs does not take an iteration limit"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "--time-limit", "-1"), "option 'time_limit'"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=5", "--tol", "nan"), "option 'tol'"),
    (("solve", "vaccine.allocation", "-d", "vaccine/example-1", "-s", "pieces=1000000", "--solver", "highs"),
     "option 'pieces' = '1000000': must be <= 1000"),
    (("solve", "vaccine.allocation", "-d", "vaccine/example-1", "-s", "coalition=,"), "option 'coalition'"),
    (("solve", "vaccine.wolfe_dual", "-d", "vaccine/example-1", "-s", "coalition=,"), "option 'coalition'"),
    (("solve", "dpshare.best_response", "-d", "dpshare/lemma3-example", "-s", "coalition=,"), "option 'coalition'"),
    (("solve", "dpshare.best_response", "-d", "dpshare/lemma3-example", "-s", "coalition=a1,a1"), "twice"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "p=.inf"), "field 'p' = inf"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "gamma=.inf"), "field 'gamma' = inf"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "beta=true"), "got the boolean true"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "n=1000000000"), "2 <= n <= 1000"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "j=4"), "--set 'j' given twice"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "=3"), "empty name before '='"),
    (("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-f", "xml"),
     "--format 'xml': coopt solve writes table, json"),
    (("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "-f", "xml"),
     "--format 'xml': coopt compare writes table, json, csv"),
    (("list", "-f", "xml"), "--format 'xml': coopt list writes table, json, markdown"),
    (("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "higs"), "unknown solver 'higs'"),
    (("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "highs,,ipopt"), "empty name"),
    (("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "highs,highs"), "given twice"),
    (("sweep", "itinfra.coordinator", *FIG1, "-s", "j=3", "--grid", "alpha=0.1:0.9:3", "--grid", "alpha=0.2:0.3:2"),
     "--grid 'alpha' given twice"),
    (("sweep", "itinfra.coordinator", *FIG1, "-s", "j=3", "--grid", "alpha=0.1:0.9:10000", "--grid",
      "beta=0.5:1:100000"), "exceeds the limit of 1,000,000 points"),
    (("show", "vaccine.wolfe_dual", "-d", "vaccine/example-1", "-s", "rel_tol=7"), "option 'rel_tol' = '7'"),
    (("show", "itinfra.coordinator", "-s", "j=3"), "--set needs --data"),
    (("frobnicate",), "coopt: usage:"),
])
def test_bad_input_exit_2_one_line(args, needle):
    t0 = time.perf_counter()
    assert_one_line_error(call(*args), 2, needle)
    assert time.perf_counter() - t0 < 20


def test_no_arguments_prints_help_on_stderr_and_exits_2():
    r = call()
    assert r.rc == 2 and r.out == ""
    assert "Usage" in r.err and "solve" in r.err and r.err_lines[-1].startswith("coopt: usage:")
    assert call("--help").rc == 0


# ------------------------------------------------------------------------------ bounded work
def _vaccine_file(tmp_path, n: int):
    rows = "\n".join(f"  - {{name: p{i}, M: {1000 + i}, r: {300 + i}}}" for i in range(n))
    f = tmp_path / f"v{n}.yaml"
    f.write_text(f"family: vaccine\nreturn_function: {{type: logistic, a: 10, b: 5}}\nplayers:\n{rows}\n")
    return f


@pytest.mark.parametrize("solver", ["heuristic", "exact"])
def test_thirty_player_vaccine_enumeration_refused_fast(tmp_path, solver):
    t0 = time.perf_counter()
    r = call("solve", "vaccine.allocation", "-d", _vaccine_file(tmp_path, 30), "--solver", solver)
    assert_one_line_error(r, 2, f"30 players; the {solver} method enumerates 2^n subsets; n <= 16; "
                          "use --solver scip or the constraint-generation core")
    assert time.perf_counter() - t0 < 5


def _random_vaccine_file(tmp_path, n: int, seed: int = 1):
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = "\n".join(f"  - {{name: p{i}, M: {rng.uniform(1, 3):.3f}, r: {rng.uniform(0.1, 0.5):.3f}, "
                     f"return_function: {{type: logistic, a: {rng.uniform(10, 50):.2f}, b: {rng.uniform(5, 25):.2f}}}}}"
                     for i in range(n))
    f = tmp_path / f"random{n}.yaml"
    f.write_text(f"family: vaccine\nplayers:\n{rows}\n")
    return f


@pytest.mark.parametrize("solver", ["exact", "heuristic"])
def test_sixteen_player_enumeration_honours_its_time_limit(tmp_path, solver):
    """The exact v(S) of a 16-player game takes ~2 minutes here; with --time-limit 1 it stops (exit 1)."""
    t0 = time.perf_counter()
    r = call("solve", "vaccine.allocation", "-d", _random_vaccine_file(tmp_path, 16), "--solver", solver,
             "--time-limit", "1", "-f", "json")
    assert_contract(r)
    assert r.rc == 1 and r.json()["status"] == "time_limit" and r.json()["objective"] is None
    assert "stopped at the time limit (1 s)" in r.err
    assert time.perf_counter() - t0 < 20


def test_seventeen_players_refused_by_the_heuristic_python_api(tmp_path):
    import numpy as np

    from coopt.errors import InputError
    from coopt.formulations.vaccine.allocation import heuristic_values

    inst = coopt.load(_vaccine_file(tmp_path, 17))
    with pytest.raises(InputError, match="n <= 16"):
        heuristic_values(np.asarray(inst.M), np.asarray(inst.r), inst.functions)


def test_sir_past_the_peak_one_clear_line():
    spec = "{type: sir, tau: 60, infectious_days: 2.3, initial_infected_fraction: 1.0e-4, variant: paper}"
    r = call("solve", "vaccine.game", "-d", "vaccine/us-hhs-2009", "-s", f"return_function={spec}")
    line = assert_one_line_error(r, 2, "SIR variant paper at tau = 60: F decreases from f = 0")
    assert "use an earlier tau or variant A or B" in line and len(line) < 400 and "sigma" not in line


@pytest.mark.parametrize("spec, needle", [
    ("{type: sir, tau: 10, infectious_days: 1.0e-7, initial_infected_fraction: 1.0e-4}", "infectious_days = 1e-07"),
    ("{type: sir, tau: 1.0e12, infectious_days: 2.3, initial_infected_fraction: 1.0e-4}", "tau = 1e+12"),
])
def test_stiff_sir_parameters_refused(spec, needle):
    t0 = time.perf_counter()
    assert_one_line_error(call("solve", "vaccine.game", "-d", "vaccine/us-hhs-2009", "-s", f"return_function={spec}"),
                          2, needle)
    assert time.perf_counter() - t0 < 5


def test_long_values_are_never_echoed_in_full():
    r = call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "kappa=" + "9" * 100_000)
    assert len(assert_one_line_error(r, 2, "field 'kappa'")) < 600
    r = call("solve", "itinfra.coordinator", *FIG1, "-s", "j=" + "x" * 100_000)
    assert len(assert_one_line_error(r, 2, "option 'j'")) < 800


def test_escape_sequences_never_reach_the_terminal(tmp_path):
    r = call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "-s", "\x1b[2Jcolour=1")
    assert "\\x1b[2Jcolour" in assert_one_line_error(r, 2, "unknown option")
    r = call("solve", "itinfra.coordinator", "-d", "\x1b]0;pwned\x07", "-s", "j=3")
    assert "\\x1b]0;pwned\\x07" in assert_one_line_error(r, 2)
    f = tmp_path / "x.yaml"
    f.write_text('family: itinfra\nname: x\nn: 5\nkappa: "\\e[31mred"\nbeta: 0.7\nalpha: 0.5\n')
    assert "\\x1b[31mred" in assert_one_line_error(call("solve", "itinfra.coordinator", "-d", f, "-s", "j=3"), 2)


# ------------------------------------------------------------------------------ tracebacks / exit classes
def test_non_utf8_data_file_exit_2(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_bytes(b"family: itinfra\nname: caf\xe9\nn: 5\nkappa: 0.3\nbeta: 0.7\nalpha: 0.5\n")
    assert_one_line_error(call("solve", "itinfra.coordinator", "-d", f, "-s", "j=3"), 2, "line 2: not UTF-8 text")


@pytest.fixture
def no_solve(monkeypatch):
    """Fail the test if anything is solved."""
    def forbidden(*a, **k):
        raise AssertionError("solved before the output path was checked")

    monkeypatch.setattr(coopt.problems, "run", forbidden)


def test_out_existing_file_refused_before_solving(tmp_path, no_solve):
    f = tmp_path / "result.json"
    f.write_text("{}")
    assert_one_line_error(call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "--out", f), 2,
                          "is an existing file, not a directory")
    assert_one_line_error(call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "--out", f / "sub"), 2,
                          "is a file, not a directory")
    assert f.read_text() == "{}"


def test_out_unwritable_refused_before_solving(tmp_path, no_solve):
    assert_one_line_error(call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3", "--out", "/proc/coopt-out"), 2,
                          "cannot write there")
    assert_one_line_error(call("sweep", "itinfra.coordinator", *FIG1, "-s", "j=3", "--grid", "alpha=0.1:0.2:2",
                               "--out", "/proc/coopt-out"), 2, "cannot write there")


def test_unexpected_exception_is_exit_1_one_line(monkeypatch):
    def boom(*a, **k):
        raise KeyError((0, 2))

    monkeypatch.setattr(coopt.problems, "run", boom)
    r = call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3")
    assert "KeyError" in assert_one_line_error(r, 1, "unexpected failure")


def test_interrupt_is_one_line(monkeypatch):
    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(coopt.problems, "run", stop)
    r = call("solve", "itinfra.coordinator", *FIG1, "-s", "j=3")
    assert r.rc == 130 and r.err_lines == ["coopt: interrupted"]


def test_time_limit_inside_heterogeneous_is_an_honest_exit_1():
    r = call("solve", "itinfra.heterogeneous", "-d", "itinfra/het-two-types", "--solver", "scip",
             "--time-limit", "0.001", "-f", "json")
    assert_contract(r)
    assert r.rc == 1 and r.json()["status"] != "optimal"
    assert "equilibria not computed" in r.err


def test_bad_input_never_a_traceback_in_a_real_process(cli):
    """End to end (a new process): the console entry point keeps the contract too."""
    r = cli("solve", "itinfra.equilibrium", "-d", "itinfra/worked-case", "-s", "tie_tol=nan")
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = cli()
    assert r.returncode == 2 and "Traceback" not in r.stderr


@pytest.mark.slow
def test_bad_scheduler_address_exit_2():
    r = call("sweep", "itinfra.coordinator", *FIG1, "-s", "j=3", "--grid", "alpha=0.1:0.9:3",
             "--scheduler", "nonsense:99999")
    assert_one_line_error(r, 2, "--scheduler")


# ------------------------------------------------------------------------------ compare
def test_compare_prints_every_number_in_full():
    args = ("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "highs,scs,exact")
    rows = call(*args, "-f", "json").json()
    r = call(*args)
    assert r.rc == 0 and "…" not in r.out and "..." not in r.out
    shown = 0
    for row in rows:
        for key in ("objective", "bound", "gap", "primal_residual", "kkt_residual", "closed_form_error"):
            x = row[key]
            if isinstance(x, float):
                assert f"{x:.6g}" in r.out, (key, x)
                shown += 1
    assert shown >= 8
    assert any(isinstance(row["gap"], float) and 0 < row["gap"] < 1e-9 for row in rows)  # an exponent shown
    assert "refused" in r.out and "[qp" in r.out  # the refusal note in full, not eaten as Rich markup


def test_compare_json_and_csv_parse():
    import csv
    import io

    args = ("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "highs,exact")
    rows = json.loads(call(*args, "-f", "json").out)
    assert [x["status"] for x in rows] == ["optimal", "refused"]
    table = list(csv.DictReader(io.StringIO(call(*args, "-f", "csv").out)))
    assert [x["solver"] for x in table] == ["highs", "exact"]
    assert float(table[0]["objective"]) == rows[0]["objective"]  # full precision in CSV


def test_compare_failing_solver_is_an_error_row_and_the_table_goes_on(monkeypatch):
    real = coopt.problems.run

    def flaky(problem, inst, solver=None, **kw):
        if solver == "ipopt":
            raise RuntimeError("solver crashed\nwith a two-line message")
        return real(problem, inst, solver=solver, **kw)

    monkeypatch.setattr(coopt.problems, "run", flaky)
    r = call("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "highs,ipopt,clarabel", "-f", "json")
    assert r.rc == 0, r.err
    rows = r.json()
    assert [x["status"] for x in rows] == ["optimal", "error", "optimal"]
    assert rows[1]["note"] == "RuntimeError: solver crashed with a two-line message"


def test_compare_exit_1_when_nothing_is_proven(monkeypatch):
    def fail(*a, **k):
        raise RuntimeError("down")

    monkeypatch.setattr(coopt.problems, "run", fail)
    r = call("compare", "itinfra.coordinator", *FIG1, "-s", "j=3", "--solvers", "highs", "-f", "json")
    assert r.rc == 1 and r.json()[0]["status"] == "error"
    assert r.err_lines == ["coopt: itinfra.coordinator: no solver proved optimality"]


def test_compare_gives_global_solvers_a_default_time_limit(monkeypatch):
    """`coopt compare vaccine.allocation --data vaccine/us-hhs-2009` must not run SCIP for 15 minutes:
    global MILP/MINLP solvers get a 60 s limit unless --time-limit is given (recorded here, not solved)."""
    from coopt.cli import COMPARE_TIME_LIMIT
    from coopt.solve.result import Result, Status

    seen: dict[str, float | None] = {}

    def record(problem, inst, solver=None, **kw):
        seen[solver] = kw.get("time_limit")
        return Result(problem=problem, status=Status.TIME_LIMIT, solver=solver)

    monkeypatch.setattr(coopt.problems, "run", record)
    r = call("compare", "vaccine.allocation", "-d", "vaccine/us-hhs-2009", "-f", "json")
    assert r.rc == 1
    assert COMPARE_TIME_LIMIT == 60 and seen["scip"] == 60 and seen["highs"] == 60
    assert seen["exact"] is None and seen["ipopt"] is None
    notes = {x["solver"]: x["note"] for x in r.json()}
    assert "time limit 60 s (coopt compare's default" in notes["scip"]
    seen.clear()
    call("compare", "vaccine.allocation", "-d", "vaccine/us-hhs-2009", "--time-limit", "5", "-f", "json")
    assert set(seen.values()) == {5.0}
    assert not math.isnan(COMPARE_TIME_LIMIT)

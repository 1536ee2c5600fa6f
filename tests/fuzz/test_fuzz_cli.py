"""Fuzzing every ``--set`` option of every problem through the command line (issue #10 point 7).

Problems are enumerated from the registry; each call uses a tiny bundled instance of the problem's
family and sets 1-3 of its options (plus, sometimes, an instance field or a common solver option) to
random values of random types. Property (:func:`tests.inproc.assert_contract`): exit 2 with exactly one
safe line on standard error, or a result (exit 0/1) whose ``--format json`` output parses -- never a
traceback, never an "unexpected failure".
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import coopt
from coopt.data import families
from coopt.formulations.base import SOLVER_OPTIONS, Option
from coopt.problems import problems, solvers_for
from tests.fuzz.strategies import TRICKY_TEXT, no_nul, number_text, odd_text
from tests.inproc import assert_contract, call

INSTANCES = {
    "itinfra": "itinfra/worked-case",
    "dpshare": "dpshare/lemma3-example",
    "vaccine": "vaccine/example-1",
    "itinfra-het": "itinfra/het-two-types",
    "tu": "tu/textbook",
}
PROBLEMS = sorted(problems())
#: seconds one fuzzed call may take (tiny instances, a time limit on every solve)
CALL_BUDGET = 60.0


def test_every_problem_has_a_fuzz_instance():
    assert {problems()[p].family for p in PROBLEMS} <= set(INSTANCES)
    assert len(PROBLEMS) >= 20


def _players(problem: str) -> list[str]:
    inst = coopt.load(INSTANCES[problems()[problem].family])
    return list(getattr(inst, "names", ()) or ())


@st.composite
def option_value(draw: st.DrawFn, opt: Option, players: list[str]) -> str:
    """A value for ``opt``: more often than not near its type and range, else anything at all."""
    hostile = st.one_of(st.sampled_from(TRICKY_TEXT), odd_text.map(no_nul), number_text())
    near: st.SearchStrategy[str] = hostile
    if opt.type in (int, float):
        lo = opt.low if opt.low is not None else -10.0
        hi = opt.high if opt.high is not None else lo + 100.0
        if opt.type is int:
            near = st.integers(int(max(lo - 2, -(10**6))), int(min(hi + 2, lo + 40))).map(str)
        else:
            inside = st.floats(lo, hi, allow_nan=False) if hi - lo < 1e300 else st.floats(lo, lo + 1e6)
            near = st.one_of(inside, st.sampled_from([lo, hi, lo - 1e-12, hi * 1.01 + 1e-12])).map(repr)
    elif opt.type == "list[str]":
        pool = [*players, "zz"] if players else ["a1", "zz"]
        near = st.one_of(st.lists(st.sampled_from(players or ["a1"]), min_size=1, max_size=len(players or [1]),
                                  unique=True).map(",".join),
                         st.lists(st.sampled_from([*pool, "", " "]), max_size=5).map(",".join))
    elif opt.type == "list[int]":
        near = st.lists(st.integers(-1, 3), max_size=4).map(lambda xs: ",".join(map(str, xs)))
    elif opt.choices:
        near = st.sampled_from([str(c) for c in opt.choices])
    elif opt.type is bool:
        near = st.sampled_from(["true", "false", "1", "0", "yes", "maybe", "2"])
    return no_nul(draw(near) if draw(st.integers(0, 9)) < 6 else draw(hostile))


@st.composite
def cli_call(draw: st.DrawFn, all_solvers: bool = False) -> list[str]:
    """``solve PROBLEM -d INSTANCE --set ...`` with random option values (JSON output, a time limit)."""
    name = draw(st.sampled_from(PROBLEMS))
    prob = problems()[name]
    players = _players(name)
    command = draw(st.sampled_from(["solve"] * 8 + ["compare", "show"]))
    args = [command, name, "-d", INSTANCES[prob.family]]
    if command == "compare":
        args += ["--solvers", prob.default_solver, "--format", draw(st.sampled_from(["json", "csv"]))]
    elif command == "solve":
        args += ["--format", "json"]
    opts = dict(prob.options)
    picked = draw(st.lists(st.sampled_from(sorted(opts)), min_size=1, max_size=3, unique=True)) if opts else []
    for key in picked:
        args += ["--set", f"{key}={draw(option_value(opts[key], players))}"]
    extra = draw(st.integers(0, 9))
    if extra == 0:  # an instance field through --set, as YAML text
        field = draw(st.sampled_from(sorted(families()[prob.family].model_fields)))
        args += ["--set", f"{field}={draw(st.one_of(number_text(), odd_text.map(no_nul)))}"]
    elif extra == 1:  # a common solver option
        key = draw(st.sampled_from(sorted(SOLVER_OPTIONS)))
        args += ["--set", f"{key}={draw(number_text())}"]
    elif extra == 2:  # an unknown option name
        args += ["--set", f"{no_nul(draw(odd_text)) or 'x'}=1"]
    if all_solvers and command == "solve":
        solver = draw(st.sampled_from([*solvers_for(prob), "gurobi", "exact", "heuristic"]))
        args += ["--solver", solver]
    if command != "show" and not any(a.startswith("time_limit=") for a in args):
        args += ["--time-limit", "10"]
    return args


def check_call(args: list[str]) -> None:
    t0 = time.perf_counter()
    r = call(*args)
    fmt = args[args.index("--format") + 1] if "--format" in args else "table"
    assert_contract(r, json_output=fmt == "json")
    if fmt == "csv" and r.rc != 2:
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(r.out)))
        assert rows and all(set(row) == set(rows[0]) for row in rows), r.out
    assert time.perf_counter() - t0 < CALL_BUDGET, args


@settings(settings.get_profile("coopt-fuzz"))
@given(cli_call())
def test_fuzz_every_problem_option(args):
    check_call(args)


@pytest.mark.slow
@settings(settings.get_profile("coopt-fuzz-long"))
@given(cli_call(all_solvers=True))
def test_fuzz_every_problem_option_long(args):
    check_call(args)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_option_of_every_problem_refuses_nan_and_garbage(problem):
    """Deterministic sweep: each option set to NaN, an escape sequence and an empty list is refused
    before any solve, with one line naming the option."""
    prob = problems()[problem]
    for key, opt in prob.options.items():
        bad = ["nan", "\x1b[2J", ""] if opt.type in (int, float) else ["\x1b[2J,"] if "list" in str(opt.type) \
            else ["\x1b[2J"] if opt.choices or opt.type is bool else []
        for value in bad:
            r = call("solve", problem, "-d", INSTANCES[prob.family], "--set", f"{key}={value}", "--format", "json")
            assert_contract(r)
            assert r.rc == 2 and f"option '{key}'" in r.err, (problem, key, value, r.err)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_solver_of_every_problem_at_a_tiny_time_limit(problem):
    """A time limit hit anywhere inside a problem (a composed one stops mid-table) is an honest answer:
    exit 1 with its status (or 0 if the solver finished first), never an unexpected failure."""
    prob = problems()[problem]
    for solver in solvers_for(prob):
        r = call("solve", problem, "-d", INSTANCES[prob.family], "--format", "json", "--time-limit", "1e-6",
                 "--solver", solver)
        assert_contract(r)
        if r.rc == 0:
            assert r.json()["status"] == "optimal"
        elif r.rc == 1:
            assert r.json()["status"] != "optimal"

"""Start-up: `coopt --help`, `coopt list`, `coopt show` and argument errors import neither Pyomo nor CVXPY
(nor pandas or scipy.stats); and a few end-to-end runs of the command line as a user runs it (a new process).

Every other CLI test runs in-process (tests/conftest.py: run_cli).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_cli_process

HEAVY = ("pyomo", "cvxpy", "pandas", "scipy.stats", "coopt.formulations.itinfra", "coopt.formulations.dpshare",
         "coopt.formulations.vaccine", "coopt.games")


#: run the command line in a fresh interpreter and, at exit, list every module in sys.modules (this also sees
#: modules loaded by importlib.import_module, which `-X importtime` does not report)
PROBE = ("import atexit, json, sys\n"
         "atexit.register(lambda: sys.__stderr__.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
         "sys.argv = ['coopt'] + json.loads(sys.argv[1])\n"
         "from coopt.cli import main\n"
         "main()\n")


def imported(args: list[str], importtime: bool = False) -> tuple[int, str, set[str], str]:
    """Exit code, stderr without the import logs, every module ``coopt ARGS`` imported (sys.modules at
    exit; with ``importtime`` also what ``python -X importtime -m coopt.cli ARGS`` reports), and stdout."""
    mods: set[str] = set()
    q = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, cwd=REPO,
                       timeout=300)
    for ln in q.stderr.splitlines():
        if ln.startswith("MODULES "):
            mods |= set(json.loads(ln[len("MODULES "):]))
    rest = "\n".join(ln for ln in q.stderr.splitlines() if not ln.startswith("MODULES "))
    if importtime:
        p = subprocess.run([sys.executable, "-X", "importtime", "-m", "coopt.cli", *args], capture_output=True,
                           text=True, cwd=REPO, timeout=300)
        assert p.returncode == q.returncode, p.stderr
        mods |= {ln.rsplit("|", 1)[-1].strip() for ln in p.stderr.splitlines() if ln.startswith("import time:")}
    return q.returncode, rest, mods, q.stdout


@pytest.mark.parametrize("args, rc, needle", [
    (["--help"], 0, ""),
    (["list"], 0, ""),
    (["list", "--format", "json"], 0, ""),
    (["list", "--format", "markdown"], 0, ""),
    (["show", "vaccine.wolfe_dual"], 0, ""),
    (["solve", "vaccine.nope", "--data", "vaccine/example-1"], 2, "unknown problem 'vaccine.nope'"),
    (["solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=abc"], 2, "option 'j' = 'abc'"),
    (["solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j"], 2, "expected key=value"),
    (["solve", "vaccine.wolfe_dual", "--data", "vaccine/example-1", "--solver", "highs"], 2,
     "solvers that fit: scip, exact"),
])
def test_no_heavy_import_before_it_is_needed(args, rc, needle):
    code, err, mods, _ = imported(args, importtime=args in (["--help"], ["list"]))
    assert code == rc, err
    assert needle in err
    heavy = sorted(m for m in mods if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert not heavy, f"coopt {' '.join(args)} imported {heavy[:10]}"


@pytest.mark.parametrize("args, needle", [
    (["solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "kappa=0.9", "--set", "j=2"],
     "field 'kappa' = 0.9"),
    (["solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "j=2", "--set", "colour=1"],
     "unknown option 'colour'"),
    (["solve", "itinfra.coordinator", "--data", "no/such", "--set", "j=2"], "no data file or bundled instance"),
])
def test_data_errors_import_no_model_layer(args, needle):
    """Errors found once the data layer has loaded (pandas, SciPy) still come before Pyomo and CVXPY."""
    code, err, mods, _ = imported(args)
    assert code == 2 and needle in err, err
    heavy = sorted(m for m in mods if m.split(".")[0] in ("pyomo", "cvxpy"))
    assert not heavy, f"coopt {' '.join(args)} imported {heavy[:10]}"


# ------------------------------------------------------------------------------------ end to end
def test_end_to_end_solve_json_imports_on_use():
    """A solve in a new process; the check above can fail: a solve does import Pyomo, and the module of the
    problem used (only that one)."""
    code, err, mods, out = imported(["solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1",
                                     "--set", "j=5", "--format", "json"])
    assert code == 0, err
    d = json.loads(out)
    assert d["status"] == "optimal" and d["certificate"]["closed_form_error"] < 1e-6
    assert "pyomo" in mods and "coopt.formulations.itinfra.coordinator" in mods
    assert "coopt.formulations.vaccine.allocation" not in mods


def test_end_to_end_bad_input_is_one_line_exit_2():
    r = run_cli_process("solve", "itinfra.coordinator", "--data", "itinfra/paper-figure1", "--set", "kappa=0.9",
                        "--set", "j=2")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "field 'kappa' = 0.9" in r.stderr and "Traceback" not in r.stderr


def test_end_to_end_list_and_help():
    r = run_cli_process("list", "--format", "json")
    assert r.returncode == 0 and {p["name"] for p in json.loads(r.stdout)["problems"]} >= {"vaccine.core"}
    r = run_cli_process("--help")
    assert r.returncode == 0 and "reproduce" in r.stdout

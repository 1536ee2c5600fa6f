"""The JSON contract of the itinfra game problems through the command line."""

from __future__ import annotations

import json


def test_cli_json_equilibrium_and_social_optimum(cli):
    r = cli("solve", "itinfra.equilibrium", "--data", "itinfra/worked-case", "--solver", "exact", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["solution"]["equilibria"] == [4] and d["solution"]["details"]["4"]["max_deviation_gain"] <= 0
    r = cli("solve", "itinfra.social_optimum", "--data", "itinfra/worked-case", "--format", "json")
    d = json.loads(r.stdout)
    assert (d["solution"]["size"], d["solution"]["structure"]) == (10, "grand")


def test_cli_bad_solver_is_exit_2(cli):
    r = cli("solve", "itinfra.equilibrium", "--data", "itinfra/worked-case", "--solver", "nosuch")
    assert r.returncode == 2 and "nosuch" in r.stderr
    assert "Traceback" not in r.stderr

"""vaccine.allocation: Theorem 2's closed form where it applies, and the per-region cap option.

References: Theorem 2 (identical F; re-derived in docs/derivations/vaccine.md) against the exact KKT
method and SCIP; under a cap the optimum of three identical players is found by hand (each player's F
increases, so with caps summing below R(S) everyone sits at the cap).
"""

from __future__ import annotations

import pytest

import coopt
from coopt.errors import InputError


def test_case_a_everything_to_one_player_example_1():
    inst = coopt.load("vaccine/example-1")  # R = 0.6 < f~ = 0.629: case (a)
    exact = coopt.run("vaccine.allocation", inst, solver="exact")
    assert exact.closed_form["objective"] == pytest.approx(0.8807970779778823, rel=1e-9)  # paper: 0.8808
    assert exact.closed_form_error < 1e-9
    scip = coopt.run("vaccine.allocation", inst, solver="scip")
    assert scip.ok and scip.closed_form_error < 1e-6


def test_case_c_pro_rata_example_3_coalition_2_3():
    inst = coopt.load("vaccine/example-3")  # {2, 3}: R = 1.65 >= f~ (M_2 + M_3) = 1.258: case (c)
    res = coopt.run("vaccine.allocation", inst, solver="exact", coalition="2,3")
    assert res.closed_form["f[2]"] == pytest.approx(0.825) and res.closed_form_error < 1e-8
    assert res.value("f", "2") == pytest.approx(0.825, abs=1e-7)


def test_between_the_cases_the_closed_form_says_so():
    res = coopt.run("vaccine.allocation", coopt.load("vaccine/example-3"), solver="exact")
    assert res.ok and res.closed_form_error is None
    assert any("closed form not applicable: R(S) = 1.75 lies strictly between" in m for m in res.messages)


def test_different_return_functions_are_not_theorem_2():
    res = coopt.run("vaccine.allocation", coopt.load("vaccine/us-hhs-2009"), solver="exact",
                    coalition="New England,New York Area")
    assert res.closed_form_error is None and any("identical return functions" in m for m in res.messages)


def test_a_30_percent_cap_per_region():
    """cap = 0.3: M_i f_i <= 0.3 R(S). Example 3 (R = 1.75, M = 1): the caps sum to 1.575 < R, so every
    player sits at 0.525 and v = 3 F(0.525); the closed form (no cap) is not applicable."""
    inst = coopt.load("vaccine/example-3")
    want = 3 * float(inst.functions[0].F(0.525))
    res = coopt.run("vaccine.allocation", inst, solver="scip", cap=0.3)
    assert res.ok and res.formulation == "nlp"
    assert res.objective == pytest.approx(want, rel=1e-7)
    assert all(x <= 0.525 + 1e-7 for x in res.solution["f"].values())
    assert res.closed_form_error is None
    assert "closed form not applicable: option cap = 0.3 is not one the closed form covers" in res.messages
    milp = coopt.run("vaccine.allocation", inst, solver="highs", cap=0.3)
    assert milp.bound >= want - 1e-9 and milp.objective <= want + 1e-9  # a bound and a feasible value
    uncapped = coopt.run("vaccine.allocation", inst, solver="exact")
    assert uncapped.objective > res.objective + 0.1  # the cap costs value


def test_the_cap_is_refused_by_formulations_that_do_not_take_it():
    inst = coopt.load("vaccine/example-3")
    with pytest.raises(InputError, match="formulation exact-kkt does not take option 'cap' = 0.3; "
                                         "formulations that do: nlp, pwl-milp"):
        coopt.run("vaccine.allocation", inst, solver="exact", cap=0.3)
    with pytest.raises(InputError, match="option 'cap' = 1.5: must be <= 1"):
        coopt.run("vaccine.allocation", inst, solver="scip", cap=1.5)
    with pytest.raises(InputError, match="exact-kkt does not take option 'pieces' = 64"):  # never ignored
        coopt.run("vaccine.allocation", inst, solver="exact", pieces=64)


def test_the_cap_from_the_command_line(cli):
    r = cli("solve", "vaccine.allocation", "--data", "vaccine/example-3", "--solver", "scip", "--set", "cap=0.3",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    import json

    d = json.loads(r.stdout)
    assert d["certificate"]["closed_form_error"] is None
    assert "closed form not applicable: option cap = 0.3 is not one the closed form covers" in d["messages"]
    r = cli("solve", "vaccine.allocation", "--data", "vaccine/example-3", "--set", "cap=0.3")
    assert r.returncode == 2 and "does not take option 'cap'" in r.stderr

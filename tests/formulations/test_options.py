"""Problem options: typed, ranged, never silently coerced (issue #10, "unchecked options")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coopt.errors import InputError
from coopt.formulations.base import SOLVER_OPTIONS, Option
from coopt.problems import problems


@pytest.mark.parametrize("opt, raw, want", [
    (Option(int, 5, "", low=1), "7", 7),
    (Option(int, 5, "", low=1), 7, 7),
    (Option(int, 5, "", low=1), "7.0", 7),
    (Option(int, 5, "", low=1), np.int64(3), 3),
    (Option(float, 1e-9, "", low=0), "0", 0.0),
    (Option(float, 1e-9, "", low=0), "1e-12", 1e-12),
    (Option(float, 1e-9, "", low=0), 2, 2.0),
    (Option(bool, True, ""), "off", False),
    (Option(bool, True, ""), "Yes", True),
    (Option("list[str]", None, ""), "a1, a2 ,a3", ["a1", "a2", "a3"]),
    (Option("list[str]", None, ""), ["a1", 2], ["a1", "2"]),
    (Option("list[int]", None, "", low=0, unique=False), "2,1,1", [2, 1, 1]),
    (Option(str, "auto", "", choices=("auto", "on")), " on ", "on"),
    (Option(float, 1.0, "", finite=False), "inf", math.inf),
])
def test_valid_values_convert(opt, raw, want):
    assert opt.parse("x", raw) == want


@pytest.mark.parametrize("opt, raw, needle", [
    (Option(int, 5, ""), "1.5", "not an integer (no rounding)"),
    (Option(int, 5, ""), 1.5, "not an integer"),
    (Option(int, 5, ""), True, "a boolean is not a number"),
    (Option(int, 5, ""), "inf", "not a finite integer"),
    (Option(int, 5, ""), "1e400", "not a finite integer"),
    (Option(int, 5, ""), "five", "not a number"),
    (Option(int, 5, "", low=1), "-1", "must be >= 1"),
    (Option(int, 5, "", low=1, high=10), "11", "must be <= 10"),
    (Option(float, 1.0, ""), "nan", "not a finite number"),
    (Option(float, 1.0, ""), "-inf", "not a finite number"),
    (Option(float, 1.0, ""), False, "a boolean is not a number"),
    (Option(float, 1.0, "", low=0, low_inclusive=False), "0", "must be > 0"),
    (Option(float, 1.0, "", finite=False), "nan", "NaN is not allowed"),
    (Option(float, 1.0, ""), [1.0], "expected a number, got list"),
    (Option(bool, True, ""), "maybe", "expected true or false"),
    (Option(bool, True, ""), 1, "expected true or false"),
    (Option("list[str]", None, ""), ",", "an empty item"),
    (Option("list[str]", None, ""), "", "an empty list"),
    (Option("list[str]", None, ""), "a,,b", "an empty item"),
    (Option("list[str]", None, ""), [], "an empty list"),
    (Option("list[str]", None, ""), "a,b,a", "'a' is named twice"),
    (Option("list[str]", None, ""), [None], "is not a name"),
    (Option("list[int]", None, "", low=0), "1,-1", "must be >= 0"),
    (Option("list[int]", None, "", low=0), "1,1.5", "not an integer"),
    (Option(str, "auto", "", choices=("auto", "on")), "sometimes", "must be one of auto, on"),
    (Option(str, "auto", ""), 5, "expected text"),
    (Option(int, 5, ""), None, "expected integer"),
])
def test_bad_values_one_line_naming_option_value_and_range(opt, raw, needle):
    with pytest.raises(InputError) as e:
        opt.parse("opt", raw)
    msg = str(e.value)
    assert msg.startswith("option 'opt' =") and needle in msg and "\n" not in msg, msg


def test_huge_option_value_is_shortened_in_the_message():
    with pytest.raises(InputError) as e:
        Option(int, 5, "").parse("n", "9" * 100_000)
    assert len(str(e.value)) < 600


def _walk_options():
    for p in problems().values():
        for name, opt in p.options.items():
            yield p.name, name, opt


def test_every_number_option_of_every_problem_is_ranged():
    """Every int/float option declares a range (or is explicitly unbounded), and its default is valid."""
    missing = []
    for prob, name, opt in _walk_options():
        if opt.type in (int, float, "list[int]") and opt.low is None and opt.high is None:
            missing.append(f"{prob}.{name}")
        if opt.default is not None:
            assert opt.parse(name, opt.default) == opt.default, (prob, name)
    assert not missing, missing


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "true", "1e400", "", ","])
def test_every_number_option_refuses_non_finite_and_booleans(raw):
    for _prob, name, opt in _walk_options():
        if opt.type in (int, float):
            with pytest.raises(InputError, match=f"option '{name}'"):
                opt.parse(name, raw)


def test_common_solver_options():
    assert SOLVER_OPTIONS["max_iter"].parse("max_iter", "100") == 100
    for k, raw in [("max_iter", "1.5"), ("max_iter", "0"), ("time_limit", "nan"), ("time_limit", "-1"),
                   ("time_limit", "inf"), ("tol", "0"), ("gap", "true"), ("gap", "2")]:
        with pytest.raises(InputError, match=f"option '{k}'"):
            SOLVER_OPTIONS[k].parse(k, raw)


def test_solve_layer_refuses_bad_common_options():
    """The Python API checks them too: coopt.solve(max_iter=1.5) is an error, not max_iter=1."""
    import pyomo.environ as pyo

    from coopt.solve import solve

    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.o = pyo.Objective(expr=m.x)
    for kw in ({"max_iter": 1.5}, {"time_limit": float("nan")}, {"tol": True}):
        with pytest.raises(InputError):
            solve(m, "highs", "LP", **kw)

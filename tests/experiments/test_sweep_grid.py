"""Sweep grids: lo:hi:n, log-spaced and listed axes, one axis per name, the size checked before expansion."""

from __future__ import annotations

import numpy as np
import pytest

from coopt.errors import InputError
from coopt.experiments.sweep import MAX_POINTS, Axis, check_size, expand_grid, parse_grid, parse_grids


def test_expand_grid_is_the_cartesian_product_in_key_order():
    pts = expand_grid({"a": [1, 2], "b": np.array([0.5, 0.25, 0.0])})
    assert pts == [{"a": a, "b": b} for a in (1, 2) for b in (0.5, 0.25, 0.0)]
    assert all(type(p["b"]) is float and type(p["a"]) is int for p in pts)  # numpy scalars made plain
    assert expand_grid([{"x": 1}, {"x": 3}]) == [{"x": 1}, {"x": 3}]


@pytest.mark.parametrize("grid, match", [
    ({}, "empty"),
    ({"a": []}, "non-empty 1-D"),
    ({"a": np.zeros((2, 2))}, "non-empty 1-D"),
    ([], "empty"),
    ([{"x": 1}, {"y": 2}], "point 1 has keys"),
    ([{"point_id": 1}], "reserved"),
])
def test_expand_grid_errors(grid, match):
    with pytest.raises(InputError, match=match):
        expand_grid(grid)


def test_the_product_is_checked_before_it_is_formed(monkeypatch):
    import itertools

    formed = []
    real = itertools.product
    monkeypatch.setattr(itertools, "product", lambda *a: formed.append(1) or real(*a))
    big = {"alpha": np.zeros(10_000), "beta": np.zeros(10_000)}  # 10^8 points: ~10 GB of dicts if formed
    with pytest.raises(InputError, match="100,000,000 points .*alpha 10,000 x beta 10,000.* limit of 1,000,000"):
        expand_grid(big)
    assert not formed
    assert len(expand_grid({"a": np.zeros(50), "b": np.zeros(20)}, max_points=1000)) == 1000
    with pytest.raises(InputError, match="1,001 points"):
        expand_grid({"a": np.zeros(7), "b": np.zeros(11), "c": np.zeros(13)}, max_points=1000)


def test_parse_grid_reads_name_lo_hi_n():
    assert parse_grid("alpha=0.01:0.99:200") == Axis("alpha", "linear", 0.01, 0.99, 200)
    assert parse_grid(" beta = 0.5 : 1 : 3 ") == Axis("beta", "linear", 0.5, 1.0, 3)
    np.testing.assert_allclose(parse_grid("beta=0.5:1:3").numbers(), [0.5, 0.75, 1.0])
    assert parse_grid("j=2:2:1").numbers(integer=True).tolist() == [2]
    assert parse_grid("j=2:10:17").numbers(integer=True).tolist() == list(range(2, 11))  # distinct rounded


def test_log_spaced_axes():
    axis = parse_grid("tau=log:1e-3:1:4")
    assert axis.kind == "log" and axis.size == 4
    np.testing.assert_allclose(axis.numbers(), [1e-3, 1e-2, 1e-1, 1.0], rtol=1e-12)
    ratios = parse_grid("x=LOG:2:2048:11").numbers()
    np.testing.assert_allclose(ratios[1:] / ratios[:-1], 2.0)  # equal ratios: log-spaced
    assert parse_grid("n=log:1:1000:7").numbers(integer=True).tolist() == [1, 3, 10, 32, 100, 316, 1000]


def test_value_lists_keep_their_order():
    axis = parse_grid("beta=0.9, 0.6,0.75")
    assert axis.kind == "values" and axis.size == 3
    assert axis.numbers().tolist() == [0.9, 0.6, 0.75]
    assert parse_grid("j=5").numbers(integer=True).tolist() == [5]  # one value: a one-point axis
    assert parse_grid("flag=true,false").values == ("true", "false")  # read by the option's own parser later


@pytest.mark.parametrize("spec, match", [
    ("alpha", "expected name=lo:hi:n"),
    ("=0:1:3", "not a parameter name"),
    ("alpha=", "no values"),
    ("alpha=0:1", "expected lo:hi:n"),
    ("alpha=0:1:2:3", "expected lo:hi:n"),
    ("alpha=log:1:2", "expected log:lo:hi:n"),
    ("alpha=a:1:3", "must be numbers"),
    ("alpha=0:inf:3", "finite"),
    ("alpha=nan:1:3", "finite"),
    ("alpha=0:1:x", "positive integer"),
    ("alpha=0:1:2.5", "positive integer"),
    ("alpha=0:1:0", "positive integer"),
    ("alpha=0:1:100000000", "100,000,000 values"),
    ("alpha=1:0:3", "must not exceed"),
    ("alpha=0:1:1", "n = 1 needs lo == hi"),
    ("alpha=log:0:1:3", "needs 0 < lo"),
    ("alpha=log:-1:1:3", "needs 0 < lo"),
    ("alpha=0.1,,0.2", "empty value"),
    ("alpha=0.1,0.2,0.1", "listed twice"),
])
def test_parse_grid_errors_are_one_line_input_errors(spec, match):
    with pytest.raises(InputError, match=match) as err:
        parse_grid(spec)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("spec, integer, match", [
    ("alpha=0.1,x", False, "'x' is not a number"),
    ("alpha=0.1,inf", False, "finite"),
    ("j=2,3.5", True, "whole numbers"),
])
def test_listed_values_are_checked_when_read_as_numbers(spec, integer, match):
    axis = parse_grid(spec)
    with pytest.raises(InputError, match=match):
        axis.numbers(integer=integer)


def test_a_repeated_axis_is_refused_not_dropped():
    with pytest.raises(InputError, match="--grid 'alpha' given twice .*alpha=0:1:3.* and alpha=0.5,0.7"):
        parse_grids(["alpha=0:1:3", "beta=0.5:1:2", "alpha=0.5,0.7"])
    axes = parse_grids(["alpha=0:1:3", "beta=log:0.5:1:2", "j=2,4"])
    assert list(axes) == ["alpha", "beta", "j"] and [a.kind for a in axes.values()] == ["linear", "log", "values"]


def test_a_huge_grid_is_refused_from_the_sizes_alone(monkeypatch):
    generated = []
    monkeypatch.setattr(Axis, "numbers", lambda self, integer=False: generated.append(self.name))
    with pytest.raises(InputError, match="100,000,000 points"):
        parse_grids(["alpha=0:1:10000", "beta=log:1e-3:1:10000"])
    assert not generated
    assert check_size({"a": 1000, "b": 1000}) == MAX_POINTS
    with pytest.raises(InputError, match=r"10\*\*|1,000,000,000,000 points"):
        check_size({"a": 10**6, "b": 10**6})


def test_control_characters_in_a_spec_are_escaped():
    with pytest.raises(InputError) as err:
        parse_grid("alpha=\x1b[31m:1:3")
    assert "\x1b" not in str(err.value) and "\\x1b" in str(err.value)

"""Analytic prices p1-p4 and proportional benchmarks (Sections 6.2-6.3) by hand-derived values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coopt.errors import InputError
from coopt.formulations.vaccine.prices import (
    analytic_prices,
    average_gain,
    market_allocation,
    price_indices,
    proportional_allocations,
)


def logistic(f):
    return 1.0 / (1.0 + math.exp(-45 * f + 25))


def dlogistic(f):
    e = math.exp(-45 * f + 25)
    return 45 * e / (1 + e) ** 2


def gins(f):  # Fig. 2 function exp(0.75 - 0.5/f), f~ = 0.5
    return math.exp(0.75 - 0.5 / f) if f > 0 else 0.0


def dgins(f):
    return 0.5 / f**2 * gins(f) if f > 0 else 0.0


def test_example1_prices_equal_average_gain_at_0_6():
    # g = (0.6, 0, 0) (notes: equal split = market allocation with p = D_F(0.6) = 1.467995)
    F, dF = [logistic] * 3, [dlogistic] * 3
    p = analytic_prices([1, 1, 1], [0.2, 0.2, 0.2], [0.6, 0, 0], F, dF, [0.629048] * 3)
    assert p["p1"] == pytest.approx(1.467995, abs=1e-6)
    assert p["p2"] == p["p3"] == pytest.approx(p["p1"], rel=1e-12)  # l does not exist (0.6 < f~)
    assert p["p4"] == pytest.approx(dlogistic(0.6))
    x = market_allocation([1, 1, 1], [0.2, 0.2, 0.2], [0.6, 0, 0], F, p["p1"])
    assert x == pytest.approx(np.full(3, 0.880797 / 3), abs=1e-6)


def test_theorem5_instance_p4_and_p1():
    # notes 7.4: M = (10,20,30,45), r = (5,25,12,28): pro rata 2/3, p4 = F'(2/3) = 1.125, A(N) = 1.5
    M, r = [10, 20, 30, 45], [5, 25, 12, 28]
    g = [2 / 3] * 4
    p = analytic_prices(M, r, g, [gins] * 4, [dgins] * 4, [0.5] * 4)
    assert p["p4"] == pytest.approx(1.125)
    assert p["p1"] == pytest.approx(1.5)
    assert p["p2"] == p["p3"] == pytest.approx(1.5)


def test_theorem4_instance_tangent_point_reached_with_round_off():
    # r = (2,8,4,6): f* = (0.5, 0, 0.5, 0); price D_F(f~) = 1.557602; f* a few ulps below f~ still counts
    M, r = [10, 20, 30, 45], [2, 8, 4, 6]
    g = np.array([0.5 - 1e-12, 0, 0.5, 0])
    k, l_idx = price_indices(g, [gins] * 4, [dgins] * 4, [0.5] * 4)
    assert k in (0, 2) and l_idx in (0, 2)
    p = analytic_prices(M, r, g, [gins] * 4, [dgins] * 4, [0.5] * 4)
    for key in ("p1", "p2", "p3", "p4"):
        assert p[key] == pytest.approx(2 * math.exp(-0.25), abs=1e-9)


def test_d0_convention_and_errors():
    assert average_gain(logistic, dlogistic, 0.0) == dlogistic(0.0)
    with pytest.raises(InputError, match="R\\(N\\)"):
        analytic_prices([1, 1], [0, 0], [0, 0], [logistic] * 2, [dlogistic] * 2, [0.6] * 2)
    with pytest.raises(InputError, match="one entry per player"):
        analytic_prices([1, 1], [0.1], [0.1, 0], [logistic] * 2, [dlogistic] * 2, [0.6] * 2)


def test_proportional_benchmarks():
    M, r = np.array([10.0, 30.0]), np.array([4.0, 2.0])
    out = proportional_allocations(12.0, M, r, [gins, gins])
    assert out["pro_rata"] == pytest.approx([3.0, 9.0])
    assert out["resources"] == pytest.approx([8.0, 4.0])
    z = np.array([10 * gins(0.4), 30 * gins(2 / 30)])
    assert out["initial_return"] == pytest.approx(12 * z / z.sum())
    assert proportional_allocations(1.0, M, [0.0, 0.0], [gins, gins])["resources"] is None

"""Return functions: reference values (notes, Section 1), Assumption 1 checks, SIR variants.

References are independent of coopt's code: closed forms (logistic inflection b/a, Ginsberg c = b/2,
f~ = b), a dense-grid argmax of D_F, scipy's Lambert W on eq. (24) as printed, and a direct ODE run
with pulse vaccination for variants A and B.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import lambertw

from coopt.data.vaccine.returns import SIR, Ginsberg, Logistic, make_return_function, susceptible_at

SIGMA_TL = [1.43, 1.26, 1.32, 1.18, 1.21, 1.18, 1.24, 1.18, 1.14, 1.16]
M_US = np.array([14429720, 19949192, 28891734, 60580377, 51766882, 37860549, 13610802, 10787806, 47495705,
                 12734126], float)


def grid_argmax_D(fn, top, n=200001):
    x = np.linspace(top / n, top, n)
    D = (fn.F(x) - fn.F0) / x
    return x[int(np.argmax(D))]


def test_logistic_example_function():
    fn = Logistic(45, 25)
    assert fn.c == pytest.approx(25 / 45)
    assert fn.f_tilde == pytest.approx(0.629048, abs=2e-6)
    assert fn.D_tilde == pytest.approx(1.533545, abs=2e-6)
    assert fn.f_tilde == pytest.approx(grid_argmax_D(fn, 2.0), abs=2e-5)
    assert fn.dF(fn.f_tilde) == pytest.approx(fn.D(fn.f_tilde), rel=1e-10)  # Corollary 1
    assert fn.ftilde == fn.f_tilde


def test_ginsberg_figure2_function():
    fn = Ginsberg(0.75, 0.5)
    assert fn.c == pytest.approx(0.25)
    assert fn.f_tilde == pytest.approx(0.5)
    assert fn.D_tilde == pytest.approx(2 * np.exp(-0.25), rel=1e-12)
    assert fn.F(0.0) == 0.0
    assert grid_argmax_D(fn, 5.0) == pytest.approx(0.5, abs=1e-4)


@pytest.mark.parametrize("a,b", [(30.0, 12.0), (80.0, 75.0), (25.0, 0.3)])
def test_logistic_inverses_of_derivative(a, b):
    fn = Logistic(a, b)
    lam = np.linspace(1e-4, 0.999, 9) * fn.dF(fn.c)
    psi, phi = fn.concave_inverse(lam), fn.convex_inverse(lam)
    assert np.all(psi >= fn.c - 1e-12)
    np.testing.assert_allclose(fn.dF(psi), lam, rtol=1e-8)
    ok = np.isfinite(phi)
    np.testing.assert_allclose(fn.dF(phi[ok]), lam[ok], rtol=1e-8)
    assert np.all(phi[ok] <= fn.c + 1e-12)


def test_sir_region1_values_at_tau0():
    fn = SIR(1.43, 2.3, 1e-4, 0.0)
    np.testing.assert_allclose(fn.F(np.array([0.0, 0.1, 0.2, 0.3, 0.4])),
                               [0.465790, 0.630663, 0.806833, 0.987496, 0.999259], atol=2e-6)
    assert fn.c == pytest.approx(0.25877, abs=2e-5)
    assert fn.f_tilde == pytest.approx(0.28595, abs=2e-5)
    assert fn.D_tilde == pytest.approx(1.75153, abs=2e-5)


def eq24(sigma, tau, f, days=2.3, i0=1e-4):
    s_tau = susceptible_at(tau, sigma, days, i0)[0]
    z = -sigma * (1 - i0) * (1 - f / s_tau) * np.exp(-sigma * (1 - f))
    return -np.real(lambertw(z, 0)) / sigma + f * s_tau, s_tau


@pytest.mark.parametrize("tau", [0, 15, 30])
def test_sir_paper_variant_is_eq24_with_free_disposal(tau):
    fn = SIR(1.43, 2.3, 1e-4, tau)
    f = np.linspace(0, fn.u, 301)
    ref, s_tau = eq24(1.43, tau, f)
    np.testing.assert_allclose(fn.F(f), ref, rtol=1e-12, atol=1e-14)
    beyond = np.linspace(fn.u, s_tau, 5)
    assert np.all(fn.F(beyond) == pytest.approx(fn.F(fn.u)))  # free disposal beyond the peak
    if tau >= 30:  # eq. (24) literal decreases before s_tau (notes: peak at 0.647 for tau = 30)
        assert fn.u == pytest.approx(0.647, abs=1e-3)
        assert eq24(1.43, tau, np.array([s_tau * 0.999]))[0][0] < fn.F(fn.u)


def pulse_ode(sigma, tau, f, variant, days=2.3, i0=1e-4):
    """Escaping fraction by integrating SIR to tau, vaccinating, and integrating on (no Lambert W)."""
    g = 1 / days
    b = sigma * g
    rhs = lambda t, y: [-b * y[0] * y[1], b * y[0] * y[1] - g * y[1]]  # noqa: E731
    s, i = 1 - i0, i0
    if tau > 0:
        sol = solve_ivp(rhs, (0, tau), [s, i], method="DOP853", rtol=1e-12, atol=1e-15)
        s, i = sol.y[0, -1], sol.y[1, -1]
    removed_vacc = f if variant == "A" else f * s
    s = s - removed_vacc
    sol = solve_ivp(rhs, (0, 4000), [s, i], method="DOP853", rtol=1e-12, atol=1e-15)
    return sol.y[0, -1] + removed_vacc


@pytest.mark.parametrize("variant", ["A", "B"])
def test_sir_variants_match_a_direct_ode_run(variant):
    fn = SIR(1.3, 2.3, 1e-4, 12.0, variant)
    for f in (0.05, 0.2, 0.35):
        assert fn.F(f) == pytest.approx(pulse_ode(1.3, 12.0, f, variant), abs=1e-7)


def test_sum_f_tilde_M_per_tau_matches_independent_grid():
    """Notes: 4.40e7 at tau = 0 ... 2.08e6 at tau = 40, 0 from 45 (paper: 3.6e7, 0 for tau >= 40)."""
    notes = {0: 4.400e7, 20: 3.181e7, 40: 2.08e6, 45: 0.0}
    for tau, want in notes.items():
        got = sum(SIR(s, 2.3, 1e-4, tau).f_tilde * m for s, m in zip(SIGMA_TL, M_US))
        ref = 0.0
        for s, m in zip(SIGMA_TL, M_US):
            f = np.linspace(1e-6, 0.6, 60001)
            F, _ = eq24(s, tau, f)
            F0, _ = eq24(s, tau, np.array([0.0]))
            D = (F - F0[0]) / f
            k = int(np.argmax(D))
            ref += (f[k] if k > 0 else 0.0) * m
        assert got == pytest.approx(ref, rel=1e-3, abs=1e4)
        assert got == pytest.approx(want, rel=5e-3, abs=1e4)


def test_nc_identical_tangent_points():
    for tau, want in [(0, 0.4925), (30, 0.4104), (45, 0.1355), (50, 0.0)]:
        assert SIR(2.0, 20 / 3, 1e-4, tau).f_tilde == pytest.approx(want, abs=2e-4)


@pytest.mark.parametrize("spec,reason", [
    ({"type": "logistic", "a": -3, "b": 1}, "a > 0"),
    ({"type": "ginsberg", "a": 0.5, "b": 0.0}, "b > 0"),
    ({"type": "ginsberg", "a": 0.5, "b": -1.0}, "b > 0"),
    ({"type": "logistic", "a": 2}, "missing parameter(s) b"),
    ({"type": "sir", "sigma": 1.4, "infectious_days": 2.3}, "initial_infected_fraction"),
    ({"type": "cubic", "a": 1}, "must be one of"),
    ({"type": "logistic", "a": 2, "b": 1, "c": 3}, "unknown parameter"),
    ({"type": "sir", "sigma": 1.4, "infectious_days": 2.3, "initial_infected_fraction": 1e-4, "variant": "C"},
     "variant"),
])
def test_bad_functions_are_rejected_with_the_reason(spec, reason):
    with pytest.raises(ValueError, match=None) as err:
        make_return_function(spec)
    assert reason in str(err.value)


def test_concave_only_sir_has_no_tangent_point():
    fn = SIR(1.43, 2.3, 1e-4, 45)
    assert fn.c == 0.0 and fn.f_tilde == 0.0
    assert fn.D(0.0) == pytest.approx(fn.dF(0.0))

"""Closed forms of the itinfra paper: identities between them, the notes' reference numbers, and the
printed formulas that are wrong (each shown failing where the notes say). Model-based checks are in
tests/games/itinfra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopt.formulations.itinfra import closed_form as cf

N, K = 10, 0.35
kappas = st.floats(0.05, 0.45)
betas = st.floats(0.51, 1.0)
alphas = st.floats(0.02, 0.98)


@pytest.mark.parametrize("beta, want", [
    (0.5, (0.769231, 0.609467, 0.559763, 0.769231, 0.538462, 0.538462)),
    (0.6, (0.718907, 0.443787, -0.011834, 0.757076, 0.497135, 0.378017)),
    (0.8, (0.635728, 0.112426, -1.155030, 0.740841, 0.441936, 0.163715)),
    (1.0, (0.569801, -0.218935, -2.298225, 0.730493, 0.406752, 0.027117)),
])
def test_notes_threshold_numbers(beta, want):
    got = (cf.alpha_eqm1(K, beta), cf.alpha_eqm2(K, beta), cf.alpha_eqm3(N, K, beta),
           cf.alpha_sw1(N, K, beta), cf.alpha_sw2(N, K, beta), cf.alpha_sw3(N, K, beta))
    assert np.allclose(got, want, atol=1e-6)


def test_appendix_c_numbers():
    assert cf.alpha_sw4(N, K, 0.5) == pytest.approx(0.584615, abs=1e-6)
    b = cf.beta_triple_appendix_c(N, K)
    assert b == pytest.approx(0.337143, abs=1e-6)
    assert cf.alpha_sw1(N, K, b) == pytest.approx(cf.alpha_sw4(N, K, b)) == pytest.approx(cf.alpha_sw5(N, K, b))
    assert cf.alpha_sw2(N, K, 0.5) == pytest.approx(7 / 13) == pytest.approx(cf.alpha_sw5(N, K, 0.5))


@settings(max_examples=50, deadline=None)
@given(kappa=kappas, beta=betas, alpha=alphas, n=st.integers(4, 30))
def test_continuous_sizes_and_per_size_thresholds(kappa, beta, alpha, n):
    assert cf.j_under(kappa, beta, alpha) == pytest.approx(cf.j_bar(kappa, beta, alpha) - 1, abs=1e-7)
    assert cf.j_eqm(kappa, beta, alpha) == pytest.approx(cf.j_bar(kappa, beta, alpha) - 0.5)
    assert cf.alpha_eq(3, kappa, beta) == pytest.approx(cf.alpha_eqm2(kappa, beta))
    assert cf.alpha_eq(n, kappa, beta) == pytest.approx(cf.alpha_eqm3(n, kappa, beta))
    assert cf.alpha_sw(3, n, kappa, beta) == pytest.approx(cf.alpha_sw2(n, kappa, beta))
    assert cf.alpha_sw(n, n, kappa, beta) == pytest.approx(cf.alpha_sw3(n, kappa, beta))
    # D(j) = 0 at j_bar (the continuous root); alpha_eq(j) is where D(j) changes sign
    jb = cf.j_bar(kappa, beta, alpha)
    assert cf.join_gain(jb, kappa, beta, alpha) == pytest.approx(0, abs=1e-9)


def test_worked_case_sizes():
    assert cf.j_bar(K, 0.55, 0.45) == pytest.approx(4.7429, abs=1e-4)
    assert cf.j_star_eqm(N, K, 0.55, 0.45) == 4
    assert cf.j_sw(N, K, 0.55, 0.45) == pytest.approx(9.729, abs=1e-3)
    assert cf.j_star_sw(N, K, 0.55, 0.45) == 10


def test_paper_schedule_worked_case_and_two_derivations_agree():
    want = [.004294, -.002130, .005661, .012232, .018283, .024117, .029894, .035708, .041618]
    phi = cf.phi_schedule_paper(N, K, 0.55)
    assert np.allclose([phi[j] for j in range(2, 11)], want, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(kappa=kappas, beta=betas, gamma=st.floats(0, 0.5), n=st.integers(3, 15))
def test_fixed_F2_recursion_equals_threshold_matching(kappa, beta, gamma, n):
    a = cf.phi_schedule_paper(n, kappa, beta, gamma)
    b = cf.phi_schedule_matching(n, kappa, beta, gamma)
    for j in range(2, n + 1):
        assert a[j] == pytest.approx(b[j], rel=1e-7, abs=1e-10)
    assert cf.F1(3, n, kappa, beta, 0.0) == 0.0  # F1 vanishes without opportunity cost


# --- printed formulas that are wrong (notes, section 10) -------------------------------------------


def test_error4_printed_F2_disagrees_with_threshold_matching():
    printed = cf.phi_schedule_paper(N, K, 0.55, printed=True)
    fixed = cf.phi_schedule_matching(N, K, 0.55)
    assert printed[2] == pytest.approx(fixed[2])  # phi_2 is right
    assert abs(printed[3] - fixed[3]) > 0.1  # -0.197 vs -0.002


def test_error2_printed_alpha_sw_is_the_next_lower_threshold():
    for j in range(4, N + 1):
        assert cf.alpha_sw_printed(j, N, K, 0.7) == pytest.approx(cf.alpha_sw(j - 1, N, K, 0.7))
        assert cf.alpha_sw_printed(j, N, K, 0.7) != pytest.approx(cf.alpha_sw(j, N, K, 0.7))


def test_error8_lemma_orderings_need_n_at_least_4():
    assert cf.alpha_eqm2(K, 0.7) == pytest.approx(cf.alpha_eqm3(3, K, 0.7))
    assert cf.alpha_sw2(3, K, 0.7) == pytest.approx(cf.alpha_sw3(3, K, 0.7))


def test_error15_j_check_undefined_for_small_alpha():
    a = 0.9 * K / (1 - K)
    assert np.isinf(cf.j_check(K, a))
    assert all(cf.g_in(j, K, a) > cf.g_out(K) for j in range(2, 200))


@settings(max_examples=40, deadline=None)
@given(kappa=kappas, beta=betas, n=st.integers(4, 30))
def test_lemma_1_and_2_orderings_and_thresholds_decrease_in_beta(kappa, beta, n):
    assert cf.alpha_eqm3(n, kappa, beta) < cf.alpha_eqm2(kappa, beta) < cf.alpha_eqm1(kappa, beta)
    assert cf.alpha_sw3(n, kappa, beta) < cf.alpha_sw2(n, kappa, beta) < cf.alpha_sw1(n, kappa, beta)
    b2 = beta + 0.01
    if b2 <= 1.0:
        for f in (cf.alpha_eqm1, cf.alpha_eqm2):
            assert f(kappa, b2) < f(kappa, beta)
        for f in (cf.alpha_sw1, cf.alpha_sw2, cf.alpha_sw3):
            assert f(n, kappa, b2) < f(n, kappa, beta)
        assert cf.alpha_eqm3(n, kappa, b2) < cf.alpha_eqm3(n, kappa, beta)


def test_lemma_1_sign_polynomial_and_missing_factor():
    b = 0.7
    poly = (2 - 4 * b) * K**3 + (4 * b * (6 * b - 5) + 2) * K**2 + (8 * b - 5) * K + 1
    diff = cf.alpha_eqm1(K, b) - cf.alpha_eqm2(K, b)
    assert diff == pytest.approx(poly / (6 * (1 - K) ** 2 * (1 - K + 2 * b * K)))
    d23 = cf.alpha_eqm2(K, b) - cf.alpha_eqm3(N, K, b)
    assert d23 == pytest.approx((N - 3) * (-4 * K + K**2 * ((6 * b - 3) * N + 4) + 1) / (3 * N * (1 - K) ** 2))


def test_corollary_1_derivatives_of_j_check():
    a, h = 0.7, 1e-6
    d_alpha = (cf.j_check(K, a + h) - cf.j_check(K, a - h)) / (2 * h)
    den = (a - K * (1 + a)) ** 2
    assert d_alpha == pytest.approx(((3 - 2 * K) * K - 1) / den, rel=1e-5) and d_alpha < 0
    d_kappa = (cf.j_check(K + h, a) - cf.j_check(K - h, a)) / (2 * h)
    assert d_kappa == pytest.approx((1 - a) / den, rel=1e-5) and d_kappa > 0


def test_prop6_thresholds_numbers():
    assert cf.beta_prop6(K) == pytest.approx(0.542857, abs=1e-6)
    # n_tilde_3 equals the printed hat n(beta)
    for b in (0.6, 0.75, 0.9):
        assert cf.n_tilde(3, K, b) == pytest.approx(cf.n_hat(K, b), rel=1e-9)


def test_fig_B1_threshold_number():
    assert cf.beta_fig_B1(K, 2.0, 1.0) == pytest.approx(0.7898, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(st.floats(1.5, 40), st.floats(0.01, 0.49), st.floats(0.05, 2.0), st.floats(0.2, 5.0))
def test_prop1a_derivative_of_g_in_by_finite_differences(j, kappa, alpha, p):
    """Prop. 1(a): dg_in/dj, checked against a central difference of eq. (4); negative for kappa < 1/2."""
    h = 1e-5 * j
    fd = (cf.g_in(j + h, kappa, alpha, p) - cf.g_in(j - h, kappa, alpha, p)) / (2 * h)
    assert cf.dg_in_dj(j, kappa, alpha, p) == pytest.approx(fd, rel=1e-6, abs=1e-12)
    assert cf.dg_in_dj(j, kappa, alpha, p) < 0


@settings(max_examples=60, deadline=None)
@given(st.floats(0.05, 0.45), st.floats(0.51, 0.99))
def test_prop6_j_tilde_is_where_the_slope_turns_positive(kappa, beta):
    """Proof of Prop. 6: prop6_slope(j) vanishes at j_tilde and is negative just below, positive just above."""
    with np.errstate(invalid="ignore"):  # no real root for some (kappa, beta): nothing to check
        jt = float(cf.j_tilde(kappa, beta))
    if not np.isfinite(jt):
        return
    scale = max(1.0, abs(float(cf.prop6_slope(jt + 1.0, kappa, beta))))
    assert abs(cf.prop6_slope(jt, kappa, beta)) <= 1e-9 * scale
    assert cf.prop6_slope(jt - 1e-3, kappa, beta) < 0 < cf.prop6_slope(jt + 1e-3, kappa, beta)

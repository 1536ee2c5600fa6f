"""Every closed-form threshold of the paper against the model-based answer just below and just above it,
and Propositions 3, 5, 6 on random parameters (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coopt.formulations.itinfra import closed_form as cf
from coopt.games.itinfra.equilibrium import equilibria
from coopt.games.itinfra.social_optimum import optimum
from coopt.games.itinfra.stage2_table import exact_table

EPS = 1e-6


def eq_size(n, k, b, a, phi=None):
    found, _ = equilibria(exact_table(n, k, b, a), phi)
    assert len(found) == 1, found
    return found[0]


def sw_size(n, k, b, a):
    return optimum(exact_table(n, k, b, a))[0]


def structure(j, n):
    return "singleton" if j == 0 else "grand" if j == n else "minimal" if j == 2 else "partial"


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 15), kappa=st.floats(0.05, 0.45), beta=st.floats(0.51, 1.0))
def test_equilibrium_thresholds_both_sides(n, kappa, beta):
    a1, a2, a3 = cf.alpha_eqm1(kappa, beta), cf.alpha_eqm2(kappa, beta), cf.alpha_eqm3(n, kappa, beta)
    if 2 * EPS < a1 < 1 - 2 * EPS:
        assert eq_size(n, kappa, beta, a1 + EPS) == 0 and eq_size(n, kappa, beta, a1 - EPS) == 2
    if a2 > 2 * EPS:
        assert eq_size(n, kappa, beta, a2 + EPS) == 2 and eq_size(n, kappa, beta, a2 - EPS) >= 3
    if a3 > 2 * EPS:
        assert eq_size(n, kappa, beta, a3 + EPS) < n and eq_size(n, kappa, beta, a3 - EPS) == n
    for j in range(4, n):  # per-size thresholds alpha_eq(j): j-1 above, j below
        aj = cf.alpha_eq(j, kappa, beta)
        if aj > 2 * EPS:
            assert eq_size(n, kappa, beta, aj + EPS) == j - 1 and eq_size(n, kappa, beta, aj - EPS) == j


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 15), kappa=st.floats(0.05, 0.45), beta=st.floats(0.51, 1.0))
def test_welfare_thresholds_both_sides(n, kappa, beta):
    s1, s2, s3 = cf.alpha_sw1(n, kappa, beta), cf.alpha_sw2(n, kappa, beta), cf.alpha_sw3(n, kappa, beta)
    if s1 < 1 - 2 * EPS:
        assert sw_size(n, kappa, beta, s1 + EPS) == 0 and sw_size(n, kappa, beta, s1 - EPS) == 2
    if s2 > 2 * EPS:
        assert sw_size(n, kappa, beta, s2 + EPS) == 2 and sw_size(n, kappa, beta, s2 - EPS) >= 3
    if s3 > 2 * EPS:
        assert sw_size(n, kappa, beta, s3 + EPS) < n and sw_size(n, kappa, beta, s3 - EPS) == n


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 15), kappa=st.floats(0.05, 0.45), beta=st.floats(0.0, 0.49))
def test_appendix_c_thresholds_both_sides(n, kappa, beta):
    s1, s4, s5 = cf.alpha_sw1(n, kappa, beta), cf.alpha_sw4(n, kappa, beta), cf.alpha_sw5(n, kappa, beta)

    def ok(a):
        return 2 * EPS < a < 1 - 2 * EPS

    for a, above, below in ((s4, 0, n), (s5, 2, n), (s1, 0, 2)):
        if not ok(a):
            continue
        # each threshold separates the two structures it is defined by, where those two are the best ones
        hi, lo = sw_size(n, kappa, beta, a + EPS), sw_size(n, kappa, beta, a - EPS)
        if {hi, lo} == {above, below}:
            assert (hi, lo) == (above, below)
        else:  # the third structure is optimal on one side: the rule of Appendix C says which
            assert hi == int(cf.j_star_sw(n, kappa, beta, a + EPS)) and lo == int(cf.j_star_sw(n, kappa, beta, a - EPS))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 12), kappa=st.floats(0.05, 0.45), beta=st.floats(0.51, 1.0), phi=st.floats(-0.05, 0.05),
       j=st.integers(3, 12))
def test_incentive_thresholds_alpha_im_both_sides(n, kappa, beta, phi, j):
    assume(j <= n)
    a = cf.alpha_im1(kappa, beta, phi)
    if 2 * EPS < a < 1 - 2 * EPS:  # (28): the singleton is stable above, not below
        assert 0 in equilibria(exact_table(n, kappa, beta, a + EPS), {2: phi})[0]
        assert 0 not in equilibria(exact_table(n, kappa, beta, a - EPS), {2: phi})[0]
    a = cf.alpha_im(j, kappa, beta, phi)
    if 2 * EPS < a < 1 - 2 * EPS:  # S_in(j) + phi_j - S_out(j-1) changes sign at alpha_im
        t_hi, t_lo = exact_table(n, kappa, beta, a + EPS), exact_table(n, kappa, beta, a - EPS)
        d_hi = t_hi.S_in[j] + phi - t_hi.S_out[j - 1]
        d_lo = t_lo.S_in[j] + phi - t_lo.S_out[j - 1]
        assert d_hi * d_lo < 0


@settings(max_examples=25, deadline=None)
@given(n=st.integers(4, 14), kappa=st.floats(0.05, 0.45), beta=st.floats(0.51, 0.99), alpha=st.floats(0.02, 0.9),
       da=st.floats(0.001, 0.09), db=st.floats(0.001, 0.2))
def test_props_3_and_5_monotone_random(n, kappa, beta, alpha, da, db):
    b2 = min(1.0, beta + db)
    for size in (eq_size, sw_size):
        j = size(n, kappa, beta, alpha)
        assert size(n, kappa, beta, alpha + da) <= j  # (a) decreasing in alpha
        assert size(n, kappa, b2, alpha) <= j  # (b) decreasing in beta
        assert size(n + 1, kappa, beta, alpha) >= j  # (c) weakly increasing in n


@settings(max_examples=30, deadline=None)
@given(n=st.integers(4, 25), kappa=st.floats(0.1, 0.45), beta=st.floats(0.51, 1.0))
def test_prop6_random_kappa(n, kappa, beta):
    assume(all(cf.alpha_sw(j, n, kappa, beta) > 1e-6 for j in range(3, n + 1)))
    phi = cf.phi_schedule_paper(n, kappa, beta)
    assert phi[2] > 0
    nh = cf.n_hat(kappa, beta)
    assume(abs(n - nh) > 1e-6 and abs(beta - cf.beta_prop6(kappa)) > 1e-6)
    assume(all(abs(phi[j]) > 1e-12 for j in range(3, n + 1)))
    if beta > cf.beta_prop6(kappa) and n > nh:
        assert all(phi[j] > 0 for j in range(3, n + 1))
    neg = [j for j in range(3, n + 1) if phi[j] < 0]
    if neg:  # taxes only for an initial run of sizes, subsidies above
        assert neg == list(range(3, max(neg) + 1))


def test_structure_names():
    assert [structure(j, 10) for j in (0, 2, 5, 10)] == ["singleton", "minimal", "partial", "grand"]
    assert np.isfinite(cf.alpha_eqm1(0.35, 0.7))
    with pytest.raises(AssertionError):
        eq_size(10, 0.35, 0.45, 0.7)  # two equilibria below beta = 1/2: the helper refuses

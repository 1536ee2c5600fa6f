"""itinfra.social_optimum: SW enumerated over Stage-2 solves, against Lemma 2, Propositions 4-5, Appendix C,
and the Figure 3 comparison counts of the notes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import coopt
from coopt.catalog import run
from coopt.formulations.itinfra import closed_form as cf
from coopt.games.itinfra.stage2_table import equilibrium_label, exact_table, is_equilibrium, welfare

N, K = 10, 0.35
BETAS = np.arange(0.52, 1.0001, 0.02)
ALPHAS = np.arange(0.02, 0.9801, 0.02)


def inst(**kw):
    return coopt.load("itinfra/paper-figure1", kw)


def test_worked_case_json_contract():
    r = run("itinfra.social_optimum", coopt.load("itinfra/worked-case"), solver="highs")
    assert r.ok
    assert set(r.solution) == {"size", "structure", "welfare"}
    assert r.solution["size"] == 10 and r.solution["structure"] == "grand"
    assert r.solution["welfare"]["10"] == pytest.approx(8.022222, abs=1e-6)
    assert set(r.solution["welfare"]) == {"0", *map(str, range(2, 11))}


def _far(n, k, b, a, rel=1e-3):
    ths = [cf.alpha_sw1(n, k, b), *(cf.alpha_sw(j, n, k, b) for j in range(3, n + 1))]
    if b <= 0.5:
        ths = [cf.alpha_sw1(n, k, b), cf.alpha_sw4(n, k, b), cf.alpha_sw5(n, k, b)]
    return all(abs(a - t) > rel for t in ths)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(4, 14), kappa=st.floats(0.05, 0.45), beta=st.floats(0.0, 1.0), alpha=st.floats(0.02, 0.98))
def test_prop4_and_appendix_c_rule_random(n, kappa, beta, alpha):
    assume(abs(beta - 0.5) > 1e-3 and _far(n, kappa, beta, alpha))
    r = run("itinfra.social_optimum", inst(n=n, kappa=kappa, beta=beta, alpha=alpha), solver="exact")
    assert r.solution["size"] == int(cf.j_star_sw(n, kappa, beta, alpha))
    if beta < 0.5:
        assert r.solution["structure"] != "partial"  # Appendix C: SW convex in j


def test_sw_second_difference_is_lemma2_curvature():
    for b in (0.3, 0.7, 0.9):
        t = exact_table(N, K, b, 0.4)
        sw = welfare(t)[2:]
        assert np.allclose(np.diff(sw, 2), cf.d2SW_dj2(K, b, 0.4))


def test_figure3_counts_and_prop5_monotonicity():
    B, A = np.meshgrid(BETAS, ALPHAS, indexing="ij")
    t = exact_table(N, K, B, A)
    eq = equilibrium_label(is_equilibrium(t))
    opt = np.argmax(welfare(t), axis=0)
    assert (cf.j_star_sw(N, K, B, A) == opt).all()
    assert ((eq < opt).sum(), (eq == opt).sum(), (eq > opt).sum()) == (615, 607, 3)
    assert eq[np.isclose(B, 0.52) & np.isclose(A, 0.54)] == 4 and opt[np.isclose(B, 0.52) & np.isclose(A, 0.54)] == 2
    assert (np.diff(opt, axis=1) <= 0).all() and (np.diff(opt, axis=0) <= 0).all()
    prev = None
    for n in range(4, 14):
        o = np.argmax(welfare(exact_table(n, K, B, A)), axis=0)
        if prev is not None:
            assert (o >= prev).all()
        prev = o


def test_error2_printed_general_threshold_is_not_where_welfare_ties():
    b = 0.7
    for j in (5, 7):
        a_fix, a_pr = cf.alpha_sw(j, N, K, b), cf.alpha_sw_printed(j, N, K, b)
        sw_fix = welfare(exact_table(N, K, b, a_fix))
        sw_pr = welfare(exact_table(N, K, b, a_pr))
        assert sw_fix[j] == pytest.approx(sw_fix[j - 1], abs=1e-12)
        assert abs(sw_pr[j] - sw_pr[j - 1]) > 1e-4


def test_appendix_c_no_partial_and_region_rule_on_grid():
    B, A = np.meshgrid(np.linspace(0, 0.5, 13)[:-1], ALPHAS, indexing="ij")
    opt = np.argmax(welfare(exact_table(N, K, B, A)), axis=0)
    assert not ((opt > 2) & (opt < N)).any()
    assert (cf.j_star_sw(N, K, B, A) == opt).all()

"""itinfra.equilibrium: equilibria from Stage-2 solves and (10)-(15), against Propositions 1-3, Lemma 1,
Corollaries 1-2 (closed forms as the independent check) and the printed integer rule (error 1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import coopt
from coopt.catalog import run
from coopt.formulations.itinfra import closed_form as cf
from coopt.games.itinfra.equilibrium import equilibria
from coopt.games.itinfra.stage2_table import equilibrium_label, exact_table, is_equilibrium, solve_stage2

N, K = 10, 0.35
BETAS = np.arange(0.52, 1.0001, 0.02)  # the notes' 25 x 49 grid
ALPHAS = np.arange(0.02, 0.9801, 0.02)


def inst(**kw):
    return coopt.load("itinfra/paper-figure1", kw)


def _far_from_eqm_boundaries(n, k, b, a, rel=1e-3):
    ths = [cf.alpha_eqm1(k, b), *(cf.alpha_eq(j, k, b) for j in range(3, n + 1))]
    return all(abs(a - t) > rel for t in ths)


@pytest.mark.parametrize("solver", ["highs", "exact", "ipopt", "scip", "clarabel", "highs-cvxpy"])
def test_worked_case_and_json_contract(solver):
    r = run("itinfra.equilibrium", coopt.load("itinfra/worked-case"), solver=solver)
    assert r.ok
    assert r.solution["equilibria"] == [4]
    assert set(r.solution) == {"equilibria", "details"}
    d = r.solution["details"]
    assert set(d) == {"0", *map(str, range(2, 11))}
    assert set(d["4"]) == {"S_in", "S_out", "max_deviation_gain"}
    assert d["4"]["max_deviation_gain"] <= 0 < d["3"]["max_deviation_gain"]
    assert d["2"]["S_in"] == pytest.approx(0.778278, abs=1e-6)
    assert d["10"]["S_out"] is None
    assert r.closed_form_error == 0


@settings(max_examples=25, deadline=None)
@given(n=st.integers(4, 14), kappa=st.floats(0.05, 0.45), beta=st.floats(0.51, 1.0), alpha=st.floats(0.02, 0.98))
def test_prop2_unique_equilibrium_matches_corrected_rule(n, kappa, beta, alpha):
    """Proposition 2 + the uniqueness claim (tested, not assumed), random parameters, Stage 2 by HiGHS."""
    assume(_far_from_eqm_boundaries(n, kappa, beta, alpha))
    r = run("itinfra.equilibrium", inst(n=n, kappa=kappa, beta=beta, alpha=alpha), solver="highs")
    assert r.solution["equilibria"] == [int(cf.j_star_eqm(n, kappa, beta, alpha))]


def test_prop2_region_map_on_notes_grid_and_error1_printed_floor():
    B, A = np.meshgrid(BETAS, ALPHAS, indexing="ij")
    lab = equilibrium_label(is_equilibrium(exact_table(N, K, B, A)))
    assert (lab >= 0).all()  # exactly one equilibrium everywhere (beta > 1/2)
    assert (cf.j_star_eqm(N, K, B, A) == lab).all()
    partial = (lab >= 3) & (lab < N)
    wrong = cf.j_star_eqm_printed(N, K, B, A) != lab
    assert partial.sum() == 202 and wrong[partial].sum() == 108  # the notes' count
    assert not wrong[~partial].any()


def test_error1_example_printed_floor_is_not_an_equilibrium():
    r = run("itinfra.equilibrium", inst(beta=0.7, alpha=0.25), solver="highs")
    assert r.solution["equilibria"] == [3]
    assert cf.j_star_eqm_printed(N, K, 0.7, 0.25) == 2
    assert r.solution["details"]["2"]["max_deviation_gain"] > 0  # an outsider gains by joining size 2
    assert any("printed rule" in m for m in r.messages)


def test_stage2_solves_are_cached_per_size():
    cache: dict = {}
    i = inst()
    t1 = solve_stage2(i, "highs", cache=cache)
    t2 = solve_stage2(i, "highs", cache=cache)
    assert t1.solves == N and t2.solves == 0
    assert np.array_equal(t1.S_in[2:], t2.S_in[2:], equal_nan=True)


def test_beta_below_half_has_multiple_equilibria_and_a_message():
    B, A = np.meshgrid(np.arange(0, 0.4801, 0.04), ALPHAS, indexing="ij")
    eq = is_equilibrium(exact_table(N, K, B, A))
    assert (eq.sum(axis=0) > 1).sum() == 42  # the notes' count on 13 x 49 points
    b, a = B[eq.sum(axis=0) > 1][0], A[eq.sum(axis=0) > 1][0]
    r = run("itinfra.equilibrium", inst(beta=float(b), alpha=float(a)), solver="highs")
    assert len(r.solution["equilibria"]) > 1
    assert any("Assumption 1" in m for m in r.messages)


def test_join_gain_independent_of_n_and_decreasing_in_j():
    for n in (6, 10, 20):
        t = exact_table(n, K, 0.7, 0.3)
        d = [t.S_in[2] - t.S_single] + [t.S_in[j] - t.S_out[j - 1] for j in range(3, n + 1)]
        assert np.allclose(d[:5], [cf.join_gain(j, K, 0.7, 0.3) for j in range(2, 7)])
        assert all(x > y for x, y in zip(d[1:], d[2:]))


def test_prop3_monotone_in_alpha_beta_and_n():
    B, A = np.meshgrid(BETAS, ALPHAS, indexing="ij")
    lab = equilibrium_label(is_equilibrium(exact_table(N, K, B, A)))
    size = np.where(lab == 0, 0, lab)
    assert (np.diff(size, axis=1) <= 0).all()  # (a) decreasing in alpha
    assert (np.diff(size, axis=0) <= 0).all()  # (b) decreasing in beta
    sizes_n = [equilibrium_label(is_equilibrium(exact_table(n, K, B, A))) for n in range(4, 14)]
    for lo, hi in zip(sizes_n, sizes_n[1:]):
        assert (hi >= lo).all()  # (c) weakly increasing in n


def test_prop1_and_corollaries_from_model_levels():
    t = exact_table(N, K, 0.7, 0.4)
    g_in = t.G[2:] / np.arange(2, N + 1)
    assert (np.diff(g_in) < 0).all()  # Prop. 1(a)
    go = cf.g_out(K)
    jc = cf.j_check(K, 0.4)
    assert all((g >= go) == (j <= jc) for j, g in zip(range(2, N + 1), g_in))  # Prop. 1(c)
    # Cor. 2: B_in and S_out decrease in alpha and increase in beta
    for da, db in ((0.01, 0), (0, 0.01)):
        t2 = exact_table(N, K, 0.7 + db, 0.4 + da)
        b1 = t.S_in[2:] + 0.4 * t.G[2:] ** 2 / np.arange(2, N + 1)
        b2 = t2.S_in[2:] + (0.4 + da) * t2.G[2:] ** 2 / np.arange(2, N + 1)
        sign = -1 if da else 1
        assert (sign * (b2 - b1)[:-1] > 0).all()  # at j = n, dB_in/dbeta = kappa(1-kappa)(n-j)/(2p) = 0
        assert sign * (b2 - b1)[-1] >= -1e-12
        assert (sign * (t2.S_out[2:N] - t.S_out[2:N]) > 0).all()


def test_certificates_are_gains_of_unilateral_deviations():
    t = exact_table(N, K, 0.6, 0.3)
    found, det = equilibria(t)
    (j,) = found
    assert det[j]["max_deviation_gain"] <= 0
    assert det[j]["max_deviation_gain"] == pytest.approx(
        max(t.S_out[j - 1] - t.S_in[j], t.S_in[j + 1] - t.S_out[j]) if 2 < j < N else det[j]["max_deviation_gain"])


@settings(max_examples=10, deadline=None)
@given(n=st.integers(2, 12), kappa=st.floats(0.0, 0.5), beta=st.floats(0.0, 1.0), alpha=st.floats(0.02, 0.98),
       g_max=st.one_of(st.none(), st.floats(0.1, 2.0)))
def test_vectorised_exact_table_equals_highs_solves(n, kappa, beta, alpha, g_max):
    """The vectorised exact Stage 2 (used for alpha grids) equals the per-size HiGHS solves, bound or not."""
    i = inst(n=n, kappa=kappa, beta=beta, alpha=alpha, g_max=g_max)
    a = exact_table(n, kappa, beta, alpha, 1.0, g_max)
    b = solve_stage2(i, "highs")
    assert b.status.value == "optimal"
    assert np.allclose(a.S_in[2:], b.S_in[2:], rtol=1e-7, atol=1e-9)
    assert np.allclose(a.S_out[2:n], b.S_out[2:n], rtol=1e-7, atol=1e-9)
    assert float(a.S_single) == pytest.approx(float(b.S_single), rel=1e-7, abs=1e-9)

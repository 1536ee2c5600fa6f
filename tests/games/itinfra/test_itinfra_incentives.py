"""itinfra.incentives: the paper's schedule (verified by the equilibrium conditions on Stage-2 solves) and
the least-cost LP; Proposition 6, section 7.3, and the printed errors 3, 9, 10."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import coopt
from coopt.catalog import run
from coopt.formulations.itinfra import closed_form as cf
from coopt.games.itinfra.equilibrium import equilibria
from coopt.games.itinfra.incentives import least_cost, verify_schedule
from coopt.games.itinfra.social_optimum import optimum
from coopt.games.itinfra.stage2_table import exact_table

N, K = 10, 0.35


def inst(**kw):
    return coopt.load("itinfra/paper-figure1", kw)


def test_json_contract_and_worked_case():
    r = run("itinfra.incentives", coopt.load("itinfra/worked-case"), solver="highs")
    assert r.ok, r.messages
    assert set(r.solution) == {"target_size", "phi"}
    assert r.solution["target_size"] == 10
    assert set(r.solution["phi"]) == {"paper", "least_cost"}
    assert r.solution["phi"]["paper"]["2"] == pytest.approx(0.004294, abs=1e-6)
    assert r.values["paper_aligned_all_alphas"]  # beta = 0.55: the paper's schedule works everywhere
    # the least-cost schedule needs no more than the paper's at the same target
    assert r.values["budget"]["least_cost"] <= r.values["budget"]["paper"] + 1e-9


@pytest.mark.parametrize("gamma", [0.0, 0.1])
def test_error9_paper_schedule_aligns_at_055_but_not_from_06(gamma):
    grid = np.linspace(0.01, 0.99, 99)
    ok = verify_schedule(inst(beta=0.55, gamma=gamma), cf.phi_schedule_paper(N, K, 0.55, gamma), grid)
    assert ok["aligned"]
    for beta in (0.6, 0.8, 1.0):
        bad = verify_schedule(inst(beta=beta, gamma=gamma), cf.phi_schedule_paper(N, K, beta, gamma), grid)
        assert not bad["aligned"] and bad["aligned_share"] == 0.0


def test_error9_named_examples_and_user_is_told():
    phi = cf.phi_schedule_paper(N, K, 0.6)
    t = exact_table(N, K, 0.6, 0.02)
    assert equilibria(t, phi)[0] == [9] and optimum(t, phi)[0] == 10
    t = exact_table(N, K, 0.6, 0.8)
    assert equilibria(t, phi)[0] == [0, 10] and optimum(t, phi)[0] == 0
    r = run("itinfra.incentives", inst(beta=0.6, alpha=0.02), solver="exact")
    assert any("paper claims" in m for m in r.messages)
    assert r.values["paper_failing_alphas"]


@settings(max_examples=20, deadline=None)
@given(n=st.integers(3, 12), kappa=st.floats(0.05, 0.45), beta=st.floats(0.0, 1.0), alpha=st.floats(0.02, 0.98),
       gamma=st.floats(0.0, 0.3))
def test_least_cost_lp_makes_the_optimum_the_unique_equilibrium(n, kappa, beta, alpha, gamma):
    t = exact_table(n, kappa, beta, alpha)
    target, _ = optimum(t)
    phi, res = least_cost(t, target, gamma, margin=1e-6)
    assert res.ok
    assert equilibria(t, phi)[0] == [target]
    if target >= 2:  # least cost: the target's members get exactly their join shortfall + margin
        d = t.S_in[target] - (t.S_single if target == 2 else t.S_out[target - 1])
        assert phi[target] == pytest.approx(-d + 1e-6, abs=1e-8)


def test_least_cost_budget_beats_paper_where_paper_works():
    for alpha in (0.1, 0.3, 0.45, 0.6):
        r = run("itinfra.incentives", inst(beta=0.55, alpha=alpha), solver="exact", alphas=25)
        assert r.values["paper_aligned_here"]
        if r.solution["target_size"] == r.values["paper_target"]:
            assert r.values["budget"]["least_cost"] <= r.values["budget"]["paper"] + 1e-9


def test_error3_printed_alpha_im_is_not_the_indifference_point():
    beta, phi = 0.55, 0.01
    for j in (4, 6):
        a_fix, a_pr = cf.alpha_im(j, K, beta, phi), cf.alpha_im_printed(j, K, beta, phi)
        t = exact_table(N, K, beta, a_fix)
        assert t.S_in[j] + phi - t.S_out[j - 1] == pytest.approx(0, abs=1e-12)
        t = exact_table(N, K, beta, a_pr)
        assert abs(t.S_in[j] + phi - t.S_out[j - 1]) > 1e-4
    # alpha_im1 is where (28) holds with equality
    t = exact_table(N, K, beta, cf.alpha_im1(K, beta, phi))
    assert t.S_in[2] + phi - t.S_single == pytest.approx(0, abs=1e-12)


def test_prop6_sign_pattern_gamma0():
    b6 = cf.beta_prop6(K)
    cases = 0
    for n in range(4, 31, 2):
        for beta in np.arange(0.52, 1.0001, 0.04):
            phi = cf.phi_schedule_paper(n, K, beta)
            assert phi[2] > 0  # (a)
            if any(cf.alpha_sw(j, n, K, beta) <= 0 for j in range(3, n + 1)):
                continue  # the sign rule needs alpha_sw(j) > 0 (notes, section 5)
            signs = [np.sign(phi[j]) for j in range(3, n + 1)]
            for j in range(3, n + 1):  # sign(phi_j) = sign(slope n + intercept)
                lin = cf.prop6_slope(j, K, beta) * n + cf.prop6_intercept(j, K, beta)
                assert np.sign(lin) == np.sign(phi[j])
            if beta >= b6 and n >= cf.n_hat(K, beta):
                assert all(s >= 0 for s in signs)  # (b)
            elif -1 in signs and 1 in signs:  # (c): taxes for 3..hat j, subsidies above
                last_tax = max(j for j in range(3, n + 1) if phi[j] < 0)
                assert all(phi[j] < 0 for j in range(3, last_tax + 1))
                assert int(cf.j_hat(n, K, beta)) == last_tax
                cases += 1
    assert cases > 5


def test_section_7_3_phi2_and_phi3():
    for beta in (0.6, 0.8, 1.0):
        p2 = [cf.phi_2(N, K, beta, g) for g in (0, 0.05, 0.1, 0.2)]
        assert all(x > 0 for x in p2) and all(x > y for x, y in zip(p2, p2[1:]))
    phi3 = [cf.phi_schedule_paper(N, K, b, 0.1)[3] for b in np.arange(0.52, 1.0001, 0.02)]
    assert phi3[0] < 0 < phi3[-1]  # tax below a beta-threshold, subsidy above


def test_error10_phi3_grows_with_gamma_at_high_beta():
    got = [cf.phi_schedule_paper(N, K, 1.0, g)[3] for g in (0, 0.05, 0.1, 0.2)]
    assert np.allclose(got, [0.16248, 0.16347, 0.16448, 0.16657], atol=1e-5)
    assert all(x < y for x, y in zip(got, got[1:]))  # the paper says it decreases


@settings(max_examples=15, deadline=None)
@given(kappa=st.floats(0.05, 0.45), beta=st.floats(0.51, 0.99), gamma=st.floats(0, 0.3))
def test_paper_schedule_when_all_Nj_positive_aligns(kappa, beta, gamma):
    """The alignment claim holds when every N_j > 0 (alpha_eqm3 > 0): checked on an alpha grid."""
    n = 8
    assume(all(cf.N_j(j, kappa, beta) > 1e-3 for j in range(3, n + 1)))
    phi = cf.phi_schedule_paper(n, kappa, beta, gamma)
    grid = np.linspace(0.02, 0.98, 49)
    grid = grid[[all(abs(a - x) > 1e-3 for x in _im_thresholds(n, kappa, beta, phi)) for a in grid]]
    res = verify_schedule(inst(n=n, kappa=kappa, beta=beta, gamma=gamma), phi, grid)
    assert res["aligned"], res["failing_alphas"]


def _im_thresholds(n, kappa, beta, phi):
    return [cf.alpha_im1(kappa, beta, phi[2]), *(cf.alpha_im(j, kappa, beta, phi[j]) for j in range(3, n + 1))]


@pytest.mark.parametrize("solver", ["exact", "highs"])
def test_schedule_rederived_from_stage2_solves_equals_closed_form(solver):
    from coopt.games.itinfra.incentives import schedule_from_model

    for beta, gamma in ((0.55, 0.0), (0.8, 0.1)):
        got = schedule_from_model(inst(beta=beta, gamma=gamma), solver)
        want = cf.phi_schedule_paper(N, K, beta, gamma)
        assert all(got[j] == pytest.approx(want[j], abs=1e-9) for j in want)

"""Closed forms (Lemmas 1, 2; eqs. 2, 3, 5, 6; Claims 2, 4) against numerical optimisation (notes section 8)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import minimize

from coopt.formulations.dpshare import closed_form as cf
from coopt.games.dpshare import definitions as D


def numeric_design(c: np.ndarray, n: int, sigma2: float, alpha: float) -> tuple[np.ndarray, float]:
    """The planner's SC(S, eps) of Def. 6 minimised numerically (scipy, log eps)."""
    k = c.size

    def sc(x):
        eps = np.exp(x)
        var = sigma2 / k + 2 / k**2 * np.sum(eps**-2.0)
        return (n - k) * sigma2 + k * var + np.sum(c * k**alpha * eps)

    r = minimize(sc, np.zeros(k), method="BFGS", options={"gtol": 1e-12})
    return np.exp(r.x), float(r.fun)


@pytest.mark.parametrize("alpha", [-1.0, -0.5, 0.0, 0.5, 1.0])
def test_lemma1_and_lemma2_against_numerics(alpha):
    rng = np.random.default_rng(int(10 * alpha) + 20)
    n, sigma2 = 7, 0.3
    c = rng.uniform(0.01, 0.2, 4)
    k = c.size
    W = cf.w(c).sum()
    eps_num, sc_num = numeric_design(c, n, sigma2, alpha)
    np.testing.assert_allclose(cf.eps_central(c, k, alpha), eps_num, rtol=1e-5)
    assert cf.sc_central(W, k, n, sigma2, alpha) == pytest.approx(sc_num, rel=1e-10)
    var_num = sigma2 / k + 2 / k**2 * np.sum(eps_num**-2.0)
    assert cf.var_central(W, k, sigma2, alpha) == pytest.approx(var_num, rel=1e-6)
    # Lemma 2: each member minimises its own burden (numeric golden section)
    eps_d = D.subgame_eps(c, k, sigma2, alpha)
    np.testing.assert_allclose(cf.eps_selfish(c, k, alpha), eps_d, rtol=1e-6)
    var_d = sigma2 / k + 2 / k**2 * np.sum(eps_d**-2.0)
    sc_d = (n - k) * sigma2 + k * var_d + np.sum(c * k**alpha * eps_d)
    assert cf.var_selfish(W, k, sigma2, alpha) == pytest.approx(var_d, rel=1e-6)
    assert cf.sc_selfish(W, k, n, sigma2, alpha) == pytest.approx(sc_d, rel=1e-6)
    # eps^d / eps^c = k^(-1/3) exactly (the paper's "larger" after Lemma 2 is wrong: smaller)
    np.testing.assert_allclose(cf.eps_selfish(c, k, alpha) / cf.eps_central(c, k, alpha), k ** (-1 / 3), rtol=1e-14)
    assert np.all(cf.eps_selfish(c, k, alpha) < cf.eps_central(c, k, alpha))


def test_lemma1_printed_product_is_wrong():
    """Main text's (4/(k(1+alpha)c))^(1/3) differs from the optimum; Appendix C.1's k^(1+alpha) is right."""
    c, k, alpha = np.array([0.05, 0.1, 0.2]), 3, 1.0
    eps_num, _ = numeric_design(c, 5, 0.2, alpha)
    assert np.max(np.abs(cf.eps_central_printed(c, k, alpha) / eps_num - 1)) > 0.1
    np.testing.assert_allclose(cf.eps_central(c, k, alpha), eps_num, rtol=1e-5)


def test_lemma1_brute_force_best_subset_is_downward_closed():
    rng = np.random.default_rng(3)
    c = np.sort(rng.uniform(0.001, 0.05, 7))
    n, sigma2, alpha = c.size, 0.2, 0.5
    for k in range(2, n + 1):
        best = min(itertools.combinations(range(n), k),
                   key=lambda S: numeric_design(c[list(S)], n, sigma2, alpha)[1])
        assert list(best) == list(range(k))


def test_eq4_ties_go_to_sharing():
    """n = 2, identical costs, sigma2 with SC_c(2) = n sigma2 exactly (in floating point): k* = 2, not 0."""
    tied = 0
    for cv in np.linspace(0.01, 0.2, 40):
        c = np.array([cv, cv])
        s2 = float(3 * 2 ** (1 / 3) * cf.w(c).sum())    # SC_c(2) = s2 + 3 2^(1/3) W = 2 s2
        k, sc = cf.design_scan(c, s2, 1.0)
        if sc[2] == 2 * s2:
            tied += 1
            assert k == 2
        assert cf.design_scan(c, s2 * (1 - 1e-9), 1.0)[0] == 0
        assert cf.design_scan(c, s2 * (1 + 1e-9), 1.0)[0] == 2
    assert tied > 0


def test_claim2_corrected_and_printed():
    # the notes' counterexample: n = 2, c = (1, 1), alpha = 1, sigma2 = 4.04 w
    wv = float(cf.w(1.0))
    s2 = 4.04 * wv
    assert cf.claim2_holds(2, 1.0, s2, 1.0, ceiling=True)          # printed: claims stability
    assert not cf.claim2_holds(2, 1.0, s2, 1.0, ceiling=False)     # corrected: no claim
    ch = D.check(np.array([1.0, 1.0]), [0, 1], s2, 1.0)
    assert not ch.nash and ch.burdens.max() == pytest.approx(4.778, abs=1e-3)
    # corrected sufficient condition implies stability (Defs. 7/8 numerically) on random instances
    rng = np.random.default_rng(5)
    hits = 0
    for _ in range(300):
        alpha = rng.choice([-1.0, -0.8, -0.3, 0.0, 0.5, 1.0])
        n = int(rng.integers(2, 7))
        c = np.sort(rng.uniform(0.001, 0.05, n))
        s2 = rng.uniform(0.01, 1.0)
        if cf.claim2_holds(n, c[-1], s2, alpha):
            hits += 1
            assert D.check(c, list(range(n)), s2, alpha).exit_gain <= 1e-12
    assert hits > 20


def test_claim4_window_examples():
    """Identical costs: every k-subset is robust iff L_k <= sigma2/w < L_(k+1) (notes 8.8 examples)."""
    from coopt.games.dpshare.stability import enumerate_stable

    for alpha, n, ratio, k, count in [(1.0, 6, 7.8, 3, 20), (0.5, 7, 5.2, 5, 21)]:
        c = np.full(n, 0.01)
        s2 = ratio * float(cf.w(0.01))
        assert cf.claim4_L(k, alpha) <= ratio < cf.claim4_L(k + 1, alpha)
        e = enumerate_stable(c, s2, alpha)
        sizes = [bin(int(m)).count("1") for m in e.robust]
        assert sizes.count(k) == count and set(sizes) == {k}
        assert e.nash.size == 0   # Claim 3: no intermediate Nash


def test_prefix_scans_match_direct():
    rng = np.random.default_rng(8)
    c = np.sort(rng.uniform(1e-4, 1e-2, 30))
    ws = cf.w(c)
    Tk = cf.prefix_T(c, 0.3)
    for k in (2, 7, 30):
        assert Tk[k] == pytest.approx((ws[:k].sum() + 2 * ws[k - 1]) * k ** cf.p_exp(0.3) / (k - 1))

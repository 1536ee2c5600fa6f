"""Price of stability: sanity facts, Theorem 3's bound, and the scaling exponents of Theorems 1-4."""

from __future__ import annotations

import numpy as np
import pytest

from coopt.catalog import run
from coopt.data.dpshare import from_costs
from coopt.formulations.dpshare import closed_form as cf
from coopt.games.dpshare.search import sc_of_masks
from coopt.games.dpshare.stability import enumerate_stable


def pos_sc(c, s2, alpha):
    """PoS(SC) of the Nash and robust notions by enumeration + the Lemma-1 scan (independent path)."""
    k, sc = cf.design_scan(c, s2, alpha)
    e = enumerate_stable(c, s2, alpha)
    out = []
    for masks in (e.nash, e.robust):
        dec = sc_of_masks(masks, c, s2, alpha).min() if masks.size else c.size * s2
        out.append(dec / sc[k])
    return k, out, e


def test_pos_sanity_and_theorem3_bound():
    rng = np.random.default_rng(21)
    stable_seen = 0
    for _ in range(400):
        n = int(rng.integers(2, 10))
        c = np.sort(rng.uniform(1e-3, 5e-2, n))
        alpha = float(rng.uniform(0.51, 1.0))
        s2 = float(rng.uniform(0.005, 0.5))
        k, (pn, pr), e = pos_sc(c, s2, alpha)
        for p, masks in ((pn, e.nash), (pr, e.robust)):
            assert p >= 1 - 1e-12
            if masks.size:
                stable_seen += 1
                assert k >= 2 and p > 1                                   # stable exists => k* >= 2, PoS > 1
            if k == 0:
                assert p == pytest.approx(1.0) and masks.size == 0        # PoS = 1 <=> k* = 0
            bound = max(4 / 3, 2 ** (1 / 3) * s2 / (3 * c[0] ** (2 / 3)))
            assert p < bound                                              # Theorem 3, alpha in (1/2, 1]
    assert stable_seen > 30


def test_pos_problem_keys_and_no_sharing():
    inst = from_costs([1.0, 1.1, 1.2], sigma2=0.01, alpha=1.0)
    r = run("dpshare.price_of_stability", inst, solver="exact")
    assert set(r.solution) == {"nash", "robust", "method"}
    for kind in ("nash", "robust"):
        s = r.solution[kind]
        assert set(s) == {"coalition", "social_cost", "variance", "pos_sc", "pos_var"}
        assert s["coalition"] is None and s["pos_sc"] == pytest.approx(1.0) and s["pos_var"] == pytest.approx(1.0)


def slope(f, n1=10**5, n2=10**6):
    return (np.log(f(n2)) - np.log(f(n1))) / np.log(n2 / n1)


@pytest.mark.parametrize("alpha, sc_c, sc_d, pos", [
    (-1.0, 0.0, 0.667, 0.667), (-0.5, 0.333, 1.0, 0.667), (-0.25, 0.5, 1.0, 0.5), (0.0, 0.667, 1.0, 0.333),
    (0.25, 0.833, 1.0, 0.167), (0.75, 1.0, 1.0, 0.0), (1.0, 1.0, 1.0, 0.0)])
def test_theorems_1_to_4_exponents(alpha, sc_c, sc_d, pos):
    """Identical costs c = 0.1, sigma2 = 1 (notes section 4 table): log-log slopes from n = 1e5 to 1e6."""
    s2, c = 1.0, 0.1

    def central(n):
        k, sc = cf.design_scan(np.full(n, c), s2, alpha)
        return sc[k]

    def stable(n):  # identical costs: only the grand coalition can be Nash (Claim 3, tested above)
        W = n * float(cf.w(c))
        grand = cf.T(W, float(cf.w(c)), n, alpha) <= s2
        return float(cf.sc_selfish(W, n, n, s2, alpha)) if grand else n * s2

    assert slope(central) == pytest.approx(sc_c, abs=0.04)
    assert slope(stable) == pytest.approx(sc_d, abs=0.04)
    assert slope(lambda n: stable(n) / central(n)) == pytest.approx(pos, abs=0.04)
    if alpha < 0.5:
        assert cf.design_scan(np.full(10**5, c), s2, alpha)[0] == 10**5           # Theorem 1 (i): k* = n
    else:
        assert cf.design_scan(np.full(10**5, c), s2, alpha)[0] < 100               # (iii): bounded k*

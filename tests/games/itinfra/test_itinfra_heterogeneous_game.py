"""itinfra.heterogeneous: equilibrium compositions (B.2), Proposition B.1, and the homogeneous special case."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import coopt
import coopt.data.itinfra.heterogeneous  # noqa: F401
from coopt.catalog import run
from coopt.formulations.itinfra import closed_form as cf
from coopt.formulations.itinfra import heterogeneous as het
from coopt.games.itinfra.heterogeneous import HetTables, equilibria, incentive_gap
from coopt.games.itinfra.stage2_table import exact_table, is_equilibrium


def two_types(pH=2.0, pL=1.0, nH=2, nL=2, **kw):
    d = [{"name": f"H{i}", "p": pH} for i in range(nH)] + [{"name": f"L{i}", "p": pL} for i in range(nL)]
    return coopt.load("itinfra/het-two-types", {"districts": d, **kw})


@pytest.mark.parametrize("alpha, want", [(0.2, [[0, 2]]), (0.25, [[0, 2]]), (0.35, [[0, 2], [1, 1], [2, 0]]),
                                         (0.45, [[0, 2], [1, 1], [2, 0]]), (0.55, [[0, 2], [1, 1], [2, 0]]),
                                         (0.7, [[0, 0]])])
def test_notes_equilibrium_sets_two_plus_two(alpha, want):
    for solver in ("exact", "ipopt"):
        r = run("itinfra.heterogeneous", coopt.load("itinfra/het-two-types", {"alpha": alpha}), solver=solver)
        assert r.solution["equilibria"] == want, solver
        assert set(r.solution) >= {"equilibria", "details", "types", "counts"}


def test_one_type_reproduces_the_homogeneous_game():
    for alpha in (0.1, 0.3, 0.5, 0.7):
        inst = coopt.load("itinfra/het-two-types", {"alpha": alpha, "districts": [{"name": f"d{i}", "p": 1.0}
                                                                                  for i in range(8)]})
        found, _ = equilibria(HetTables(inst))
        t = exact_table(8, 0.35, 0.7, alpha)
        want = [j for j in [0, *range(2, 9)] if is_equilibrium(t)[j]]
        assert [c[0] for c in found] == want
        from coopt.games.itinfra.heterogeneous import het_welfare
        from coopt.games.itinfra.stage2_table import welfare

        sw = welfare(t)
        tb = HetTables(inst)
        assert all(het_welfare(tb, (j,)) == pytest.approx(sw[j], abs=1e-12) for j in [0, *range(2, 9)])


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(0.05, 0.45), beta=st.floats(0.0, 1.0), alpha=st.floats(0.05, 0.95), ratio=st.floats(1.1, 4.0),
       jH=st.integers(1, 3), jL=st.integers(1, 3))
def test_prop_B1_threshold(kappa, beta, alpha, ratio, jH, jL):
    """L has the larger incentive to join iff alpha below the Prop. B.1 threshold (coalitions of J >= 3, the
    leaver's remaining coalition >= 2, and g >= 0 not binding; ties excluded)."""
    assume(jH + jL >= 3)
    inst = two_types(pH=ratio, nH=3, nL=3, kappa=kappa, beta=beta, alpha=alpha)
    for c in ((jH - 1, jL), (jH, jL - 1)):
        o = het.exact(inst, c)
        J, P = sum(c), c[0] * ratio + c[1]
        assume(abs(o.G - J * (1 + kappa * (J - 2)) / (2 * alpha * P)) < 1e-12)  # interior
    tb = HetTables(inst)
    out_L = tb.S_out((jH, jL - 1), 1)
    out_H = tb.S_out((jH - 1, jL), 0)
    thr = cf.alpha_prop_B1(jH, jL, kappa, beta, ratio, 1.0)
    assume(abs(alpha - thr) > 1e-6 and abs(out_L - out_H) > 1e-10)
    assert (out_L < out_H) == (alpha < thr)
    # the incentives compared: S_in - S_out of each type
    assert (incentive_gap(tb, (jH, jL), 1) < incentive_gap(tb, (jH, jL), 0)) == (alpha < thr)


def test_multiple_equilibria_are_common():
    counts = []
    for alpha in np.linspace(0.05, 0.95, 19):
        found, _ = equilibria(HetTables(coopt.load("itinfra/het-two-types", {"alpha": float(alpha)})))
        counts.append(len(found))
    assert max(counts) > 1 and min(counts) >= 1


def test_B3_reconstruction_pole_of_phi_H_at_printed_beta():
    """Notes, error 12: under the natural reading, the printed Fig. B1 threshold is the pole of phi_H."""
    from coopt.games.itinfra.heterogeneous import type_incentives

    inst = coopt.load("itinfra/het-two-types")
    for kappa in (0.2, 0.3, 0.35):
        b0 = float(cf.beta_fig_B1(kappa, 2.0, 1.0))
        lo = type_incentives(inst.with_overrides(kappa=kappa, beta=b0 - 1e-4))[0]
        hi = type_incentives(inst.with_overrides(kappa=kappa, beta=b0 + 1e-4))[0]
        assert min(abs(lo), abs(hi)) > 10 and lo * hi < 0  # phi_H jumps through infinity at the printed beta
    below = type_incentives(inst.with_overrides(beta=0.6))
    mid = type_incentives(inst.with_overrides(beta=0.72))
    assert below[1] > below[0] and mid[0] > mid[1]  # the sign flips below the printed threshold too


def _paper_B2(tb, nH, nL):
    """Appendix B.2's conditions for two types, transcribed literally (conditions on missing compositions skipped)."""
    def S(c):
        return tb.S_in(c)

    def oH(c):
        return tb.S_out(c, 0)

    def oL(c):
        return tb.S_out(c, 1)

    sH, sL = oH((0, 0)), oL((0, 0))

    def ok(*conds):
        return all(c for c in conds if c is not None)

    def has(c):
        return 0 <= c[0] <= nH and 0 <= c[1] <= nL and sum(c) >= 2

    def ge(a, b):  # a >= b over compositions that exist
        return None if a is None or b is None else a >= b - 1e-12

    def Sx(c):
        return S(c) if has(c) else None

    def oHx(c):
        return oH(c) if has(c) else None

    def oLx(c):
        return oL(c) if has(c) else None

    eq = set()
    for jH in range(nH + 1):
        for jL in range(nL + 1):
            J, c = jH + jL, (jH, jL)
            if J == nH + nL:
                conds = [ge(S(c), oHx((jH - 1, jL))), ge(S(c), oLx((jH, jL - 1)))]
            elif J >= 3 and jL == 0:
                conds = [ge(S(c), oHx((jH - 1, 0))), ge(oH(c), Sx((jH + 1, 0))), ge(oL(c), Sx((jH, 1)))]
            elif J >= 3 and jH == 0:
                conds = [ge(S(c), oLx((0, jL - 1))), ge(oH(c), Sx((1, jL))), ge(oL(c), Sx((0, jL + 1)))]
            elif J >= 3:
                conds = [ge(S(c), oHx((jH - 1, jL))), ge(S(c), oLx((jH, jL - 1))),
                         ge(oH(c), Sx((jH + 1, jL))), ge(oL(c), Sx((jH, jL + 1)))]
            elif c == (2, 0):
                conds = [ge(S(c), sH), ge(oH(c), Sx((3, 0))), ge(oL(c), Sx((2, 1)))]
            elif c == (0, 2):
                conds = [ge(S(c), sL), ge(oH(c), Sx((1, 2))), ge(oL(c), Sx((0, 3)))]
            elif c == (1, 1):
                conds = [ge(S(c), sH), ge(S(c), sL), ge(oH(c), Sx((2, 1))), ge(oL(c), Sx((1, 2)))]
            elif c == (0, 0):
                conds = [ge(sH, Sx((2, 0))), ge(sL, Sx((0, 2))), ge(sH, Sx((1, 1))), ge(sL, Sx((1, 1)))]
            else:
                continue
            if ok(*conds):
                eq.add(c)
    return sorted(eq)


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(0.05, 0.45), beta=st.floats(0.0, 1.0), alpha=st.floats(0.05, 0.95), ratio=st.floats(1.05, 4.0),
       nH=st.integers(2, 3), nL=st.integers(2, 3))
def test_generic_rule_equals_the_papers_two_type_conditions(kappa, beta, alpha, ratio, nH, nL):
    inst = two_types(pH=ratio, nH=nH, nL=nL, kappa=kappa, beta=beta, alpha=alpha)
    tb = HetTables(inst)
    found, gains = equilibria(tb, tol=0.0)
    assume(all(abs(g) > 1e-9 for g in gains.values()))  # no ties
    assert found == _paper_B2(tb, nH, nL)

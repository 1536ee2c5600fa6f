"""tu.nucleolus / tu.prenucleolus against an independent sequential-LP reference and a brute-force Kohlberg
check; the exact rational re-check; degenerate symmetric games; the nucleolus lies in a non-empty core."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tu_refs import dense_least_core, kohlberg_ok, random_game, reference_nucleolus

from coopt.data.tu import TUGame
from coopt.games.tu.core import in_core
from coopt.games.tu.kohlberg import balanced_exact, kohlberg, kohlberg_exact, phase_one_feasible
from coopt.games.tu.nucleolus import nucleolus, prenucleolus
from coopt.solve.result import Status

TEXTBOOK = TUGame.from_array([0, 0, 10, 0, 0, 0, 2], names="abc")


def test_textbook_nucleolus_and_prenucleolus():
    nu = nucleolus(TEXTBOOK)
    assert nu.status == Status.OPTIMAL and nu.verified and nu.verified_exact
    np.testing.assert_allclose(nu.x, [1, 1, 0], atol=1e-12)
    assert nu.levels == pytest.approx([8.0, -1.0])
    pre = prenucleolus(TEXTBOOK)
    assert pre.status == Status.OPTIMAL and pre.verified and pre.verified_exact
    np.testing.assert_allclose(pre.x, [3, 3, -4], atol=1e-12)
    assert pre.levels == pytest.approx([4.0, 1.0])


@pytest.mark.parametrize("kind", ["normal", "integer", "symmetric", "superadditive"])
@pytest.mark.parametrize("domain", ["imputation", "preimputation"])
def test_agrees_with_independent_reference_and_kohlberg(kind, domain):
    rng = np.random.default_rng(hash((kind, domain, 1)) % 2**32)
    for _ in range(4):
        n = int(rng.integers(2, 6))
        v = random_game(rng, n, kind)
        if domain == "imputation" and sum(v[1 << i] for i in range(n)) > v[-1]:
            v[-1] = sum(v[1 << i] for i in range(n)) + abs(rng.normal())  # keep the imputation set non-empty
        g = TUGame(tuple(f"p{i}" for i in range(n)), v)
        nu = nucleolus(g, domain)
        assert nu.status == Status.OPTIMAL, nu.messages
        assert nu.verified and nu.verified_exact
        ref = reference_nucleolus(v, n, domain)
        np.testing.assert_allclose(nu.x, ref, atol=1e-6 * max(1.0, g.scale()))
        assert kohlberg_ok(v, n, nu.x, domain)
        # the levels start at the least core's e*
        assert nu.levels[0] == pytest.approx(dense_least_core(v, n, domain), abs=1e-9 * max(1.0, g.scale()))


@pytest.mark.parametrize("n", [3, 4, 6, 9])
def test_symmetric_games_give_the_equal_split(n):
    """Degenerate: v(S) depends on |S| only; every ordering of the players is a symmetry, so x = v(N)/n."""
    for f in ([0, 0, 1], [0, 1, 1, 3], None):
        size = np.array([bin(m).count("1") for m in range(2**n)])
        prof = np.r_[0.0, np.sort(np.random.default_rng(n).integers(0, 4, n)).astype(float)] if f is None \
            else np.r_[np.asarray(f, float), np.full(n + 1 - len(f), float(f[-1]))][: n + 1]
        v = prof[size]
        v[-1] = max(v[-1], 0.0)
        g = TUGame(tuple(f"p{i}" for i in range(n)), v)
        for dom in ("imputation", "preimputation"):
            if dom == "imputation" and n * v[1] > v[-1]:
                continue
            nu = nucleolus(g, dom)
            assert nu.status == Status.OPTIMAL and nu.verified
            np.testing.assert_allclose(nu.x, v[-1] / n, atol=1e-9)


def test_larger_games_verified_by_kohlberg_and_brute_force():
    rng = np.random.default_rng(5)
    for n, kind in [(8, "superadditive"), (10, "integer"), (12, "normal")]:
        v = random_game(rng, n, kind)
        g = TUGame(tuple(f"p{i}" for i in range(n)), v)
        pre = prenucleolus(g)
        assert pre.status == Status.OPTIMAL and pre.verified and pre.verified_exact
        if n <= 10:
            assert kohlberg_ok(v, n, pre.x, "preimputation")


def test_kohlberg_rejects_a_wrong_allocation():
    nu = nucleolus(TEXTBOOK)
    bad = nu.x + np.array([1e-3, -1e-3, 0.0])
    rep = kohlberg(TEXTBOOK, bad, "imputation")
    assert not rep["verified"] and "not balanced" in rep["reason"]
    assert not kohlberg_ok(TEXTBOOK.v, 3, bad, "imputation")
    ok, _ = kohlberg_exact(TEXTBOOK, [Fraction(1001, 1000), Fraction(999, 1000), Fraction(0)], "imputation")
    assert not ok
    ok, _ = kohlberg_exact(TEXTBOOK, [Fraction(1), Fraction(1), Fraction(0)], "imputation")
    assert ok


def test_exact_balancedness_and_phase_one():
    # {a+b, c} and {a+b, a+c, b+c} are balanced; {a+b, a+c} is not; {a+b} is balanced relative to X0 = {c}
    assert balanced_exact([3, 4], 3, [])
    assert balanced_exact([3, 5, 6], 3, [])
    assert not balanced_exact([3, 5], 3, [])
    assert balanced_exact([3], 3, [2])
    assert not balanced_exact([3], 3, [])
    one = Fraction(1)
    assert phase_one_feasible([[one, one]], [Fraction(2)])
    assert not phase_one_feasible([[one, one]], [Fraction(-2)])


def test_empty_imputation_set_is_reported():
    g = TUGame.from_array([2, 2, 1], names="ab")
    nu = nucleolus(g)
    assert nu.status == Status.INFEASIBLE and "imputation set is empty" in nu.messages[0]


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 6), seed=st.integers(0, 10**6), kind=st.sampled_from(["superadditive", "symmetric",
                                                                               "normal", "integer"]))
def test_property_nucleolus_in_core_when_core_nonempty(n, seed, kind):
    v = random_game(np.random.default_rng(seed), n, kind)
    g = TUGame(tuple(f"p{i}" for i in range(n)), v)
    e = dense_least_core(v, n)
    pre = prenucleolus(g)
    assert pre.status == Status.OPTIMAL and pre.verified
    if e <= 0:
        assert in_core(g, pre.x)
        nu = nucleolus(g)  # the core lies inside the imputations: same point
        np.testing.assert_allclose(nu.x, pre.x, atol=1e-8 * max(1.0, g.scale()))
    assert pre.levels[0] == pytest.approx(e, abs=1e-9 * max(1.0, g.scale()))


def test_cli_contract_levels_and_verified(main_cli):
    code, out, err = main_cli("solve", "tu.nucleolus", "--data", "tu/textbook", "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["solution"]["allocation"] == pytest.approx({"a": 1.0, "b": 1.0, "c": 0.0})
    assert d["solution"]["levels"] == pytest.approx([8.0, -1.0])
    assert d["certificate"]["verified"] is True and d["certificate"]["verified_exact"] is True
    code, out, err = main_cli("solve", "tu.prenucleolus", "--data", "tu/textbook", "--format", "json",
                              "--set", "exact=off")
    d = json.loads(out)
    assert code == 0 and d["solution"]["allocation"] == pytest.approx({"a": 3.0, "b": 3.0, "c": -4.0})
    assert d["certificate"]["verified"] is True and d["certificate"]["verified_exact"] is None

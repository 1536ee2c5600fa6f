"""itinfra.outside (eq. 6): best response g_out (7), S_out (8), singleton S_single (9)."""

from __future__ import annotations

import pytest

from coopt.catalog import run
from coopt.errors import InputError
from coopt.formulations.itinfra import closed_form as cf


@pytest.mark.parametrize("solver", ["highs", "ipopt", "scip"])
def test_best_response_and_surplus(itinfra_paper, solver):
    inst = itinfra_paper
    for j in (0, 2, 5, inst.n - 1):
        r = run("itinfra.outside", inst, solver=solver, j=j)
        assert r.ok
        assert r.solution["g_out"] == pytest.approx(cf.g_out(inst.kappa, inst.p), rel=1e-7)
        want = cf.S_single(inst.n, inst.kappa, inst.beta) if j == 0 else cf.S_out(
            j, inst.n, inst.kappa, inst.beta, inst.alpha)
        assert r.objective == pytest.approx(want, rel=1e-7)


def test_worked_case_numbers():
    """The notes' worked case (beta=.55, alpha=.45): g_out=.325, S_single=.668688, S_out(2)=.757451."""
    import coopt

    inst = coopt.load("itinfra/worked-case")
    assert run("itinfra.outside", inst, j=0).objective == pytest.approx(0.668688, abs=5e-7)
    assert run("itinfra.outside", inst, j=2).objective == pytest.approx(0.757451, abs=5e-7)
    c = run("itinfra.coordinator", inst, j=2)
    assert c.solution["g_in"] == pytest.approx(0.5556, abs=5e-5)
    assert c.solution["S_in"] == pytest.approx(0.778278, abs=5e-7)


def test_no_outsider_in_the_grand_coalition(itinfra_paper):
    with pytest.raises(InputError, match="option 'j' = 10"):
        run("itinfra.outside", itinfra_paper, j=10)

"""coopt.solve.matrix: array LPs through coopt.solve, checked against SciPy's linprog (an independent call)."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from coopt.errors import CooptError
from coopt.solve import layer_of, solve
from coopt.solve.matrix import MatrixLP
from coopt.solve.result import Status


def _bounds(lo, hi):
    return [(None if not np.isfinite(a) else a, None if not np.isfinite(b) else b) for a, b in zip(lo, hi)]


def random_lp(rng):
    m, n = int(rng.integers(1, 8)), int(rng.integers(1, 6))
    A = rng.normal(size=(m, n))
    A[rng.random((m, n)) < 0.3] = 0
    x0 = rng.normal(size=n)
    ax = A @ x0
    lo = np.where(rng.random(m) < 0.5, ax - rng.random(m), -np.inf)
    hi = np.where(rng.random(m) < 0.5, ax + rng.random(m), np.inf)
    cl = np.where(rng.random(n) < 0.6, x0 - 2 * rng.random(n), -np.inf)
    ch = np.where(rng.random(n) < 0.6, x0 + 2 * rng.random(n), np.inf)
    return A, lo, hi, cl, ch, rng.normal(size=n), ("min" if rng.random() < 0.5 else "max")


def scipy_reference(A, lo, hi, cl, ch, c, sense):
    A_ub = np.vstack([A[np.isfinite(hi)], -A[np.isfinite(lo)]])
    b_ub = np.concatenate([hi[np.isfinite(hi)], -lo[np.isfinite(lo)]])
    return linprog(c if sense == "min" else -c, A_ub=A_ub if len(A_ub) else None,
                   b_ub=b_ub if len(A_ub) else None, bounds=_bounds(cl, ch), method="highs")


def test_random_lps_agree_with_scipy_and_certify():
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(150):
        A, lo, hi, cl, ch, c, sense = random_lp(rng)
        lp = MatrixLP(c, sp.csr_matrix(A), lo, hi, cl, ch, sense=sense)
        assert layer_of(lp) == "matrix"
        r = solve(lp, "highs", "LP")
        ref = scipy_reference(A, lo, hi, cl, ch, c, sense)
        seen.add(ref.status)
        if ref.status == 0:
            want = ref.fun if sense == "min" else -ref.fun
            assert r.status == Status.OPTIMAL
            assert r.objective == pytest.approx(want, abs=1e-7 * (1 + abs(want)))
            assert r.bound == pytest.approx(want, abs=1e-6 * (1 + abs(want)))  # dual bound recomputed by coopt
            assert r.primal_residual <= 1e-9 and r.kkt_residual <= 1e-9
            np.testing.assert_allclose(c, A.T @ r.row_dual + r.col_dual, atol=1e-9)  # c = A^T y + d
        else:  # SciPy may call an unbounded LP infeasible: decide feasibility with a zero objective
            feasible = scipy_reference(A, lo, hi, cl, ch, 0 * c, "min").status == 0
            want = (Status.UNBOUNDED,) if feasible else (Status.INFEASIBLE,)
            assert r.status in (*want, Status.INFEASIBLE_OR_UNBOUNDED)
    assert {0, 3} <= seen


def test_rows_added_resolve_warm_and_match_a_cold_solve():
    rng = np.random.default_rng(3)
    n = 6
    c = rng.normal(size=n)
    A0 = rng.normal(size=(4, n))
    lp = MatrixLP(c, A0, -np.ones(4), np.ones(4), -5 * np.ones(n), 5 * np.ones(n))
    r0 = solve(lp, "highs", "LP")
    assert r0.ok
    kept = lp._highs
    A1 = rng.normal(size=(3, n))
    lp.add_rows(A1, -0.5 * np.ones(3), 0.5 * np.ones(3))
    r1 = solve(lp, "highs", "LP")
    assert lp._highs is kept and lp.num_row == 7
    cold = MatrixLP(c, np.vstack([A0, A1]), np.r_[-np.ones(4), -0.5 * np.ones(3)],
                    np.r_[np.ones(4), 0.5 * np.ones(3)], -5 * np.ones(n), 5 * np.ones(n))
    rc = solve(cold, "highs", "LP")
    assert r1.ok and r1.objective == pytest.approx(rc.objective, abs=1e-9)
    lp.set_row_bounds([0], [-0.1], [0.1])
    lp.set_coeffs([1], [2], [0.0])
    r2 = solve(lp, "highs", "LP")
    A2 = np.vstack([A0, A1])
    A2[1, 2] = 0.0
    lo2, hi2 = np.r_[-np.ones(4), -0.5 * np.ones(3)], np.r_[np.ones(4), 0.5 * np.ones(3)]
    lo2[0], hi2[0] = -0.1, 0.1
    rc2 = solve(MatrixLP(c, A2, lo2, hi2, -5 * np.ones(n), 5 * np.ones(n)), "highs", "LP")
    assert r2.objective == pytest.approx(rc2.objective, abs=1e-9)


def test_named_values_and_refusals():
    lp = MatrixLP([1.0, 1.0], [[1.0, 1.0]], [1.0], None, [0.0, 0.0], None, names=("a", "b"))
    r = solve(lp, "highs", "LP")
    assert r.ok and r.objective == pytest.approx(1.0) and set(r.values) == {"a", "b"}
    with pytest.raises(CooptError):
        solve(lp, "scip", "LP")
    with pytest.raises(CooptError):
        solve(lp, "highs", "QP")
    with pytest.raises(CooptError):
        MatrixLP([1.0], [[1.0, 2.0]])


def test_a_loose_certificate_downgrades_the_status():
    """A stated tolerance tighter than the solve reached is reported, not hidden (status follows it)."""
    lp = MatrixLP([1.0, 1.0], [[1.0, 1.0]], [1.0], None, [0.0, 0.0], None)
    r = solve(lp, "highs", "LP")
    x = np.array([0.5, 0.5 - 1e-4])  # a point violating the row by 1e-4
    from coopt.solve.matrix import certificate

    cert = certificate(lp, x, r.row_dual)
    assert cert.primal_residual == pytest.approx(1e-4 / 2, rel=1e-6)


def test_a_highs_scheduler_set_up_elsewhere_does_not_break_matrix_solves():
    """HiGHS's thread scheduler is process-wide: another HiGHS user (Pyomo, CVXPY) may start it first."""
    import highspy

    from coopt.solve.matrix import new_highs

    h = new_highs()
    h.setOptionValue("threads", 2)
    h.passModel(highspy.HighsLp())
    h.run()
    lp = MatrixLP([1.0, 1.0], [[1.0, 1.0]], [1.0], None, [0.0, 0.0], None)
    r = solve(lp, "highs", "LP")
    assert r.ok and r.objective == pytest.approx(1.0)

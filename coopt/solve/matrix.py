"""Linear programs as arrays (a :class:`~coopt.formulations.matrix.MatrixLP`), solved by HiGHS, certified in numpy.

    lp = MatrixLP(c, A, row_lo, row_hi, col_lo, col_hi, sense="min", names=("x1", "x2"))
    res = coopt.solve.solve(lp, "highs", "LP")           # layer "matrix"
    lp.add_rows(A_new, lo_new, hi_new)                     # constraint generation ...
    res = coopt.solve.solve(lp, "highs", "LP")           # ... re-solved warm (dual simplex, kept basis)

For models with thousands of rows built by an algorithm (least-core masters, nucleolus levels) the
modelling layer costs more than the solve; this layer passes CSR arrays straight to HiGHS and keeps the
``Highs`` object between solves, so that added rows and changed bounds re-solve from the last basis.

Certificate (recomputed by coopt from the solver's primal x and row duals y, vectorised):

* primal residual: largest violation of a row or column bound by x, relative to 1 + the largest finite
  bound;
* reduced costs d = c - A^T y recomputed; dual residual: the largest multiplier of the wrong sign for its
  bound (a y_i or d_j that would need an infinite bound), relative to 1 + max|c|;
* dual bound (weak duality): sum of y_i times the row bound it prices plus d_j times the column bound
  it prices -- a proven lower bound for a minimisation when the dual residual is zero (terms of wrong
  sign are dropped, and then the dual residual says by how much the bound is unproven);
* gap: |objective - bound| / max(1, |objective|).

``optimal`` only when HiGHS reports an optimum and all three are within ``tol`` (default 1e-7;
``--tol`` tightens or loosens it); otherwise the status is downgraded to ``feasible`` (primal point
feasible) or ``numerical_error``, with a message naming the residual. Duals are reported in the sign
convention c = A^T y + d of the user's sense (for ``max``, y of the equivalent minimisation negated).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from coopt.errors import InputError, SolverUnavailable
from coopt.formulations.matrix import CSR, INF, MatrixLP  # noqa: F401 (CSR, MatrixLP re-exported)
from coopt.solve.result import Result, Status, relative_gap

DEFAULT_TOL = 1e-7

# ---------------------------------------------------------------------- HiGHS
_BANNER_SHOWN = False


def new_highs() -> Any:
    """A silent ``highspy.Highs`` (the one-time banner HiGHS prints on construction kept off stdout)."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        h = _quiet(highspy.Highs)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


def _quiet(fn: Any) -> Any:
    """Call ``fn`` with the process's stdout (fd 1) sent to the null device (C-level prints included)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):
        return fn()
    try:
        os.dup2(null, 1)
        return fn()
    finally:
        with contextlib.suppress(OSError):
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)


def _load(lp: MatrixLP, opts: dict[str, float]) -> Any:
    import highspy

    h = new_highs()
    A = lp.A
    c = lp.c if lp.sense == "min" else -lp.c
    h.passModel(lp.num_col, lp.num_row, A.nnz, int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMinimize),
                0.0, c, lp.col_lo, lp.col_hi, lp.row_lo, lp.row_hi, A.indptr.astype(np.int32),
                A.indices, A.data, np.zeros(lp.num_col, dtype=np.int32))
    return h


SMALL = 200_000  # nonzeros: below this HiGHS runs without presolve (its set-up costs more than it saves)


def _set_options(h: Any, opts: dict[str, float], nnz: int = 0) -> None:
    # (HiGHS's "threads" is left alone: it is process-wide, and a second value makes run() fail)
    h.setOptionValue("presolve", "off" if nnz < SMALL else "choose")
    h.setOptionValue("time_limit", float(opts.get("time_limit", INF)))
    if "tol" in opts:
        t = min(max(float(opts["tol"]), 1e-10), 1e-5)
        h.setOptionValue("primal_feasibility_tolerance", t)
        h.setOptionValue("dual_feasibility_tolerance", t)
    if "max_iter" in opts:
        h.setOptionValue("simplex_iteration_limit", int(opts["max_iter"]))


def _status(h: Any) -> Status:
    import highspy

    ms = highspy.HighsModelStatus
    st = h.getModelStatus()
    table = {
        ms.kOptimal: Status.OPTIMAL, ms.kInfeasible: Status.INFEASIBLE, ms.kUnbounded: Status.UNBOUNDED,
        ms.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED, ms.kTimeLimit: Status.TIME_LIMIT,
        ms.kIterationLimit: Status.ITERATION_LIMIT,
    }
    return table.get(st, Status.NUMERICAL_ERROR)


# ---------------------------------------------------------------------- certificate
@dataclass
class LPCertificate:
    """Residuals of a primal-dual pair of a :class:`MatrixLP`, recomputed in numpy."""

    primal_residual: float  # relative, see module docstring
    dual_residual: float  # relative
    objective: float
    bound: float  # dual objective (a proven bound when dual_residual == 0)
    gap: float | None
    row_activity: np.ndarray
    reduced_cost: np.ndarray


def certificate(lp: MatrixLP, x: np.ndarray, y: np.ndarray) -> LPCertificate:
    """Primal and dual residuals and the weak-duality bound of (x, y) for ``lp`` (user's sense).

    ``y`` are row duals of the *minimisation* (for ``max`` the LP is min -c^T x)."""
    A = lp.A
    c = lp.c if lp.sense == "min" else -lp.c
    ax = A.matvec(x)
    viol = np.concatenate([
        np.maximum(lp.row_lo - ax, 0.0), np.maximum(ax - lp.row_hi, 0.0),
        np.maximum(lp.col_lo - x, 0.0), np.maximum(x - lp.col_hi, 0.0),
    ])
    bounds = np.concatenate([lp.row_lo, lp.row_hi, lp.col_lo, lp.col_hi])
    fin = bounds[np.isfinite(bounds)]
    bscale = 1.0 + (float(np.max(np.abs(fin))) if fin.size else 0.0)
    p_res = float(viol.max(initial=0.0)) / bscale
    d = c - A.rmatvec(y)
    # which bound each multiplier prices: y_i > 0 -> row_lo, y_i < 0 -> row_hi (same for d_j and columns)
    y_lo, y_hi = np.maximum(y, 0.0), np.minimum(y, 0.0)
    d_lo, d_hi = np.maximum(d, 0.0), np.minimum(d, 0.0)
    bad = np.concatenate([
        np.where(np.isfinite(lp.row_lo), 0.0, y_lo), np.where(np.isfinite(lp.row_hi), 0.0, -y_hi),
        np.where(np.isfinite(lp.col_lo), 0.0, d_lo), np.where(np.isfinite(lp.col_hi), 0.0, -d_hi),
    ])
    cscale = 1.0 + float(np.max(np.abs(c), initial=0.0))
    d_res = float(bad.max(initial=0.0)) / cscale
    with np.errstate(invalid="ignore"):
        terms = (np.where(np.isfinite(lp.row_lo), y_lo * lp.row_lo, 0.0).sum()
                 + np.where(np.isfinite(lp.row_hi), y_hi * lp.row_hi, 0.0).sum()
                 + np.where(np.isfinite(lp.col_lo), d_lo * lp.col_lo, 0.0).sum()
                 + np.where(np.isfinite(lp.col_hi), d_hi * lp.col_hi, 0.0).sum())
    obj = float(c @ x)
    bound = float(terms)
    sign = 1.0 if lp.sense == "min" else -1.0
    return LPCertificate(p_res, d_res, sign * obj, sign * bound, relative_gap(obj, bound), ax, sign * d)


# ---------------------------------------------------------------------- solve
@dataclass
class MatrixResult(Result):
    """A :class:`Result` with the arrays of the solve: x, row duals y, reduced costs d, row activity."""

    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    row_activity: np.ndarray | None = None
    dual_residual: float | None = None


def solve_matrix(lp: MatrixLP, solver: str = "highs", problem_class: str = "LP",
                 opts: dict[str, float] | None = None, named: bool = True) -> MatrixResult:
    """Solve ``lp`` with HiGHS (warm from the kept basis after edits) and certify the answer.

    ``named``: fill ``values``/``duals`` dictionaries by name (off in inner loops; arrays always set).
    """
    if solver != "highs":
        raise SolverUnavailable(f"a matrix LP is solved by 'highs' (highspy directly), not '{solver}'")
    if problem_class != "LP":
        raise InputError(f"a matrix LP is a linear program, not {problem_class}")
    opts = dict(opts or {})
    t0 = time.perf_counter()
    if lp._highs is None:
        lp._highs = _load(lp, opts)
    h = lp._highs
    _set_options(h, opts, lp.A.nnz)
    h.run()
    status = _status(h)
    wall = time.perf_counter() - t0
    import highspy

    res = MatrixResult(problem=lp.name, status=status, solver="highs", solver_version=h.version(),
                       formulation="matrix", wall_time=wall)
    sol = h.getSolution()
    if not sol.value_valid:
        res.messages.append(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
        return res
    x = np.asarray(sol.col_value, dtype=np.float64)
    y = np.asarray(sol.row_dual, dtype=np.float64) if sol.dual_valid else np.zeros(lp.num_row)
    cert = certificate(lp, x, y)
    sign = 1.0 if lp.sense == "min" else -1.0
    res.x, res.row_dual, res.col_dual, res.row_activity = x, sign * y, cert.reduced_cost, cert.row_activity
    res.objective = cert.objective
    res.primal_residual = cert.primal_residual
    res.dual_residual = max(cert.dual_residual, 0.0)
    res.kkt_residual = res.dual_residual
    tol = float(opts.get("tol", DEFAULT_TOL))
    if status == Status.OPTIMAL:
        if not sol.dual_valid:
            status = Status.FEASIBLE
            res.messages.append("HiGHS returned no duals: optimality not certified")
        else:
            res.bound = cert.bound
            res.gap = cert.gap
            why = [f"{k} {v:.2e}" for k, v in (("primal residual", cert.primal_residual),
                                                 ("dual residual", cert.dual_residual),
                                                 ("gap", cert.gap if cert.gap is not None else INF)) if v > tol]
            if why:
                status = Status.FEASIBLE if cert.primal_residual <= tol else Status.NUMERICAL_ERROR
                res.messages.append(f"HiGHS reported optimal but coopt's certificate exceeds tol {tol:g}: "
                                    + ", ".join(why))
    res.status = status
    if named:
        res.values = dict(zip(lp.names, x.tolist()))
        rn = lp.row_names if lp.row_names is not None else range(lp.num_row)
        res.duals = {"rows": dict(zip(map(str, rn), res.row_dual.tolist()))}
    _ = highspy
    return res


__all__ = ["CSR", "DEFAULT_TOL", "LPCertificate", "MatrixLP", "MatrixResult", "certificate", "new_highs",
           "solve_matrix"]

"""Solve a CVXPY problem with Clarabel, SCS, ECOS, OSQP or HiGHS, and read back a uniform Result.

The problem is compiled once (``Problem.get_problem_data``), solved through CVXPY's own chain, and
the solver's raw primal and dual vectors are kept: coopt computes from them, in the solver's own
standard form, a Lagrangian lower bound, the dual residual and the primal residual
(:mod:`coopt.solve.lagrangian`). The objective is re-evaluated at the returned point, the gap is the
distance between that objective and the computed bound -- never the solver's claim -- and the status
follows :func:`coopt.solve.status.certify`. The KKT residual is the dual residual of that certificate
(the gradient of the Lagrangian at the returned point, multipliers moved into the dual cone); when no
certificate can be made it is recomputed from CVXPY's expression gradients with least-squares
multipliers (as for Pyomo models), and there is no bound.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy.optimize import lsq_linear

from coopt.solve.lagrangian import ConicCertificate, box_certificate, conic_certificate
from coopt.solve.output import quiet_solver
from coopt.solve.registry import SolverSpec
from coopt.solve.result import Result, Status
from coopt.solve.status import Tolerances, certify

_CVXPY_NAME = {"clarabel": "CLARABEL", "scs": "SCS", "ecos": "ECOS", "osqp": "OSQP", "highs-cvxpy": "HIGHS"}


def _solver_kwargs(name: str, opts: dict[str, Any]) -> dict[str, Any]:
    tol, tl, gap = opts.get("tol"), opts.get("time_limit"), opts.get("gap")
    kw: dict[str, Any] = {}
    if name == "clarabel":
        t = tol or 1e-10
        kw.update(tol_gap_abs=t, tol_gap_rel=t, tol_feas=t)
        if tl is not None:
            kw["time_limit"] = float(tl)
    elif name == "ecos":
        t = tol or 1e-10
        kw.update(abstol=t, reltol=t, feastol=t, max_iters=500)
    elif name == "scs":
        t = tol or 1e-9
        kw.update(eps_abs=t, eps_rel=t, max_iters=200_000)
        if tl is not None:
            kw["time_limit_secs"] = float(tl)
    elif name == "osqp":
        t = tol or 1e-9
        kw.update(eps_abs=t, eps_rel=t, max_iter=200_000)
        if tl is not None:
            kw["time_limit"] = float(tl)
    elif name == "highs-cvxpy":
        t = tol or 1e-9
        # HiGHS's QP solver regularises the Hessian by 1e-7 by default, which shifts the optimum of
        # flat (rank-deficient) objectives by ~1e-6 relative; keep it far below the tolerance.
        kw.update(primal_feasibility_tolerance=t, dual_feasibility_tolerance=t, qp_regularization_value=1e-12)
        if tl is not None:
            kw["time_limit"] = float(tl)
        if gap is not None:
            kw["mip_rel_gap"] = float(gap)
    return kw


def _status(cvx_status: str) -> Status:
    import cvxpy as cp

    table = {
        cp.OPTIMAL: Status.OPTIMAL,
        cp.INFEASIBLE: Status.INFEASIBLE,
        cp.UNBOUNDED: Status.UNBOUNDED,
        cp.USER_LIMIT: Status.TIME_LIMIT,
        cp.OPTIMAL_INACCURATE: Status.NUMERICAL_ERROR,
        cp.INFEASIBLE_INACCURATE: Status.NUMERICAL_ERROR,
        cp.UNBOUNDED_INACCURATE: Status.NUMERICAL_ERROR,
        cp.SOLVER_ERROR: Status.NUMERICAL_ERROR,
    }
    return table.get(cvx_status, Status.ERROR)


def solve_cvxpy(problem: Any, spec: SolverSpec, problem_class: str, opts: dict[str, Any], name: str = "") -> Result:
    """Solve a CVXPY ``problem`` with ``spec``; fill objective, computed bound, gap and residuals."""
    import cvxpy as cp

    t0 = time.perf_counter()
    solver_name = _CVXPY_NAME[spec.name]
    kwargs = _solver_kwargs(spec.name, opts)
    try:
        with quiet_solver():
            data, chain, inverse = problem.get_problem_data(solver_name, solver_opts=kwargs)
            raw = chain.solve_via_data(problem, data, True, False, kwargs)  # warm start, as Problem.solve
            problem.unpack_results(raw, chain, inverse)
        status = _status(problem.status)
    except cp.error.SolverError as err:
        return Result(problem=name, status=Status.NUMERICAL_ERROR, solver=spec.name,
                      wall_time=time.perf_counter() - t0, messages=[f"{spec.name}: {str(err)[:200]}"])
    except Exception as err:
        return Result(problem=name, status=Status.ERROR, solver=spec.name, wall_time=time.perf_counter() - t0,
                      messages=[f"{spec.name} failed: {type(err).__name__}: {_first_line(err)}"])
    wall = time.perf_counter() - t0
    stats = problem.solver_stats
    version = str(getattr(stats, "solver_version", "") or "")
    if not version:
        try:
            import importlib.metadata as md

            version = md.version({"highs-cvxpy": "highspy"}.get(spec.name, spec.name))
        except Exception:
            version = ""
    res = Result(problem=name, status=status, solver=spec.name, solver_version=version, wall_time=wall)
    if not status.has_solution:
        return res
    res.objective = _objective(problem)
    res.sense = "max" if isinstance(problem.objective, cp.Maximize) else "min"
    res.values = {v.name(): _val(v.value) for v in problem.variables()}
    res.duals = {f"constraint_{k}": _val(c.dual_value) for k, c in enumerate(problem.constraints)
                 if c.dual_value is not None}
    res.primal_residual = float(max((np.max(np.atleast_1d(c.violation())) for c in problem.constraints),
                                    default=0.0))
    scale = 1.0
    cert = None
    try:
        cert = standard_form_certificate(spec.name, chain, data, raw, inverse)
    except Exception as err:  # an unexpected solver output: no bound rather than a made-up one
        res.messages.append(f"dual bound not computed: {type(err).__name__}: {_first_line(err)}")
    if cert is not None:
        maximize = isinstance(problem.objective, cp.Maximize)
        res.bound = -cert.bound if maximize else cert.bound
        res.gap = cert.gap(-res.objective if maximize else res.objective)
        res.kkt_residual = cert.dual_residual
        res.primal_residual = max(res.primal_residual, cert.primal_residual)
        scale = cert.primal_scale
    else:
        res.kkt_residual = kkt_residual_cvxpy(problem)
    if problem_class not in spec.global_for:
        return res
    return certify(res, Tolerances.from_options(opts), primal_scale=scale)


def _first_line(err: BaseException) -> str:
    lines = str(err).splitlines()
    return (lines[0] if lines else "")[:200]


def _objective(problem: Any) -> float:
    """The objective re-evaluated at the returned point (not the solver's reported value)."""
    v = problem.objective.value
    try:
        f = float(np.asarray(v, dtype=float).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        f = float("nan")
    return f if np.isfinite(f) else float(problem.value)


def standard_form_certificate(solver: str, chain: Any, data: dict, raw: Any, inverse: Any
                              ) -> ConicCertificate | None:
    """The Lagrangian certificate of :mod:`coopt.solve.lagrangian` in the solver's own standard form
    (for a maximisation: of the flipped, minimised problem)."""
    offset = float(inverse[-1]["offset"])
    if solver in ("clarabel", "scs", "ecos"):
        c, dims, P = data["c"], data["dims"], data.get("P")
        if solver == "ecos":
            A_eq = data.get("A")
            if A_eq is not None and A_eq.shape[0] > 0:
                import scipy.sparse as sp

                A = sp.vstack([A_eq, data["G"]]).tocsc()
                b = np.concatenate([data["b"], data["h"]])
                y = np.concatenate([np.asarray(raw["y"]), np.asarray(raw["z"])])
            else:
                A, b, y = data["G"], data["h"], np.asarray(raw["z"])
            x = raw["x"]
        elif solver == "scs":
            A, b, x, y = data["A"], data["b"], raw["x"], raw["y"]
        else:
            A, b, x, y = data["A"], data["b"], np.asarray(raw.x), np.asarray(raw.z)
        order = tuple(getattr(chain.solver, "EXP_CONE_ORDER", None) or (0, 1, 2))
        return conic_certificate(c, A, b, dims, x, y, P, offset, order)
    # QP form (OSQP, HiGHS): min 1/2 x'Px + q'x s.t. l <= [A; F] x <= u (and column bounds for HiGHS)
    A, lo, hi, P, q = data["Ax"], np.asarray(data["l"], float), np.asarray(data["u"], float), data["P"], data["q"]
    n = A.shape[1]
    if solver == "osqp":
        x, y = np.asarray(raw.x, float), -np.asarray(raw.y, float)  # OSQP: Px + q + A'y = 0
        col_lo, col_hi = np.full(n, -np.inf), np.full(n, np.inf)
    else:
        sol = raw["solution"]
        x, y = np.asarray(sol.col_value, float), np.asarray(sol.row_dual, float)  # HiGHS: grad = A'y + z
        lb, ub = data.get("lower_bounds"), data.get("upper_bounds")
        col_lo = np.full(n, -np.inf) if lb is None else np.asarray(lb, float)
        col_hi = np.full(n, np.inf) if ub is None else np.asarray(ub, float)
    lo = np.where(lo <= -1e20, -np.inf, lo)
    hi = np.where(hi >= 1e20, np.inf, hi)
    col_lo = np.where(col_lo <= -1e20, -np.inf, col_lo)
    col_hi = np.where(col_hi >= 1e20, np.inf, col_hi)
    Px = P @ x
    value = float(q @ x + 0.5 * x @ Px) + offset
    return box_certificate(value, Px + q, A, lo, hi, col_lo, col_hi, x, y)


def _val(x: Any) -> Any:
    if x is None:
        return None
    a = np.asarray(x, dtype=float)
    if a.ndim == 0 or a.size == 1:
        return float(a.reshape(-1)[0])
    return {i: float(v) for i, v in enumerate(a.reshape(-1))}


def kkt_residual_cvxpy(problem: Any, active_tol: float = 1e-6) -> float | None:
    """Stationarity residual of a CVXPY problem made of (in)equality constraints, else None."""
    import cvxpy as cp
    from cvxpy.constraints import Equality, Inequality, NonNeg, NonPos, Zero

    xs = problem.variables()
    sizes = [v.size for v in xs]
    offs = np.cumsum([0, *sizes])
    n = int(offs[-1])

    def flat_grad(expr: Any) -> np.ndarray | None:
        g = expr.grad
        if g is None:
            return None
        out = np.zeros((n, expr.size))
        for k, v in enumerate(xs):
            gv = g.get(v)
            if gv is None:
                continue
            gv = gv.toarray() if hasattr(gv, "toarray") else np.asarray(gv, dtype=float)
            out[offs[k]:offs[k + 1], :] = gv.reshape(v.size, expr.size)
        return out

    sign = 1.0 if isinstance(problem.objective, cp.Minimize) else -1.0
    gf = flat_grad(problem.objective.expr)
    if gf is None:
        return None
    grad_f = sign * gf[:, 0]
    cols, lo = [], []
    for c in problem.constraints:
        if isinstance(c, Inequality | NonPos | NonNeg | Equality | Zero):
            expr = c.expr if not isinstance(c, NonNeg) else -c.expr
            G = flat_grad(expr)
            if G is None:
                return None
            gval = np.atleast_1d(np.asarray(expr.value, dtype=float)).reshape(-1, order="F")
            eq = isinstance(c, Equality | Zero)
            for i in range(expr.size):
                if eq or abs(gval[i]) <= active_tol * (1 + abs(gval[i])):
                    cols.append(G[:, i])
                    lo.append(-np.inf if eq else 0.0)
        else:
            return None  # a cone constraint: certified by the solver's duality gap instead
    scale = max(1.0, float(np.max(np.abs(grad_f))) if grad_f.size else 1.0)
    if not cols:
        return float(np.max(np.abs(grad_f))) / scale
    A = np.column_stack(cols)
    sol = lsq_linear(A, -grad_f, bounds=(np.array(lo), np.full(len(lo), np.inf)), method="bvls")
    return float(np.max(np.abs(A @ sol.x + grad_f))) / scale

"""Solve a CVXPY problem with Clarabel, SCS, OSQP or HiGHS, and read back a uniform Result.

The KKT residual is recomputed by coopt from CVXPY's expression gradients, with multipliers fitted
by bounded least squares on the active set (as for Pyomo models), for problems whose constraints
are (in)equalities of differentiable expressions; for other cones it is left to the duality gap.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from scipy.optimize import lsq_linear

from coopt.solve.registry import SolverSpec
from coopt.solve.result import Result, Status, relative_gap

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
    """Solve a CVXPY ``problem`` with ``spec``; fill objective, residuals and gap."""
    import cvxpy as cp

    t0 = time.perf_counter()
    try:
        problem.solve(solver=_CVXPY_NAME[spec.name], **_solver_kwargs(spec.name, opts))
        status = _status(problem.status)
    except cp.error.SolverError as err:
        return Result(problem=name, status=Status.NUMERICAL_ERROR, solver=spec.name,
                      wall_time=time.perf_counter() - t0, messages=[f"{spec.name}: {str(err)[:200]}"])
    except Exception as err:
        return Result(problem=name, status=Status.ERROR, solver=spec.name, wall_time=time.perf_counter() - t0,
                      messages=[f"{spec.name} failed: {type(err).__name__}: {str(err).splitlines()[0][:200]}"])
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
    if status.has_solution:
        res.objective = float(problem.value)
        res.values = {v.name(): _val(v.value) for v in problem.variables()}
        res.duals = {f"constraint_{k}": _val(c.dual_value) for k, c in enumerate(problem.constraints)
                     if c.dual_value is not None}
        res.primal_residual = float(max((np.max(np.atleast_1d(c.violation())) for c in problem.constraints),
                                        default=0.0))
        res.kkt_residual = kkt_residual_cvxpy(problem)
        if problem_class in ("LP", "QP", "SOCP", "CONE", "NLP"):
            res.bound = res.objective  # interior-point/ADMM duality gap closed to the solver tolerance
            res.gap = relative_gap(res.objective, res.bound)
    return res


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
